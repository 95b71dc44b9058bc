// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package evtchn

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"time"
)

// Xen is what the package needs of the platform: the event-channel
// operations of event_channel.h and a way to wait for a port.
type Xen interface {
	// AllocUnbound makes a port that remoteDom may bind to
	// (EVTCHNOP_alloc_unbound).
	AllocUnbound(remoteDom uint16) (port uint32, err error)
	// BindInterdomain connects a new port to remotePort, an unbound port
	// that remoteDom allocated for this domain (EVTCHNOP_bind_interdomain).
	BindInterdomain(remoteDom uint16, remotePort uint32) (port uint32, err error)
	// BindVIRQ binds a virtual IRQ to a new port (EVTCHNOP_bind_virq).
	BindVIRQ(virq uint32) (port uint32, err error)
	// Close closes a port (EVTCHNOP_close).
	Close(port uint32)
	// Notify sends an event on a port (EVTCHNOP_send).
	Notify(port uint32) error
	// Open starts recording the events of a bound port for a Waiter; it
	// unmasks the port.
	Open(port uint32) (Waiter, error)
}

// A Waiter waits for the events of one open port. One goroutine at a time
// calls Wait.
type Waiter interface {
	// Wait blocks until the port fires or has fired since the previous
	// Wait returned (Fired), the timeout passes (> 0: in that many
	// nanoseconds, < 0: already passed, 0: none) or Expire is called
	// (TimedOut), or Unblock has been called (Closing).
	Wait(timeout int64) WaitResult
	// Expire makes a Wait in progress return TimedOut.
	Expire()
	// Unblock makes a Wait in progress, and every later one, return Closing.
	Unblock()
	// Release stops recording the port's events; it is called after
	// Unblock, when no goroutine waits, and closes the port in Xen when
	// closePort is set.
	Release(closePort bool)
}

// WaitResult is the outcome of Waiter.Wait (the runtime's poll codes).
type WaitResult int

const (
	Fired    WaitResult = 0
	Closing  WaitResult = 1
	TimedOut WaitResult = 2
)

var (
	// ErrClosed is the error of a use of a closed channel.
	ErrClosed = errors.New("xen: event channel closed")
	// ErrWaiting: another goroutine is already waiting on the channel.
	ErrWaiting = errors.New("xen: another goroutine waits on the event channel")
)

// A Channel is one port of this domain's end of an event channel.
type Channel struct {
	x       Xen
	port    uint32
	w       Waiter
	owned   bool // Close closes the port in Xen (it was bound here)
	mu      sync.Mutex
	closed  bool
	waiting bool // a goroutine is in Wait (the poller takes one at a time)
}

// newChannel opens a port just bound by this package; if that fails the
// port is closed again.
func newChannel(x Xen, port uint32, err error) (*Channel, error) {
	if err != nil {
		return nil, err
	}
	c, err := open(x, port, true)
	if err != nil {
		x.Close(port)
	}
	return c, err
}

func open(x Xen, port uint32, owned bool) (*Channel, error) {
	w, err := x.Open(port)
	if err != nil {
		return nil, err
	}
	return &Channel{x: x, port: port, w: w, owned: owned}, nil
}

func checkDomain(dom int) error {
	if dom < 0 || dom > 0xFFFF {
		return syscall.EINVAL
	}
	return nil
}

// AllocUnbound makes a port that domain remoteDom may bind to; tell it the
// port's number, usually through xenstore.
func AllocUnbound(x Xen, remoteDom int) (*Channel, error) {
	if err := checkDomain(remoteDom); err != nil {
		return nil, err
	}
	port, err := x.AllocUnbound(uint16(remoteDom))
	return newChannel(x, port, err)
}

// BindInterdomain connects a new port to remotePort, an unbound port that
// domain remoteDom allocated for this domain.
func BindInterdomain(x Xen, remoteDom int, remotePort uint32) (*Channel, error) {
	if err := checkDomain(remoteDom); err != nil {
		return nil, err
	}
	port, err := x.BindInterdomain(uint16(remoteDom), remotePort)
	return newChannel(x, port, err)
}

// BindVIRQ binds a virtual IRQ of Xen's to a new port.
func BindVIRQ(x Xen, virq int) (*Channel, error) {
	if virq < 0 || virq > 0xFFFF {
		return nil, syscall.EINVAL
	}
	port, err := x.BindVIRQ(uint32(virq))
	return newChannel(x, port, err)
}

// Open takes a port that is already bound, such as the xenstore port the
// toolstack gives a domain. Close then stops waiting on it but leaves it
// bound.
func Open(x Xen, port uint32) (*Channel, error) {
	return open(x, port, false)
}

// Port is the channel's local port number: what to tell the other domain.
func (c *Channel) Port() uint32 { return c.port }

// Notify signals the other end.
func (c *Channel) Notify() error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return c.x.Notify(c.port)
}

// Wait blocks until an event arrives on the port, or returns at once if one
// arrived since the previous Wait returned. It returns ctx's error when ctx
// is done first, ErrClosed when the channel is closed (also during the
// wait), and ErrWaiting when another goroutine is waiting already.
func (c *Channel) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var timeout int64
	if dl, ok := ctx.Deadline(); ok {
		if timeout = int64(time.Until(dl)); timeout <= 0 {
			return context.DeadlineExceeded
		}
	}
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		return ErrClosed
	case c.waiting:
		c.mu.Unlock()
		return ErrWaiting
	}
	c.waiting = true
	c.mu.Unlock()
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() {
			c.mu.Lock()
			if !c.closed {
				c.w.Expire()
			}
			c.mu.Unlock()
		})
	}
	rc := c.w.Wait(timeout)
	if stop != nil {
		stop()
	}
	c.mu.Lock()
	c.waiting = false
	if c.closed {
		// Close left the release of the port to the waiter.
		c.w.Release(c.owned)
		rc = Closing
	}
	c.mu.Unlock()
	switch rc {
	case Fired:
		return nil
	case Closing:
		return ErrClosed
	default:
		if err := ctx.Err(); err != nil {
			return err
		}
		return context.DeadlineExceeded
	}
}

// Close stops the channel: goroutines in Wait return ErrClosed, and a port
// this package bound is closed in Xen.
func (c *Channel) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	c.closed = true
	c.w.Unblock()
	if !c.waiting {
		c.w.Release(c.owned)
	}
	return nil
}
