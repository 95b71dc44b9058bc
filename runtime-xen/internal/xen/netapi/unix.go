// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netapi

import (
	"sync"
	"syscall"
)

// Unix-domain sockets live inside the program (there is no other process to
// talk to): stream, seqpacket and datagram sockets bound to names in one
// namespace. A name is a path, made absolute against the working directory,
// or an abstract name starting with '@'. Binding needs the directory of a
// path to exist, as on Linux, but creates no file in it.
//
// All Unix sockets share one lock: an operation touches both ends of a
// connection, and the program runs on one vCPU.

// unixBufferSize is the default receive buffer of a Unix socket, Linux's
// default socket buffer (net.core.rmem_default) rounded up.
const unixBufferSize = 256 << 10

var (
	unixMu    sync.Mutex
	unixNames = map[string]*unixEndpoint{}
)

type unixMessage struct {
	data []byte
	from string
}

type unixEndpoint struct {
	sotype int
	notify func(Events)

	name      string // bound name ("" unnamed)
	listening bool
	backlog   int
	pending   []*unixEndpoint // connections not yet accepted
	peer      *unixEndpoint   // stream/seqpacket: the other end
	peerName  string          // datagram: the connected peer's name
	connected bool

	// What this end reads: bytes for a stream, messages otherwise.
	buf      []byte
	msgs     []unixMessage
	queued   int             // bytes queued (messages)
	blocked  []*unixEndpoint // senders that found the message queue full
	rcvLimit int
	sndLimit int

	readShut  bool // SHUT_RD
	writeShut bool // SHUT_WR
	peerDone  bool // the peer will not write again: reads end after buf
	reset     bool // the peer closed with data unread: ECONNRESET
	closed    bool
}

func newUnixEndpoint(sotype int) (Endpoint, error) {
	switch sotype {
	case syscall.SOCK_STREAM, syscall.SOCK_SEQPACKET, syscall.SOCK_DGRAM:
	default:
		return nil, syscall.EPROTONOSUPPORT
	}
	return &unixEndpoint{sotype: sotype, notify: func(Events) {}, rcvLimit: unixBufferSize, sndLimit: unixBufferSize}, nil
}

func (e *unixEndpoint) SetNotify(f func(Events)) {
	unixMu.Lock()
	e.notify = f
	unixMu.Unlock()
}

func (e *unixEndpoint) Readiness(mask Events) Events {
	unixMu.Lock()
	defer unixMu.Unlock()
	return e.readinessLocked() & mask
}

func (e *unixEndpoint) readinessLocked() Events {
	var ev Events
	switch {
	case e.listening:
		if len(e.pending) > 0 {
			ev |= EventIn
		}
	case e.sotype == syscall.SOCK_STREAM:
		if len(e.buf) > 0 || e.peerDone || e.readShut || e.reset {
			ev |= EventIn
		}
		if e.peer == nil || len(e.peer.buf) < e.peer.rcvLimit || e.writeShut {
			ev |= EventOut // room, or a write that fails at once
		}
	default:
		if len(e.msgs) > 0 || e.peerDone || e.readShut || e.reset {
			ev |= EventIn
		}
		ev |= EventOut
	}
	if e.readShut && e.writeShut || e.peerDone && e.writeShut {
		ev |= EventHUp
	}
	return ev
}

func (e *unixEndpoint) wake() { e.notify(e.readinessLocked()) }

// unixName is the namespace key of a socket name.
func unixName(name string) (string, error) {
	if name == "" || name[0] == '@' {
		return name, nil
	}
	if name[0] != '/' {
		wd, err := syscall.Getwd()
		if err != nil {
			return "", err
		}
		if wd != "/" {
			wd += "/"
		}
		name = wd + name
	}
	return name, nil
}

func (e *unixEndpoint) Bind(a Addr) error {
	name, err := unixName(a.Name)
	if err != nil {
		return err
	}
	unixMu.Lock()
	defer unixMu.Unlock()
	if e.closed {
		return syscall.EBADF
	}
	if e.name != "" {
		return syscall.EINVAL
	}
	if name == "" {
		return nil // unnamed
	}
	if unixNames[name] != nil {
		return syscall.EADDRINUSE
	}
	if name[0] == '/' {
		// As Linux: the directory must exist, and the name must be free in it
		// (though binding creates no file there).
		var st syscall.Stat_t
		dir := len(name)
		for name[dir-1] != '/' {
			dir--
		}
		if err := syscall.Stat(name[:dir], &st); err != nil {
			return err
		}
		if err := syscall.Stat(name, &st); err == nil {
			return syscall.EADDRINUSE
		}
	}
	unixNames[name] = e
	e.name = name
	return nil
}

