// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package net

import (
	"internal/xen/netapi"
	"runtime"
	"syscall"
)

// setsockopt sets an option of fd's endpoint, with Linux's error.
func setsockopt(fd *netFD, o netapi.Option, v int) error {
	err := fd.ep().SetOption(o, v)
	runtime.KeepAlive(fd)
	return wrapSyscallError("setsockopt", err)
}

func boolint(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The defaults Linux's net sets (sockopt_linux.go, sockopt_posix.go).

func setDefaultSockopts(fd *netFD, family, sotype int, ipv6only bool) error {
	if family == syscall.AF_INET6 && sotype != syscall.SOCK_RAW {
		if err := setsockopt(fd, netapi.V6Only, boolint(ipv6only)); err != nil {
			return err
		}
	}
	if (sotype == syscall.SOCK_DGRAM || sotype == syscall.SOCK_RAW) && family != syscall.AF_UNIX {
		// Allow broadcast.
		return setsockopt(fd, netapi.Broadcast, 1)
	}
	return nil
}

func setDefaultListenerSockopts(fd *netFD) error {
	if fd.family == syscall.AF_UNIX {
		return nil
	}
	// Allow reuse of recently-used addresses.
	return setsockopt(fd, netapi.ReuseAddr, 1)
}

func setDefaultMulticastSockopts(fd *netFD) error {
	// Allow multicast UDP and raw IP datagram sockets to listen
	// concurrently across multiple listeners.
	return setsockopt(fd, netapi.ReuseAddr, 1)
}

func setReadBuffer(fd *netFD, bytes int) error {
	return setsockopt(fd, netapi.RecvBuffer, bytes)
}

func setWriteBuffer(fd *netFD, bytes int) error {
	return setsockopt(fd, netapi.SendBuffer, bytes)
}

func setKeepAlive(fd *netFD, keepalive bool) error {
	return setsockopt(fd, netapi.KeepAlive, boolint(keepalive))
}

func setLinger(fd *netFD, sec int) error {
	if sec < 0 {
		sec = -1
	}
	return setsockopt(fd, netapi.Linger, sec)
}
