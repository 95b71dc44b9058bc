// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xenbus is the frontend's half of the xenbus protocol, which
// connects a split driver's frontend in a guest to its backend in another
// domain through xenstore (xen/include/public/io/xenbus.h; Linux's
// drivers/xen/xenbus/xenbus_client.c and xenbus_probe_frontend.c do the
// same job).
//
// A device is a directory under the domain's device/CLASS/ID (device/vif/0,
// device/vbd/51712). The toolstack writes there the backend's directory
// (backend) and domain (backend-id); each end publishes its state in its
// own directory's state key and watches the other's:
//
//	backend  Initialising → InitWait (features published, ready for the frontend)
//	frontend Initialising → (rings granted, keys written) Initialised or Connected
//	backend  → Connected (it has mapped the rings)
//	either   → Closing → Closed (the other follows)
//
// The backend is untrusted: every value read from its directory is
// checked (ParseState, BackendUint), and a wait on it is bounded by the
// caller's context.
package xenbus

import (
	"context"
	"errors"
	"internal/strconv"
	"internal/stringslite"
	"internal/xen/xenstore"
	"io/fs"
	"time"
)

// State is a XenbusState (io/xenbus.h, enum xenbus_state).
type State int

const (
	Unknown       State = 0
	Initialising  State = 1
	InitWait      State = 2 // backend: ready for the frontend's keys
	Initialised   State = 3 // frontend: keys written, waiting for the backend
	Connected     State = 4
	Closing       State = 5
	Closed        State = 6
	Reconfiguring State = 7
	Reconfigured  State = 8
)

var stateNames = [...]string{"Unknown", "Initialising", "InitWait", "Initialised", "Connected", "Closing", "Closed", "Reconfiguring", "Reconfigured"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// ErrBadValue reports a value in xenstore that is not what the protocol
// allows (a state that is not a number in range, a bad backend path or
// domain id).
var ErrBadValue = errors.New("xenbus: malformed value in xenstore")

// ErrBackendGone reports that the backend closed (or its directory went
// away) while the frontend waited for it.
var ErrBackendGone = errors.New("xenbus: the backend closed the device")

func badValue(path, value string) error {
	return &xenstore.OpError{Op: "parse", Path: path, Err: errors.Join(ErrBadValue, errors.New("value \""+value+"\""))}
}

// ParseState parses the value of a state key.
func ParseState(v string) (State, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < int(Unknown) || n > int(Reconfigured) {
		return Unknown, ErrBadValue
	}
	return State(n), nil
}

// Devices returns the ids of the domain's devices of class (device/CLASS),
// none if there is no such directory.
func Devices(ctx context.Context, c *xenstore.Client, class string) ([]string, error) {
	ids, err := c.Directory(ctx, "device/"+class)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return ids, err
}

// A Device is one frontend device and the backend it talks to.
type Device struct {
	Store     *xenstore.Client
	Path      string // the frontend's directory, relative to the domain's home (device/vif/0)
	Backend   string // the backend's directory, absolute
	BackendID uint16 // the backend's domain
}

// DomidFirstReserved is the first domain id that names no domain
// (xen.h, DOMID_FIRST_RESERVED).
const DomidFirstReserved = 0x7FF0

// Open reads the device device/CLASS/ID: its backend's directory and domain.
func Open(ctx context.Context, c *xenstore.Client, class, id string) (*Device, error) {
	d := &Device{Store: c, Path: "device/" + class + "/" + id}
	be, err := c.Read(ctx, d.Path+"/backend")
	if err != nil {
		return nil, err
	}
	if !validBackendPath(be) {
		return nil, badValue(d.Path+"/backend", be)
	}
	idv, err := c.Read(ctx, d.Path+"/backend-id")
	if err != nil {
		return nil, err
	}
	n, perr := strconv.Atoi(idv)
	if perr != nil || n < 0 || n >= DomidFirstReserved {
		return nil, badValue(d.Path+"/backend-id", idv)
	}
	d.Backend, d.BackendID = be, uint16(n)
	return d, nil
}

// validBackendPath accepts an absolute xenstore path of plain components.
func validBackendPath(p string) bool {
	if len(p) < 2 || len(p) > 1024 || p[0] != '/' || stringslite.HasSuffix(p, "/") || stringslite.Index(p, "//") >= 0 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || stringslite.IndexByte("/-_@", c) >= 0) {
			return false
		}
	}
	return true
}

// ReadBackend reads key in the backend's directory.
func (d *Device) ReadBackend(ctx context.Context, key string) (string, error) {
	return d.Store.Read(ctx, d.Backend+"/"+key)
}

// BackendFeature reports whether the backend offers a boolean feature
// (its key is "1"). A missing key is false; any other value is false too,
// as Linux reads them (xenbus_read_unsigned with default 0).
func (d *Device) BackendFeature(ctx context.Context, key string) bool {
	v, err := d.ReadBackend(ctx, key)
	return err == nil && v == "1"
}

// BackendUint reads an unsigned number in the backend's directory, at most
// max. A missing key returns def; a malformed one or one over max is an
// error.
func (d *Device) BackendUint(ctx context.Context, key string, def, max uint64) (uint64, error) {
	v, err := d.ReadBackend(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
		return def, nil
	}
	if err != nil {
		return 0, err
	}
	n, ok := parseUint(v)
	if !ok || n > max {
		return 0, badValue(d.Backend+"/"+key, v)
	}
	return n, nil
}