func (e *unixEndpoint) Listen(backlog int) error {
	unixMu.Lock()
	defer unixMu.Unlock()
	switch {
	case e.closed:
		return syscall.EBADF
	case e.sotype == syscall.SOCK_DGRAM:
		return syscall.EOPNOTSUPP
	case e.connected:
		return syscall.EINVAL
	}
	if backlog < 1 {
		backlog = 1
	}
	e.listening = true
	e.backlog = backlog
	return nil
}

// lookup returns the socket bound to name.
func unixLookup(name string) (*unixEndpoint, error) {
	key, err := unixName(name)
	if err != nil {
		return nil, err
	}
	t := unixNames[key]
	if t == nil {
		var st syscall.Stat_t
		if key != "" && key[0] == '/' && syscall.Stat(key, &st) == nil {
			return nil, syscall.ECONNREFUSED // a file that is not a socket
		}
		return nil, syscall.ENOENT
	}
	return t, nil
}

func (e *unixEndpoint) Connect(a Addr) error {
	unixMu.Lock()
	defer unixMu.Unlock()
	switch {
	case e.closed:
		return syscall.EBADF
	case e.listening:
		return syscall.EINVAL
	case e.connected && e.sotype != syscall.SOCK_DGRAM:
		return syscall.EISCONN
	}
	t, err := unixLookup(a.Name)
	if err != nil {
		return err
	}
	if t.sotype != e.sotype {
		return syscall.EPROTOTYPE
	}
	if e.sotype == syscall.SOCK_DGRAM {
		e.peerName = t.name
		e.connected = true
		return nil
	}
	if !t.listening {
		return syscall.ECONNREFUSED
	}
	if len(t.pending) >= t.backlog {
		return syscall.EAGAIN // Linux's answer for a full backlog, non-blocking
	}
	server := &unixEndpoint{
		sotype:    e.sotype,
		notify:    func(Events) {},
		name:      t.name,
		peer:      e,
		connected: true,
		rcvLimit:  unixBufferSize,
		sndLimit:  unixBufferSize,
	}
	e.peer = server
	e.connected = true
	t.pending = append(t.pending, server)
	t.wake()
	return nil
}

func (e *unixEndpoint) ConnectResult() error { return nil }

func (e *unixEndpoint) Accept() (Endpoint, Addr, error) {
	unixMu.Lock()
	defer unixMu.Unlock()
	if e.closed || !e.listening {
		return nil, Addr{}, syscall.EINVAL
	}
	if len(e.pending) == 0 {
		return nil, Addr{}, syscall.EAGAIN
	}
	c := e.pending[0]
	e.pending = e.pending[1:]
	from := ""
	if c.peer != nil {
		from = c.peer.name
	}
	return c, Addr{Name: from}, nil
}

func (e *unixEndpoint) Read(p []byte) (int, error) {
	n, _, err := e.ReadFrom(p)
	return n, err
}

func (e *unixEndpoint) ReadFrom(p []byte) (int, Addr, error) {
	unixMu.Lock()
	defer unixMu.Unlock()
	switch {
	case e.closed:
		return 0, Addr{}, syscall.EBADF
	case e.listening:
		return 0, Addr{}, syscall.ENOTCONN
	case e.sotype != syscall.SOCK_DGRAM && !e.connected:
		return 0, Addr{}, syscall.ENOTCONN
	}
	if e.sotype == syscall.SOCK_STREAM {
		if len(e.buf) == 0 {
			switch {
			case e.reset:
				e.reset = false
				return 0, Addr{}, syscall.ECONNRESET
			case e.peerDone || e.readShut:
				return 0, Addr{}, nil
			}
			return 0, Addr{}, syscall.EAGAIN
		}
		n := copy(p, e.buf)
		e.buf = e.buf[n:]
		if len(e.buf) == 0 {
			e.buf = nil
		}
		if e.peer != nil {
			e.peer.wake() // room to write
		}
		return n, e.remote(), nil
	}
	if len(e.msgs) == 0 {
		switch {
		case e.reset:
			e.reset = false
			return 0, Addr{}, syscall.ECONNRESET
		case e.peerDone || e.readShut:
			return 0, Addr{}, nil
		}
		return 0, Addr{}, syscall.EAGAIN
	}
	m := e.msgs[0]
	e.msgs[0] = unixMessage{}
	e.msgs = e.msgs[1:]
	e.queued -= len(m.data)
	for _, b := range e.blocked {
		b.wake()
	}
	e.blocked = nil
	return copy(p, m.data), Addr{Name: m.from}, nil
}

func (e *unixEndpoint) remote() Addr {
	if e.peer != nil {
		return Addr{Name: e.peer.name}
	}
	return Addr{Name: e.peerName}
}

func (e *unixEndpoint) Write(p []byte) (int, error) {
	return e.WriteTo(p, Addr{})
}

