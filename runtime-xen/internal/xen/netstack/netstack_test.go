// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"internal/poll"
	"io"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"internal/xen/netapi"
)

// socket opens a blocking socket on the stack.
func socket(t *testing.T, s *Stack, family, sotype int) *netapi.Socket {
	t.Helper()
	ep, err := s.NewEndpoint(family, sotype, 0)
	if err != nil {
		t.Fatal(err)
	}
	so := netapi.NewSocket(ep, sotype == syscall.SOCK_STREAM)
	t.Cleanup(func() { so.Close() })
	return so
}

func addr(s string) netapi.Addr { return netapi.Addr{IP: netip.MustParseAddrPort(s)} }

// listen opens a TCP listener on a and returns it with its bound address.
func listen(t *testing.T, s *Stack, family int, a string) (*netapi.Socket, netapi.Addr) {
	t.Helper()
	l := socket(t, s, family, syscall.SOCK_STREAM)
	if err := l.Endpoint().Bind(addr(a)); err != nil {
		t.Fatalf("bind %s: %v", a, err)
	}
	if err := l.Endpoint().Listen(16); err != nil {
		t.Fatal(err)
	}
	return l, l.Endpoint().LocalAddr()
}

// connectPair returns both ends of a TCP connection to a listener on a.
func connectPair(t *testing.T, s *Stack, family int, a string) (client, server *netapi.Socket) {
	t.Helper()
	l, la := listen(t, s, family, a)
	client = socket(t, s, family, syscall.SOCK_STREAM)
	if err := client.Connect(la, nil); err != nil {
		t.Fatalf("connect %v: %v", la.IP, err)
	}
	ep, from, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if from != client.Endpoint().LocalAddr() {
		t.Errorf("accepted from %v, the client is %v", from.IP, client.Endpoint().LocalAddr().IP)
	}
	server = netapi.NewSocket(ep, true)
	t.Cleanup(func() { server.Close() })
	return client, server
}

func TestTCPLoopback(t *testing.T) {
	s := &Stack{}
	for _, tc := range []struct {
		family int
		addr   string
	}{
		{syscall.AF_INET, "127.0.0.1:0"},
		{syscall.AF_INET6, "[::1]:0"},
	} {
		c, srv := connectPair(t, s, tc.family, tc.addr)
		data := make([]byte, 8<<20)
		for i := range data {
			data[i] = byte(i * 7 / 5)
		}
		go func() {
			c.Write(data)
			c.Shutdown(netapi.ShutWrite)
		}()
		got, err := io.ReadAll(srv)
		if err != nil {
			t.Fatalf("%s: read: %v", tc.addr, err)
		}
		if sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("%s: read %d bytes that differ from the %d written", tc.addr, len(got), len(data))
		}
	}
	if n := s.Stack().Stats().TCP.Retransmits.Value(); n != 0 {
		t.Errorf("%d retransmissions over loopback", n)
	}
}

func TestDualStackListener(t *testing.T) {
	s := &Stack{}
	l, la := listen(t, s, syscall.AF_INET6, "[::]:0")
	c := socket(t, s, syscall.AF_INET, syscall.SOCK_STREAM)
	if err := c.Connect(addr(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), la.IP.Port()).String()), nil); err != nil {
		t.Fatalf("IPv4 connect to an IPv6 wildcard listener: %v", err)
	}
	_, from, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if from.IP.Addr() != netip.MustParseAddr("::ffff:127.0.0.1") {
		t.Errorf("peer of the IPv4 client is %v, want ::ffff:127.0.0.1", from.IP)
	}
}

