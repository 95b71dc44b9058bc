// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netapi

import (
	"net/netip"
	"sync"
	"syscall"
)

// Events is a set of readiness conditions of an endpoint.
type Events uint32

const (
	EventIn  Events = 1 << iota // readable, a connection to accept, or the peer has finished sending
	EventOut                    // writable, or a connection attempt has finished
	EventErr                    // an error is pending
	EventHUp                    // both directions are shut down
)

// Addr is the address of an endpoint: IP for AF_INET and AF_INET6, Name for
// AF_UNIX ("" is unnamed).
type Addr struct {
	IP   netip.AddrPort
	Name string
}

// Option is a socket option. Values are ints: booleans are 0 or 1,
// durations are in seconds, sizes in bytes.
type Option int

const (
	ReuseAddr      Option = iota // SO_REUSEADDR
	Broadcast                    // SO_BROADCAST
	KeepAlive                    // SO_KEEPALIVE
	Linger                       // SO_LINGER: seconds, or -1 for off
	RecvBuffer                   // SO_RCVBUF
	SendBuffer                   // SO_SNDBUF
	V6Only                       // IPV6_V6ONLY
	NoDelay                      // TCP_NODELAY
	KeepAliveIdle                // TCP_KEEPIDLE
	KeepAliveIntvl               // TCP_KEEPINTVL
	KeepAliveCount               // TCP_KEEPCNT
)

// Shutdown directions.
const (
	ShutRead  = 1 << iota // SHUT_RD
	ShutWrite             // SHUT_WR
)

// An Endpoint is one socket of a stack. Its methods never block: what would
// block fails with syscall.EAGAIN, and Connect of a stream socket returns
// syscall.EINPROGRESS and completes in the background. The endpoint calls the
// function given to SetNotify whenever its readiness may have changed; the
// function must not block and may be called from any goroutine. Errors are
// syscall.Errno values with the meaning Linux gives them.
type Endpoint interface {
	SetNotify(func(Events))
	Readiness(mask Events) Events

	Bind(Addr) error
	Listen(backlog int) error
	Connect(Addr) error
	// ConnectResult reports how a connection attempt ended once the endpoint
	// is writable after EINPROGRESS: nil when connected (as SO_ERROR does),
	// EINPROGRESS while it is still pending.
	ConnectResult() error
	Accept() (Endpoint, Addr, error)

	// Read reads a stream, or one message (truncated to p) of a datagram or
	// seqpacket socket. It returns 0, nil at the end of a stream.
	Read(p []byte) (int, error)
	ReadFrom(p []byte) (int, Addr, error)
	Write(p []byte) (int, error)
	WriteTo(p []byte, to Addr) (int, error)
	Shutdown(how int) error
	// Close releases the endpoint. A stream with unread data, or with Linger
	// set to 0, is reset.
	Close() error

	LocalAddr() Addr
	RemoteAddr() (Addr, error)
	SetOption(o Option, v int) error
	GetOption(o Option) (int, error)
}

// A Stack is a network stack: IPv4 and IPv6 sockets and the interfaces they
// use.
type Stack interface {
	// NewEndpoint opens an endpoint of family syscall.AF_INET or AF_INET6 and
	// type syscall.SOCK_STREAM or SOCK_DGRAM.
	NewEndpoint(family, sotype, proto int) (Endpoint, error)
	Interfaces() []Interface
}

// Interface flags.
const (
	FlagUp = 1 << iota
	FlagBroadcast
	FlagLoopback
	FlagPointToPoint
	FlagMulticast
	FlagRunning
)

// An Interface is a network interface of the stack.
type Interface struct {
	Index        int
	Name         string
	MTU          int
	HardwareAddr []byte
	Flags        int
	Addrs        []netip.Prefix
	Multicast    []netip.Addr
}

var (
	registered     Stack
	registeredOnce sync.Once
)

// Register makes s the stack of the program. The network stack calls it
// while it initializes; a second call panics.
func Register(s Stack) {
	done := false
	registeredOnce.Do(func() {
		registered = s
		done = true
	})
	if !done {
		panic("netapi: a second network stack registered")
	}
}

// NewEndpoint opens an endpoint: an in-memory Unix-domain socket for
// syscall.AF_UNIX, otherwise one of the registered stack's. Without a stack
// IP sockets fail with EAFNOSUPPORT, as on a system without IP.
func NewEndpoint(family, sotype, proto int) (Endpoint, error) {
	switch family {
	case syscall.AF_UNIX:
		return newUnixEndpoint(sotype)
	case syscall.AF_INET, syscall.AF_INET6:
		if registered == nil {
			return nil, syscall.EAFNOSUPPORT
		}
		return registered.NewEndpoint(family, sotype, proto)
	}
	return nil, syscall.EAFNOSUPPORT
}

// Interfaces returns the registered stack's interfaces (none without one).
func Interfaces() []Interface {
	if registered == nil {
		return nil
	}
	return registered.Interfaces()
}
