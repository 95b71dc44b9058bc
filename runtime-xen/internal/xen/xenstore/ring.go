// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenstore

import (
	"errors"
	"sync"
	"sync/atomic"
	"unsafe"
)

// The xenstore page (struct xenstore_domain_interface, xs_wire.h and
// docs/misc/xenstore-ring.txt): two byte rings with free-running 32-bit
// indices, the byte at stream offset x stored at x mod RingSize.
const (
	PageSize = 4096
	RingSize = 1024 // XENSTORE_RING_SIZE

	reqOff     = 0    // req[1024]: guest to xenstored
	rspOff     = 1024 // rsp[1024]: xenstored to guest, replies and watch events
	reqConsOff = 2048
	reqProdOff = 2052
	rspConsOff = 2056
	rspProdOff = 2060
)

// ErrRingCorrupt is returned when the other side's ring index is more than
// RingSize away from ours.
var ErrRingCorrupt = errors.New("xenstore: ring indices corrupt")

// half is one direction of the page: a byte ring with its two indices.
type half struct {
	buf        *[RingSize]byte
	cons, prod *uint32
}

func newHalf(page *[PageSize]byte, buf, cons, prod uintptr) half {
	return half{
		buf:  (*[RingSize]byte)(page[buf : buf+RingSize]),
		cons: (*uint32)(unsafe.Pointer(&page[cons])),
		prod: (*uint32)(unsafe.Pointer(&page[prod])),
	}
}

// read copies what is available, up to len(p), and publishes the consumer
// index. The data is read only after the producer index is loaded, and the
// consumer index is stored only after the data is read (sync/atomic loads and
// stores are ordered: on amd64 a plain load and an XCHG).
func (h half) read(p []byte) (int, error) {
	cons := atomic.LoadUint32(h.cons)
	prod := atomic.LoadUint32(h.prod)
	avail := prod - cons // mod 2^32
	if avail > RingSize {
		return 0, ErrRingCorrupt
	}
	n := min(int(avail), len(p))
	for done := 0; done < n; {
		i := (cons + uint32(done)) & (RingSize - 1) // MASK_XENSTORE_IDX
		done += copy(p[done:n], h.buf[i:])
	}
	atomic.StoreUint32(h.cons, cons+uint32(n))
	return n, nil
}

// write copies as much of p as fits and publishes the producer index after
// the data.
func (h half) write(p []byte) (int, error) {
	cons := atomic.LoadUint32(h.cons)
	prod := atomic.LoadUint32(h.prod)
	used := prod - cons
	if used > RingSize {
		return 0, ErrRingCorrupt
	}
	n := min(RingSize-int(used), len(p))
	for done := 0; done < n; {
		i := (prod + uint32(done)) & (RingSize - 1)
		done += copy(h.buf[i:], p[done:n])
	}
	atomic.StoreUint32(h.prod, prod+uint32(n))
	return n, nil
}

// Ring is the guest's end of a xenstore page: an io.ReadWriteCloser whose
// Write streams requests into req and whose Read takes replies and watch
// events from rsp. Messages longer than the free space are streamed through
// it piecewise, so Write blocks until xenstored has consumed enough.
//
// Concurrent Writes do not interleave (each is written whole) and neither do
// concurrent Reads. Read and Write may run at the same time.
type Ring struct {
	in, out half
	notify  func()
	waitFn  func()
	rmu     sync.Mutex // serialises Read
	wmu     sync.Mutex // serialises Write

	mu      sync.Mutex
	gen     uint64        // number of returns from waitFn
	waiting bool          // a goroutine is inside waitFn
	wake    chan struct{} // closed when waitFn returns or the ring is closed
	closed  bool
}

