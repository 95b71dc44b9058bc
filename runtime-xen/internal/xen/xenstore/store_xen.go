// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenstore

import (
	"context"
	"errors"
	"internal/xen/evtchn"
	"sync"
	"unsafe"
)

// ErrNoStore is returned by Local in a domain without a xenstore ring: the
// control domain, which would run xenstored itself.
var ErrNoStore = errors.New("xenstore: this domain has no xenstore ring")

// Provided by the runtime (src/runtime/store_xen.go).

//go:linkname runtimeStore
func runtimeStore() (page unsafe.Pointer, port uint32, ok bool)

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
	ch, err := evtchn.Open(evtchn.Local, port)
	if err != nil {
		return nil, errors.New("xenstore: cannot wait on the store's event channel: " + err.Error())
	}
	ring := NewRing((*[PageSize]byte)(page),
		func() { ch.Notify() },
		func() { ch.Wait(context.Background()) })
	return NewClient(ring), nil
})
