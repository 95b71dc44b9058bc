// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Sockets on Xen. There are no socket system calls: a netFD holds an endpoint
// of the program's own network stack (internal/xen/netstack, registered with
// internal/xen/netapi), or of netapi's in-memory Unix-domain sockets, wrapped
// in a netapi.Socket for blocking operations and deadlines. Errors are the
// ones the Linux code returns, wrapped the same way (os.SyscallError with
// Linux's system call names), so that errors.Is(err, syscall.ECONNREFUSED)
// and net.ErrClosed work as they do there.

package net

import (
	"internal/poll"
	"internal/xen/netapi"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

const (
	readSyscallName     = "read"
	readFromSyscallName = "recvfrom"
	readMsgSyscallName  = "recvmsg"
	writeSyscallName    = "write"
	writeToSyscallName  = "sendto"
	writeMsgSyscallName = "sendmsg"
)

// Network file descriptor.
type netFD struct {
	sock *netapi.Socket

	// pfd has no descriptor (Sysfd is -1): it is there for syscall.RawConn
	// (rawconn.go), whose Control gets -1 and whose Read and Write fail.
	pfd poll.FD

	// immutable until Close
	family      int
	sotype      int
	isConnected bool // handshake completed or use of association with peer
	net         string
	laddr       Addr
	raddr       Addr
}

func newFD(ep netapi.Endpoint, family, sotype int, net string) *netFD {
	return &netFD{
		sock:   netapi.NewSocket(ep, sotype != syscall.SOCK_DGRAM && sotype != syscall.SOCK_RAW),
		pfd:    poll.FD{Sysfd: -1},
		family: family,
		sotype: sotype,
		net:    net,
	}
}

func (fd *netFD) ep() netapi.Endpoint { return fd.sock.Endpoint() }

func (fd *netFD) name() string {
	var ls, rs string
	if fd.laddr != nil {
		ls = fd.laddr.String()
	}
	if fd.raddr != nil {
		rs = fd.raddr.String()
	}
	return fd.net + ":" + ls + "->" + rs
}

func (fd *netFD) setAddr(laddr, raddr Addr) {
	fd.laddr = laddr
	fd.raddr = raddr
	// TODO Replace with runtime.AddCleanup.
	runtime.SetFinalizer(fd, (*netFD).Close)
}

func (fd *netFD) Close() error {
	runtime.SetFinalizer(fd, nil)
	return fd.sock.Close()
}

func (fd *netFD) shutdown(how int) error {
	err := fd.sock.Shutdown(how)
	runtime.KeepAlive(fd)
	return wrapSyscallError("shutdown", err)
}

func (fd *netFD) closeRead() error  { return fd.shutdown(netapi.ShutRead) }
func (fd *netFD) closeWrite() error { return fd.shutdown(netapi.ShutWrite) }

func (fd *netFD) Read(p []byte) (n int, err error) {
	n, err = fd.sock.Read(p)
	runtime.KeepAlive(fd)
	return n, wrapSyscallError(readSyscallName, err)
}

func (fd *netFD) readFrom(p []byte) (n int, sa syscall.Sockaddr, err error) {
	n, from, err := fd.sock.ReadFrom(p)
	runtime.KeepAlive(fd)
	if err != nil {
		return n, nil, wrapSyscallError(readFromSyscallName, err)
	}
	return n, fd.sockaddr(from), nil
}

func (fd *netFD) readFromInet4(p []byte, from *syscall.SockaddrInet4) (n int, err error) {
	n, sa, err := fd.readFrom(p)
	if sa, ok := sa.(*syscall.SockaddrInet4); ok {
		*from = *sa
	}
	return n, err
}

func (fd *netFD) readFromInet6(p []byte, from *syscall.SockaddrInet6) (n int, err error) {
	n, sa, err := fd.readFrom(p)
	if sa, ok := sa.(*syscall.SockaddrInet6); ok {
		*from = *sa
	}
	return n, err
}

// Control messages are not supported: reads return none, writes of one fail.

func (fd *netFD) readMsg(p []byte, oob []byte, flags int) (n, oobn, retflags int, sa syscall.Sockaddr, err error) {
	if flags != 0 {
		return 0, 0, 0, nil, os.NewSyscallError(readMsgSyscallName, syscall.EOPNOTSUPP)
	}
	n, from, err := fd.sock.ReadFrom(p)
	runtime.KeepAlive(fd)
	if err != nil {
		return n, 0, 0, nil, wrapSyscallError(readMsgSyscallName, err)
	}
	return n, 0, 0, fd.sockaddr(from), nil
}

func (fd *netFD) readMsgInet4(p []byte, oob []byte, flags int, sa *syscall.SockaddrInet4) (n, oobn, retflags int, err error) {
	n, oobn, retflags, from, err := fd.readMsg(p, oob, flags)
	if from, ok := from.(*syscall.SockaddrInet4); ok {
		*sa = *from
	}
	return n, oobn, retflags, err
}

func (fd *netFD) readMsgInet6(p []byte, oob []byte, flags int, sa *syscall.SockaddrInet6) (n, oobn, retflags int, err error) {
	n, oobn, retflags, from, err := fd.readMsg(p, oob, flags)
	if from, ok := from.(*syscall.SockaddrInet6); ok {
		*sa = *from
	}
	return n, oobn, retflags, err
}

func (fd *netFD) Write(p []byte) (nn int, err error) {
	nn, err = fd.sock.Write(p)
	runtime.KeepAlive(fd)
	return nn, wrapSyscallError(writeSyscallName, err)
}

func (fd *netFD) writeTo(p []byte, sa syscall.Sockaddr) (n int, err error) {
	a, err := fd.netapiAddr(sa)
	if err != nil {
		return 0, os.NewSyscallError(writeToSyscallName, err)
	}
	n, err = fd.sock.WriteTo(p, a)
	runtime.KeepAlive(fd)
	return n, wrapSyscallError(writeToSyscallName, err)
}

func (fd *netFD) writeToInet4(p []byte, sa *syscall.SockaddrInet4) (n int, err error) {
	return fd.writeTo(p, sa)
}

func (fd *netFD) writeToInet6(p []byte, sa *syscall.SockaddrInet6) (n int, err error) {
	return fd.writeTo(p, sa)
}

func (fd *netFD) writeMsg(p []byte, oob []byte, sa syscall.Sockaddr) (n int, oobn int, err error) {
	if len(oob) > 0 {
		return 0, 0, os.NewSyscallError(writeMsgSyscallName, syscall.EOPNOTSUPP)
	}
	if sa == nil {
		n, err = fd.sock.Write(p)
	} else {
		var a netapi.Addr
		if a, err = fd.netapiAddr(sa); err == nil {
			n, err = fd.sock.WriteTo(p, a)
		}
	}
	runtime.KeepAlive(fd)
	return n, 0, wrapSyscallError(writeMsgSyscallName, err)
}

func (fd *netFD) writeMsgInet4(p []byte, oob []byte, sa *syscall.SockaddrInet4) (n int, oobn int, err error) {
	if sa == nil {
		return fd.writeMsg(p, oob, nil)
	}
	return fd.writeMsg(p, oob, sa)
}

func (fd *netFD) writeMsgInet6(p []byte, oob []byte, sa *syscall.SockaddrInet6) (n int, oobn int, err error) {
	if sa == nil {
		return fd.writeMsg(p, oob, nil)
	}
	return fd.writeMsg(p, oob, sa)
}

func (fd *netFD) SetDeadline(t time.Time) error      { return fd.sock.SetDeadline(t) }
func (fd *netFD) SetReadDeadline(t time.Time) error  { return fd.sock.SetReadDeadline(t) }
func (fd *netFD) SetWriteDeadline(t time.Time) error { return fd.sock.SetWriteDeadline(t) }

func (fd *netFD) accept() (*netFD, error) {
	ep, from, err := fd.sock.Accept()
	runtime.KeepAlive(fd)
	if err != nil {
		return nil, wrapSyscallError("accept4", err)
	}
	netfd := newFD(ep, fd.family, fd.sotype, fd.net)
	netfd.isConnected = true
	netfd.setAddr(netfd.addrFunc()(netfd.sockaddr(ep.LocalAddr())), netfd.addrFunc()(netfd.sockaddr(from)))
	return netfd, nil
}

// dup is for File, which needs a descriptor.
func (fd *netFD) dup() (*os.File, error) {
	return nil, os.NewSyscallError("dup", syscall.ENOSYS)
}

// sockaddr converts an address of the stack to the form of fd's family.
func (fd *netFD) sockaddr(a netapi.Addr) syscall.Sockaddr {
	ip := a.IP.Addr()
	switch fd.family {
	case syscall.AF_INET:
		sa := &syscall.SockaddrInet4{Port: int(a.IP.Port())}
		if ip := ip.Unmap(); ip.Is4() {
			sa.Addr = ip.As4()
		}
		return sa
	case syscall.AF_INET6:
		sa := &syscall.SockaddrInet6{Port: int(a.IP.Port())}
		if ip.IsValid() {
			sa.Addr = ip.As16()
		}
		if z := ip.Zone(); z != "" {
			sa.ZoneId = uint32(zoneCache.index(z))
		}
		return sa
	case syscall.AF_UNIX:
		return &syscall.SockaddrUnix{Name: a.Name}
	}
	return nil
}

// netapiAddr converts a socket address of fd's family for the stack.
func (fd *netFD) netapiAddr(sa syscall.Sockaddr) (netapi.Addr, error) {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		if sa.Port < 0 || sa.Port > 0xFFFF {
			return netapi.Addr{}, syscall.EINVAL // as Linux's syscall package checks
		}
		return netapi.Addr{IP: netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))}, nil
	case *syscall.SockaddrInet6:
		if sa.Port < 0 || sa.Port > 0xFFFF {
			return netapi.Addr{}, syscall.EINVAL
		}
		ip := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			ip = ip.WithZone(strconv.Itoa(int(sa.ZoneId)))
		}
		return netapi.Addr{IP: netip.AddrPortFrom(ip, uint16(sa.Port))}, nil
	case *syscall.SockaddrUnix:
		return netapi.Addr{Name: sa.Name}, nil
	case nil:
		return netapi.Addr{}, nil
	}
	return netapi.Addr{}, syscall.EAFNOSUPPORT
}
