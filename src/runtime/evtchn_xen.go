// Copyright 2026 The Go for Xen Authors.

// Event channels for the Xen packages outside the runtime
// (runtime-xen/internal/xen/...): they speak Xen's protocols in plain Go and
// need from the runtime only where their shared page is, a way to block a
// goroutine until a port fires, and a way to signal one.

package runtime

import (
	"internal/runtime/xen"
	"unsafe"
)

// xenEvtchnWait blocks the goroutine until port fires, or returns at once if
// it has fired since the previous wait on it returned. The first wait on a
// port only opens it in the netpoller and returns (an event before that went
// unrecorded): callers look at their ring again after every return.
func xenEvtchnWait(port uint32) {
	if port >= xen.NumPorts {
		throw("runtime: xen: event channel port out of range")
	}
	pd := xenPortWaiters[port]
	if pd == nil {
		netpollGenericInit()
		if _, e := poll_runtime_pollOpen(uintptr(port)); e != 0 {
			throw("runtime: xen: cannot wait on an event channel")
		}
		return
	}
	poll_runtime_pollWait(pd, 'r')
}

// xenstore_runtimeStore returns the xenstore page and event channel of a domU
// (HVM_PARAM_STORE_PFN and HVM_PARAM_STORE_EVTCHN, hvm/params.h); dom0 has
// none (it runs xenstored itself).
//
//go:linkname xenstore_runtimeStore internal/xen/xenstore.runtimeStore
func xenstore_runtimeStore() (page unsafe.Pointer, port uint32, ok bool) {
	if xenDom0 {
		return nil, 0, false
	}
	pfn, ok1 := xenGetParam(xen.HVMParamStorePFN)
	evtchn, ok2 := xenGetParam(xen.HVMParamStoreEvtchn)
	pa := uintptr(pfn << xenPageShift)
	if !ok1 || !ok2 || pfn == 0 || pa >= xenIdentityTop {
		return nil, 0, false
	}
	return unsafe.Pointer(pa), uint32(evtchn), true
}

//go:linkname xenstore_runtimeEvtchnWait internal/xen/xenstore.runtimeEvtchnWait
func xenstore_runtimeEvtchnWait(port uint32) { xenEvtchnWait(port) }

//go:linkname xenstore_runtimeEvtchnNotify internal/xen/xenstore.runtimeEvtchnNotify
func xenstore_runtimeEvtchnNotify(port uint32) { xenNotify(port) }

// Event channels for syscall/xen: bind a port (EVTCHNOP_alloc_unbound,
// _bind_interdomain, _bind_virq), open it in the netpoller (which unmasks
// it), wait on it with a deadline, signal it, close it. The poller's
// pollDesc is passed out as a uintptr, as internal/poll does.

// Kinds of binding for syscall_xen_runtimeEvtchnBind.
const (
	xenBindUnbound     = 0 // a: remote domain
	xenBindInterdomain = 1 // a: remote domain, b: remote port
	xenBindVirq        = 2 // a: VIRQ number
)

//go:linkname syscall_xen_runtimeEvtchnBind syscall/xen.runtimeEvtchnBind
func syscall_xen_runtimeEvtchnBind(kind int, a, b uint32) (port uint32, pd uintptr, errno int) {
	var rc uintptr
	switch kind {
	case xenBindUnbound:
		arg := xen.EvtchnAllocUnbound{Dom: xen.DomidSelf, RemoteDom: uint16(a)}
		rc = xen.Hypercall(xen.HypercallEventChannelOp, xen.EvtchnOpAllocUnbound, uintptr(unsafe.Pointer(&arg)), 0, 0, 0)
		port = arg.Port
	case xenBindInterdomain:
		arg := xen.EvtchnBindInterdomain{RemoteDom: uint16(a), RemotePort: b}
		rc = xen.Hypercall(xen.HypercallEventChannelOp, xen.EvtchnOpBindInterdomain, uintptr(unsafe.Pointer(&arg)), 0, 0, 0)
		port = arg.LocalPort
	case xenBindVirq:
		arg := xen.EvtchnBindVirq{Virq: a, Vcpu: 0}
		rc = xen.Hypercall(xen.HypercallEventChannelOp, xen.EvtchnOpBindVirq, uintptr(unsafe.Pointer(&arg)), 0, 0, 0)
		port = arg.Port
	default:
		return 0, 0, _EINVAL
	}
	if int(rc) < 0 {
		return 0, 0, -int(rc)
	}
	if port >= xen.NumPorts || xenPortWaiters[port] != nil {
		xenEvtchnClose(port)
		return 0, 0, _EINVAL
	}
	netpollGenericInit()
	p, e := poll_runtime_pollOpen(uintptr(port))
	if e != 0 {
		xenEvtchnClose(port)
		return 0, 0, e
	}
	return port, uintptr(unsafe.Pointer(p)), 0
}

