// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenfake

// Event channels between fake domains, with Xen's semantics
// (xen/common/event_channel.c): a port is unbound (waiting for a given
// remote domain to bind it), interdomain (connected to a remote port) or a
// VIRQ; sending on an interdomain port sets the remote port pending;
// sending on an unbound one is silently dropped; closing one end of a
// connection leaves the other unbound; a newly bound interdomain port is
// set pending, as Xen does.

import (
	"internal/xen/evtchn"
	"sync"
	"syscall"
	"time"
)

// Xen is a fake hypervisor holding domains and their event channels.
type Xen struct {
	mu   sync.Mutex
	doms map[uint16]*Domain
}

// NewXen returns a hypervisor without domains.
func NewXen() *Xen { return &Xen{doms: map[uint16]*Domain{}} }

// Domain returns domain id, creating it on first use.
func (x *Xen) Domain(id uint16) *Domain {
	x.mu.Lock()
	defer x.mu.Unlock()
	d := x.doms[id]
	if d == nil {
		d = &Domain{x: x, id: id, ports: map[uint32]*port{}, next: 1}
		x.doms[id] = d
	}
	return d
}

// A Domain's event channels; it implements evtchn.Xen for code running in
// the domain.
type Domain struct {
	x     *Xen
	id    uint16
	ports map[uint32]*port // guarded by x.mu
	next  uint32
}

var _ evtchn.Xen = (*Domain)(nil)

type portState int

const (
	unbound portState = iota
	interdomain
	virq
)

type port struct {
	state      portState
	remoteDom  uint16
	remotePort uint32
	virq       uint32
	fired      chan struct{} // the pending bit: a latch of one
	expire     chan struct{}
	unblocked  chan struct{} // closed by Unblock
	open       bool
}

func newPort(s portState) *port {
	return &port{state: s, fired: make(chan struct{}, 1), expire: make(chan struct{}, 1), unblocked: make(chan struct{})}
}

func (p *port) setPending() {
	select {
	case p.fired <- struct{}{}:
	default:
	}
}

// ID is the domain's id.
func (d *Domain) ID() uint16 { return d.id }

func (d *Domain) add(p *port) uint32 {
	n := d.next
	d.next++
	d.ports[n] = p
	return n
}

func (d *Domain) AllocUnbound(remoteDom uint16) (uint32, error) {
	d.x.mu.Lock()
	defer d.x.mu.Unlock()
	p := newPort(unbound)
	p.remoteDom = remoteDom
	return d.add(p), nil
}

func (d *Domain) BindInterdomain(remoteDom uint16, remotePort uint32) (uint32, error) {
	d.x.mu.Lock()
	defer d.x.mu.Unlock()
	rd := d.x.doms[remoteDom]
	if rd == nil {
		return 0, syscall.ESRCH
	}
	rp := rd.ports[remotePort]
	if rp == nil || rp.state != unbound || rp.remoteDom != d.id {
		return 0, syscall.EINVAL
	}
	p := newPort(interdomain)
	p.remoteDom, p.remotePort = remoteDom, remotePort
	local := d.add(p)
	rp.state, rp.remotePort = interdomain, local
	p.setPending() // as evtchn_bind_interdomain does
	return local, nil
}

func (d *Domain) BindVIRQ(n uint32) (uint32, error) {
	d.x.mu.Lock()
	defer d.x.mu.Unlock()
	for _, p := range d.ports {
		if p.state == virq && p.virq == n {
			return 0, syscall.EEXIST
		}
	}
	p := newPort(virq)
	p.virq = n
	return d.add(p), nil
}

func (d *Domain) Close(n uint32) {
	d.x.mu.Lock()
	defer d.x.mu.Unlock()
	p := d.ports[n]
	if p == nil {
		return
	}
	delete(d.ports, n)
	if p.state == interdomain {
		if rd := d.x.doms[p.remoteDom]; rd != nil {
			if rp := rd.ports[p.remotePort]; rp != nil {
				rp.state, rp.remoteDom = unbound, d.id
			}
		}
	}
}

func (d *Domain) Notify(n uint32) error {
	d.x.mu.Lock()
	defer d.x.mu.Unlock()
	p := d.ports[n]
	if p == nil {
		return syscall.EINVAL
	}
	if p.state == interdomain {
		if rd := d.x.doms[p.remoteDom]; rd != nil {
			if rp := rd.ports[p.remotePort]; rp != nil {
				rp.setPending()
			}
		}
	}
	return nil // an unbound port drops the event silently
}

// RaiseVIRQ fires the domain's port bound to virtual IRQ n, if any.
func (d *Domain) RaiseVIRQ(n uint32) {
	d.x.mu.Lock()
	defer d.x.mu.Unlock()
	for _, p := range d.ports {
		if p.state == virq && p.virq == n {
			p.setPending()
		}
	}
}

// Connected reports whether local port n is connected to a remote port,
// and to which.
func (d *Domain) Connected(n uint32) (remoteDom uint16, remotePort uint32, ok bool) {
	d.x.mu.Lock()
	defer d.x.mu.Unlock()
	p := d.ports[n]
	if p == nil || p.state != interdomain {
		return 0, 0, false
	}
	return p.remoteDom, p.remotePort, true
}

func (d *Domain) Open(n uint32) (evtchn.Waiter, error) {
	d.x.mu.Lock()
	defer d.x.mu.Unlock()
	p := d.ports[n]
	if p == nil || p.open {
		return nil, syscall.EINVAL
	}
	p.open = true
	return &waiter{d: d, n: n, p: p}, nil
}

type waiter struct {
	d *Domain
	n uint32
	p *port
}

func (w *waiter) Wait(timeout int64) evtchn.WaitResult {
	// A stale Expire does not outlive the wait it was meant for: the
	// runtime sets a fresh deadline at every wait.
	select {
	case <-w.p.expire:
	default:
	}
	var tc <-chan time.Time
	switch {
	case timeout < 0:
		return evtchn.TimedOut
	case timeout > 0:
		t := time.NewTimer(time.Duration(timeout))
		defer t.Stop()
		tc = t.C
	}
	select {
	case <-w.p.unblocked:
		return evtchn.Closing
	default:
	}
	select {
	case <-w.p.fired:
		return evtchn.Fired
	case <-w.p.unblocked:
		return evtchn.Closing
	case <-w.p.expire:
		return evtchn.TimedOut
	case <-tc:
		return evtchn.TimedOut
	}
}

func (w *waiter) Expire() {
	select {
	case w.p.expire <- struct{}{}:
	default:
	}
}

func (w *waiter) Unblock() {
	w.d.x.mu.Lock()
	defer w.d.x.mu.Unlock()
	select {
	case <-w.p.unblocked:
	default:
		close(w.p.unblocked)
	}
}

func (w *waiter) Release(closePort bool) {
	w.d.x.mu.Lock()
	w.p.open = false
	w.d.x.mu.Unlock()
	if closePort {
		w.d.Close(w.n)
	}
}
