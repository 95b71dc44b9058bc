// Command diskbench measures a disk as a program sees it: sequential
// write and read in 1 MiB requests, then random 4 KiB reads and writes
// from 1 and 32 goroutines, over the first AREA MiB of DEV. The same
// program is built for GOOS=xen (our blkfront, through /dev/xvda) and for
// linux (a Linux PVH domU's blkfront, with O_DIRECT so that Linux's page
// cache does not answer for the disk: the GOOS=xen driver has no cache).
//
//	diskbench DEV [AREA_MIB [SECONDS]]
//
// It prints one line a figure: "NAME VALUE UNIT".
package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// oDirect is Linux's O_DIRECT on amd64; GOOS=xen's files have no page
// cache to bypass.
func oDirect() int {
	if runtime.GOOS == "linux" {
		return 0x4000
	}
	return 0
}

// aligned returns n bytes at a page boundary (O_DIRECT wants aligned
// buffers).
func aligned(n int) []byte {
	b := make([]byte, n+4096)
	off := (4096 - int(uintptr(unsafe.Pointer(&b[0]))%4096)) % 4096
	return b[off : off+n]
}

func check(err error) {
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
}

func main() {
	dev := os.Args[1]
	area := int64(64 << 20)
	secs := 5.0
	if len(os.Args) > 2 {
		n, err := strconv.Atoi(os.Args[2])
		check(err)
		area = int64(n) << 20
	}
	if len(os.Args) > 3 {
		s, err := strconv.ParseFloat(os.Args[3], 64)
		check(err)
		secs = s
	}
	for i := 0; ; i++ { // Linux connects its disks after boot
		if _, err := os.Stat(dev); err == nil {
			break
		} else if i == 600 {
			check(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	f, err := os.OpenFile(dev, os.O_RDWR|oDirect(), 0)
	check(err)

	buf := aligned(1 << 20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	t := time.Now()
	for off := int64(0); off < area; off += int64(len(buf)) {
		_, err := f.WriteAt(buf, off)
		check(err)
	}
	check(f.Sync())
	fmt.Printf("seq-write %.1f MB/s\n", float64(area)/1e6/time.Since(t).Seconds())
	t = time.Now()
	for off := int64(0); off < area; off += int64(len(buf)) {
		_, err := f.ReadAt(buf, off)
		check(err)
	}
	fmt.Printf("seq-read %.1f MB/s\n", float64(area)/1e6/time.Since(t).Seconds())

	for _, write := range []bool{false, true} {
		for _, jobs := range []int{1, 32} {
			var ops atomic.Int64
			var wg sync.WaitGroup
			end := time.Now().Add(time.Duration(secs * float64(time.Second)))
			t := time.Now()
			for j := 0; j < jobs; j++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(j), 1))
					p := aligned(4096)
					for time.Now().Before(end) {
						off := r.Int64N(area/4096) * 4096
						var err error
						if write {
							_, err = f.WriteAt(p, off)
						} else {
							_, err = f.ReadAt(p, off)
						}
						check(err)
						ops.Add(1)
					}
				}()
			}
			wg.Wait()
			name := "rand-read"
			if write {
				name = "rand-write"
			}
			fmt.Printf("%s-%d %.0f IOPS\n", name, jobs, float64(ops.Load())/time.Since(t).Seconds())
		}
	}
	fmt.Println("ok")
}
