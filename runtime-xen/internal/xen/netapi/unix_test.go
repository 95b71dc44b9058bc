// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netapi

import (
	"bytes"
	"errors"
	"internal/poll"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// unixSocket opens an in-memory Unix socket as a blocking Socket.
func unixSocket(t *testing.T, sotype int) *Socket {
	t.Helper()
	ep, err := NewEndpoint(syscall.AF_UNIX, sotype, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSocket(ep, sotype != syscall.SOCK_DGRAM)
	t.Cleanup(func() { s.Close() })
	return s
}

func unixListen(t *testing.T, sotype int, name string) *Socket {
	t.Helper()
	l := unixSocket(t, sotype)
	if err := l.Endpoint().Bind(Addr{Name: name}); err != nil {
		t.Fatalf("bind %s: %v", name, err)
	}
	if err := l.Endpoint().Listen(4); err != nil {
		t.Fatalf("listen: %v", err)
	}
	return l
}

// unixPair connects a client to a new listener and returns both ends.
func unixPair(t *testing.T, sotype int) (client, server *Socket) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "sock")
	l := unixListen(t, sotype, name)
	client = unixSocket(t, sotype)
	if err := client.Connect(Addr{Name: name}, nil); err != nil {
		t.Fatalf("connect: %v", err)
	}
	ep, from, err := l.Accept()
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	if from.Name != "" {
		t.Errorf("accept: peer of an unnamed client is %q", from.Name)
	}
	server = NewSocket(ep, true)
	t.Cleanup(func() { server.Close() })
	return client, server
}

func TestUnixStream(t *testing.T) {
	c, s := unixPair(t, syscall.SOCK_STREAM)
	// More than the receive buffer, so the writer has to wait for the reader.
	data := bytes.Repeat([]byte("0123456789abcdef"), 3*unixBufferSize/16)
	done := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		if err == nil {
			err = c.Shutdown(ShutWrite)
		}
		done <- err
	}()
	got, err := io.ReadAll(s)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, want the %d written", len(got), len(data))
	}
	if err := <-done; err != nil {
		t.Fatalf("write: %v", err)
	}
	// The other direction is still open.
	if _, err := s.Write([]byte("back")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "back" {
		t.Fatalf("read after half-close: %q, %v", buf[:n], err)
	}
}

func TestUnixErrors(t *testing.T) {
	dir := t.TempDir()
	c := unixSocket(t, syscall.SOCK_STREAM)
	if err := c.Connect(Addr{Name: filepath.Join(dir, "none")}, nil); err != syscall.ENOENT {
		t.Errorf("connect to an unbound name: %v, want ENOENT", err)
	}
	bound := unixSocket(t, syscall.SOCK_STREAM)
	name := filepath.Join(dir, "bound")
	if err := bound.Endpoint().Bind(Addr{Name: name}); err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(Addr{Name: name}, nil); err != syscall.ECONNREFUSED {
		t.Errorf("connect to a socket that does not listen: %v, want ECONNREFUSED", err)
	}
	again := unixSocket(t, syscall.SOCK_STREAM)
	if err := again.Endpoint().Bind(Addr{Name: name}); err != syscall.EADDRINUSE {
		t.Errorf("bind to a bound name: %v, want EADDRINUSE", err)
	}
	nodir := unixSocket(t, syscall.SOCK_STREAM)
	if err := nodir.Endpoint().Bind(Addr{Name: filepath.Join(dir, "no", "sock")}); err != syscall.ENOENT {
		t.Errorf("bind in a missing directory: %v, want ENOENT", err)
	}
	dg := unixListen(t, syscall.SOCK_SEQPACKET, filepath.Join(dir, "seq"))
	_ = dg
	if err := c.Connect(Addr{Name: filepath.Join(dir, "seq")}, nil); err != syscall.EPROTOTYPE {
		t.Errorf("stream connect to a seqpacket listener: %v, want EPROTOTYPE", err)
	}
	// The name is free again once its socket is closed.
	bound.Close()
	if err := again.Endpoint().Bind(Addr{Name: name}); err != nil {
		t.Errorf("bind after the name's socket closed: %v", err)
	}
}

