// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package xen

import (
	"context"
	"internal/xen/evtchn"
)

var (
	// ErrClosed is the error of a use of a closed event channel.
	ErrClosed = evtchn.ErrClosed
	// ErrWaiting: another goroutine is already waiting on the channel.
	ErrWaiting = evtchn.ErrWaiting
)

// An EventChannel is a port of this domain's end of a Xen event channel:
// a doorbell between two domains (or from Xen, for a VIRQ). The port is
// unmasked when bound and stays so; an event that arrives while no
// goroutine waits is remembered (once) for the next Wait. Goroutines wait
// through the runtime's event loop; the vCPU sleeps meanwhile.
type EventChannel struct {
	c *evtchn.Channel
}

func wrap(c *evtchn.Channel, err error) (*EventChannel, error) {
	if err != nil {
		return nil, err
	}
	return &EventChannel{c}, nil
}

// AllocUnbound makes a port that domain remoteDom may bind to (with
// BindInterdomain on its side, or the equivalent of its OS); tell it the
// port's number, usually through xenstore (EVTCHNOP_alloc_unbound).
func AllocUnbound(remoteDom int) (*EventChannel, error) {
	return wrap(evtchn.AllocUnbound(evtchn.Local, remoteDom))
}

// BindInterdomain connects a new port to remotePort, an unbound port that
// domain remoteDom allocated for this domain (EVTCHNOP_bind_interdomain).
func BindInterdomain(remoteDom int, remotePort uint32) (*EventChannel, error) {
	return wrap(evtchn.BindInterdomain(evtchn.Local, remoteDom, remotePort))
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
	return wrap(evtchn.BindVIRQ(evtchn.Local, virq))
}

// Port is the channel's local port number: what to tell the other domain.
func (c *EventChannel) Port() uint32 { return c.c.Port() }

// Notify signals the other end (EVTCHNOP_send).
func (c *EventChannel) Notify() error { return c.c.Notify() }

// Wait blocks until an event arrives on the port, or returns at once if one
// arrived since the previous Wait returned. It returns ctx's error when ctx
// is done first, and ErrClosed when the channel is closed (also during the
// wait). Events are edge-triggered and coalesce: one return may stand for
// several events, so look at the shared state after every return.
func (c *EventChannel) Wait(ctx context.Context) error { return c.c.Wait(ctx) }

// Close closes the port (EVTCHNOP_close); goroutines in Wait return
// ErrClosed.
func (c *EventChannel) Close() error { return c.c.Close() }
