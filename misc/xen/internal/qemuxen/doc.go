// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package qemuxen is the emulated backend behind go_xen_amd64_exec, which
// cmd/go runs for GOOS=xen go run and go test: it runs a GOOS=xen program
// as the control domain (dom0) of the Xen hypervisor booted inside QEMU
// ("level 1", Runner.Run), or as a PVH domU on the level-2 test host
// (package testhost, Runner.RunDomU), and reports the program's output and
// exit status as a Linux process launcher would.
//
// The files, by concern:
//
//   - main.go: the command (flags, GOXEN_* settings) and its usage text;
//   - env.go: which of the runner's environment variables the guest gets;
//   - timeout.go: a run's time limit (GOXEN_TIMEOUT, -test.timeout);
//   - cmdline.go: the guest command line (the decoder is the runtime's
//     internal/runtime/xen/cmdline.go): words with shell-like quoting,
//     first the goxen.NAME=VALUE runtime options, then NAME=VALUE
//     environment words, then "--" and os.Args[1:]. Xen keeps at most 1023
//     bytes of a domain's command line, so a longer one moves everything
//     after the options into boot module 0 (goxen.cmdline=module);
//   - module.go: boot module 0, a tar archive with the command line's
//     continuation and the files a test gets (its package directory);
//   - image.go: checking the image (ELF64 with Xen's PVH note) and
//     unpacking Debian's gzip'd Xen for QEMU's multiboot loader;
//   - machine.go: the emulated machine (QEMU's and Xen's command lines,
//     memory);
//   - run.go: a dom0 run: QEMU (package qemu) with Xen, the program and
//     its modules, the console read by package console, the end of the run
//     and its exit code (package exitstatus);
//   - input.go: console input with flow control (dom0);
//   - xenlog.go: Xen's log lines on the serial port;
//   - domu.go: a domU run on the test host.
//
// The end: with goxen.debugexit=1 the runtime ends QEMU through the
// isa-debug-exit device right after the status line.
//
// misc/xen/README.md describes how the runner boots QEMU, the console
// protocol and the exit codes for readers of the repository.
package qemuxen
