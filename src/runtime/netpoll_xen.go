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

// netpoll checks for fired event channels. delay < 0 blocks until one fires,
// delay == 0 only polls, delay > 0 blocks for up to delay nanoseconds.
func netpoll(delay int64) (gList, int32) {
	if delay != 0 && !xenEventsPending() {
		deadline := int64(-1)
		if delay > 0 {
			deadline = nanotime() + delay
		}
		xenBlock(deadline)
	}
	var toRun gList
	n := int32(0)
	v := xenVcpu
	v.UpcallPending = 0
	sel := atomic.Xchg64(&v.PendingSel, 0)
	for sel != 0 {
		w := uint32(sys.TrailingZeros64(sel))
		sel &^= 1 << w
		bits := atomic.Load64(&xenShared.EvtchnPending[w]) &^ xenShared.EvtchnMask[w]
		for bits != 0 {
			b := uint32(sys.TrailingZeros64(bits))
			bits &^= 1 << b
			port := w*64 + b
			xenClearPending(port)
			if pd := xenPortWaiters[port]; pd != nil {
				n += netpollready(&toRun, pd, 'r'+'w')
			}
		}
	}
	return toRun, n
}

// xenEventsPending reports whether an unmasked event channel has fired since
// the last scan.
//
//go:nosplit
func xenEventsPending() bool {
	return atomic.Load64(&xenVcpu.PendingSel) != 0
}

// xenBlock halts the vCPU until an event arrives or until the system time
// deadline passes (deadline < 0: no deadline). It only waits: the caller scans
// the events. With interrupts enabled only inside StiHlt, the upcall can wake
// the halt but never interrupts other code.
//
//go:nosplit
func xenBlock(deadline int64) {
	if deadline >= 0 {
		xenArmTimer(deadline)
	}
	for !xenEventsPending() {
		if deadline >= 0 && nanotime1() >= deadline {
			return
		}
		xen.StiHlt()
	}
}
