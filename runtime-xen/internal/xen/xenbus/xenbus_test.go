// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build !xen

package xenbus_test

import (
	"context"
	"errors"
	"internal/xen/xenbus"
	"internal/xen/xenfake"
	"testing"
	"time"
)

const guest, back = 7, 0

func ctx(t *testing.T, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

// The whole handshake, with the backend played as Linux's netback does it:
// InitWait with features, then Connected once the frontend is.
func TestHandshake(t *testing.T) {
	s := xenfake.NewStore()
	be := s.NewDevice(t, guest, "vif", "0", back)
	c := s.Dial(t, guest)
	cx := ctx(t, 10*time.Second)

	backendDone := make(chan error, 1)
	go func() {
		be.Write(cx, "feature-rx-copy", "1")
		be.Write(cx, "feature-sg", "yes") // not "1": not offered
		be.SetState(cx, xenbus.InitWait)
		if _, err := be.WaitFrontend(cx, func(s xenbus.State) bool { return s == xenbus.Connected }); err != nil {
			backendDone <- err
			return
		}
		if v, err := be.ReadFrontend(cx, "tx-ring-ref"); err != nil || v != "8" {
			backendDone <- errors.New("tx-ring-ref not published with the state: " + v)
			return
		}
		backendDone <- be.SetState(cx, xenbus.Connected)
	}()

	ids, err := xenbus.Devices(cx, c, "vif")
	if err != nil || len(ids) != 1 || ids[0] != "0" {
		t.Fatalf("Devices = %q, %v", ids, err)
	}
	d, err := xenbus.Open(cx, c, "vif", "0")
	if err != nil {
		t.Fatal(err)
	}
	if d.Backend != be.Dir || d.BackendID != back {
		t.Fatalf("backend %q domain %d", d.Backend, d.BackendID)
	}
	if st, err := d.WaitBackend(cx, func(s xenbus.State) bool { return s >= xenbus.InitWait }); err != nil || st != xenbus.InitWait {
		t.Fatalf("WaitBackend = %v, %v", st, err)
	}
	if !d.BackendFeature(cx, "feature-rx-copy") || d.BackendFeature(cx, "feature-sg") || d.BackendFeature(cx, "feature-missing") {
		t.Error("features read wrong")
	}
	if err := d.Publish(cx, []xenbus.KV{{"tx-ring-ref", "8"}, {"event-channel", "3"}}, xenbus.Connected); err != nil {
		t.Fatal(err)
	}
	if st, err := d.WaitBackend(cx, func(s xenbus.State) bool { return s == xenbus.Connected }); err != nil {
		t.Fatalf("WaitBackend(Connected) = %v, %v", st, err)
	}
	if err := <-backendDone; err != nil {
		t.Fatal(err)
	}
	if n, _ := d.BackendUint(cx, "missing", 42, 100); n != 42 {
		t.Errorf("BackendUint default = %d", n)
	}
}

// A hostile or broken backend: values that are not the protocol's are
// errors, never a hang or a panic.
func TestHostileBackend(t *testing.T) {
	s := xenfake.NewStore()
	be := s.NewDevice(t, guest, "vbd", "51712", back)
	c := s.Dial(t, guest)
	cx := ctx(t, 10*time.Second)
	d, err := xenbus.Open(cx, c, "vbd", "51712")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", "x", "-1", "9", "4 ", "99999999999999999999"} {
		be.Write(cx, "state", v)
		if _, err := d.BackendState(cx); !errors.Is(err, xenbus.ErrBadValue) {
			t.Errorf("state %q: %v, want ErrBadValue", v, err)
		}
		if _, err := d.WaitBackend(cx, func(s xenbus.State) bool { return true }); !errors.Is(err, xenbus.ErrBadValue) {
			t.Errorf("WaitBackend with state %q: %v, want ErrBadValue", v, err)
		}
	}
	for _, v := range []string{"-1", "x", "18446744073709551616", "101"} {
		be.Write(cx, "sectors", v)
		if _, err := d.BackendUint(cx, "sectors", 0, 100); !errors.Is(err, xenbus.ErrBadValue) {
			t.Errorf("sectors %q: %v", v, err)
		}
	}
	// Bad directory entries written by the toolstack.
	for _, kv := range [][2]string{{"backend", "relative/path"}, {"backend", "/a//b"}, {"backend-id", "32752"}, {"backend-id", "dom0"}} {
		s2 := xenfake.NewStore()
		s2.NewDevice(t, guest, "vif", "1", back)
		s2.Set("/local/domain/7/device/vif/1/"+kv[0], kv[1])
		if _, err := xenbus.Open(cx, s2.Dial(t, guest), "vif", "1"); !errors.Is(err, xenbus.ErrBadValue) {
			t.Errorf("%s = %q: Open = %v, want ErrBadValue", kv[0], kv[1], err)
		}
	}
}

// A backend that never gets ready: the wait ends with the context, saying
// in which state the backend was.
func TestBackendNeverReady(t *testing.T) {
	s := xenfake.NewStore()
	s.NewDevice(t, guest, "vif", "0", back)
	c := s.Dial(t, guest)
	d, err := xenbus.Open(ctx(t, 10*time.Second), c, "vif", "0")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	st, err := d.WaitBackend(ctx(t, 100*time.Millisecond), func(s xenbus.State) bool { return s == xenbus.Connected })
	if !errors.Is(err, context.DeadlineExceeded) || st != xenbus.Initialising {
		t.Fatalf("WaitBackend = %v, %v; want Initialising and DeadlineExceeded", st, err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the wait outlived its context")
	}
}

// The backend closing, or its directory vanishing, ends a wait and shows
// in WatchBackend.
func TestBackendCloses(t *testing.T) {
	s := xenfake.NewStore()
	be := s.NewDevice(t, guest, "vif", "0", back)
	c := s.Dial(t, guest)
	cx := ctx(t, 10*time.Second)
	d, _ := xenbus.Open(cx, c, "vif", "0")
	go func() {
		time.Sleep(20 * time.Millisecond)
		be.SetState(cx, xenbus.Closing)
	}()
	if _, err := d.WaitBackend(cx, func(s xenbus.State) bool { return s == xenbus.Connected }); !errors.Is(err, xenbus.ErrBackendGone) {
		t.Fatalf("WaitBackend = %v, want ErrBackendGone", err)
	}
	states, err := d.WatchBackend(cx)
	if err != nil {
		t.Fatal(err)
	}
	if st := <-states; st != xenbus.Closing {
		t.Fatalf("first state %v", st)
	}
	be.C.Rm(cx, be.Dir)
	if st := <-states; st != xenbus.Closed {
		t.Fatalf("after the backend's directory went: %v, want Closed", st)
	}
	// Close follows the protocol, and ends in Closed.
	if err := d.Close(cx); err != nil {
		t.Fatal(err)
	}
	if st, _ := d.State(cx); st != xenbus.Closed {
		t.Errorf("frontend state %v after Close", st)
	}
}
