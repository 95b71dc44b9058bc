// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Command go_xen_amd64_exec runs a GOOS=xen program under the emulated
// backend: Xen booted in QEMU (TCG) with the program as its PVH control
// domain (dom0). cmd/go finds it on PATH and runs it for GOOS=xen go run and
// go test as
//
//	go_xen_amd64_exec [-v] binary [args...]
//
// exactly as go_js_wasm_exec is used for js/wasm.
//
// The program gets args, os.Args[0] = the binary's base name, and the
// runner's environment less the variables that cannot be written on Xen's
// command line or that describe only the host (TMPDIR, PWD, the display,
// agents, the login session, the runner's own GOXEN_* settings); see
// internal/qemuxen/env.go. A test binary (NAME.test) starts in a copy of its
// working directory: the files in it and its testdata tree go to the guest
// in a boot module, at the same paths (GOXEN_FILES).
//
// The program's output (stdout and stderr share Xen's console) appears on
// stdout as it arrives; Xen's log and the final status line are removed.
// The exit code is:
//
//	N      the program's exit status (os.Exit(N) modulo 256; 2 for a panic)
//	124    the run timed out (GOXEN_TIMEOUT, or -test.timeout plus 30s)
//	125    the runner could not run the program: usage, a missing QEMU or
//	       Xen, not a GOOS=xen image, a bad GOXEN_* setting, a test host
//	       (GOXEN_MODE=domu) that could not be built or booted
//	134    the domain crashed ("goxen: crashed"), or the machine stopped
//	       (Xen panic, QEMU gone) before the program's status line
//	128+n  the runner got signal n (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE);
//	       QEMU is stopped
//
// After a timeout or a crash the runner prints a message and the last 40
// lines of Xen's log on stderr; -v or GOXEN_VERBOSE=1 copies all of Xen's log
// there as it comes. Run it with -h for the settings (GOXEN_TIMEOUT,
// GOXEN_MEMORY, GOXEN_XEN, GOXEN_QEMU, GOXEN_MODE, GOXEN_FILES).
package main

import (
	"os"

	"goforxen.dev/misc/xen/internal/qemuxen"
)

func main() {
	os.Exit(qemuxen.Main(qemuxen.SignalContext(), os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
}
