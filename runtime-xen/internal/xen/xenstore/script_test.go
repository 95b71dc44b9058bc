// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build !xen

package xenstore_test

import (
	"internal/xen/xenstore"
	"io"
	"slices"
	"strings"
	"sync"
)

// scriptConn is a client transport whose replies come from a function:
// each complete request written is passed to respond, and the bytes it
// returns are what Read returns next. After Close, or once eof is set and
// the replies are consumed, Read fails.
type scriptConn struct {
	mu      sync.Mutex
	cond    sync.Cond
	in, out []byte
	reqs    []*xenstore.Message
	closed  bool
	eof     bool
	respond func(req *xenstore.Message) []byte
	stalled func(reqs []*xenstore.Message) bool // if set and true, Read reports EOF instead of waiting
}

func newScriptConn(respond func(req *xenstore.Message) []byte) *scriptConn {
	sc := &scriptConn{respond: respond}
	sc.cond.L = &sc.mu
	return sc
}

func (sc *scriptConn) Write(p []byte) (int, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.closed {
		return 0, io.ErrClosedPipe
	}
	sc.in = append(sc.in, p...)
	for len(sc.in) >= xenstore.HeaderSize {
		n := xenstore.HeaderSize + int(uint32(sc.in[12])|uint32(sc.in[13])<<8|uint32(sc.in[14])<<16|uint32(sc.in[15])<<24)
		if len(sc.in) < n {
			break
		}
		m, _ := xenstore.ReadMessage(strings.NewReader(string(sc.in[:n])))
		sc.in = sc.in[n:]
		sc.reqs = append(sc.reqs, m)
		sc.out = append(sc.out, sc.respond(m)...)
	}
	sc.cond.Broadcast()
	return len(p), nil
}

func (sc *scriptConn) Read(p []byte) (int, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for len(sc.out) == 0 && !sc.closed && !sc.eof && (sc.stalled == nil || !sc.stalled(sc.reqs)) {
		sc.cond.Wait()
	}
	if sc.closed {
		return 0, io.ErrClosedPipe
	}
	if len(sc.out) == 0 {
		return 0, io.EOF
	}
	n := copy(p, sc.out)
	sc.out = sc.out[n:]
	return n, nil
}

// feed queues bytes for Read outside a reply.
func (sc *scriptConn) feed(b []byte) {
	sc.mu.Lock()
	sc.out = append(sc.out, b...)
	sc.cond.Broadcast()
	sc.mu.Unlock()
}

func (sc *scriptConn) Close() error {
	sc.mu.Lock()
	sc.closed = true
	sc.cond.Broadcast()
	sc.mu.Unlock()
	return nil
}

func (sc *scriptConn) requests() []*xenstore.Message {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return slices.Clone(sc.reqs)
}
