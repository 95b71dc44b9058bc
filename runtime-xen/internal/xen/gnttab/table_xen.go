// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package gnttab

import (
	"errors"
	"sync"
	"unsafe"
)

// Provided by the runtime (src/runtime/evtchn_xen.go).

//go:linkname runtimeMapGrantTable
func runtimeMapGrantTable() []uintptr

//go:linkname runtimeFrameOf
func runtimeFrameOf(p unsafe.Pointer) (gfn uint64, ok bool)

// Local returns this domain's grant table, mapped on first use.
func Local() (*Table, error) { return local() }

var local = sync.OnceValues(func() (*Table, error) {
	pas := runtimeMapGrantTable()
	if len(pas) == 0 {
		return nil, errors.New("gnttab: Xen did not map the grant table (XENMEM_add_to_physmap failed)")
	}
	frames := make([]Frame, len(pas))
	for i, pa := range pas {
		frames[i] = Frame(unsafe.Pointer(pa))
	}
	return New(frames), nil
})

// FrameOf returns the guest frame number of the page that starts at p.
func FrameOf(p unsafe.Pointer) (uint32, error) {
	if uintptr(p)%PageSize != 0 {
		return 0, errors.New("gnttab: not the start of a page")
	}
	gfn, ok := runtimeFrameOf(p)
	if !ok || gfn > 1<<32-1 {
		return 0, errors.New("gnttab: no frame backs the page")
	}
	return uint32(gfn), nil
}

// AllocPages returns n zeroed, contiguous, page-aligned pages of the heap,
// to grant, and the guest frame number of each. The heap never moves or
// releases a live object's pages, so the frames stay these pages' for as
// long as they are referenced.
func AllocPages(n int) ([]byte, []uint32, error) {
	size := n * PageSize
	// The allocator keeps objects of a size class that is a multiple of
	// the page size page-aligned (all sizes up to 32 KiB, and larger
	// objects start on a span); should that ever change, allocate a page
	// more and align by hand.
	p := make([]byte, size)
	if uintptr(unsafe.Pointer(&p[0]))%PageSize != 0 {
		p = make([]byte, size+PageSize)
		off := PageSize - int(uintptr(unsafe.Pointer(&p[0]))%PageSize)
		p = p[off : off+size : off+size]
	}
	frames := make([]uint32, n)
	for i := range frames {
		f, err := FrameOf(unsafe.Pointer(&p[i*PageSize]))
		if err != nil {
			return nil, nil, err
		}
		frames[i] = f
	}
	return p, frames, nil
}

// Heap is the Memory of GOOS=xen drivers: pages of the heap (AllocPages).
var Heap Memory = heapMemory{}

type heapMemory struct{}

func (heapMemory) Pages(n int) ([]byte, []uint32, error) { return AllocPages(n) }
