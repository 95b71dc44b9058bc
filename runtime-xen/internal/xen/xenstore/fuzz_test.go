// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// These are host tests of the protocol against a fake xenstored. On xen,
// package os imports this package (it watches control/shutdown), so tests
// in the package could not import testing there.

//go:build !xen

package xenstore_test

import (
	"context"
	"errors"
	"internal/xen/xenstore"
	"testing"
	"time"
)

// FuzzClient runs a fixed series of operations against a transport that
// answers every request with the next chunk of the fuzz input, and then
// reports end of file. Each chunk is: a flags byte, a length byte, and that
// many bytes of raw reply; with flag 1 its req_id, with flag 2 its type, is
// overwritten with the request's (when the chunk holds a whole header), so
// that the fuzzer easily reaches the reply parsers. When the input is used
// up, or a request cannot get a reply from it, the transport reports end of
// file. Every operation must return, with a value or an error, and nothing
// may panic.
func FuzzClient(f *testing.F) {
	chunk := func(flags byte, b []byte) []byte { return append([]byte{flags, byte(len(b))}, b...) }
	var seed []byte
	seed = append(seed, chunk(3, xenstore.Raw(0, 0, 0, "value"))...)
	seed = append(seed, chunk(3, xenstore.Raw(0, 0, 0, "a\x00b\x00"))...)
	seed = append(seed, chunk(3, xenstore.Raw(0, 0, 0, "OK\x00"))...)
	seed = append(seed, chunk(3, xenstore.Raw(0, 0, 0, "/local/domain/1\x00"))...)
	seed = append(seed, chunk(3, xenstore.Raw(0, 0, 0, "9\x00"))...)
	seed = append(seed, chunk(1, xenstore.Raw(xenstore.TypeError, 0, 0, "EAGAIN\x00"))...)
	f.Add(seed)
	f.Add(chunk(1, xenstore.Raw(xenstore.TypeError, 0, 0, "ENOENT\x00")))
	f.Add(chunk(0, append(xenstore.Raw(xenstore.TypeWatchEvent, 0, 0, "/w\x00go1\x00"), xenstore.Raw(xenstore.TypeRead, 1, 0, "x")...)))
	f.Add([]byte{3, 255, 1, 2, 3})

	f.Fuzz(func(t *testing.T, data []byte) {
		var c *xenstore.Client
		sc := newScriptConn(func(m *xenstore.Message) []byte {
			if len(data) < 2 {
				return nil
			}
			flags, n := data[0], int(data[1])
			data = data[2:]
			n = min(n, len(data))
			b := append([]byte(nil), data[:n]...)
			data = data[n:]
			if len(b) >= xenstore.HeaderSize {
				if flags&1 != 0 {
					b[4], b[5], b[6], b[7] = byte(m.ReqID), byte(m.ReqID>>8), byte(m.ReqID>>16), byte(m.ReqID>>24)
				}
				if flags&2 != 0 {
					b[0], b[1], b[2], b[3] = byte(m.Type), byte(m.Type>>8), byte(m.Type>>16), byte(m.Type>>24)
				}
			}
			return b
		})
		// Once the replies are consumed while a request still waits for
		// one, nothing more will come: the transport ends.
		sc.stalled = func(reqs []*xenstore.Message) bool {
			if len(reqs) == 0 {
				return false // and c may not be set yet
			}
			for _, m := range reqs {
				if c.Pending(m.ReqID) {
					return true
				}
			}
			return false
		}
		c = xenstore.NewClient(sc)
		defer c.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			ctx := context.Background()
			c.Read(ctx, "/r")
			c.Directory(ctx, "d")
			c.Write(ctx, "/w", "v")
			c.GetDomainPath(ctx, 1)
			c.Transaction(ctx, func(tx *xenstore.Tx) error {
				tx.Read(ctx, "/t")
				return tx.Write(ctx, "/t", "x")
			})
			if w, err := c.Watch(ctx, "/w"); err == nil {
				select {
				case <-w.C:
				default:
				}
				w.Unwatch(ctx)
			}
			c.Mkdir(ctx, "/m")
			if err := c.Rm(ctx, "/m"); err != nil && !isKnown(err) {
				t.Errorf("unexpected error %v", err)
			}
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("client hung")
		}
	})
}

// isKnown reports whether err is one of the errors the client documents.
func isKnown(err error) bool {
	var xe xenstore.Error
	return errors.As(err, &xe) || errors.Is(err, xenstore.ErrProtocol) || errors.Is(err, xenstore.ErrClosed)
}