func TestErrors(t *testing.T) {
	s := &Stack{}
	_, la := listen(t, s, syscall.AF_INET, "127.0.0.1:0")

	again := socket(t, s, syscall.AF_INET, syscall.SOCK_STREAM)
	if err := again.Endpoint().Bind(la); err != syscall.EADDRINUSE {
		t.Errorf("bind to a port in use: %v, want EADDRINUSE", err)
	}
	foreign := socket(t, s, syscall.AF_INET, syscall.SOCK_STREAM)
	if err := foreign.Endpoint().Bind(addr("192.0.2.1:0")); err != syscall.EADDRNOTAVAIL {
		t.Errorf("bind to an address the stack does not have: %v, want EADDRNOTAVAIL", err)
	}

	// A port nobody listens on: refused.
	probe := socket(t, s, syscall.AF_INET, syscall.SOCK_STREAM)
	probe.Endpoint().Bind(addr("127.0.0.1:0"))
	free := probe.Endpoint().LocalAddr()
	probe.Close()
	c := socket(t, s, syscall.AF_INET, syscall.SOCK_STREAM)
	if err := c.Connect(free, nil); err != syscall.ECONNREFUSED {
		t.Errorf("connect to a closed port: %v, want ECONNREFUSED", err)
	}
	// No route: loopback is all there is.
	c = socket(t, s, syscall.AF_INET, syscall.SOCK_STREAM)
	if err := c.Connect(addr("192.0.2.1:80"), nil); err != syscall.ENETUNREACH {
		t.Errorf("connect without a route: %v, want ENETUNREACH", err)
	}
	c6 := socket(t, s, syscall.AF_INET6, syscall.SOCK_STREAM)
	if err := c6.Connect(addr("[2001:db8::1]:80"), nil); err != syscall.ENETUNREACH {
		t.Errorf("IPv6 connect without a route: %v, want ENETUNREACH", err)
	}
	u := socket(t, s, syscall.AF_INET, syscall.SOCK_DGRAM)
	if _, err := u.WriteTo([]byte("x"), addr("127.255.255.255:9")); err != syscall.EACCES {
		t.Errorf("broadcast without SO_BROADCAST: %v, want EACCES", err)
	}
	if err := c.Shutdown(netapi.ShutWrite); err != syscall.ENOTCONN {
		t.Errorf("shutdown of an unconnected socket: %v, want ENOTCONN", err)
	}
}

func TestLingerZeroResets(t *testing.T) {
	s := &Stack{}
	c, srv := connectPair(t, s, syscall.AF_INET, "127.0.0.1:0")
	if err := srv.Endpoint().SetOption(netapi.Linger, 0); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	buf := make([]byte, 1)
	if _, err := c.Read(buf); err != syscall.ECONNRESET {
		t.Errorf("read after the peer closed with linger 0: %v, want ECONNRESET", err)
	}
}

func TestPeerCloseIsEOFAndWriteFails(t *testing.T) {
	s := &Stack{}
	c, srv := connectPair(t, s, syscall.AF_INET, "127.0.0.1:0")
	srv.Close()
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read after the peer's FIN: %v, want io.EOF", err)
	}
	// The first write draws an RST from the closed peer, later ones fail.
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = c.Write([]byte("x"))
		time.Sleep(time.Millisecond)
	}
	if err != syscall.ECONNRESET && err != syscall.EPIPE {
		t.Errorf("write to a closed peer: %v, want ECONNRESET or EPIPE", err)
	}
}

func TestDeadlineAndClose(t *testing.T) {
	s := &Stack{}
	c, _ := connectPair(t, s, syscall.AF_INET, "127.0.0.1:0")
	c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); err != poll.ErrDeadlineExceeded {
		t.Errorf("read with nothing to read: %v, want ErrDeadlineExceeded", err)
	}
	c.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	c.Close()
	if err := <-done; !errors.Is(err, poll.ErrNetClosing) {
		t.Errorf("read blocked across Close: %v", err)
	}
}