// NewRing returns the guest end of the xenstore page at page, which must be
// 4-byte aligned (it is a whole page in practice).
//
// notify signals xenstored (EVTCHNOP_send on the xenstore event channel); the
// ring calls it after publishing data or space.
//
// wait blocks until xenstored has signalled since the previous return of
// wait: events are latched, so one that arrives before wait is called makes it
// return at once, and spurious returns are harmless. The ring calls wait from
// at most one goroutine at a time; others waiting on the ring are woken when
// it returns. It must block the goroutine, not spin, and never calls back
// into the ring.
func NewRing(page *[PageSize]byte, notify, wait func()) *Ring {
	if uintptr(unsafe.Pointer(page))%4 != 0 {
		panic("xenstore: misaligned ring page")
	}
	return newRing(newHalf(page, rspOff, rspConsOff, rspProdOff),
		newHalf(page, reqOff, reqConsOff, reqProdOff), notify, wait)
}

// NewServerRing returns xenstored's end of the page: its Read takes
// requests and its Write streams replies. Fakes of xenstored use it
// (internal/xen/xenfake).
func NewServerRing(page *[PageSize]byte, notify, wait func()) *Ring {
	if uintptr(unsafe.Pointer(page))%4 != 0 {
		panic("xenstore: misaligned ring page")
	}
	return newRing(newHalf(page, reqOff, reqConsOff, reqProdOff),
		newHalf(page, rspOff, rspConsOff, rspProdOff), notify, wait)
}

// SetRingIndices sets the page's four ring indices to start, as a page
// whose streams have carried start bytes each; tests use it to exercise
// the indices' wrapping.
func SetRingIndices(page *[PageSize]byte, start uint32) {
	for _, off := range []int{reqConsOff, reqProdOff, rspConsOff, rspProdOff} {
		atomic.StoreUint32((*uint32)(unsafe.Pointer(&page[off])), start)
	}
}

func newRing(in, out half, notify, wait func()) *Ring {
	return &Ring{in: in, out: out, notify: notify, waitFn: wait, wake: make(chan struct{})}
}

// Read reads at least one byte of the response stream, blocking until there
// is one.
func (r *Ring) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if _, err := r.state(); err != nil {
		return 0, err // without waiting for a Read stuck in the wait hook
	}
	r.rmu.Lock()
	defer r.rmu.Unlock()
	for {
		gen, err := r.state()
		if err != nil {
			return 0, err
		}
		n, err := r.in.read(p)
		if n > 0 {
			r.notify() // the other side may be waiting for space
		}
		if n > 0 || err != nil {
			return n, err
		}
		if err := r.wait(gen); err != nil {
			return 0, err
		}
	}
}

// Write writes all of p to the request stream, blocking while the ring is
// full.
func (r *Ring) Write(p []byte) (int, error) {
	if _, err := r.state(); err != nil {
		return 0, err
	}
	r.wmu.Lock()
	defer r.wmu.Unlock()
	done := 0
	for {
		gen, err := r.state()
		if err != nil {
			return done, err
		}
		n, err := r.out.write(p[done:])
		done += n
		if n > 0 {
			r.notify()
		}
		if done == len(p) || err != nil {
			return done, err
		}
		if n == 0 {
			if err := r.wait(gen); err != nil {
				return done, err
			}
		}
	}
}

// Close makes Read and Write fail with ErrClosed and wakes the goroutines
// waiting on the ring, except one inside the wait hook: that one returns from
// Read or Write when wait next returns.
func (r *Ring) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		close(r.wake)
	}
	return nil
}

// state returns the wait generation, to be taken before looking at the ring.
func (r *Ring) state() (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, ErrClosed
	}
	return r.gen, nil
}

// wait blocks until an event arrives after generation gen was taken. One
// goroutine calls waitFn; the others wait for it to return. Comparing the
// generation keeps a goroutine from sleeping through an event that another
// one's waitFn consumed after the first looked at the ring.
func (r *Ring) wait(gen uint64) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return ErrClosed
	}
	if r.gen != gen {
		r.mu.Unlock()
		return nil
	}
	if r.waiting {
		ch := r.wake
		r.mu.Unlock()
		<-ch
		return nil
	}
	r.waiting = true
	r.mu.Unlock()

	r.waitFn()

	r.mu.Lock()
	r.waiting = false
	r.gen++
	if !r.closed {
		close(r.wake)
		r.wake = make(chan struct{})
	}
	r.mu.Unlock()
	return nil
}
