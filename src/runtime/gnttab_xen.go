// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// The grant table on Xen: the runtime maps the table's frames into the
// domain and tells internal/xen/gnttab, which keeps the entries in plain Go,
// where they are and which frame backs a page.

package runtime

import (
	"internal/runtime/xen"
	"unsafe"
)

// xenGrantFrames RAM frames are each replaced by a frame of the domain's
// grant table (XENMEM_add_to_physmap, XENMAPSPACE_grant_table, memory.h).
// Four frames hold 2048 version-1 entries, as Mini-OS maps; Xen 4.17 allows
// a domU 64 by default.
const xenGrantFrames = 4

var xenGrantTable struct {
	frames [xenGrantFrames]uintptr
	n      int
}

// gnttab_runtimeMapGrantTable maps the grant table on first use and returns
// its frames' addresses.
//
//go:linkname gnttab_runtimeMapGrantTable internal/xen/gnttab.runtimeMapGrantTable
func gnttab_runtimeMapGrantTable() []uintptr {
	t := &xenGrantTable
	for t.n < xenGrantFrames {
		pa := xenFrames.alloc()
		if pa == 0 {
			break
		}
		xatp := xen.AddToPhysmap{Domid: xen.DomidSelf, Space: xen.MapSpaceGrantTable, Idx: uint64(t.n), Gpfn: uint64(pa >> xenPageShift)}
		if rc := xen.Hypercall(xen.HypercallMemoryOp, xen.MemoryOpAddToPhysmap, uintptr(unsafe.Pointer(&xatp)), 0, 0, 0); rc != 0 {
			// The RAM frame is still there; give it back.
			xenFrames.freeFrame(pa)
			break
		}
		t.frames[t.n] = pa
		t.n++
	}
	return t.frames[:t.n]
}

// gnttab_runtimeFrameOf returns the guest frame number of the page at p,
// backing it first (a granted page must stay backed; the heap never moves
// or releases a live object's pages).
//
//go:linkname gnttab_runtimeFrameOf internal/xen/gnttab.runtimeFrameOf
func gnttab_runtimeFrameOf(p unsafe.Pointer) (gfn uint64, ok bool) {
	va := uintptr(p)
	if va < xenIdentityTop {
		return uint64(va >> xenPageShift), true
	}
	xenBackPages(p, 1)
	pte := xenWalk(va, 1, false)
	if pte == nil || *pte&xenPTEPresent == 0 {
		return 0, false
	}
	return (*pte & xenPTEAddrMask) >> xenPageShift, true
}
