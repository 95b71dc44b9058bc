// Copyright 2026 The Go for Xen Authors.

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
