// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package netstack is the network stack of GOOS=xen programs: gVisor's TCP/IP
// (gvisor.dev/gvisor/pkg/tcpip, vendored into GOROOT/src/vendor by make.bash)
// behind package net.
//
// The go command links this package into every GOOS=xen program whose
// dependencies include net, and the linker runs its initialization before
// the program's own packages; it registers the stack with internal/xen/netapi,
// through which net opens its sockets. It imports gVisor, and gVisor imports
// net, so it sits above net; net itself only knows netapi.
//
// The stack is created when the first socket or interface list is asked for:
// IPv4 and IPv6 with TCP, UDP, ICMP and raw IP sockets, and the loopback
// interface lo with 127.0.0.1/8 and ::1/128. Devices (the vif driver) join as interfaces
// through AddDevice (device.go): a driver delivers the frames it receives
// from a goroutine that its event channel wakes through the netpoller;
// frames to send wait in a queue of 1000 that a goroutine of the device's
// hands to the driver, which waits for room in its ring instead of
// dropping; and over a device with GSO (OffloadDevice), TCP sends
// segments of up to 64 KiB for the backend to cut.
//
// Everything here is plain Go over gVisor; the package builds and is tested
// on linux too.
package netstack
