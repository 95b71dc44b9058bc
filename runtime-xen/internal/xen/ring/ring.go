// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package ring is the accounting of Xen's shared I/O rings
// (xen/include/public/io/ring.h), which every split driver uses: a shared
// area of one or more pages holding a header of four free-running indices
// and an array of slots, each slot the union of a request and its
// response. The frontend produces requests and consumes responses (Front);
// the backend does the reverse (Back, used by the fake backends of host
// tests).
//
// The other end is untrusted. Front never believes the backend's response
// index beyond the requests it has outstanding (ErrCorrupt), and copies each
// response out of the shared slot once, into memory the backend cannot
// change, before the driver looks at it.
//
// Memory order: the indices are read and written with sync/atomic, which on
// amd64 are plain loads (acquire) and XCHG (a full barrier), giving the
// wmb()/mb() of ring.h's macros.
package ring

import (
	"errors"
	"sync/atomic"
	"unsafe"
)

// PageSize is the size of a ring page (XEN_PAGE_SIZE).
const PageSize = 4096

// The shared header (struct NAME##_sring, ring.h): req_prod, req_event,
// rsp_prod, rsp_event, then private and padding bytes up to offset 64,
// where the slots begin.
const (
	reqProdOff  = 0
	reqEventOff = 4
	rspProdOff  = 8
	rspEventOff = 12
	headerSize  = 64
)

// ErrCorrupt reports a ring index of the other end that cannot be right:
// more responses than requests outstanding, or more requests than slots.
var ErrCorrupt = errors.New("xen ring: the other end's index is corrupt")

// ErrFull reports that no slot is free for a request.
var ErrFull = errors.New("xen ring: full")

// Size returns the number of slots a ring of the given shared area size
// holds for slots of slotSize bytes: the largest power of two that fits
// (__RING_SIZE, ring.h).
func Size(areaSize, slotSize int) int {
	n := (areaSize - headerSize) / slotSize
	if n <= 0 {
		return 0
	}
	p := 1
	for p*2 <= n {
		p *= 2
	}
	return p
}

// shared is the area both ends see.
type shared struct {
	mem      []byte
	slotSize int
	size     uint32 // slots, a power of two
}

func newShared(mem []byte, reqSize, rspSize int) (shared, error) {
	if len(mem) < PageSize || len(mem)%PageSize != 0 || uintptr(unsafe.Pointer(&mem[0]))%8 != 0 {
		return shared{}, errors.New("xen ring: the shared area must be whole, aligned pages")
	}
	slot := max(reqSize, rspSize)
	if reqSize <= 0 || rspSize <= 0 {
		return shared{}, errors.New("xen ring: bad slot size")
	}
	n := Size(len(mem), slot)
	if n == 0 {
		return shared{}, errors.New("xen ring: slots larger than the shared area")
	}
	return shared{mem: mem, slotSize: slot, size: uint32(n)}, nil
}

func (s *shared) index(off uintptr) *uint32 {
	return (*uint32)(unsafe.Pointer(&s.mem[off]))
}

func (s *shared) slot(i uint32) []byte {
	off := headerSize + int(i&(s.size-1))*s.slotSize
	return s.mem[off : off+s.slotSize : off+s.slotSize]
}

// notifyNeeded is the test of RING_PUSH_*_AND_CHECK_NOTIFY: the other end
// asked (with its event index) to be told about an index in (old, new].
func notifyNeeded(old, new, event uint32) bool {
	return new-event < new-old
}

// Front is the frontend's end of a ring (FRONT_RING_INIT and the
// RING_*_REQUESTS / *_RESPONSES macros).
type Front struct {
	s          shared
	reqSize    int
	rspSize    int
	reqProdPvt uint32 // requests produced, not all pushed yet
	rspCons    uint32 // responses consumed
}

// NewFront initializes a shared ring in mem (SHARED_RING_INIT: the whole
// area zeroed, producers 0, event indices 1) and returns the frontend's end
// of it, with requests of reqSize bytes and responses of rspSize.
func NewFront(mem []byte, reqSize, rspSize int) (*Front, error) {
	s, err := newShared(mem, reqSize, rspSize)
	if err != nil {
		return nil, err
	}
	clear(mem)
	atomic.StoreUint32(s.index(reqEventOff), 1)
	atomic.StoreUint32(s.index(rspEventOff), 1)
	return &Front{s: s, reqSize: reqSize, rspSize: rspSize}, nil
}

// Size is the number of slots.
func (f *Front) Size() int { return int(f.s.size) }

// Outstanding is the number of requests produced whose responses have not
// been consumed.
func (f *Front) Outstanding() int { return int(f.reqProdPvt - f.rspCons) }

// Free is the number of requests that can be produced now
// (RING_FREE_REQUESTS).
func (f *Front) Free() int { return int(f.s.size) - f.Outstanding() }

// NextRequest returns the slot of the next request, zeroed, for the caller
// to fill, and counts it as produced; PushRequests publishes it. It returns
// ErrFull when every slot is taken.
func (f *Front) NextRequest() ([]byte, error) {
	if f.Free() <= 0 {
		return nil, ErrFull
	}
	b := f.s.slot(f.reqProdPvt)[:f.reqSize]
	clear(b)
	f.reqProdPvt++
	return b, nil
}

// PushRequests publishes the requests produced so far and reports whether
// the backend must be notified (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY).
func (f *Front) PushRequests() (notify bool) {
	prod := f.s.index(reqProdOff)
	old := atomic.LoadUint32(prod)
	atomic.StoreUint32(prod, f.reqProdPvt) // after the requests (wmb), before reading req_event (mb)
	return notifyNeeded(old, f.reqProdPvt, atomic.LoadUint32(f.s.index(reqEventOff)))
}

