// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Host tests of the channel logic over xenfake's event channels; the
// runtime's side is tested under the emulator (test/e2e).

//go:build !xen

package evtchn_test

import (
	"context"
	"errors"
	"internal/xen/evtchn"
	"internal/xen/xenfake"
	"syscall"
	"testing"
	"time"
)

const guestID, backID = 5, 0

// pair connects a channel of the guest to one of the backend, as a
// frontend offers an unbound port and its backend binds it.
func pair(t *testing.T) (x *xenfake.Xen, guest, back *evtchn.Channel) {
	x = xenfake.NewXen()
	g, b := x.Domain(guestID), x.Domain(backID)
	guest, err := evtchn.AllocUnbound(g, backID)
	if err != nil {
		t.Fatal(err)
	}
	back, err = evtchn.BindInterdomain(b, guestID, guest.Port())
	if err != nil {
		t.Fatal(err)
	}
	// Xen sets a newly bound interdomain port pending: take that event.
	if err := back.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { guest.Close(); back.Close() })
	return x, guest, back
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestNotifyWakesWaiter(t *testing.T) {
	_, guest, back := pair(t)
	done := make(chan error)
	go func() { done <- guest.Wait(ctxTimeout(t, 10*time.Second)) }()
	time.Sleep(10 * time.Millisecond)
	if err := back.Notify(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Wait = %v, want nil", err)
	}
}

// An event before Wait is remembered once; several coalesce.
func TestEventLatchedAndCoalesced(t *testing.T) {
	_, guest, back := pair(t)
	for range 3 {
		back.Notify()
	}
	if err := guest.Wait(ctxTimeout(t, time.Second)); err != nil {
		t.Fatalf("Wait after Notify = %v", err)
	}
	if err := guest.Wait(ctxTimeout(t, 50*time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Wait = %v, want DeadlineExceeded (events coalesce)", err)
	}
}

func TestWaitCanceled(t *testing.T) {
	_, guest, _ := pair(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if err := guest.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want Canceled", err)
	}
	// A cancel does not leave the channel unusable.
	if err := guest.Wait(ctxTimeout(t, 20*time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait after cancel = %v, want DeadlineExceeded", err)
	}
}

func TestCloseDuringWait(t *testing.T) {
	x, guest, back := pair(t)
	done := make(chan error)
	go func() { done <- guest.Wait(context.Background()) }()
	time.Sleep(10 * time.Millisecond)
	if err := guest.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, evtchn.ErrClosed) {
			t.Fatalf("Wait = %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the Wait")
	}
	if err := guest.Notify(); !errors.Is(err, evtchn.ErrClosed) {
		t.Errorf("Notify after Close = %v", err)
	}
	if err := guest.Close(); !errors.Is(err, evtchn.ErrClosed) {
		t.Errorf("second Close = %v", err)
	}
	// The port is closed in Xen: the backend's end is unbound again, and
	// its Notify is dropped silently, as Xen does.
	if _, _, ok := x.Domain(backID).Connected(back.Port()); ok {
		t.Error("backend port still connected after the guest closed its end")
	}
	if err := back.Notify(); err != nil {
		t.Errorf("Notify on an unbound port = %v, want nil", err)
	}
}

func TestOneWaiterAtATime(t *testing.T) {
	_, guest, back := pair(t)
	done := make(chan error)
	go func() { done <- guest.Wait(context.Background()) }()
	time.Sleep(10 * time.Millisecond)
	if err := guest.Wait(context.Background()); !errors.Is(err, evtchn.ErrWaiting) {
		t.Errorf("second waiter: %v, want ErrWaiting", err)
	}
	back.Notify()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestBindErrors(t *testing.T) {
	x := xenfake.NewXen()
	g, b := x.Domain(guestID), x.Domain(backID)
	if _, err := evtchn.AllocUnbound(g, -1); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("AllocUnbound(-1) = %v", err)
	}
	if _, err := evtchn.BindVIRQ(g, 1<<16); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("BindVIRQ(65536) = %v", err)
	}
	c, err := evtchn.AllocUnbound(g, 7) // for another domain
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evtchn.BindInterdomain(b, guestID, c.Port()); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("binding a port offered to another domain = %v, want EINVAL", err)
	}
	if _, err := evtchn.BindInterdomain(b, 99, 1); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("binding to a missing domain = %v, want ESRCH", err)
	}
}

func TestVIRQ(t *testing.T) {
	x := xenfake.NewXen()
	d := x.Domain(guestID)
	c, err := evtchn.BindVIRQ(d, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := evtchn.BindVIRQ(d, 3); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("binding a VIRQ twice = %v, want EEXIST", err)
	}
	d.RaiseVIRQ(3)
	if err := c.Wait(ctxTimeout(t, time.Second)); err != nil {
		t.Fatal(err)
	}
}

// Open takes a port bound elsewhere (the toolstack's xenstore port);
// Close stops waiting on it but leaves it bound.
func TestOpenLeavesPortBound(t *testing.T) {
	x := xenfake.NewXen()
	g, b := x.Domain(guestID), x.Domain(backID)
	port, _ := g.AllocUnbound(backID)
	bp, err := b.BindInterdomain(guestID, port)
	if err != nil {
		t.Fatal(err)
	}
	c, err := evtchn.Open(g, port)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evtchn.Open(g, port); err == nil {
		t.Error("a port opened twice")
	}
	c.Close()
	if _, _, ok := b.Connected(bp); !ok {
		t.Error("Close of an opened port closed it in Xen")
	}
	if _, err := evtchn.Open(g, port); err != nil {
		t.Errorf("reopening after Close: %v", err)
	}
}
