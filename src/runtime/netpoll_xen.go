// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// The event loop on Xen: the netpoller waits for event channels.
//
// When no goroutine can run, the scheduler calls netpoll with the time until
// the next timer. netpoll arms Xen's one-shot timer for that deadline, halts
// the vCPU until an event arrives (the upcall only wakes it: xenUpcall in
// sys_xen_amd64.s), and then dispatches the ports that fired through the
// port table of evtchn_xen.go. A port is "opened" in the poller with its
// number as the fd (xenPortOpen); a wait on it completes when the port fires.

package runtime

import "internal/runtime/xen"

func netpollinit() {}

func netpollIsPollDescriptor(fd uintptr) bool {
	return false
}

func netpollopen(fd uintptr, pd *pollDesc) int32 {
	if fd >= xen.NumPorts {
		return _EINVAL
	}
	xenPorts[fd].pd = pd
	xenUnmask(uint32(fd))
	return 0
}

func netpollclose(fd uintptr) int32 {
	if fd < xen.NumPorts {
		xenPorts[fd].pd = nil
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
	if !xenCollect() && !xenAnyFired() && delay != 0 {
		deadline := int64(-1)
		if delay > 0 {
			deadline = nanotime() + delay
		}
		xenWait(deadline)
	}
	return xenDispatch()
}
