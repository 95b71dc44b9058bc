// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Event channels on Xen: the one owner of the 2-level event-channel ABI in
// the runtime (xen/include/public/xen.h, shared_info; event_channel.h).
//
// Every port the runtime or a program uses has an entry in xenPorts: the
// goroutine waiting on it (a pollDesc of the netpoller) and, for the
// runtime's own ports, a function that runs whenever it fires (dom0's
// console input is drained that way before Xen's small buffer overflows).
// netpoll (netpoll_xen.go) only collects the fired ports and dispatches
// them through this table, with no knowledge of devices.
//
// Ports are unmasked when they are bound or opened and stay so: the runtime
// never masks on delivery, it takes the pending bits out of shared_info
// (xenCollect) into xenFired, which is what lets the next event raise an
// upcall.
//
// Packages outside the runtime reach event channels through
// internal/xen/evtchn (the functions at the end of this file); their
// protocol logic stays plain Go.

package runtime

import (
	"internal/runtime/atomic"
	"internal/runtime/sys"
	"internal/runtime/xen"
	"unsafe"
)

// Interrupt vector of event-channel upcalls (HVM_PARAM_CALLBACK_IRQ).
const xenUpcallVector = 0xF3

// xenPort is one port's entry in xenPorts.
type xenPort struct {
	pd     *pollDesc // the netpoller's descriptor of the port, or nil
	onFire func()    // runs in netpoll when the port fires (runtime ports only)
}

var xenPorts [xen.NumPorts]xenPort

// xenFired holds the ports that have fired since netpoll last dispatched
// them: xenCollect moves them here from shared_info, so that code waiting for
// time alone (usleep) or for one port (xenPollPort) can consume Xen's pending
// bits without losing events.
var xenFired [xen.NumPorts / 64]uint64

// xenInitEvents masks every port and routes event-channel upcalls to
// xenUpcallVector (hvm/params.h, HVM_PARAM_CALLBACK_IRQ of type vector).
func xenInitEvents() {
	for i := range xenShared.EvtchnMask {
		xenShared.EvtchnMask[i] = ^uint64(0)
	}
	p := xen.HVMParam{Domid: xen.DomidSelf, Index: xen.HVMParamCallbackIRQ, Value: xen.HVMCallbackVector | xenUpcallVector}
	if rc := xen.Hypercall(xen.HypercallHVMOp, xen.HVMOpSetParam, uintptr(unsafe.Pointer(&p)), 0, 0, 0); rc != 0 {
		xenBootFail("HVMOP_set_param(HVM_PARAM_CALLBACK_IRQ) failed")
	}
}

// xenEvtchnOp issues EVTCHNOP_cmd with arg and returns Xen's -errno (or 0).
//
//go:nosplit
func xenEvtchnOp(cmd uintptr, arg unsafe.Pointer) int {
	return int(xen.Hypercall(xen.HypercallEventChannelOp, cmd, uintptr(arg), 0, 0, 0))
}

// xenBindVirq binds virtual IRQ virq on vCPU 0 to a new port (EVTCHNOP_bind_virq).
func xenBindVirq(virq uint32) (port uint32, errno int) {
	arg := xen.EvtchnBindVirq{Virq: virq, Vcpu: 0}
	if rc := xenEvtchnOp(xen.EvtchnOpBindVirq, unsafe.Pointer(&arg)); rc < 0 {
		return 0, -rc
	}
	return arg.Port, 0
}

// xenAllocUnbound makes a port that remoteDom may bind to (EVTCHNOP_alloc_unbound).
func xenAllocUnbound(remoteDom uint16) (port uint32, errno int) {
	arg := xen.EvtchnAllocUnbound{Dom: xen.DomidSelf, RemoteDom: remoteDom}
	if rc := xenEvtchnOp(xen.EvtchnOpAllocUnbound, unsafe.Pointer(&arg)); rc < 0 {
		return 0, -rc
	}
	return arg.Port, 0
}

// xenBindInterdomain connects a new port to remotePort, an unbound port of
// remoteDom (EVTCHNOP_bind_interdomain).
func xenBindInterdomain(remoteDom uint16, remotePort uint32) (port uint32, errno int) {
	arg := xen.EvtchnBindInterdomain{RemoteDom: remoteDom, RemotePort: remotePort}
	if rc := xenEvtchnOp(xen.EvtchnOpBindInterdomain, unsafe.Pointer(&arg)); rc < 0 {
		return 0, -rc
	}
	return arg.LocalPort, 0
}

// xenEvtchnClose closes port in Xen (EVTCHNOP_close).
func xenEvtchnClose(port uint32) {
	arg := xen.EvtchnPort{Port: port}
	xenEvtchnOp(xen.EvtchnOpClose, unsafe.Pointer(&arg))
}

