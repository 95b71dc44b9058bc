// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// What package syscall's synthetic /proc (syscall/proc_xen.go) reads about
// the domain: its memory, its time and CPU time, the program's arguments
// and the CPU's clock rate. Each is read when a /proc file is opened.

package runtime

import (
	"internal/runtime/xen"
	"unsafe"
)

// syscall_procMemory reports the domain's RAM; the program's resident
// memory (the image and the frames the runtime has taken: heap, stacks,
// page tables); the frames still free; what the program may still
// allocate (free frames and the heap's free pages); and its address space
// (the image and the memory the runtime has mapped).
//
//go:linkname syscall_procMemory syscall.procMemory
func syscall_procMemory() (total, rss, free, available, vsize uint64) {
	total = uint64(xenFrames.total) * xenPageSize
	image := uint64(firstmoduledata.end) - 1<<20
	rss = image + uint64(xenFrames.inUse)*xenPageSize
	if rss < total {
		free = total - rss
	}
	available = free + uint64(gcController.heapFree.load())
	vsize = image + gcController.mappedReady.Load()
	if vsize < rss {
		vsize = rss
	}
	return
}

// syscall_procTimes reports nanoseconds since the PVH entry (uptime), the
// time the vCPU has run, as Xen accounts it (running; the uptime when Xen
// does not say), and the runtime's start relative to the PVH entry.
//
//go:linkname syscall_procTimes syscall.procTimes
func syscall_procTimes() (uptime, running, start int64) {
	now := nanotime()
	uptime = now - xenBootEntry
	start = runtimeInitTime - xenBootEntry
	running = uptime
	var rs xen.VcpuRunstateInfo
	if xen.Hypercall(xen.HypercallVcpuOp, xen.VcpuOpGetRunstateInfo, 0, uintptr(unsafe.Pointer(&rs)), 0, 0) == 0 {
		running = int64(rs.Time[0])
		if rs.State == 0 { // running now: since StateEntryTime too
			running += now - int64(rs.StateEntryTime)
		}
		running = min(running, uptime)
	}
	return
}

// syscall_procArgs returns the program's arguments (os.Args).
//
//go:linkname syscall_procArgs syscall.procArgs
func syscall_procArgs() []string {
	return argslice
}

// syscall_procTSCHz is the TSC's rate, from the pvclock's scale
// (xen.h, vcpu_time_info: ns = ((tsc << shift) * mul) >> 32).
//
//go:linkname syscall_procTSCHz syscall.procTSCHz
func syscall_procTSCHz() uint64 {
	t := &xenVcpu.Time
	if t.TSCToSystemMul == 0 {
		return 0
	}
	hz := uint64(1e9) << 32 / uint64(t.TSCToSystemMul)
	if t.TSCShift >= 0 {
		hz >>= uint(t.TSCShift)
	} else {
		hz <<= uint(-t.TSCShift)
	}
	return hz
}
