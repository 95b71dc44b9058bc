// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenfake

// The toolstack's and a backend's side of xenbus, for tests of frontends:
// NewDevice creates a device's two directories as libxl does
// (libxl_device.c: the frontend's backend, backend-id and state; the
// backend's frontend, frontend-id, online and state), and a Backend then
// plays the backend driver over its own xenstore connection.

import (
	"context"
	"errors"
	"internal/xen/xenbus"
	"internal/xen/xenstore"
	"io/fs"
	"strconv"
)

// A Backend is the backend end of one device.
type Backend struct {
	C     *xenstore.Client // the backend domain's connection to the store
	Front string           // the frontend's directory (absolute)
	Dir   string           // the backend's directory (absolute)
	Dom   uint16           // the backend's domain
}

// NewDevice creates device CLASS/ID of domain frontDom with its backend in
// domain backDom, both in state Initialising, and returns the backend.
func (s *Store) NewDevice(t Cleaner, frontDom uint16, class, id string, backDom uint16) *Backend {
	fd, bd := strconv.Itoa(int(frontDom)), strconv.Itoa(int(backDom))
	b := &Backend{
		C:     s.Dial(t, backDom),
		Front: "/local/domain/" + fd + "/device/" + class + "/" + id,
		Dir:   "/local/domain/" + bd + "/backend/" + class + "/" + fd + "/" + id,
		Dom:   backDom,
	}
	for _, kv := range [][2]string{
		{b.Front + "/backend", b.Dir},
		{b.Front + "/backend-id", bd},
		{b.Front + "/state", "1"},
		{b.Dir + "/frontend", b.Front},
		{b.Dir + "/frontend-id", fd},
		{b.Dir + "/online", "1"},
		{b.Dir + "/state", "1"},
	} {
		s.Set(kv[0], kv[1])
	}
	return b
}

// Write writes key in the backend's directory.
func (b *Backend) Write(ctx context.Context, key, value string) error {
	return b.C.Write(ctx, b.Dir+"/"+key, value)
}

// SetState publishes the backend's state.
func (b *Backend) SetState(ctx context.Context, s xenbus.State) error {
	return b.Write(ctx, "state", strconv.Itoa(int(s)))
}

// ReadFrontend reads key in the frontend's directory.
func (b *Backend) ReadFrontend(ctx context.Context, key string) (string, error) {
	return b.C.Read(ctx, b.Front+"/"+key)
}

// WaitFrontend waits until the frontend's state satisfies ok.
func (b *Backend) WaitFrontend(ctx context.Context, ok func(xenbus.State) bool) (xenbus.State, error) {
	w, err := b.C.Watch(ctx, b.Front+"/state")
	if err != nil {
		return xenbus.Unknown, err
	}
	defer w.Unwatch(context.Background())
	for {
		v, err := b.ReadFrontend(ctx, "state")
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return xenbus.Unknown, err
		}
		if s, perr := xenbus.ParseState(v); perr == nil && ok(s) {
			return s, nil
		}
		select {
		case <-w.C:
		case <-ctx.Done():
			return xenbus.Unknown, ctx.Err()
		}
	}
}
