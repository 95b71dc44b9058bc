// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// The end of the program on Xen.
//
// Every exit ends with one status line on the console, the last thing the
// program prints, which the emulated backend and test hosts read:
//
//	goxen: exit status N    os.Exit(N), return from main (0), panic or fatal error (2)
//	goxen: crashed          an unexpected trap (registers and traceback above it)
//
// It starts a line of its own: after a newline if the output did not end
// with one, or, under goxen.streams=1, after the status mark
// (console_xen.go), so that the program's output stays as it wrote it.
//
// and then the domain shuts down: reason poweroff for exit status 0, crash
// otherwise, or the reason the toolstack asked for (xl shutdown, xl reboot).

package runtime

import (
	"internal/runtime/xen"
	"unsafe"
)

// xenCrashing makes the final status line report a crash.
var xenCrashing bool

// xenExiting is set when the status line is being printed.
var xenExiting bool

func exit(code int32) {
	xenExit(code, xenCrashing)
}

// crash is what the runtime calls to die abnormally (GOTRACEBACK=crash).
func crash() {
	xenExit(2, true)
}

// xenExit prints the final status line and ends the domain.
//
//go:nosplit
func xenExit(code int32, crashed bool) {
	if xenOptStreams {
		xenExiting = true // write1: what follows is the status line
	} else if xenConsLastByte != '\n' {
		print("\n")
	}
	if crashed {
		print("goxen: crashed\n")
	} else {
		print("goxen: exit status ", code, "\n")
	}
	if xenOptDebugExit {
		// QEMU's isa-debug-exit device (iobase 0xf4) ends the emulator; the
		// status line above carries the status.
		xen.Outl(0xf4, 0)
	}
	reason := uint32(xen.ShutdownPoweroff)
	switch {
	case crashed || code != 0 && !xenShutdownRequested:
		reason = xen.ShutdownCrash
	case xenShutdownReboot:
		reason = xen.ShutdownReboot
	}
	xenShutdown(reason)
}

// The toolstack's shutdown request (os/shutdown_xen.go): the domain then
// ends with the reason asked for, whatever the program's exit status.
var xenShutdownRequested, xenShutdownReboot bool

//go:linkname os_runtime_xenShutdownRequest os.runtime_xenShutdownRequest
func os_runtime_xenShutdownRequest(reboot bool) {
	xenShutdownRequested = true
	xenShutdownReboot = reboot
	if !sigsend(_SIGTERM) {
		// Not handled: the default action, as on Linux, ends the program.
		exit(128 + _SIGTERM)
	}
}

// xenShutdown ends the domain with a SHUTDOWN_* reason (sched.h).
//
//go:nosplit
func xenShutdown(reason uint32) {
	r := reason
	for {
		xen.Hypercall(xen.HypercallSchedOp, xen.SchedOpShutdown, uintptr(unsafe.Pointer(&r)), 0, 0, 0)
	}
}