// xenNotify sends an event on port (EVTCHNOP_send) and returns Xen's errno.
//
//go:nosplit
func xenNotify(port uint32) int {
	arg := xen.EvtchnPort{Port: port}
	return -xenEvtchnOp(xen.EvtchnOpSend, unsafe.Pointer(&arg))
}

// xenUnmask unmasks port. EVTCHNOP_unmask (rather than clearing the mask bit
// ourselves) makes Xen re-raise an event that arrived while it was masked.
//
//go:nosplit
func xenUnmask(port uint32) {
	arg := xen.EvtchnPort{Port: port}
	xenEvtchnOp(xen.EvtchnOpUnmask, unsafe.Pointer(&arg))
}

// xenClearPending clears port's pending bit.
//
//go:nosplit
func xenClearPending(port uint32) {
	atomic.And64(&xenShared.EvtchnPending[port/64], ^(uint64(1) << (port % 64)))
}

// xenSetFired records that port fired, for the netpoller to dispatch.
//
//go:nosplit
func xenSetFired(port uint32) {
	xenFired[port/64] |= 1 << (port % 64)
}

// xenCollect takes the fired ports out of the 2-level bitmaps into xenFired
// and reports whether there were any. Xen raises an upcall only when a
// selector bit goes from 0 to 1 (xen/common/event_2l.c), so clearing the
// selector and the port bits here is what lets the next event wake a halted
// vCPU.
//
//go:nosplit
func xenCollect() bool {
	v := xenVcpu
	v.UpcallPending = 0
	sel := atomic.Xchg64(&v.PendingSel, 0)
	any := false
	for sel != 0 {
		w := uint32(sys.TrailingZeros64(sel))
		sel &^= 1 << w
		bits := atomic.Load64(&xenShared.EvtchnPending[w]) &^ xenShared.EvtchnMask[w]
		if bits != 0 {
			atomic.And64(&xenShared.EvtchnPending[w], ^bits)
			xenFired[w] |= bits
			any = true
		}
	}
	return any
}

// xenAnyFired reports whether xenFired holds a port not yet dispatched.
//
//go:nosplit
func xenAnyFired() bool {
	for _, w := range xenFired {
		if w != 0 {
			return true
		}
	}
	return false
}

// xenWait halts the vCPU until a port fires or the system time deadline
// passes (deadline < 0: no deadline). It reports whether a port fired.
// Interrupts are enabled only inside xenStiHlt, so the upcall can end the
// halt but never interrupts other code; an event that arrives after the last
// xenCollect sets the selector and the upcall flag, and the upcall ends the
// hlt at once.
//
//go:nosplit
func xenWait(deadline int64) bool {
	for {
		if xenCollect() {
			return true
		}
		if deadline >= 0 {
			if nanotime1() >= deadline {
				return false
			}
			xenArmTimer(deadline)
		}
		if atomic.Load64(&xenVcpu.PendingSel) == 0 {
			xenStiHlt()
		}
	}
}

// xenPollPort blocks the vCPU until port is pending or timeout nanoseconds
// pass (SCHEDOP_poll, sched.h, which works while the port is masked and
// runs no goroutine), then takes the event. It is for paths that may not
// switch goroutines (console output). The event is also recorded in
// xenFired: a goroutine may wait on the same port (a domU's console ring
// carries both directions), and a spurious wakeup is harmless.
//
//go:nosplit
func xenPollPort(port uint32, timeout int64) {
	// struct sched_poll (sched.h): ports handle, nr_ports, timeout (absolute).
	var poll struct {
		ports   uint64
		nrPorts uint32
		_       uint32
		timeout uint64
	}
	xenCollect() // a pending upcall flag would end the poll at once
	ports := [1]uint32{port}
	poll.ports = uint64(uintptr(unsafe.Pointer(&ports)))
	poll.nrPorts = 1
	poll.timeout = uint64(nanotime1() + timeout)
	xen.Hypercall(xen.HypercallSchedOp, xen.SchedOpPoll, uintptr(unsafe.Pointer(&poll)), 0, 0, 0)
	xenClearPending(port)
	xenSetFired(port)
}

// xenDispatch runs the handlers of the ports that have fired and readies the
// goroutines waiting on them; it returns them and their count for netpoll.
func xenDispatch() (gList, int32) {
	var toRun gList
	n := int32(0)
	for w := range xenFired {
		bits := xenFired[w]
		xenFired[w] = 0
		for bits != 0 {
			b := uint32(sys.TrailingZeros64(bits))
			bits &^= 1 << b
			p := &xenPorts[uint32(w)*64+b]
			if p.onFire != nil {
				p.onFire()
			}
			if p.pd != nil {
				n += netpollready(&toRun, p.pd, 'r'+'w')
			}
		}
	}
	return toRun, n
}

