// fatfs uses an ordinary Go storage library on a PV disk: go-diskfs's
// FAT32 implementation (a module dependency) over /dev/xvda as an
// *os.File. Dom0 made the file system with mkfs.vfat and put HELLO.TXT and
// a directory GODIR on it with mtools; this program reads that file, lists
// the root, writes two files into GODIR (one of 300 KiB, whose SHA-256 it
// prints for dom0 to compare) and syncs. Dom0 then runs fsck.vfat -n and
// reads the files with mtools.
//
// Two go-diskfs limits, on every OS, shape the test: it does not keep the
// FSInfo sector's free cluster count (dom0 marks it unknown, 0xFFFFFFFF,
// as the FAT32 specification allows, or fsck.vfat reports it wrong), and
// the ".." entry its Mkdir writes in a directory of the root names cluster
// 2, not 0, which fsck.vfat reports (so dom0 makes the directory).
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	"github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/filesystem/fat32"
)

func check(what string, err error) {
	if err != nil {
		fmt.Printf("FAIL: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func main() {
	dev := "/dev/xvda"
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	check("open", err)
	size, err := f.Seek(0, io.SeekEnd)
	check("seek", err)
	fs, err := fat32.Read(file.New(f, false), size, 0, 512)
	check("fat32.Read", err)
	fmt.Printf("label %q\n", fs.Label())

	hello, err := fs.ReadFile("HELLO.TXT")
	check("read HELLO.TXT", err)
	fmt.Printf("HELLO.TXT: %q\n", hello)
	ents, err := fs.ReadDir(".")
	check("readdir .", err)
	for _, e := range ents {
		fmt.Printf("root entry %s dir=%v\n", e.Name(), e.IsDir())
	}

	w, err := fs.OpenFile("GODIR/FROMGO.TXT", os.O_CREATE|os.O_RDWR)
	check("create FROMGO.TXT", err)
	_, err = w.Write([]byte("written by a GOOS=xen domU through go-diskfs\n"))
	check("write FROMGO.TXT", err)
	check("close FROMGO.TXT", w.Close())

	big := make([]byte, 300<<10)
	for i := range big {
		big[i] = byte(i*7 + i>>9)
	}
	w, err = fs.OpenFile("GODIR/BIG.BIN", os.O_CREATE|os.O_RDWR)
	check("create BIG.BIN", err)
	_, err = w.Write(big)
	check("write BIG.BIN", err)
	check("close BIG.BIN", w.Close())
	back, err := fs.ReadFile("GODIR/BIG.BIN")
	check("read BIG.BIN", err)
	if string(back) != string(big) {
		fmt.Println("FAIL: BIG.BIN reads back different")
		os.Exit(1)
	}
	fmt.Printf("BIG.BIN sha256 %x\n", sha256.Sum256(big))
	check("sync", f.Sync())
	check("close", f.Close())
	fmt.Println("ok")
}
