// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"syscall"

	"gvisor.dev/gvisor/pkg/tcpip"
)

// errnoOf returns the Linux errno a socket call returns where gVisor's stack
// returns err (nil for nil): what Linux's own calls return in the same
// situations, which is also the meaning gVisor's Sentry gives these errors.
// ErrClosedForReceive is the end of a stream to the callers, who check for it
// first.
func errnoOf(err tcpip.Error) error {
	switch err.(type) {
	case nil:
		return nil
	case *tcpip.ErrAborted:
		return syscall.EPIPE
	case *tcpip.ErrAddressFamilyNotSupported:
		return syscall.EAFNOSUPPORT
	case *tcpip.ErrAlreadyBound:
		return syscall.EINVAL
	case *tcpip.ErrAlreadyConnected:
		return syscall.EISCONN
	case *tcpip.ErrAlreadyConnecting:
		return syscall.EALREADY
	case *tcpip.ErrBadAddress:
		return syscall.EFAULT
	case *tcpip.ErrBadBuffer:
		return syscall.EFAULT
	case *tcpip.ErrBadLocalAddress:
		return syscall.EADDRNOTAVAIL
	case *tcpip.ErrBroadcastDisabled:
		return syscall.EACCES
	case *tcpip.ErrClosedForReceive:
		return syscall.ENOTCONN
	case *tcpip.ErrClosedForSend:
		return syscall.EPIPE
	case *tcpip.ErrConnectStarted:
		return syscall.EINPROGRESS
	case *tcpip.ErrConnectionAborted:
		return syscall.ECONNABORTED
	case *tcpip.ErrConnectionRefused:
		return syscall.ECONNREFUSED
	case *tcpip.ErrConnectionReset:
		return syscall.ECONNRESET
	case *tcpip.ErrDestinationRequired:
		return syscall.EDESTADDRREQ
	case *tcpip.ErrDuplicateAddress:
		return syscall.EEXIST
	case *tcpip.ErrDuplicateNICID:
		return syscall.EEXIST
	case *tcpip.ErrEndpointBusy:
		return syscall.EBUSY
	case *tcpip.ErrHostDown:
		return syscall.EHOSTDOWN
	case *tcpip.ErrHostUnreachable:
		return syscall.EHOSTUNREACH
	case *tcpip.ErrInvalidEndpointState:
		return syscall.EINVAL
	case *tcpip.ErrInvalidNICID:
		return syscall.ENODEV
	case *tcpip.ErrInvalidOptionValue:
		return syscall.EINVAL
	case *tcpip.ErrInvalidPortRange:
		return syscall.EINVAL
	case *tcpip.ErrMalformedHeader:
		return syscall.EINVAL
	case *tcpip.ErrMessageTooLong:
		return syscall.EMSGSIZE
	case *tcpip.ErrMissingRequiredFields:
		return syscall.EINVAL
	case *tcpip.ErrMulticastInputCannotBeOutput:
		return syscall.EINVAL
	case *tcpip.ErrNetworkUnreachable:
		return syscall.ENETUNREACH
	case *tcpip.ErrNoBufferSpace:
		return syscall.ENOBUFS
	case *tcpip.ErrNoNet:
		return syscall.ENONET
	case *tcpip.ErrNoPortAvailable:
		return syscall.EAGAIN
	case *tcpip.ErrNoSuchFile:
		return syscall.ENOENT
	case *tcpip.ErrNotConnected:
		return syscall.ENOTCONN
	case *tcpip.ErrNotPermitted:
		return syscall.EPERM
	case *tcpip.ErrNotSupported:
		return syscall.EOPNOTSUPP
	case *tcpip.ErrPortInUse:
		return syscall.EADDRINUSE
	case *tcpip.ErrQueueSizeNotSupported:
		return syscall.ENOTTY
	case *tcpip.ErrTimeout:
		return syscall.ETIMEDOUT
	case *tcpip.ErrUnknownDevice:
		return syscall.ENODEV
	case *tcpip.ErrUnknownNICID:
		return syscall.ENODEV
	case *tcpip.ErrUnknownProtocol:
		return syscall.EINVAL
	case *tcpip.ErrUnknownProtocolOption:
		return syscall.ENOPROTOOPT
	case *tcpip.ErrWouldBlock:
		return syscall.EAGAIN
	}
	return syscall.EINVAL
}
