// Copyright 2026 The Go for Xen Authors.

//go:build xen

package xen

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"time"
	_ "unsafe" // for go:linkname
)

// Provided by the runtime (src/runtime/evtchn_xen.go).

//go:linkname runtimeEvtchnBind
func runtimeEvtchnBind(kind int, a, b uint32) (port uint32, pd uintptr, errno int)

//go:linkname runtimeEvtchnWait
func runtimeEvtchnWait(pd uintptr, d int64) int

//go:linkname runtimeEvtchnExpire
func runtimeEvtchnExpire(pd uintptr)

//go:linkname runtimeEvtchnNotify
func runtimeEvtchnNotify(port uint32) int

//go:linkname runtimeEvtchnUnblock
func runtimeEvtchnUnblock(pd uintptr)

//go:linkname runtimeEvtchnClose
func runtimeEvtchnClose(port uint32, pd uintptr)

// Binding kinds, as the runtime numbers them.
const (
	bindUnbound     = 0
	bindInterdomain = 1
	bindVIRQ        = 2
)

// Wait results, internal/poll's pollErr* codes.
const (
	waitOK      = 0
	waitClosing = 1
	waitTimeout = 2
)

var (
	// ErrClosed is the error of a use of a closed event channel.
	ErrClosed = errors.New("xen: event channel closed")
	// ErrWaiting: another goroutine is already waiting on the channel.
	ErrWaiting = errors.New("xen: another goroutine waits on the event channel")
)

// An EventChannel is a port of this domain's end of a Xen event channel:
// a doorbell between two domains (or from Xen, for a VIRQ). The port is
// unmasked when bound and stays so; an event that arrives while no
// goroutine waits is remembered (once) for the next Wait. Goroutines wait
// through the runtime's event loop; the vCPU sleeps meanwhile.
type EventChannel struct {
	port    uint32
	pd      uintptr
	mu      sync.Mutex
	closed  bool
	waiting bool // a goroutine is in Wait (the poller takes one at a time)
}

func bind(kind int, a, b uint32) (*EventChannel, error) {
	port, pd, errno := runtimeEvtchnBind(kind, a, b)
	if errno != 0 {
		return nil, syscall.Errno(errno)
	}
	return &EventChannel{port: port, pd: pd}, nil
}

// AllocUnbound makes a port that domain remoteDom may bind to (with
// BindInterdomain on its side, or the equivalent of its OS); tell it the
// port's number, usually through xenstore (EVTCHNOP_alloc_unbound).
func AllocUnbound(remoteDom int) (*EventChannel, error) {
	if remoteDom < 0 || remoteDom > 0xFFFF {
		return nil, syscall.EINVAL
	}
	return bind(bindUnbound, uint32(remoteDom), 0)
}

// BindInterdomain connects a new port to remotePort, an unbound port that
// domain remoteDom allocated for this domain (EVTCHNOP_bind_interdomain).
func BindInterdomain(remoteDom int, remotePort uint32) (*EventChannel, error) {
	if remoteDom < 0 || remoteDom > 0xFFFF {
		return nil, syscall.EINVAL
	}
	return bind(bindInterdomain, uint32(remoteDom), remotePort)
}

// Virtual IRQs a domain may bind (xen/include/public/xen.h, VIRQ_*). The
// runtime binds VIRQ_TIMER itself; the console VIRQ belongs to it in dom0.
const (
	VIRQDebug    = 1 // VIRQ_DEBUG: the debug key 'q' was pressed
	VIRQConsole  = 2 // VIRQ_CONSOLE: (dom0) bytes on Xen's console
	VIRQDomExc   = 3 // VIRQ_DOM_EXC: (dom0) a domain shut down or crashed
	VIRQDebugger = 6 // VIRQ_DEBUGGER
)

// BindVIRQ binds a virtual IRQ of Xen's to a new port (EVTCHNOP_bind_virq).
// Any domain may bind a global VIRQ (VIRQDomExc, ...), but Xen delivers it
// only to the domain that handles it, the control domain unless the
// toolstack chose another.
func BindVIRQ(virq int) (*EventChannel, error) {
	if virq < 0 || virq > 0xFFFF {
		return nil, syscall.EINVAL
	}
	return bind(bindVIRQ, uint32(virq), 0)
}

// Port is the channel's local port number: what to tell the other domain.
func (c *EventChannel) Port() uint32 { return c.port }

// Notify signals the other end (EVTCHNOP_send).
func (c *EventChannel) Notify() error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if errno := runtimeEvtchnNotify(c.port); errno != 0 {
		return syscall.Errno(errno)
	}
	return nil
}

// Wait blocks until an event arrives on the port, or returns at once if one
// arrived since the previous Wait returned. It returns ctx's error when ctx
// is done first, and ErrClosed when the channel is closed (also during the
// wait). Events are edge-triggered and coalesce: one return may stand for
// several events, so look at the shared state after every return.
func (c *EventChannel) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var d int64
	if dl, ok := ctx.Deadline(); ok {
		if d = int64(time.Until(dl)); d <= 0 {
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
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		if !c.closed {
			runtimeEvtchnExpire(c.pd)
		}
		c.mu.Unlock()
	})
	rc := runtimeEvtchnWait(c.pd, d)
	stop()
	c.mu.Lock()
	c.waiting = false
	if c.closed {
		// Close left the release of the port to the waiter.
		runtimeEvtchnClose(c.port, c.pd)
		rc = waitClosing
	}
	c.mu.Unlock()
	switch rc {
	case waitOK:
		return nil
	case waitClosing:
		return ErrClosed
	default:
		if err := ctx.Err(); err != nil {
			return err
		}
		return context.DeadlineExceeded
	}
}

// Close closes the port (EVTCHNOP_close); goroutines in Wait return
// ErrClosed.
func (c *EventChannel) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	c.closed = true
	runtimeEvtchnUnblock(c.pd)
	if !c.waiting {
		runtimeEvtchnClose(c.port, c.pd)
	}
	return nil
}
