// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Time on Xen: the pvclock, the wall clock, and the one-shot timer the
// netpoller arms for its deadlines.
//
// nanotime is Xen's system time (nanoseconds since the host booted), read from
// the pvclock in vcpu_info (xen.h, struct vcpu_time_info); the timer hypercalls
// take deadlines in the same time base.

package runtime

import (
	"internal/runtime/atomic"
	"internal/runtime/xen"
	_ "unsafe" // for go:linkname
)

// xenTimerPort is the event channel of VIRQ_TIMER.
var xenTimerPort uint32

// xenInitTimer binds VIRQ_TIMER (xen.h), which xenArmTimer arms.
func xenInitTimer() {
	port, errno := xenBindVirq(xen.VirqTimer)
	if errno != 0 {
		xenBootFail("EVTCHNOP_bind_virq(VIRQ_TIMER) failed")
	}
	xenTimerPort = port
	xenUnmask(port)
}

//go:nosplit
func nanotime1() int64 {
	if xenVcpu == nil {
		return 0 // before xenMapSharedInfo
	}
	t := &xenVcpu.Time
	for {
		v := atomic.Load(&t.Version)
		if v&1 != 0 {
			continue // an update is in progress
		}
		tsc := xen.Rdtsc()
		ns := xen.PvclockNanos(tsc, t.TSCTimestamp, t.SystemTime, t.TSCToSystemMul, t.TSCShift)
		if atomic.Load(&t.Version) == v {
			return int64(ns)
		}
	}
}

// walltime is the wall clock in shared_info (wc_sec_hi:wc_sec, wc_nsec: the
// Unix time at system time 0) plus the system time.
//
//go:nosplit
func walltime() (sec int64, nsec int32) {
	s := xenShared
	for {
		v := atomic.Load(&s.WcVersion)
		if v&1 != 0 {
			continue
		}
		wsec := int64(s.WcSecHi)<<32 | int64(s.WcSec)
		wnsec := int64(s.WcNsec)
		now := nanotime1()
		if atomic.Load(&s.WcVersion) == v {
			ns := wnsec + now
			return wsec + ns/1e9, int32(ns % 1e9)
		}
	}
}

//go:linkname syscall_now syscall.now
func syscall_now() (sec int64, nsec int32) {
	sec, nsec, _ = time_now()
	return
}

// usleep sleeps without running goroutines: the runtime uses it in retry
// loops. The vCPU halts until the timer fires; ports that fire meanwhile are
// kept for the netpoller (xenFired).
//
//go:nosplit
func usleep(usec uint32) {
	if xenVcpu == nil {
		return // before shared_info: too early to sleep
	}
	deadline := nanotime1() + int64(usec)*1000
	for xenWait(deadline) {
	}
}

//go:nosplit
func usleep_no_g(usec uint32) {
	usleep(usec)
}

// xenArmTimer asks for a VIRQ_TIMER event at system time deadline
// (set_timer_op: absolute, one-shot; xen.h). It first clears the timer port:
// an event on a port that is still pending raises no upcall, so a stale
// pending bit would leave a halted vCPU asleep.
//
//go:nosplit
func xenArmTimer(deadline int64) {
	if deadline <= 0 {
		deadline = 1 // 0 would cancel the timer
	}
	xenClearPending(xenTimerPort)
	xen.Hypercall(xen.HypercallSetTimerOp, uintptr(deadline), 0, 0, 0, 0)
}