func TestUnixCloseWithUnreadDataResets(t *testing.T) {
	c, s := unixPair(t, syscall.SOCK_STREAM)
	if _, err := c.Write([]byte("unread")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	buf := make([]byte, 8)
	if _, err := c.Read(buf); err != syscall.ECONNRESET {
		t.Errorf("read after the peer closed with data unread: %v, want ECONNRESET", err)
	}
	if _, err := c.Write([]byte("x")); err != syscall.EPIPE {
		t.Errorf("write after the peer closed: %v, want EPIPE", err)
	}
}

func TestUnixPeerCloseIsEOF(t *testing.T) {
	c, s := unixPair(t, syscall.SOCK_STREAM)
	if _, err := s.Write([]byte("last")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "last" {
		t.Errorf("read after the peer wrote and closed: %q, %v; want \"last\", nil", got, err)
	}
}

func TestUnixSeqpacketKeepsBoundaries(t *testing.T) {
	c, s := unixPair(t, syscall.SOCK_SEQPACKET)
	for _, m := range []string{"one", "two", "three"} {
		if _, err := c.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 16)
	for _, want := range []string{"one", "two", "thr"} {
		p := buf
		if want == "thr" {
			p = buf[:3] // a short buffer truncates the message
		}
		n, err := s.Read(p)
		if err != nil || string(p[:n]) != want {
			t.Errorf("read %q, %v; want %q", p[:n], err, want)
		}
	}
}

func TestUnixDatagram(t *testing.T) {
	dir := t.TempDir()
	a := unixSocket(t, syscall.SOCK_DGRAM)
	b := unixSocket(t, syscall.SOCK_DGRAM)
	an, bn := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := a.Endpoint().Bind(Addr{Name: an}); err != nil {
		t.Fatal(err)
	}
	if err := b.Endpoint().Bind(Addr{Name: bn}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WriteTo([]byte("hello"), Addr{Name: bn}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, from, err := b.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "hello" || from.Name != an {
		t.Fatalf("ReadFrom: %q from %q, %v", buf[:n], from.Name, err)
	}
	if _, err := a.WriteTo([]byte("x"), Addr{Name: filepath.Join(dir, "none")}); err != syscall.ENOENT {
		t.Errorf("send to an unbound name: %v, want ENOENT", err)
	}
	unnamed := unixSocket(t, syscall.SOCK_DGRAM)
	if _, err := unnamed.Write([]byte("x")); err != syscall.EDESTADDRREQ {
		t.Errorf("send without an address: %v, want EDESTADDRREQ", err)
	}
}

func TestUnixDatagramWriterWaitsForRoom(t *testing.T) {
	dir := t.TempDir()
	a := unixSocket(t, syscall.SOCK_DGRAM)
	b := unixSocket(t, syscall.SOCK_DGRAM)
	bn := filepath.Join(dir, "b")
	if err := b.Endpoint().Bind(Addr{Name: bn}); err != nil {
		t.Fatal(err)
	}
	if err := b.Endpoint().SetOption(RecvBuffer, 100); err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 60)
	if _, err := a.WriteTo(msg, Addr{Name: bn}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.WriteTo(msg, Addr{Name: bn}) // does not fit until b reads
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("second send into a full queue returned at once: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	buf := make([]byte, 100)
	if _, _, err := b.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("send after the reader made room: %v", err)
	}
}

func TestUnixBacklogFull(t *testing.T) {
	name := filepath.Join(t.TempDir(), "sock")
	l := unixSocket(t, syscall.SOCK_STREAM)
	if err := l.Endpoint().Bind(Addr{Name: name}); err != nil {
		t.Fatal(err)
	}
	if err := l.Endpoint().Listen(1); err != nil {
		t.Fatal(err)
	}
	c1 := unixSocket(t, syscall.SOCK_STREAM)
	if err := c1.Endpoint().Connect(Addr{Name: name}); err != nil {
		t.Fatal(err)
	}
	c2 := unixSocket(t, syscall.SOCK_STREAM)
	if err := c2.Endpoint().Connect(Addr{Name: name}); err != syscall.EAGAIN {
		t.Errorf("connect past the backlog: %v, want EAGAIN", err)
	}
}

func TestUnixRelativeName(t *testing.T) {
	dir := t.TempDir()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	unixListen(t, syscall.SOCK_STREAM, "rel.sock")
	c := unixSocket(t, syscall.SOCK_STREAM)
	if err := c.Connect(Addr{Name: filepath.Join(dir, "rel.sock")}, nil); err != nil {
		t.Errorf("connect by absolute name to a socket bound by relative name: %v", err)
	}
}

func TestSocketDeadlines(t *testing.T) {
	c, s := unixPair(t, syscall.SOCK_STREAM)
	buf := make([]byte, 4)

	// A deadline in the past fails at once, even with data to read.
	if _, err := c.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	s.SetReadDeadline(time.Now().Add(-time.Second))
	if _, err := s.Read(buf); err != poll.ErrDeadlineExceeded {
		t.Errorf("read past the deadline: %v, want ErrDeadlineExceeded", err)
	}
	s.SetReadDeadline(time.Time{})
	if n, err := s.Read(buf); err != nil || n != 4 {
		t.Errorf("read after clearing the deadline: %d, %v", n, err)
	}

	// A waiting read wakes when its deadline passes.
	start := time.Now()
	s.SetReadDeadline(start.Add(30 * time.Millisecond))
	if _, err := s.Read(buf); err != poll.ErrDeadlineExceeded {
		t.Errorf("blocked read: %v, want ErrDeadlineExceeded", err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("read timed out after %v, before its deadline", d)
	}

	// Moving the deadline of a waiting read later keeps it waiting.
	s.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	done := make(chan error, 1)
	go func() {
		_, err := s.Read(buf)
		done <- err
	}()
	time.Sleep(5 * time.Millisecond)
	s.SetReadDeadline(time.Now().Add(time.Hour))
	select {
	case err := <-done:
		t.Fatalf("read returned %v after its deadline was moved later", err)
	case <-time.After(60 * time.Millisecond):
	}
	// And moving it into the past wakes it.
	s.SetReadDeadline(time.Now().Add(-time.Second))
	if err := <-done; err != poll.ErrDeadlineExceeded {
		t.Errorf("read after the deadline moved to the past: %v", err)
	}
}

func TestSocketCloseWakesWaiters(t *testing.T) {
	_, s := unixPair(t, syscall.SOCK_STREAM)
	done := make(chan error, 1)
	go func() {
		_, err := s.Read(make([]byte, 1))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, poll.ErrNetClosing) {
		t.Errorf("read blocked across Close: %v, want ErrNetClosing", err)
	}
	if err := s.Close(); err != poll.ErrNetClosing {
		t.Errorf("second Close: %v, want ErrNetClosing", err)
	}
	if _, err := s.Write([]byte("x")); err != poll.ErrNetClosing {
		t.Errorf("write after Close: %v, want ErrNetClosing", err)
	}
}

func TestSocketConnectCancel(t *testing.T) {
	// An endpoint whose connection never completes.
	ep := &stuckEndpoint{}
	s := NewSocket(ep, true)
	cancel := make(chan struct{})
	time.AfterFunc(10*time.Millisecond, func() { close(cancel) })
	if err := s.Connect(Addr{}, cancel); !IsCanceled(err) {
		t.Errorf("canceled connect: %v", err)
	}
	s.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
	if err := s.Connect(Addr{}, nil); err != poll.ErrDeadlineExceeded {
		t.Errorf("connect past the write deadline: %v", err)
	}
}

// stuckEndpoint is an Endpoint whose Connect never finishes.
type stuckEndpoint struct{ unixEndpoint }

func (*stuckEndpoint) Connect(Addr) error     { return syscall.EINPROGRESS }
func (*stuckEndpoint) ConnectResult() error   { return syscall.EINPROGRESS }
func (*stuckEndpoint) SetNotify(func(Events)) {}
