// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netapi

import (
	"errors"
	"internal/poll"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Socket is an Endpoint with blocking operations, as internal/poll.FD is a
// descriptor with them. An operation that would block parks the goroutine
// on a channel until the endpoint reports readiness, the deadline passes
// (poll.ErrDeadlineExceeded), or the socket is closed (poll.ErrNetClosing).
// Reads are serialized with each other, and so are writes.
type Socket struct {
	ep Endpoint
	// stream: a read of 0 bytes is the end of the data (io.EOF).
	stream bool

	readMu, writeMu sync.Mutex
	readDeadline    deadline
	writeDeadline   deadline

	// readable and writable hold a token when the endpoint may have become
	// ready since the last attempt: a notification between an attempt and
	// the wait is not lost.
	readable, writable chan struct{}

	closing   chan struct{} // closed by Close
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// NewSocket makes ep a Socket; stream says that ep's reads of 0 bytes mean
// the end of the data (stream and seqpacket sockets).
func NewSocket(ep Endpoint, stream bool) *Socket {
	s := &Socket{
		ep:       ep,
		stream:   stream,
		readable: make(chan struct{}, 1),
		writable: make(chan struct{}, 1),
		closing:  make(chan struct{}),
	}
	ep.SetNotify(s.notify)
	return s
}

// Endpoint returns the endpoint s operates on.
func (s *Socket) Endpoint() Endpoint { return s.ep }

func (s *Socket) notify(ev Events) {
	if ev&(EventIn|EventErr|EventHUp) != 0 {
		select {
		case s.readable <- struct{}{}:
		default:
		}
	}
	if ev&(EventOut|EventErr|EventHUp) != 0 {
		select {
		case s.writable <- struct{}{}:
		default:
		}
	}
}

// wait parks until ready has a token, the deadline passes, cancel is closed
// or the socket is closed.
func (s *Socket) wait(ready chan struct{}, d *deadline, cancel <-chan struct{}) error {
	select {
	case <-ready:
		return nil
	case <-d.expired():
		return poll.ErrDeadlineExceeded
	case <-s.closing:
		return poll.ErrNetClosing
	case <-cancel:
		return errCanceled
	}
}

// errCanceled is returned by Connect when its cancel channel is closed.
var errCanceled = errors.New("operation canceled")

// IsCanceled reports whether err is the error of a canceled Connect.
func IsCanceled(err error) bool { return err == errCanceled }

// prepare checks, before an operation, for a closed socket and a deadline
// that has passed (even when the operation could complete, as on Linux).
func (s *Socket) prepare(d *deadline) error {
	if s.closed.Load() {
		return poll.ErrNetClosing
	}
	if d.passed() {
		return poll.ErrDeadlineExceeded
	}
	return nil
}

// Read reads into p. At the end of a stream it returns io.EOF.
func (s *Socket) Read(p []byte) (int, error) {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if err := s.prepare(&s.readDeadline); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		// As internal/poll: a zero-byte read returns at once (not io.EOF).
		return 0, nil
	}
	for {
		n, err := s.ep.Read(p)
		if err == syscall.EAGAIN {
			if err := s.wait(s.readable, &s.readDeadline, nil); err != nil {
				return 0, err
			}
			continue
		}
		if err == nil && n == 0 && s.stream {
			err = io.EOF
		}
		return n, err
	}
}

// ReadFrom reads one message into p and returns its sender.
func (s *Socket) ReadFrom(p []byte) (int, Addr, error) {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if err := s.prepare(&s.readDeadline); err != nil {
		return 0, Addr{}, err
	}
	for {
		n, from, err := s.ep.ReadFrom(p)
		if err == syscall.EAGAIN {
			if err := s.wait(s.readable, &s.readDeadline, nil); err != nil {
				return 0, Addr{}, err
			}
			continue
		}
		if err == nil && n == 0 && s.stream && len(p) > 0 {
			err = io.EOF
		}
		return n, from, err
	}
}

// Write writes all of p to a stream (waiting for room as often as needed),
// or p as one message.
func (s *Socket) Write(p []byte) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.prepare(&s.writeDeadline); err != nil {
		return 0, err
	}
	var nn int
	for {
		n, err := s.ep.Write(p[nn:])
		if n > 0 {
			nn += n
		}
		switch {
		case nn == len(p) && err == nil:
			yield()
			return nn, nil
		case err == syscall.EAGAIN:
			if err := s.wait(s.writable, &s.writeDeadline, nil); err != nil {
				return nn, err
			}
		case err == nil && s.stream:
			// Part of p went; try the rest at once, as internal/poll does.
		case err == nil:
			return nn, io.ErrShortWrite // a message endpoint took part of a message
		default:
			return nn, err
		}
	}
}

