// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build !xen

package blkfront_test

import (
	"internal/byteorder"
	"internal/xen/xenfake"
	"sync"
	"syscall"
	"testing"
	"time"
)

// FuzzResponses lets the input decide what the backend answers: for each
// request, 4 bytes say how many copies of the response go on the ring
// (none, one, two, three) and which field gets which value (id, operation,
// status). Whatever it answers, every call returns (no hang, no panic)
// with the number of bytes asked for and no error, or with EIO.
func FuzzResponses(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0, 1, 1, 1, 0, 1, 2, 0xff, 0xff})
	f.Add([]byte{2, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 3, 0, 0, 0})
	f.Add([]byte{1, 0, 5, 0, 1, 0, 0x80, 0, 1, 1, 6, 0, 1, 2, 0xfe, 0xff, 1, 2, 9, 0})
	f.Fuzz(func(t *testing.T, script []byte) {
		var mu sync.Mutex
		e := newEnv(t, 1<<20, func(b *xenfake.Blkback) {
			b.MaxRingPageOrder = 0
			b.Tamper = func(r *xenfake.BlkRequest, rsp []byte) int {
				mu.Lock()
				defer mu.Unlock()
				if len(script) < 4 {
					return 1
				}
				c := script[:4]
				script = script[4:]
				v := byteorder.LEUint16(c[2:])
				switch c[1] % 3 {
				case 0:
					byteorder.LEPutUint64(rsp[0:], byteorder.LEUint64(rsp[0:])^uint64(v))
				case 1:
					rsp[8] ^= byte(v)
				case 2:
					byteorder.LEPutUint16(rsp[10:], v)
				}
				return int(c[0] % 4)
			}
		})
		e.cfg.RequestTimeout = 100 * time.Millisecond
		d := e.connect(t)
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 4; i++ {
					p := make([]byte, 512*(1+g)+g)
					off := int64(g*70000 + i*1000)
					var n int
					var err error
					switch (g + i) % 3 {
					case 0:
						n, err = d.ReadAt(p, off)
					case 1:
						n, err = d.WriteAt(p, off)
					case 2:
						if err = d.Flush(); err == nil {
							n = len(p)
						}
					}
					if !(err == nil && n == len(p) || err == syscall.EIO && n == 0) {
						t.Errorf("goroutine %d op %d: %d, %v", g, i, n, err)
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("I/O did not return")
		}
	})
}