func (e *unixEndpoint) WriteTo(p []byte, a Addr) (int, error) {
	unixMu.Lock()
	defer unixMu.Unlock()
	if e.closed {
		return 0, syscall.EBADF
	}
	if e.writeShut {
		return 0, syscall.EPIPE
	}
	if e.sotype == syscall.SOCK_DGRAM {
		var t *unixEndpoint
		var err error
		switch {
		case a.Name != "" && e.connected:
			return 0, syscall.EISCONN
		case a.Name != "":
			t, err = unixLookup(a.Name)
		case e.connected:
			t, err = unixLookup(e.peerName)
			if err == syscall.ENOENT {
				err = syscall.ECONNREFUSED // the connected peer is gone
			}
		default:
			return 0, syscall.EDESTADDRREQ
		}
		if err != nil {
			return 0, err
		}
		if t.sotype != syscall.SOCK_DGRAM {
			return 0, syscall.EPROTOTYPE
		}
		return t.enqueue(p, e)
	}
	if a.Name != "" {
		return 0, syscall.EISCONN
	}
	if !e.connected {
		return 0, syscall.ENOTCONN
	}
	t := e.peer
	if t == nil || t.closed || t.readShut {
		return 0, syscall.EPIPE
	}
	if e.sotype == syscall.SOCK_SEQPACKET {
		return t.enqueue(p, e)
	}
	room := t.rcvLimit - len(t.buf)
	if room <= 0 {
		return 0, syscall.EAGAIN
	}
	n := min(room, len(p))
	t.buf = append(t.buf, p[:n]...)
	t.wake()
	return n, nil
}

// enqueue queues one message from sender for e to read.
func (e *unixEndpoint) enqueue(p []byte, sender *unixEndpoint) (int, error) {
	if len(p) > e.rcvLimit {
		return 0, syscall.EMSGSIZE
	}
	if e.closed || e.readShut {
		return 0, syscall.ECONNREFUSED
	}
	if e.queued+len(p) > e.rcvLimit && len(e.msgs) > 0 {
		e.blocked = append(e.blocked, sender) // woken when e reads
		return 0, syscall.EAGAIN
	}
	e.msgs = append(e.msgs, unixMessage{data: append([]byte(nil), p...), from: sender.name})
	e.queued += len(p)
	e.wake()
	return len(p), nil
}

func (e *unixEndpoint) Shutdown(how int) error {
	unixMu.Lock()
	defer unixMu.Unlock()
	if e.closed {
		return syscall.EBADF
	}
	if !e.connected {
		return syscall.ENOTCONN
	}
	if how&ShutRead != 0 {
		e.readShut = true
	}
	if how&ShutWrite != 0 {
		e.writeShut = true
		if e.peer != nil {
			e.peer.peerDone = true
			e.peer.wake()
		}
	}
	e.wake()
	return nil
}

func (e *unixEndpoint) Close() error {
	unixMu.Lock()
	defer unixMu.Unlock()
	if e.closed {
		return syscall.EBADF
	}
	e.closed = true
	if e.name != "" && unixNames[e.name] == e {
		delete(unixNames, e.name)
	}
	for _, c := range e.pending {
		c.closed = true
		if c.peer != nil {
			c.peer.reset = true
			c.peer.peerDone = true
			c.peer.wake()
		}
	}
	e.pending = nil
	if t := e.peer; t != nil {
		t.peerDone = true
		if len(e.buf) > 0 || len(e.msgs) > 0 {
			t.reset = true // as Linux: data left unread resets the peer
		}
		t.peer = nil
		t.wake()
	}
	e.buf, e.msgs = nil, nil
	e.wake()
	return nil
}

func (e *unixEndpoint) LocalAddr() Addr {
	unixMu.Lock()
	defer unixMu.Unlock()
	return Addr{Name: e.name}
}

func (e *unixEndpoint) RemoteAddr() (Addr, error) {
	unixMu.Lock()
	defer unixMu.Unlock()
	if !e.connected {
		return Addr{}, syscall.ENOTCONN
	}
	return e.remote(), nil
}

func (e *unixEndpoint) SetOption(o Option, v int) error {
	unixMu.Lock()
	defer unixMu.Unlock()
	switch o {
	case RecvBuffer:
		if v <= 0 {
			return syscall.EINVAL
		}
		e.rcvLimit = v
	case SendBuffer:
		if v <= 0 {
			return syscall.EINVAL
		}
		e.sndLimit = v
	default:
		return syscall.ENOPROTOOPT
	}
	e.wake()
	return nil
}

func (e *unixEndpoint) GetOption(o Option) (int, error) {
	unixMu.Lock()
	defer unixMu.Unlock()
	switch o {
	case RecvBuffer:
		return e.rcvLimit, nil
	case SendBuffer:
		return e.sndLimit, nil
	}
	return 0, syscall.ENOPROTOOPT
}
