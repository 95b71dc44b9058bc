// disk exercises PV disks as files. Built for GOOS=xen it runs in a domU
// against Linux's blkback; built for linux it runs in dom0 to check the
// images the domU wrote, and in a Linux PVH domU to show what Linux's own
// block devices do (the semantics mode, whose "same:" lines must match).
//
//	disk write DEV           write the patterns, Sync, print "synced", wait to be destroyed
//	disk verify DEV          read the whole disk back and check it against the patterns
//	disk check IMAGE         (dom0) the same check, of the image file
//	disk semantics RW RO     Linux's file semantics of block devices, on a writable and a read-only disk
//	disk large DEV           write and read back near the end of a large disk, past 4 GiB
//	disk check-large IMAGE   (dom0) check what large wrote
//	disk concurrent A B      32 goroutines on each of two disks at once
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// regions are where write puts its patterns on a 64 MiB disk: aligned to
// sectors and pages, and not, small and large, up to the last byte.
var regions = []struct{ off, n int64 }{
	{0, 4096},
	{513, 1000},
	{4095, 2},
	{1 << 20, 1 << 20},
	{5<<20 + 7, 12345},
	{8 << 20, 3<<20 + 512},
	{20<<20 + 100, 1<<20 + 3},
	{64<<20 - 1000, 1000},
}

// pattern is the byte write puts at offset off.
func pattern(off int64) byte { return byte(off*131+off>>11*7) | 1 }

func fill(p []byte, off int64) {
	for i := range p {
		p[i] = pattern(off + int64(i))
	}
}

func main() {
	if len(os.Args) < 3 {
		fail("usage: disk MODE ARGS")
	}
	if !strings.HasPrefix(os.Args[1], "check") {
		waitDevices(os.Args[2:])
	}
	switch os.Args[1] {
	case "write":
		write(os.Args[2])
	case "verify", "check":
		verify(os.Args[2])
	case "semantics":
		semantics(os.Args[2], os.Args[3])
	case "large":
		large(os.Args[2])
	case "check-large":
		checkLarge(os.Args[2])
	case "concurrent":
		concurrent(os.Args[2:])
	default:
		fail("unknown mode %s", os.Args[1])
	}
	fmt.Println("ok")
}

