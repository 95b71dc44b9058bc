// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// These are host tests of the protocol against a fake xenstored. On xen,
// package os imports this package (it watches control/shutdown), so tests
// in the package could not import testing there.

//go:build !xen

package xenstore

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

func le32(page *[PageSize]byte, off int) uint32 {
	return uint32(page[off]) | uint32(page[off+1])<<8 | uint32(page[off+2])<<16 | uint32(page[off+3])<<24
}

func setLE32(page *[PageSize]byte, off int, v uint32) {
	page[off], page[off+1], page[off+2], page[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// TestRingLayout checks the offsets against struct xenstore_domain_interface.
func TestRingLayout(t *testing.T) {
	guest, server, page := ringPair(t, 0, nil)
	go guest.Write([]byte("abc"))
	buf := make([]byte, 3)
	if _, err := io.ReadFull(server, buf); err != nil {
		t.Fatal(err)
	}
	if string(page[0:3]) != "abc" || le32(page, 2048) != 3 || le32(page, 2052) != 3 {
		t.Errorf("req: data %q cons %d prod %d", page[0:3], le32(page, 2048), le32(page, 2052))
	}
	go server.Write([]byte("xyz"))
	if _, err := io.ReadFull(guest, buf); err != nil {
		t.Fatal(err)
	}
	if string(page[1024:1027]) != "xyz" || le32(page, 2056) != 3 || le32(page, 2060) != 3 {
		t.Errorf("rsp: data %q cons %d prod %d", page[1024:1027], le32(page, 2056), le32(page, 2060))
	}
}

// TestRingStream streams data both ways in chunks of every size up to
// several times the ring, with indices wrapping past 2^32, and checks that
// the wait hook is never entered twice at once.
func TestRingStream(t *testing.T) {
	var inWait, maxInWait atomic.Int32
	hook := func(wait func()) func() {
		return func() {
			n := inWait.Add(1)
			if n > maxInWait.Load() {
				maxInWait.Store(n)
			}
			wait()
			inWait.Add(-1)
		}
	}
	const start = 0xffffffff - 3000
	guest, server, page := ringPair(t, start, hook)

	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 200000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	send := func(w io.Writer, errc chan<- error) {
		r := rand.New(rand.NewPCG(3, 4))
		for off := 0; off < len(data); {
			n := min(1+r.IntN(5000), len(data)-off)
			if _, err := w.Write(data[off : off+n]); err != nil {
				errc <- err
				return
			}
			off += n
		}
		errc <- nil
	}
	recv := func(r io.Reader, errc chan<- error) {
		got := make([]byte, len(data))
		buf := make([]byte, 700)
		for off := 0; off < len(got); {
			n, err := r.Read(buf)
			if err != nil {
				errc <- err
				return
			}
			off += copy(got[off:], buf[:n])
		}
		if !bytes.Equal(got, data) {
			errc <- errors.New("data differs")
			return
		}
		errc <- nil
	}
	errc := make(chan error, 4)
	go send(guest, errc)
	go recv(server, errc)
	go send(server, errc)
	go recv(guest, errc)
	for range 4 {
		select {
		case err := <-errc:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("stream stalled")
		}
	}
	want := uint32(start) + uint32(len(data))
	for _, off := range []int{reqConsOff, reqProdOff, rspConsOff, rspProdOff} {
		if got := le32(page, off); got != want {
			t.Errorf("index @%d = %#x, want %#x", off, got, want)
		}
	}
	if maxInWait.Load() > 1 {
		t.Errorf("wait hook entered by %d goroutines at once", maxInWait.Load())
	}
}

// TestRingConcurrentWriters checks that Writes are not interleaved.
func TestRingConcurrentWriters(t *testing.T) {
	guest, server, _ := ringPair(t, 5, nil)
	const writers, size = 8, 3000
	for i := range writers {
		go guest.Write(bytes.Repeat([]byte{byte('a' + i)}, size))
	}
	buf := make([]byte, size)
	seen := map[byte]bool{}
	for range writers {
		if _, err := io.ReadFull(server, buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf, bytes.Repeat(buf[:1], size)) || seen[buf[0]] {
			t.Fatalf("interleaved or repeated write, starting %q", buf[:10])
		}
		seen[buf[0]] = true
	}
}

func TestRingCorrupt(t *testing.T) {
	guest, _, page := ringPair(t, 100, nil)
	setLE32(page, rspProdOff, 100+RingSize+1)
	if _, err := guest.Read(make([]byte, 10)); err != ErrRingCorrupt {
		t.Errorf("Read with prod-cons > 1024: %v", err)
	}
	setLE32(page, reqConsOff, 101) // consumer ahead of producer
	if _, err := guest.Write([]byte("x")); err != ErrRingCorrupt {
		t.Errorf("Write with cons > prod: %v", err)
	}
	// A full ring (prod-cons == 1024) is fine.
	setLE32(page, rspProdOff, 100+RingSize)
	if n, err := guest.Read(make([]byte, 2000)); n != RingSize || err != nil {
		t.Errorf("Read of a full ring: %d, %v", n, err)
	}
}

func TestRingClose(t *testing.T) {
	guest, _, _ := ringPair(t, 0, nil)
	errc := make(chan error, 2)
	go func() { _, err := guest.Read(make([]byte, 1)); errc <- err }()
	go func() { _, err := guest.Write(make([]byte, 5000)); errc <- err }() // more than fits
	time.Sleep(50 * time.Millisecond)
	guest.Close()
	// One of them may sit in the wait hook until the next event.
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("blocked call after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake the goroutine outside the wait hook")
	}
	if _, err := guest.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
}

// FuzzRingIndices drives the primitive ring operations with arbitrary
// indices: they must report corruption or stay within the ring.
func FuzzRingIndices(f *testing.F) {
	f.Add(uint32(0), uint32(0), 10, []byte("hello"))
	f.Add(uint32(0xfffffff0), uint32(0x10), 100, []byte("wrap"))
	f.Add(uint32(5), uint32(3), 1, []byte{})
	f.Fuzz(func(t *testing.T, cons, prod uint32, n int, data []byte) {
		page := new([PageSize]byte)
		h := newHalf(page, reqOff, reqConsOff, reqProdOff)
		setLE32(page, reqConsOff, cons)
		setLE32(page, reqProdOff, prod)
		w, err := h.write(data)
		if err != nil {
			if w != 0 || prod-cons <= RingSize {
				t.Fatalf("write: %d, %v", w, err)
			}
			return
		}
		if w > len(data) || int(prod-cons)+w > RingSize || le32(page, reqProdOff) != prod+uint32(w) {
			t.Fatalf("write %d bytes of %d into used %d", w, len(data), prod-cons)
		}
		buf := make([]byte, n&0xfff)
		r, err := h.read(buf)
		if err != nil || r > len(buf) || uint32(r) > prod+uint32(w)-cons {
			t.Fatalf("read: %d, %v", r, err)
		}
		// The bytes just written are the last ones in the ring.
		if avail := int(prod + uint32(w) - cons); r == avail && r >= w && !bytes.Equal(buf[r-w:r], data[:w]) {
			t.Fatalf("read back %q, wrote %q", buf[r-w:r], data[:w])
		}
	})
}
