// Copyright 2026 The Go for Xen Authors.

package net

import (
	"os"
	"syscall"
)

// Until Xen has a network stack of its own, its sockets are the in-process
// fake ones of net_fake.go (loopback only), as on js and wasip1.

func (fd *netFD) closeRead() error {
	if fd.fakeNetFD != nil {
		return fd.fakeNetFD.closeRead()
	}
	return os.NewSyscallError("closeRead", syscall.ENOTSUP)
}

func (fd *netFD) closeWrite() error {
	if fd.fakeNetFD != nil {
		return fd.fakeNetFD.closeWrite()
	}
	return os.NewSyscallError("closeWrite", syscall.ENOTSUP)
}