// xenSetPortHandler makes the runtime call f whenever port fires, and
// unmasks the port.
func xenSetPortHandler(port uint32, f func()) {
	xenPorts[port].onFire = f
	xenUnmask(port)
}

// xenPortOpen puts port in the netpoller (netpollopen unmasks it) and returns
// its descriptor, or an errno: EINVAL for a port out of range or already open.
func xenPortOpen(port uint32) (*pollDesc, int) {
	if port >= xen.NumPorts || xenPorts[port].pd != nil {
		return nil, _EINVAL
	}
	netpollGenericInit()
	pd, errno := poll_runtime_pollOpen(uintptr(port))
	if errno != 0 {
		return nil, errno
	}
	return pd, 0
}

// xenPortWait blocks the goroutine until pd's port fires, or returns at once
// if it has fired since the previous wait returned. d is a deadline as
// internal/poll gives them (> 0: in d nanoseconds; < 0: already passed; 0:
// none). It returns internal/poll's codes: 0, pollErrClosing, pollErrTimeout.
func xenPortWait(pd *pollDesc, d int64) int {
	poll_runtime_pollSetDeadline(pd, d, 'r')
	return poll_runtime_pollWait(pd, 'r')
}

// The services of internal/xen/evtchn (its evtchn_xen.go declares them).
// A port in the netpoller is named by its pollDesc, passed as a uintptr as
// internal/poll does. Results are errnos (0 for success).

//go:linkname evtchn_runtimeAllocUnbound internal/xen/evtchn.runtimeAllocUnbound
func evtchn_runtimeAllocUnbound(remoteDom uint16) (port uint32, errno int) {
	return xenAllocUnbound(remoteDom)
}

//go:linkname evtchn_runtimeBindInterdomain internal/xen/evtchn.runtimeBindInterdomain
func evtchn_runtimeBindInterdomain(remoteDom uint16, remotePort uint32) (port uint32, errno int) {
	return xenBindInterdomain(remoteDom, remotePort)
}

//go:linkname evtchn_runtimeBindVirq internal/xen/evtchn.runtimeBindVirq
func evtchn_runtimeBindVirq(virq uint32) (port uint32, errno int) {
	return xenBindVirq(virq)
}

// evtchn_runtimeOpen puts a bound port in the netpoller.
//
//go:linkname evtchn_runtimeOpen internal/xen/evtchn.runtimeOpen
func evtchn_runtimeOpen(port uint32) (pd uintptr, errno int) {
	p, errno := xenPortOpen(port)
	return uintptr(unsafe.Pointer(p)), errno
}

//go:linkname evtchn_runtimeWait internal/xen/evtchn.runtimeWait
func evtchn_runtimeWait(pd uintptr, d int64) int {
	return xenPortWait((*pollDesc)(unsafe.Pointer(pd)), d)
}

// evtchn_runtimeExpire makes a wait in progress return pollErrTimeout.
//
//go:linkname evtchn_runtimeExpire internal/xen/evtchn.runtimeExpire
func evtchn_runtimeExpire(pd uintptr) {
	poll_runtime_pollSetDeadline((*pollDesc)(unsafe.Pointer(pd)), -1, 'r')
}

// evtchn_runtimeUnblock makes a wait on the port, now and from now on,
// return pollErrClosing.
//
//go:linkname evtchn_runtimeUnblock internal/xen/evtchn.runtimeUnblock
func evtchn_runtimeUnblock(pd uintptr) {
	poll_runtime_pollUnblock((*pollDesc)(unsafe.Pointer(pd)))
}

// evtchn_runtimeRelease takes an unblocked port that no goroutine waits on
// any more out of the netpoller, and closes it in Xen when closePort is set.
//
//go:linkname evtchn_runtimeRelease internal/xen/evtchn.runtimeRelease
func evtchn_runtimeRelease(port uint32, pd uintptr, closePort bool) {
	poll_runtime_pollClose((*pollDesc)(unsafe.Pointer(pd)))
	if closePort {
		xenEvtchnClose(port)
	}
}

//go:linkname evtchn_runtimeClose internal/xen/evtchn.runtimeClose
func evtchn_runtimeClose(port uint32) {
	xenEvtchnClose(port)
}

//go:linkname evtchn_runtimeNotify internal/xen/evtchn.runtimeNotify
func evtchn_runtimeNotify(port uint32) int {
	return xenNotify(port)
}