// WriteTo sends p as one message to a.
func (s *Socket) WriteTo(p []byte, a Addr) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.prepare(&s.writeDeadline); err != nil {
		return 0, err
	}
	for {
		n, err := s.ep.WriteTo(p, a)
		if err == syscall.EAGAIN {
			if err := s.wait(s.writable, &s.writeDeadline, nil); err != nil {
				return 0, err
			}
			continue
		}
		if err == nil {
			yield()
		}
		return n, err
	}
}

// Accept waits for a connection on a listening socket.
func (s *Socket) Accept() (Endpoint, Addr, error) {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if err := s.prepare(&s.readDeadline); err != nil {
		return nil, Addr{}, err
	}
	for {
		ep, from, err := s.ep.Accept()
		if err == syscall.EAGAIN {
			if err := s.wait(s.readable, &s.readDeadline, nil); err != nil {
				return nil, Addr{}, err
			}
			continue
		}
		return ep, from, err
	}
}

// Connect connects to a, waiting for a stream's handshake to finish until the
// write deadline, the close of cancel (IsCanceled) or the socket's close.
func (s *Socket) Connect(a Addr, cancel <-chan struct{}) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.prepare(&s.writeDeadline); err != nil {
		return err
	}
	err := s.ep.Connect(a)
	for err == syscall.EINPROGRESS || err == syscall.EALREADY {
		if werr := s.wait(s.writable, &s.writeDeadline, cancel); werr != nil {
			return werr
		}
		err = s.ep.ConnectResult()
	}
	return err
}

// Shutdown shuts down one or both directions (ShutRead, ShutWrite).
func (s *Socket) Shutdown(how int) error {
	if s.closed.Load() {
		return poll.ErrNetClosing
	}
	return s.ep.Shutdown(how)
}

// Close closes the socket: blocked operations return poll.ErrNetClosing, and
// so does every later call, Close included.
func (s *Socket) Close() error {
	var err error = poll.ErrNetClosing
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.closing)
		s.readDeadline.stop()
		s.writeDeadline.stop()
		err = s.ep.Close()
	})
	return err
}

// SetDeadline sets both deadlines.
func (s *Socket) SetDeadline(t time.Time) error {
	if s.closed.Load() {
		return poll.ErrNetClosing
	}
	s.readDeadline.set(t)
	s.writeDeadline.set(t)
	return nil
}

func (s *Socket) SetReadDeadline(t time.Time) error {
	if s.closed.Load() {
		return poll.ErrNetClosing
	}
	s.readDeadline.set(t)
	return nil
}

func (s *Socket) SetWriteDeadline(t time.Time) error {
	if s.closed.Load() {
		return poll.ErrNetClosing
	}
	s.writeDeadline.set(t)
	return nil
}

// yield lets other goroutines run after a write that did not have to wait.
// On GOOS=xen goroutines share one vCPU and are not preempted: a goroutine
// writing in a loop to a connection whose buffers keep taking its data would
// otherwise never let the stack's goroutines (which deliver, acknowledge and
// free that data) or anyone else run, where a kernel would switch on the way
// out of the write system call.
func yield() { runtime.Gosched() }

// deadline is a point in time that wakes the operations waiting on it when it
// passes. Its channel is closed then; setting a new deadline after that
// starts a new channel, while moving a deadline that has not passed keeps the
// channel, so that operations already waiting see the new time.
type deadline struct {
	mu     sync.Mutex
	timer  *time.Timer
	ch     chan struct{}
	fired  bool   // ch is closed
	serial uint64 // changes with every set, so a stale timer does nothing
}

func (d *deadline) expired() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch == nil {
		d.ch = make(chan struct{})
	}
	return d.ch
}

func (d *deadline) passed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fired
}

func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.serial++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if d.ch == nil || d.fired {
		d.ch = make(chan struct{})
		d.fired = false
	}
	if t.IsZero() {
		return
	}
	dur := time.Until(t)
	if dur <= 0 {
		d.fire()
		return
	}
	serial := d.serial
	d.timer = time.AfterFunc(dur, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.serial == serial && !d.fired {
			d.fire()
		}
	})
}

func (d *deadline) fire() {
	close(d.ch)
	d.fired = true
}

func (d *deadline) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.serial++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}