func parseUint(s string) (uint64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// BackendState reads the backend's state.
func (d *Device) BackendState(ctx context.Context) (State, error) {
	v, err := d.ReadBackend(ctx, "state")
	if err != nil {
		return Unknown, err
	}
	s, err := ParseState(v)
	if err != nil {
		return Unknown, badValue(d.Backend+"/state", v)
	}
	return s, nil
}

// State reads the frontend's own state.
func (d *Device) State(ctx context.Context) (State, error) {
	v, err := d.Store.Read(ctx, d.Path+"/state")
	if err != nil {
		return Unknown, err
	}
	return ParseState(v)
}

// SetState publishes the frontend's state. A device whose directory the
// toolstack has removed (it tears a device down once both ends are
// Closed) is left alone: writing would bring back a stale node that the
// next device of that id would find (Linux's xenbus_switch_state checks
// the same way, in a transaction).
func (d *Device) SetState(ctx context.Context, s State) error {
	return d.Store.Transaction(ctx, func(tx *xenstore.Tx) error {
		if _, err := tx.Read(ctx, d.Path+"/state"); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return tx.Write(ctx, d.Path+"/state", strconv.Itoa(int(s)))
	})
}

// A KV is a key of the frontend's directory and its value.
type KV struct{ Key, Value string }

// Publish writes keys to the frontend's directory and then its state, in
// one transaction, so the backend sees all or nothing.
func (d *Device) Publish(ctx context.Context, keys []KV, s State) error {
	return d.Store.Transaction(ctx, func(tx *xenstore.Tx) error {
		for _, kv := range keys {
			if err := tx.Write(ctx, d.Path+"/"+kv.Key, kv.Value); err != nil {
				return err
			}
		}
		return tx.Write(ctx, d.Path+"/state", strconv.Itoa(int(s)))
	})
}

// WaitBackend waits until the backend's state satisfies ok and returns it.
// A backend that closes meanwhile (Closing, Closed, or its state key
// removed) ends the wait with ErrBackendGone, unless ok accepts that state;
// a malformed state is an error. ctx bounds the wait.
func (d *Device) WaitBackend(ctx context.Context, ok func(State) bool) (State, error) {
	w, err := d.Store.Watch(ctx, d.Backend+"/state")
	if err != nil {
		return Unknown, err
	}
	defer w.Unwatch(context.Background())
	for {
		s, err := d.BackendState(ctx)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if ok(Closed) {
				return Closed, nil
			}
			return Unknown, ErrBackendGone
		case err != nil:
			return Unknown, err
		case ok(s):
			return s, nil
		case s == Closing || s == Closed:
			return s, ErrBackendGone
		}
		select {
		case _, open := <-w.C:
			if !open {
				return Unknown, xenstore.ErrClosed
			}
		case <-ctx.Done():
			return s, &xenstore.OpError{Op: "wait for backend", Path: d.Backend + "/state", Err: errors.Join(ctx.Err(), errors.New("backend state "+s.String()))}
		}
	}
}

// WatchBackend reports the backend's state each time it changes (and once
// at the start), until ctx ends; a malformed state or a vanished directory
// is reported as Closed, so a driver treats it as the backend going away.
func (d *Device) WatchBackend(ctx context.Context) (<-chan State, error) {
	w, err := d.Store.Watch(ctx, d.Backend+"/state")
	if err != nil {
		return nil, err
	}
	ch := make(chan State)
	go func() {
		defer close(ch)
		defer w.Unwatch(context.Background())
		last := State(-1)
		for {
			select {
			case _, open := <-w.C:
				if !open {
					return
				}
			case <-ctx.Done():
				return
			}
			s, err := d.BackendState(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				s = Closed
			}
			if s == last {
				continue
			}
			last = s
			select {
			case ch <- s:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

// FollowBackend watches a connected device until ctx ends: when the
// backend leaves Connected (xl detach, a backend that dies; a vanished or
// malformed state counts as Closed), lost is called with its state, and
// the frontend then follows it to Closed within 10 s, as a guest's xenbus
// does; closed, if not nil, runs after that. The watch is set before
// FollowBackend returns, so no change after the call is missed.
func (d *Device) FollowBackend(ctx context.Context, lost func(State), closed func()) error {
	states, err := d.WatchBackend(ctx)
	if err != nil {
		return err
	}
	go func() {
		for s := range states {
			if s == Connected {
				continue
			}
			lost(s)
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			d.Close(cctx)
			cancel()
			if closed != nil {
				closed()
			}
			return
		}
	}()
	return nil
}

// Close takes the frontend through Closing to Closed, waiting (bounded by
// ctx) for the backend to follow, as a guest's xenbus does when it shuts a
// device down. A backend that never follows does not stop the frontend
// from reaching Closed.
func (d *Device) Close(ctx context.Context) error {
	if err := d.SetState(ctx, Closing); err != nil {
		return err
	}
	_, werr := d.WaitBackend(ctx, func(s State) bool { return s == Closing || s == Closed })
	if err := d.SetState(context.WithoutCancel(ctx), Closed); err != nil {
		return err
	}
	if errors.Is(werr, ErrBackendGone) {
		werr = nil
	}
	return werr
}