// waitDevices waits for the disks to appear: Linux's blkfront connects
// them in the background after boot (on xen, /dev has them at first look).
func waitDevices(devs []string) {
	for _, dev := range devs {
		for i := 0; ; i++ {
			if _, err := os.Stat(dev); err == nil {
				break
			} else if i == 600 {
				fail("%v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func fail(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func write(dev string) {
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	check(err)
	for _, r := range regions {
		p := make([]byte, r.n)
		fill(p, r.off)
		n, err := f.WriteAt(p, r.off)
		if err != nil || int64(n) != r.n {
			fail("WriteAt(%d, %d) = %d, %v", r.n, r.off, n, err)
		}
	}
	// A last write through the file offset, unaligned.
	_, err = f.Seek(30<<20+3, io.SeekStart)
	check(err)
	p := make([]byte, 70000)
	fill(p, 30<<20+3)
	_, err = f.Write(p)
	check(err)
	check(f.Sync())
	fmt.Println("synced")
	// Wait for dom0's xl destroy: no clean shutdown, no close.
	for {
		time.Sleep(time.Hour)
	}
}

// expected is the disk's contents at [off, off+len(p)).
func expected(p []byte, off int64) {
	clear(p)
	all := append(regions, struct{ off, n int64 }{30<<20 + 3, 70000})
	for _, r := range all {
		lo, hi := max(r.off, off), min(r.off+r.n, off+int64(len(p)))
		for o := lo; o < hi; o++ {
			p[o-off] = pattern(o)
		}
	}
}

func verify(path string) {
	f, err := os.Open(path)
	check(err)
	size, err := f.Seek(0, io.SeekEnd)
	check(err)
	if size != 64<<20 {
		fail("size %d, want 64 MiB", size)
	}
	got, want := make([]byte, 1<<20), make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(got)) {
		n, err := f.ReadAt(got, off)
		if n != len(got) || err != nil && err != io.EOF {
			fail("ReadAt(%d) = %d, %v", off, n, err)
		}
		expected(want, off)
		if !bytes.Equal(got, want) {
			i := 0
			for got[i] == want[i] {
				i++
			}
			fail("byte %d is %#x, want %#x", off+int64(i), got[i], want[i])
		}
	}
	fmt.Printf("verified %d bytes\n", size)
}

// errno names an error the way both systems print it.
func errno(err error) string {
	if err == nil {
		return "ok"
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return e.Error()
	}
	if err == io.EOF {
		return "EOF"
	}
	return err.Error()
}

func semantics(rw, ro string) {
	same := func(format string, args ...any) { fmt.Printf("same: "+format+"\n", args...) }
	for _, dev := range []string{rw, ro} {
		fi, err := os.Stat(dev)
		check(err)
		st := fi.Sys().(*syscall.Stat_t)
		same("%s type %v rdev %d:%d", dev, fi.Mode().Type(), st.Rdev>>8&0xfff, st.Rdev&0xff|st.Rdev>>12&^0xff)
		// Not compared: Linux's stat says size 0, and the permissions
		// are udev's (0660) or devtmpfs's (0600).
		fmt.Printf("%s stat size %d mode %v\n", dev, fi.Size(), fi.Mode())
	}
	ents, err := os.ReadDir("/dev")
	check(err)
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "xvd") {
			names = append(names, e.Name()+":"+e.Type().String())
		}
	}
	same("/dev lists %v", names)

	// Not compared: Linux opens a read-only disk for writing and fails the
	// writes (EPERM); GOOS=xen refuses the open (EROFS).
	rof, err := os.OpenFile(ro, os.O_RDWR, 0)
	fmt.Printf("ro: open read-only disk O_RDWR: %s\n", errno(err))
	if err == nil {
		_, err = rof.WriteAt([]byte("x"), 0)
		fmt.Printf("ro: write to read-only disk opened O_RDWR: %s\n", errno(err))
		rof.Close()
	}
	_, err = os.OpenFile(ro, os.O_WRONLY, 0)
	fmt.Printf("ro: open read-only disk O_WRONLY: %s\n", errno(err))
	f, err := os.Open(ro)
	check(err)
	_, err = f.WriteAt([]byte("x"), 0)
	same("write to read-only disk opened O_RDONLY: %s", errno(err))
	f.Close()

	f, err = os.OpenFile(rw, os.O_RDWR, 0)
	check(err)
	size, err := f.Seek(0, io.SeekEnd)
	same("seek end: %d %s", size, errno(err))
	_, err = f.Seek(1, io.SeekEnd)
	same("seek past end: %s", errno(err))
	_, err = f.Seek(-1, io.SeekStart)
	same("seek before start: %s", errno(err))
	p := make([]byte, 1000)
	n, err := f.ReadAt(p, size)
	same("ReadAt at end: %d %s", n, errno(err))
	n, err = f.ReadAt(p, size-10)
	same("ReadAt across end: %d %s", n, errno(err))
	n, err = f.ReadAt(p, size+4096)
	same("ReadAt past end: %d %s", n, errno(err))
	n, err = syscall.Pread(int(f.Fd()), p, size-10)
	same("pread across end: %d %s", n, errno(err))
	n, err = f.WriteAt(p, size-10)
	same("WriteAt across end: %d %s", n, errno(err))
	n, err = syscall.Pwrite(int(f.Fd()), p, size-10)
	same("pwrite across end: %d %s", n, errno(err))
	n, err = syscall.Pwrite(int(f.Fd()), p, size)
	same("pwrite at end: %d %s", max(n, 0), errno(err)) // Linux's syscall package says -1
	n, err = syscall.Pwrite(int(f.Fd()), nil, size)
	same("empty pwrite at end: %d %s", n, errno(err))
	_, err = f.Seek(size-3, io.SeekStart)
	check(err)
	n, err = f.Write([]byte("abcdef"))
	same("Write across end: %d %s", n, errno(err))
	n, err = f.Read(p)
	same("Read at end: %d %s", n, errno(err))
	same("Truncate: %s", errno(f.Truncate(0)))
	same("Sync: %s", errno(f.Sync()))

	// Unaligned writes and reads, through the offset and at offsets, and
	// past 4 GiB of offset arithmetic in sectors.
	w := []byte("unaligned data across a sector boundary")
	n, err = f.WriteAt(w, 1000)
	same("WriteAt unaligned: %d %s", n, errno(err))
	got := make([]byte, len(w)+2)
	n, err = f.ReadAt(got, 999)
	same("ReadAt unaligned: %d %s %q", n, errno(err), got)
	f.Close()

	// Linux's block devices ignore O_APPEND: the write goes to the file
	// offset.
	fa, err := os.OpenFile(rw, os.O_RDWR|os.O_APPEND, 0)
	check(err)
	_, err = fa.Seek(5000, io.SeekStart)
	check(err)
	n, err = fa.Write([]byte("appended?"))
	same("O_APPEND write: %d %s", n, errno(err))
	got = make([]byte, 9)
	fa.ReadAt(got, 5000)
	same("O_APPEND wrote at the offset: %q", got)
	fa.Close()
}

func large(dev string) {
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	check(err)
	size, err := f.Seek(0, io.SeekEnd)
	check(err)
	fmt.Printf("size %d\n", size)
	for _, off := range largeOffsets(size) {
		p := []byte(fmt.Sprintf("written at %d by the domU", off))
		n, err := f.WriteAt(p, off)
		if err != nil && !(off+int64(len(p)) > size && n == 0) {
			fail("WriteAt(%d) = %d, %v", off, n, err)
		}
	}
	check(f.Sync())
	for _, off := range largeOffsets(size) {
		want := []byte(fmt.Sprintf("written at %d by the domU", off))
		want = want[:min(int64(len(want)), size-off)]
		got := make([]byte, len(want))
		if _, err := f.ReadAt(got, off); err != nil || !bytes.Equal(got, want) {
			fail("ReadAt(%d) = %q, %v", off, got, err)
		}
	}
	fmt.Println("large synced")
}

// largeOffsets are unaligned offsets past 4 GiB and up to the last
// sector of the disk.
func largeOffsets(size int64) []int64 {
	return []int64{4<<30 - 7, 4<<30 + 12345, 5<<30 + 1, size - 1<<20 - 3, size - 100}
}

func checkLarge(path string) {
	f, err := os.Open(path)
	check(err)
	st, err := f.Stat()
	check(err)
	for _, off := range largeOffsets(st.Size()) {
		want := []byte(fmt.Sprintf("written at %d by the domU", off))
		want = want[:min(int64(len(want)), st.Size()-off)]
		got := make([]byte, len(want)+2)
		n, _ := f.ReadAt(got, off-1)
		if n < len(want)+1 || got[0] != 0 || !bytes.Equal(got[1:len(want)+1], want) {
			fail("at %d the image has %q", off, got[:n])
		}
	}
	fmt.Printf("checked %d bytes\n", st.Size())
}

// concurrent runs 32 goroutines on each disk, each writing, reading back
// and checking its own regions, aligned and not.
func concurrent(devs []string) {
	var wg sync.WaitGroup
	errs := make(chan error, 64*len(devs))
	start := time.Now()
	for d, dev := range devs {
		f, err := os.OpenFile(dev, os.O_RDWR, 0)
		check(err)
		for g := 0; g < 32; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(d), uint64(g)))
				base := int64(g) << 20
				for i := 0; i < 20; i++ {
					off := base + r.Int64N(1<<19)
					p := make([]byte, 1+r.IntN(1<<16))
					fill(p, off+int64(d))
					if _, err := f.WriteAt(p, off); err != nil {
						errs <- err
						return
					}
					q := make([]byte, len(p))
					if _, err := f.ReadAt(q, off); err != nil || !bytes.Equal(p, q) {
						errs <- fmt.Errorf("%s goroutine %d: read back differs (%v)", dev, g, err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fail("%v", err)
	}
	fmt.Printf("concurrent: %d goroutines on %d disks in %v\n", 32*len(devs), len(devs), time.Since(start).Round(time.Millisecond))
}