// Unconsumed returns the number of responses the backend has produced that
// have not been consumed (RING_HAS_UNCONSUMED_RESPONSES), or ErrCorrupt if
// the backend claims more than there are requests outstanding.
func (f *Front) Unconsumed() (int, error) {
	n := atomic.LoadUint32(f.s.index(rspProdOff)) - f.rspCons
	if n > f.reqProdPvt-f.rspCons {
		return 0, ErrCorrupt
	}
	return int(n), nil
}

// ConsumeResponse copies the next response into dst (at least the response
// size) and counts it consumed. The caller has checked Unconsumed.
func (f *Front) ConsumeResponse(dst []byte) {
	copy(dst[:f.rspSize], f.s.slot(f.rspCons))
	f.rspCons++
}

// FinalCheck asks the backend to notify on its next response and then
// checks for responses once more, closing the race with a response
// produced meanwhile (RING_FINAL_CHECK_FOR_RESPONSES). It returns what
// Unconsumed returns.
func (f *Front) FinalCheck() (int, error) {
	if n, err := f.Unconsumed(); n > 0 || err != nil {
		return n, err
	}
	atomic.StoreUint32(f.s.index(rspEventOff), f.rspCons+1) // then mb
	return f.Unconsumed()
}

// Drain consumes the responses, copying each into buf and handing it to
// take, until none is left after the final check (so that the backend
// notifies on its next one) or take returns false. It returns ErrCorrupt
// when the backend's index is beyond the requests outstanding.
func (f *Front) Drain(buf []byte, take func([]byte) bool) error {
	for {
		n, err := f.Unconsumed()
		if err == nil && n == 0 {
			n, err = f.FinalCheck()
		}
		if err != nil || n == 0 {
			return err
		}
		for ; n > 0; n-- {
			f.ConsumeResponse(buf)
			if !take(buf) {
				return nil
			}
		}
	}
}

// Back is the backend's end of a ring (BACK_RING_ATTACH and friends); the
// fake backends of host tests use it.
type Back struct {
	s          shared
	reqSize    int
	rspSize    int
	reqCons    uint32
	rspProdPvt uint32
}

// NewBack attaches to a ring the frontend initialized in mem.
func NewBack(mem []byte, reqSize, rspSize int) (*Back, error) {
	s, err := newShared(mem, reqSize, rspSize)
	if err != nil {
		return nil, err
	}
	rsp := atomic.LoadUint32(s.index(rspProdOff))
	return &Back{s: s, reqSize: reqSize, rspSize: rspSize, reqCons: rsp, rspProdPvt: rsp}, nil
}

// Unconsumed returns the number of requests not yet consumed, or ErrCorrupt
// if the frontend claims more than the ring holds.
func (b *Back) Unconsumed() (int, error) {
	n := atomic.LoadUint32(b.s.index(reqProdOff)) - b.reqCons
	if n > b.s.size-(b.reqCons-b.rspProdPvt) {
		return 0, ErrCorrupt
	}
	return int(n), nil
}

// ConsumeRequest copies the next request into dst and counts it consumed.
func (b *Back) ConsumeRequest(dst []byte) {
	copy(dst[:b.reqSize], b.s.slot(b.reqCons))
	b.reqCons++
}

// NextResponse returns the slot of the next response (in the slot of the
// oldest request without one), zeroed, and counts it produced.
func (b *Back) NextResponse() ([]byte, error) {
	if b.rspProdPvt == b.reqCons {
		return nil, ErrFull // no request to answer
	}
	s := b.s.slot(b.rspProdPvt)[:b.rspSize]
	clear(s)
	b.rspProdPvt++
	return s, nil
}

// PushResponses publishes the responses and reports whether the frontend
// must be notified (RING_PUSH_RESPONSES_AND_CHECK_NOTIFY).
func (b *Back) PushResponses() (notify bool) {
	prod := b.s.index(rspProdOff)
	old := atomic.LoadUint32(prod)
	atomic.StoreUint32(prod, b.rspProdPvt)
	return notifyNeeded(old, b.rspProdPvt, atomic.LoadUint32(b.s.index(rspEventOff)))
}

// FinalCheck is RING_FINAL_CHECK_FOR_REQUESTS.
func (b *Back) FinalCheck() (int, error) {
	if n, err := b.Unconsumed(); n > 0 || err != nil {
		return n, err
	}
	atomic.StoreUint32(b.s.index(reqEventOff), b.reqCons+1)
	return b.Unconsumed()
}

// Indices returns the shared header's four indices (req_prod, req_event,
// rsp_prod, rsp_event), for tests and diagnostics.
func Indices(mem []byte) (reqProd, reqEvent, rspProd, rspEvent uint32) {
	s := shared{mem: mem}
	return atomic.LoadUint32(s.index(reqProdOff)), atomic.LoadUint32(s.index(reqEventOff)),
		atomic.LoadUint32(s.index(rspProdOff)), atomic.LoadUint32(s.index(rspEventOff))
}

// SetIndex writes one of the shared header's indices by its offset, as a
// hostile other end might, for tests.
func SetIndex(mem []byte, which Index, v uint32) {
	s := shared{mem: mem}
	atomic.StoreUint32(s.index(uintptr(which)), v)
}

// Index names one of the shared header's indices.
type Index uintptr

const (
	ReqProd  Index = reqProdOff
	ReqEvent Index = reqEventOff
	RspProd  Index = rspProdOff
	RspEvent Index = rspEventOff
)
