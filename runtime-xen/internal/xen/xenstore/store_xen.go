// Copyright 2026 The Go for Xen Authors.

package xenstore

import (
	"errors"
	"sync"
	"unsafe"
)

// ErrNoStore is returned by Local in a domain without a xenstore ring: the
// control domain, which would run xenstored itself.
var ErrNoStore = errors.New("xenstore: this domain has no xenstore ring")

// Provided by the runtime (src/runtime/evtchn_xen.go).

//go:linkname runtimeStore
func runtimeStore() (page unsafe.Pointer, port uint32, ok bool)

//go:linkname runtimeEvtchnWait
func runtimeEvtchnWait(port uint32)

//go:linkname runtimeEvtchnNotify
func runtimeEvtchnNotify(port uint32)

// Local returns the client of this domain's own xenstore connection, set up
// on first use: the ring page and event channel the toolstack gave the
// domain. Relative paths are relative to the domain's home,
// /local/domain/ID.
func Local() (*Client, error) { return local() }

var local = sync.OnceValues(func() (*Client, error) {
	page, port, ok := runtimeStore()
	if !ok {
		return nil, ErrNoStore
	}
	ring := NewRing((*[PageSize]byte)(page),
		func() { runtimeEvtchnNotify(port) },
		func() { runtimeEvtchnWait(port) })
	return NewClient(ring), nil
})