func TestUDP(t *testing.T) {
	s := &Stack{}
	for _, tc := range []struct {
		family int
		addr   string
	}{
		{syscall.AF_INET, "127.0.0.1:0"},
		{syscall.AF_INET6, "[::1]:0"},
	} {
		a := socket(t, s, tc.family, syscall.SOCK_DGRAM)
		b := socket(t, s, tc.family, syscall.SOCK_DGRAM)
		if err := a.Endpoint().Bind(addr(tc.addr)); err != nil {
			t.Fatal(err)
		}
		if err := b.Endpoint().Bind(addr(tc.addr)); err != nil {
			t.Fatal(err)
		}
		msg := bytes.Repeat([]byte("u"), 1400)
		if _, err := a.WriteTo(msg, b.Endpoint().LocalAddr()); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2000)
		n, from, err := b.ReadFrom(buf)
		if err != nil || n != len(msg) || from != a.Endpoint().LocalAddr() {
			t.Errorf("%s: ReadFrom %d bytes from %v, %v; want %d from %v", tc.addr, n, from.IP, err, len(msg), a.Endpoint().LocalAddr().IP)
		}
		// A short buffer truncates the datagram.
		a.WriteTo(msg, b.Endpoint().LocalAddr())
		if n, _, err := b.ReadFrom(buf[:10]); n != 10 || err != nil {
			t.Errorf("%s: short read of a datagram: %d, %v", tc.addr, n, err)
		}
	}
}

func TestUDPBroadcast(t *testing.T) {
	s := &Stack{}
	r := socket(t, s, syscall.AF_INET, syscall.SOCK_DGRAM)
	if err := r.Endpoint().Bind(addr("0.0.0.0:0")); err != nil {
		t.Fatal(err)
	}
	port := r.Endpoint().LocalAddr().IP.Port()
	w := socket(t, s, syscall.AF_INET, syscall.SOCK_DGRAM)
	if err := w.Endpoint().SetOption(netapi.Broadcast, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo([]byte("all"), netapi.Addr{IP: netip.AddrPortFrom(netip.MustParseAddr("127.255.255.255"), port)}); err != nil {
		t.Fatalf("broadcast: %v", err)
	}
	r.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 8)
	n, _, err := r.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "all" {
		t.Errorf("broadcast datagram: %q, %v", buf[:n], err)
	}
}

func TestOptions(t *testing.T) {
	s := &Stack{}
	c, _ := connectPair(t, s, syscall.AF_INET, "127.0.0.1:0")
	ep := c.Endpoint()
	for _, o := range []struct {
		opt netapi.Option
		v   int
	}{
		{netapi.NoDelay, 1}, {netapi.NoDelay, 0},
		{netapi.KeepAlive, 1},
		{netapi.KeepAliveIdle, 15}, {netapi.KeepAliveIntvl, 5}, {netapi.KeepAliveCount, 3},
		{netapi.Linger, 7}, {netapi.Linger, -1},
		{netapi.ReuseAddr, 1},
	} {
		if err := ep.SetOption(o.opt, o.v); err != nil {
			t.Errorf("SetOption(%d, %d): %v", o.opt, o.v, err)
			continue
		}
		if got, err := ep.GetOption(o.opt); err != nil || got != o.v {
			t.Errorf("GetOption(%d) = %d, %v; want %d", o.opt, got, err, o.v)
		}
	}
	if err := ep.SetOption(netapi.RecvBuffer, 1<<16); err != nil {
		t.Error(err)
	}
	if err := ep.SetOption(netapi.V6Only, 1); err != syscall.ENOPROTOOPT {
		t.Errorf("IPV6_V6ONLY on an IPv4 socket: %v, want ENOPROTOOPT", err)
	}
}

func TestInterfaces(t *testing.T) {
	s := &Stack{}
	list := s.Interfaces()
	if len(list) != 1 {
		t.Fatalf("interfaces: %+v, want lo only", list)
	}
	lo := list[0]
	if lo.Name != "lo" || lo.Index != 1 || lo.Flags&(netapi.FlagUp|netapi.FlagLoopback) != netapi.FlagUp|netapi.FlagLoopback {
		t.Errorf("lo: %+v", lo)
	}
	want := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8"), netip.MustParsePrefix("::1/128")}
	if len(lo.Addrs) != 2 || lo.Addrs[0] != want[0] || lo.Addrs[1] != want[1] {
		t.Errorf("lo's addresses: %v, want %v", lo.Addrs, want)
	}
}