// syscall_xen_runtimeEvtchnWait blocks until the port fires (or has fired
// since the last wait returned), the deadline passes (d > 0: in d
// nanoseconds; d < 0: already passed; 0: none), or the port is closed. It
// returns 0, or internal/poll's pollErrClosing or pollErrTimeout.
//
//go:linkname syscall_xen_runtimeEvtchnWait syscall/xen.runtimeEvtchnWait
func syscall_xen_runtimeEvtchnWait(pd uintptr, d int64) int {
	p := (*pollDesc)(unsafe.Pointer(pd))
	poll_runtime_pollSetDeadline(p, d, 'r')
	return poll_runtime_pollWait(p, 'r')
}

// syscall_xen_runtimeEvtchnExpire makes a wait in progress return
// pollErrTimeout (a context canceled).
//
//go:linkname syscall_xen_runtimeEvtchnExpire syscall/xen.runtimeEvtchnExpire
func syscall_xen_runtimeEvtchnExpire(pd uintptr) {
	poll_runtime_pollSetDeadline((*pollDesc)(unsafe.Pointer(pd)), -1, 'r')
}

//go:linkname syscall_xen_runtimeEvtchnNotify syscall/xen.runtimeEvtchnNotify
func syscall_xen_runtimeEvtchnNotify(port uint32) int {
	arg := xen.EvtchnPort{Port: port}
	if rc := xen.Hypercall(xen.HypercallEventChannelOp, xen.EvtchnOpSend, uintptr(unsafe.Pointer(&arg)), 0, 0, 0); int(rc) < 0 {
		return -int(rc)
	}
	return 0
}

// syscall_xen_runtimeEvtchnUnblock makes a wait on the port, now and from
// now on, return pollErrClosing.
//
//go:linkname syscall_xen_runtimeEvtchnUnblock syscall/xen.runtimeEvtchnUnblock
func syscall_xen_runtimeEvtchnUnblock(pd uintptr) {
	poll_runtime_pollUnblock((*pollDesc)(unsafe.Pointer(pd)))
}

// syscall_xen_runtimeEvtchnClose takes an unblocked port that no goroutine
// waits on any more out of the netpoller and closes it in Xen.
//
//go:linkname syscall_xen_runtimeEvtchnClose syscall/xen.runtimeEvtchnClose
func syscall_xen_runtimeEvtchnClose(port uint32, pd uintptr) {
	poll_runtime_pollClose((*pollDesc)(unsafe.Pointer(pd)))
	xenEvtchnClose(port)
}

func xenEvtchnClose(port uint32) {
	arg := xen.EvtchnPort{Port: port}
	xen.Hypercall(xen.HypercallEventChannelOp, xen.EvtchnOpClose, uintptr(unsafe.Pointer(&arg)), 0, 0, 0)
}

// The grant table (internal/xen/gnttab): xenGrantFrames RAM frames, each
// replaced by a frame of the domain's grant table (XENMEM_add_to_physmap,
// XENMAPSPACE_grant_table, memory.h). Four frames hold 2048 version-1
// entries, as Mini-OS maps; Xen 4.17 allows a domU 64 by default.
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
