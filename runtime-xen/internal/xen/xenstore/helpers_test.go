// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// These are host tests (see client_test.go). The fake xenstored they talk to
// is internal/xen/xenfake's Store.

//go:build !xen

package xenstore

import (
	"context"
	"testing"
)

// A latched event channel: notify sets it, wait blocks until it is set and
// clears it. stop makes wait return at once, for shutting a test down.
type latch struct {
	c    chan struct{}
	stop chan struct{}
}

func newLatch(stop chan struct{}) latch { return latch{make(chan struct{}, 1), stop} }

func (l latch) notify() {
	select {
	case l.c <- struct{}{}:
	default:
	}
}

func (l latch) wait() {
	select {
	case <-l.c:
	case <-l.stop:
	}
}

// ringPair returns both ends of a xenstore page whose indices start at
// start, with the guest's wait hook wrapped by hook if it is not nil, for
// the tests of the ring itself (the others use xenfake.RingPair, which this
// package's own tests cannot import).
func ringPair(t testing.TB, start uint32, hook func(wait func()) func()) (guest, server *Ring, page *[PageSize]byte) {
	page = new([PageSize]byte)
	SetRingIndices(page, start)
	stop := make(chan struct{})
	toGuest, toServer := newLatch(stop), newLatch(stop)
	gwait := toGuest.wait
	if hook != nil {
		gwait = hook(gwait)
	}
	guest = NewRing(page, toServer.notify, gwait)
	server = NewServerRing(page, toGuest.notify, toServer.wait)
	t.Cleanup(func() {
		guest.Close()
		server.Close()
		close(stop)
	})
	return guest, server, page
}

func raw(typ MsgType, reqID, txID uint32, payload string) []byte {
	b := make([]byte, 0, HeaderSize+len(payload))
	for _, v := range []uint32{uint32(typ), reqID, txID, uint32(len(payload))} {
		b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	return append(b, payload...)
}

// For the tests outside the package (package xenstore_test), which import
// internal/xen/xenfake, itself importing this package.

var Raw = raw

func (c *Client) RoundTrip(ctx context.Context, typ MsgType, tx uint32, payload []byte, orphan func(*Message)) (*Message, error) {
	return c.roundTrip(ctx, typ, tx, payload, orphan)
}

// Pending reports whether request id waits for its reply.
func (c *Client) Pending(id uint32) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending[id] != nil
}
