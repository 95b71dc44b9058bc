// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package netapi is what package net needs of a network stack on GOOS=xen,
// where there are no socket system calls: endpoints that do not block, their
// readiness, the interfaces, and the point where the stack registers itself.
//
// The stack (internal/xen/netstack, gVisor's TCP/IP) sits above net, because
// gVisor imports net; the go command links it into every GOOS=xen program
// that uses net, and the linker initializes it before the program's own
// packages, so it has registered by the time any code can open a socket.
// Unix-domain sockets do not need a stack: this package implements them in
// memory, inside the program (unix.go).
//
// Socket (socket.go) gives an Endpoint what internal/poll.FD gives a file
// descriptor: blocking reads and writes that park the goroutine until the
// endpoint reports readiness, deadlines, and close. Errors are syscall.Errno
// values with Linux's meaning, which package net wraps as it does on Linux.
//
// The package is plain Go: it builds and is tested on linux too.
package netapi
