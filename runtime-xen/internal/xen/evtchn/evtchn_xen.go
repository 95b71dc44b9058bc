// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package evtchn

import (
	"syscall"
	_ "unsafe" // for go:linkname
)

// Provided by the runtime (src/runtime/evtchn_xen.go).

//go:linkname runtimeAllocUnbound
func runtimeAllocUnbound(remoteDom uint16) (port uint32, errno int)

//go:linkname runtimeBindInterdomain
func runtimeBindInterdomain(remoteDom uint16, remotePort uint32) (port uint32, errno int)

//go:linkname runtimeBindVirq
func runtimeBindVirq(virq uint32) (port uint32, errno int)

//go:linkname runtimeOpen
func runtimeOpen(port uint32) (pd uintptr, errno int)

//go:linkname runtimeWait
func runtimeWait(pd uintptr, d int64) int

//go:linkname runtimeExpire
func runtimeExpire(pd uintptr)

//go:linkname runtimeUnblock
func runtimeUnblock(pd uintptr)

//go:linkname runtimeRelease
func runtimeRelease(port uint32, pd uintptr, closePort bool)

//go:linkname runtimeClose
func runtimeClose(port uint32)

//go:linkname runtimeNotify
func runtimeNotify(port uint32) int

// Local is this domain's event channels, through the runtime.
var Local Xen = localXen{}

type localXen struct{}

func result(port uint32, errno int) (uint32, error) {
	if errno != 0 {
		return 0, syscall.Errno(errno)
	}
	return port, nil
}

func (localXen) AllocUnbound(remoteDom uint16) (uint32, error) {
	return result(runtimeAllocUnbound(remoteDom))
}

func (localXen) BindInterdomain(remoteDom uint16, remotePort uint32) (uint32, error) {
	return result(runtimeBindInterdomain(remoteDom, remotePort))
}

func (localXen) BindVIRQ(virq uint32) (uint32, error) {
	return result(runtimeBindVirq(virq))
}

func (localXen) Close(port uint32) { runtimeClose(port) }

func (localXen) Notify(port uint32) error {
	if errno := runtimeNotify(port); errno != 0 {
		return syscall.Errno(errno)
	}
	return nil
}

func (localXen) Open(port uint32) (Waiter, error) {
	pd, errno := runtimeOpen(port)
	if errno != 0 {
		return nil, syscall.Errno(errno)
	}
	return localWaiter{port, pd}, nil
}

// localWaiter is a port in the runtime's netpoller.
type localWaiter struct {
	port uint32
	pd   uintptr
}

func (w localWaiter) Wait(timeout int64) WaitResult { return WaitResult(runtimeWait(w.pd, timeout)) }
func (w localWaiter) Expire()                       { runtimeExpire(w.pd) }
func (w localWaiter) Unblock()                      { runtimeUnblock(w.pd) }
func (w localWaiter) Release(closePort bool)        { runtimeRelease(w.port, w.pd, closePort) }
