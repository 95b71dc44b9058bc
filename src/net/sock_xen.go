// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package net

import (
	"context"
	"internal/poll"
	"internal/xen/netapi"
	"os"
	"syscall"
)

// socket returns a network file descriptor over an endpoint of the stack,
// listening, bound or connected as the Linux code (sock_posix.go) makes it,
// with the same errors.
func socket(ctx context.Context, net string, family, sotype, proto int, ipv6only bool, laddr, raddr sockaddr, ctrlCtxFn func(context.Context, string, string, syscall.RawConn) error) (fd *netFD, err error) {
	ep, err := netapi.NewEndpoint(family, sotype, proto)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	fd = newFD(ep, family, sotype, net)
	if err := setDefaultSockopts(fd, family, sotype, ipv6only); err != nil {
		fd.Close()
		return nil, err
	}
	if laddr != nil && raddr == nil {
		switch sotype {
		case syscall.SOCK_STREAM, syscall.SOCK_SEQPACKET:
			if err := fd.listenStream(ctx, laddr, listenerBacklog(), ctrlCtxFn); err != nil {
				fd.Close()
				return nil, err
			}
			return fd, nil
		case syscall.SOCK_DGRAM:
			if err := fd.listenDatagram(ctx, laddr, ctrlCtxFn); err != nil {
				fd.Close()
				return nil, err
			}
			return fd, nil
		}
	}
	if err := fd.dial(ctx, laddr, raddr, ctrlCtxFn); err != nil {
		fd.Close()
		return nil, err
	}
	return fd, nil
}

// sysSocket is for the IP stack probe of ipsock_posix.go, which xen skips:
// there are no socket descriptors.
func sysSocket(family, sotype, proto int) (int, error) {
	return -1, os.NewSyscallError("socket", syscall.ENOSYS)
}

func (fd *netFD) ctrlNetwork() string {
	switch fd.net {
	case "unix", "unixgram", "unixpacket":
		return fd.net
	}
	switch fd.net[len(fd.net)-1] {
	case '4', '6':
		return fd.net
	}
	if fd.family == syscall.AF_INET {
		return fd.net + "4"
	}
	return fd.net + "6"
}

// control runs the Dialer's or ListenConfig's Control function, with a
// RawConn that has no descriptor.
func (fd *netFD) control(ctx context.Context, addr string, ctrlCtxFn func(context.Context, string, string, syscall.RawConn) error) error {
	if ctrlCtxFn == nil {
		return nil
	}
	return ctrlCtxFn(ctx, fd.ctrlNetwork(), addr, newRawConn(fd))
}

// bind binds fd to la, converted to fd's family.
func (fd *netFD) bind(la sockaddr) error {
	sa, err := la.sockaddr(fd.family)
	if err != nil {
		return err
	}
	a, err := fd.netapiAddr(sa)
	if err == nil {
		err = fd.ep().Bind(a)
	}
	if err != nil {
		return os.NewSyscallError("bind", err)
	}
	return nil
}

func (fd *netFD) dial(ctx context.Context, laddr, raddr sockaddr, ctrlCtxFn func(context.Context, string, string, syscall.RawConn) error) error {
	var ctrlAddr string
	if raddr != nil {
		ctrlAddr = raddr.String()
	} else if laddr != nil {
		ctrlAddr = laddr.String()
	}
	if err := fd.control(ctx, ctrlAddr, ctrlCtxFn); err != nil {
		return err
	}
	if laddr != nil {
		if err := fd.bind(laddr); err != nil {
			return err
		}
	}
	if raddr != nil {
		if err := fd.connect(ctx, raddr); err != nil {
			return err
		}
		fd.isConnected = true
	}
	ep := fd.ep()
	la := fd.addrFunc()(fd.sockaddr(ep.LocalAddr()))
	if ra, err := ep.RemoteAddr(); err == nil {
		fd.setAddr(la, fd.addrFunc()(fd.sockaddr(ra)))
	} else {
		fd.setAddr(la, raddr)
	}
	return nil
}

// connect connects fd to ra, until ctx is done, as fd_unix.go does.
func (fd *netFD) connect(ctx context.Context, ra sockaddr) (ret error) {
	if ra.isWildcard() {
		// Linux connects a wildcard address to the host itself.
		ra = ra.toLocal(fd.net)
	}
	sa, err := ra.sockaddr(fd.family)
	if err != nil {
		return err
	}
	a, err := fd.netapiAddr(sa)
	if err != nil {
		return os.NewSyscallError("connect", err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		fd.sock.SetWriteDeadline(deadline)
		defer fd.sock.SetWriteDeadline(noDeadline)
	}
	err = fd.sock.Connect(a, ctx.Done())
	switch {
	case err == nil:
		return nil
	case netapi.IsCanceled(err):
		testHookCanceledDial()
		return mapErr(ctx.Err())
	case err == poll.ErrDeadlineExceeded && ctx.Err() != nil:
		return mapErr(ctx.Err())
	}
	return wrapSyscallError("connect", err)
}

func (fd *netFD) listenStream(ctx context.Context, laddr sockaddr, backlog int, ctrlCtxFn func(context.Context, string, string, syscall.RawConn) error) error {
	if err := setDefaultListenerSockopts(fd); err != nil {
		return err
	}
	if err := fd.control(ctx, laddr.String(), ctrlCtxFn); err != nil {
		return err
	}
	if err := fd.bind(laddr); err != nil {
		return err
	}
	if err := fd.ep().Listen(backlog); err != nil {
		return os.NewSyscallError("listen", err)
	}
	fd.setAddr(fd.addrFunc()(fd.sockaddr(fd.ep().LocalAddr())), nil)
	return nil
}

func (fd *netFD) listenDatagram(ctx context.Context, laddr sockaddr, ctrlCtxFn func(context.Context, string, string, syscall.RawConn) error) error {
	if addr, ok := laddr.(*UDPAddr); ok && addr.IP != nil && addr.IP.IsMulticast() {
		// As on Linux: listen on the wildcard address with a reusable port,
		// so that several listeners can join the group.
		if err := setDefaultMulticastSockopts(fd); err != nil {
			return err
		}
		a := *addr
		switch fd.family {
		case syscall.AF_INET:
			a.IP = IPv4zero
		case syscall.AF_INET6:
			a.IP = IPv6unspecified
		}
		laddr = &a
	}
	if err := fd.control(ctx, laddr.String(), ctrlCtxFn); err != nil {
		return err
	}
	if err := fd.bind(laddr); err != nil {
		return err
	}
	fd.setAddr(fd.addrFunc()(fd.sockaddr(fd.ep().LocalAddr())), nil)
	return nil
}
