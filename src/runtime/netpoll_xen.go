// Copyright 2026 The Go for Xen Authors.

// The event loop on Xen: the netpoller waits for event channels.
//
// When no goroutine can run, the scheduler calls netpoll with the time until
// the next timer. netpoll arms Xen's one-shot timer for that deadline, halts the
// vCPU until an event arrives (the upcall only wakes it: xenUpcall), and then
// scans the 2-level event-channel bitmaps (xen.h, shared_info: evtchn_pending,
// evtchn_mask, vcpu_info.evtchn_pending_sel) and readies the goroutines
// waiting on the ports that fired. A port is "opened" in the poller with its
// number as the fd (internal/poll does this for Xen devices); a wait on it
// completes when the port fires.

package runtime

import (
	"internal/runtime/atomic"
	"internal/runtime/sys"
	"internal/runtime/xen"
)

// xenPortWaiters maps an event-channel port to the pollDesc waiting on it.
var xenPortWaiters [xen.NumPorts]*pollDesc

func netpollinit() {}

func netpollIsPollDescriptor(fd uintptr) bool {
	return false
}

func netpollopen(fd uintptr, pd *pollDesc) int32 {
	if fd >= xen.NumPorts {
		return _EINVAL
	}
	xenPortWaiters[fd] = pd
	xenUnmask(uint32(fd))
	return 0
}

func netpollclose(fd uintptr) int32 {
	if fd < xen.NumPorts {
		xenPortWaiters[fd] = nil
	}
	return 0
}

func netpollarm(pd *pollDesc, mode int) {
	throw("runtime: unused")
}

// netpollBreak wakes a netpoll blocked on another thread; with one M the
// blocked netpoll is never concurrent with a caller.
func netpollBreak() {}

// xenFired holds the ports that have fired since netpoll last dispatched
// them: xenCollect moves them here from shared_info, so that code waiting for
// time alone (usleep) can consume Xen's pending bits without losing events.
var xenFired [xen.NumPorts / 64]uint64

// xenCollect takes the fired ports out of the 2-level bitmaps into xenFired and
// reports whether there were any. Xen raises an upcall only when a selector bit
// goes from 0 to 1 (xen/common/event_2l.c), so clearing the selector and the
// port bits here is what lets the next event wake a halted vCPU.
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

// xenWait halts the vCPU until a port fires or the system time deadline passes
// (deadline < 0: no deadline). It reports whether a port fired. Interrupts are
// enabled only inside xenStiHlt, so the upcall can end the halt but never
// interrupts other code; an event that arrives after the last xenCollect sets
// the selector and the upcall flag, and the upcall ends the hlt at once.
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

// netpoll checks for fired event channels. delay < 0 blocks until one fires,
// delay == 0 only polls, delay > 0 blocks for up to delay nanoseconds.
func netpoll(delay int64) (gList, int32) {
	fired := xenCollect()
	if !fired {
		for _, w := range xenFired {
			if w != 0 {
				fired = true
				break
			}
		}
	}
	if !fired && delay != 0 {
		deadline := int64(-1)
		if delay > 0 {
			deadline = nanotime() + delay
		}
		xenWait(deadline)
	}
	var toRun gList
	n := int32(0)
	for w := range xenFired {
		bits := xenFired[w]
		xenFired[w] = 0
		for bits != 0 {
			b := uint32(sys.TrailingZeros64(bits))
			bits &^= 1 << b
			port := uint32(w)*64 + b
			if port == xenConsInPort && port != 0 {
				xenConsoleDrain() // before Xen's small ring overflows
			}
			if pd := xenPortWaiters[port]; pd != nil {
				n += netpollready(&toRun, pd, 'r'+'w')
			}
		}
	}
	return toRun, n
}
