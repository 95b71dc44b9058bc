// Copyright 2026 The Go for Xen Authors.

// netstack exercises package net on GOOS=xen's network stack over loopback:
// errors as on Linux, deadlines, half-close, resets, UDP, Unix sockets, name
// resolution, many connections and a large transfer. Each check prints
// "ok NAME" or "FAIL NAME: why"; the exit status is 1 if any failed.
//
//	netstack semantics       the checks of behaviour and errors
//	netstack echo MIB        a TCP echo of MIB MiB, compared by SHA-256
//	netstack conns N         N concurrent connections, each echoing a message
//	netstack idle SECONDS    a listener blocked in Accept for SECONDS
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

var failed bool

func check(name string, err error) {
	if err != nil {
		failed = true
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	fmt.Printf("ok %s\n", name)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: netstack semantics | echo MIB | conns N | idle SECONDS")
		os.Exit(2)
	}
	arg := func() int {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil {
			fmt.Println(err)
			os.Exit(2)
		}
		return n
	}
	switch os.Args[1] {
	case "semantics":
		semantics()
	case "echo":
		echo(arg())
	case "conns":
		conns(arg())
	case "idle":
		idle(arg())
	default:
		fmt.Println("unknown mode", os.Args[1])
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// opError checks that err is a *net.OpError with the given Op and Net that
// wraps want (errors.Is).
func opError(err error, op, network string, want error) error {
	var oe *net.OpError
	if !errors.As(err, &oe) {
		return fmt.Errorf("%v (%T) is not a *net.OpError", err, err)
	}
	if oe.Op != op || oe.Net != network {
		return fmt.Errorf("%v: Op %q Net %q, want %q %q", err, oe.Op, oe.Net, op, network)
	}
	if !errors.Is(err, want) {
		return fmt.Errorf("%v: not %v", err, want)
	}
	return nil
}

func listen(network, addr string) net.Listener {
	ln, err := net.Listen(network, addr)
	if err != nil {
		fmt.Println("FAIL listen:", err)
		os.Exit(1)
	}
	return ln
}

// pair returns both ends of a TCP connection over loopback.
func pair(network, addr string) (client, server net.Conn) {
	ln := listen(network, addr)
	defer ln.Close()
	done := make(chan net.Conn)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			fmt.Println("FAIL accept:", err)
			os.Exit(1)
		}
		done <- c
	}()
	c, err := net.Dial(ln.Addr().Network(), ln.Addr().String())
	if err != nil {
		fmt.Println("FAIL dial:", err)
		os.Exit(1)
	}
	return c, <-done
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on.
func freePort() string {
	ln := listen("tcp", "127.0.0.1:0")
	a := ln.Addr().String()
	ln.Close()
	return a
}

func semantics() {
	// Errors, as Linux gives them, in net's usual shapes.
	addr := freePort()
	_, err := net.Dial("tcp", addr)
	check("refused", func() error {
		if err := opError(err, "dial", "tcp", syscall.ECONNREFUSED); err != nil {
			return err
		}
		if oe := err.(*net.OpError); oe.Addr == nil || oe.Addr.String() != addr || oe.Source != nil {
			return fmt.Errorf("Addr %v Source %v, want %s and nil", oe.Addr, oe.Source, addr)
		}
		return nil
	}())
	ln := listen("tcp", "127.0.0.1:0")
	_, err = net.Listen("tcp", ln.Addr().String())
	check("addrinuse", opError(err, "listen", "tcp", syscall.EADDRINUSE))
	ln.Close()
	_, err = net.Listen("tcp", "192.0.2.1:0")
	check("addrnotavail", opError(err, "listen", "tcp", syscall.EADDRNOTAVAIL))
	_, err = net.Dial("tcp", "192.0.2.1:80")
	check("netunreach", opError(err, "dial", "tcp", syscall.ENETUNREACH))
	_, err = net.Dial("tcp6", "[2001:db8::1]:80")
	check("netunreach6", opError(err, "dial", "tcp6", syscall.ENETUNREACH))

	// A dial that nobody answers: the listener's backlog is full.
	check("dial timeout", func() error {
		ln := listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		d := net.Dialer{Timeout: 300 * time.Millisecond}
		for i := 0; i < 1000; i++ {
			c, err := d.Dial("tcp", ln.Addr().String())
			if err == nil {
				held = append(held, c)
				continue
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return fmt.Errorf("after %d connections: %v, want a timeout", len(held), err)
			}
			// The dial's own deadline, or the context's: either is a timeout.
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
				return fmt.Errorf("%v: neither context.DeadlineExceeded nor os.ErrDeadlineExceeded", err)
			}
			return opError(err, "dial", "tcp", err.(*net.OpError).Err)
		}
		return errors.New("1000 connections to a listener that never accepts")
	}())
	check("dial cancel", func() error {
		ln := listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for i := 0; i < 1000; i++ {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			var d net.Dialer
			c, err := d.DialContext(ctx, "tcp", ln.Addr().String())
			cancel()
			if err == nil {
				held = append(held, c)
				continue
			}
			return opError(err, "dial", "tcp", context.Canceled)
		}
		return errors.New("no dial blocked")
	}())

	// Deadlines.
	c, s := pair("tcp", "127.0.0.1:0")
	check("read deadline", func() error {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		if err := opError(err, "read", "tcp", os.ErrDeadlineExceeded); err != nil {
			return err
		}
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			return fmt.Errorf("%v: Timeout() is not true", err)
		}
		c.SetReadDeadline(time.Time{})
		return nil
	}())
	check("write deadline", func() error {
		// The peer does not read: the buffers fill and the write blocks.
		c.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
		buf := make([]byte, 64<<10)
		for i := 0; i < 10000; i++ {
			if _, err := c.Write(buf); err != nil {
				return opError(err, "write", "tcp", os.ErrDeadlineExceeded)
			}
		}
		return errors.New("640 MB written to a peer that does not read")
	}())
	c.Close()
	s.Close()

	check("half-close", func() error {
		c, s := pair("tcp", "127.0.0.1:0")
		defer c.Close()
		defer s.Close()
		c.Write([]byte("request"))
		if err := c.(*net.TCPConn).CloseWrite(); err != nil {
			return err
		}
		got, err := io.ReadAll(s)
		if err != nil || string(got) != "request" {
			return fmt.Errorf("server read %q, %v", got, err)
		}
		s.Write([]byte("reply"))
		s.(*net.TCPConn).CloseWrite()
		got, err = io.ReadAll(c)
		if err != nil || string(got) != "reply" {
			return fmt.Errorf("client read %q, %v after half-close", got, err)
		}
		return nil
	}())
	check("eof", func() error {
		c, s := pair("tcp", "127.0.0.1:0")
		defer c.Close()
		s.Close()
		_, err := c.Read(make([]byte, 1))
		if err != io.EOF {
			return fmt.Errorf("read after the peer closed: %v, want io.EOF", err)
		}
		return nil
	}())
	check("reset", func() error {
		c, s := pair("tcp", "127.0.0.1:0")
		defer c.Close()
		s.(*net.TCPConn).SetLinger(0)
		s.Close()
		_, err := c.Read(make([]byte, 1))
		return opError(err, "read", "tcp", syscall.ECONNRESET)
	}())
	check("closed", func() error {
		c, s := pair("tcp", "127.0.0.1:0")
		defer s.Close()
		c.Close()
		_, err := c.Read(make([]byte, 1))
		if err := opError(err, "read", "tcp", net.ErrClosed); err != nil {
			return err
		}
		return opError(c.Close(), "close", "tcp", net.ErrClosed)
	}())
	check("close under accept", func() error {
		ln := listen("tcp", "127.0.0.1:0")
		errc := make(chan error)
		go func() {
			_, err := ln.Accept()
			errc <- err
		}()
		time.Sleep(50 * time.Millisecond)
		ln.Close()
		select {
		case err := <-errc:
			return opError(err, "accept", "tcp", net.ErrClosed)
		case <-time.After(5 * time.Second):
			return errors.New("Accept still blocked 5 s after Close")
		}
	}())
	check("options", func() error {
		c, s := pair("tcp", "127.0.0.1:0")
		defer c.Close()
		defer s.Close()
		tc := c.(*net.TCPConn)
		for _, err := range []error{
			tc.SetNoDelay(false), tc.SetNoDelay(true),
			tc.SetKeepAlive(true), tc.SetKeepAlivePeriod(20 * time.Second),
			tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true, Idle: 5 * time.Second, Interval: 3 * time.Second, Count: 4}),
			tc.SetReadBuffer(128 << 10), tc.SetWriteBuffer(128 << 10),
			tc.SetLinger(5), tc.SetLinger(-1),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	}())
	check("reuseaddr", func() error {
		// The server closes first, so its side of the port is in TIME_WAIT;
		// a new listener on the port still binds (SO_REUSEADDR).
		ln := listen("tcp", "127.0.0.1:0")
		a := ln.Addr().String()
		go func() {
			s, err := ln.Accept()
			if err == nil {
				s.Close()
			}
		}()
		c, err := net.Dial("tcp", a)
		if err != nil {
			return err
		}
		io.ReadAll(c)
		c.Close()
		ln.Close()
		ln2, err := net.Listen("tcp", a)
		if err != nil {
			return fmt.Errorf("listening again on %s: %v", a, err)
		}
		return ln2.Close()
	}())
	check("wildcard", func() error {
		ln := listen("tcp", ":0")
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Write([]byte(c.LocalAddr().String()))
				c.Close()
			}
		}()
		port := ln.Addr().(*net.TCPAddr).Port
		for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
			c, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
			if err != nil {
				return err
			}
			local, _ := io.ReadAll(c)
			if c.RemoteAddr().String() != string(local) {
				return fmt.Errorf("%s: the client's RemoteAddr %v is not the server's LocalAddr %s", host, c.RemoteAddr(), local)
			}
			c.Close()
		}
		return nil
	}())
	check("interfaces", func() error {
		ifs, err := net.Interfaces()
		if err != nil {
			return err
		}
		if len(ifs) == 0 || ifs[0].Name != "lo" || ifs[0].Flags&(net.FlagUp|net.FlagLoopback) != net.FlagUp|net.FlagLoopback {
			return fmt.Errorf("interfaces %v, want lo up and loopback", ifs)
		}
		addrs, err := ifs[0].Addrs()
		if err != nil {
			return err
		}
		if fmt.Sprint(addrs) != "[127.0.0.1/8 ::1/128]" {
			return fmt.Errorf("lo's addresses %v", addrs)
		}
		lo, err := net.InterfaceByName("lo")
		if err != nil || lo.Index != 1 {
			return fmt.Errorf("InterfaceByName(lo): %v, %v", lo, err)
		}
		return nil
	}())
	check("localhost", func() error {
		addrs, err := net.LookupHost("localhost")
		if err != nil {
			return err
		}
		for _, a := range addrs {
			if a == "127.0.0.1" {
				return nil
			}
		}
		return fmt.Errorf("localhost is %v", addrs)
	}())
	check("resolv.conf", resolver())
	check("udp", udp())
	check("udp broadcast", func() error {
		r, err := net.ListenPacket("udp4", ":0")
		if err != nil {
			return err
		}
		defer r.Close()
		port := r.LocalAddr().(*net.UDPAddr).Port
		w, err := net.Dial("udp4", fmt.Sprintf("127.255.255.255:%d", port))
		if err != nil {
			return err
		}
		defer w.Close()
		if _, err := w.Write([]byte("to all")); err != nil {
			return err
		}
		r.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 16)
		n, from, err := r.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "to all" {
			return fmt.Errorf("read %q from %v, %v", buf[:n], from, err)
		}
		return nil
	}())
	check("unix", unix())
}

func udp() error {
	for _, network := range []string{"udp4", "udp6"} {
		host := "127.0.0.1"
		if network == "udp6" {
			host = "::1"
		}
		srv, err := net.ListenPacket(network, net.JoinHostPort(host, "0"))
		if err != nil {
			return err
		}
		go func() {
			buf := make([]byte, 2048)
			for {
				n, from, err := srv.ReadFrom(buf)
				if err != nil {
					return
				}
				srv.WriteTo(buf[:n], from)
			}
		}()
		c, err := net.Dial(network, srv.LocalAddr().String())
		if err != nil {
			return err
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		for i := 0; i < 100; i++ {
			msg := fmt.Appendf(nil, "datagram %d over %s", i, network)
			c.Write(msg)
			buf := make([]byte, 2048)
			n, err := c.Read(buf)
			if err != nil || !bytes.Equal(buf[:n], msg) {
				return fmt.Errorf("%s echo %d: %q, %v", network, i, buf[:n], err)
			}
		}
		if c.RemoteAddr().String() != srv.LocalAddr().String() {
			return fmt.Errorf("%s: RemoteAddr %v, server at %v", network, c.RemoteAddr(), srv.LocalAddr())
		}
		c.Close()
		srv.Close()
	}
	return nil
}

func unix() error {
	dir, err := os.MkdirTemp("", "unix")
	if err != nil {
		return err
	}
	name := dir + "/sock"
	ln, err := net.Listen("unix", name)
	if err != nil {
		return err
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	c, err := net.Dial("unix", name)
	if err != nil {
		return err
	}
	defer c.Close()
	c.Write([]byte("over unix"))
	buf := make([]byte, 16)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "over unix" {
		return fmt.Errorf("read %q, %v", buf[:n], err)
	}
	_, err = net.Dial("unix", dir+"/none")
	return opError(err, "dial", "unix", syscall.ENOENT)
}

// resolver answers A queries for example.test. on 127.0.0.1:53 and points
// /etc/resolv.conf at itself: the pure-Go resolver reads that file from the
// in-memory file system.
func resolver() error {
	pc, err := net.ListenPacket("udp", "127.0.0.1:53")
	if err != nil {
		return err
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if reply := dnsAnswer(buf[:n]); reply != nil {
				pc.WriteTo(reply, from)
			}
		}
	}()
	if err := os.WriteFile("/etc/resolv.conf", []byte("nameserver 127.0.0.1\noptions timeout:2 attempts:1\n"), 0o644); err != nil {
		return err
	}
	defer os.Remove("/etc/resolv.conf")
	addrs, err := net.DefaultResolver.LookupHost(context.Background(), "example.test")
	if err != nil {
		return err
	}
	if fmt.Sprint(addrs) != "[192.0.2.7]" {
		return fmt.Errorf("example.test is %v, want [192.0.2.7]", addrs)
	}
	return nil
}

// dnsAnswer answers a query (RFC 1035, 4.1) for an A record with 192.0.2.7,
// and any other type with no records.
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // the root label, QTYPE, QCLASS
	if end > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	r := append([]byte(nil), q[:end]...)
	r[2] = 0x84 | q[2]&1 // QR, AA, RD as asked
	r[3] = 0x80          // RA, no error
	binary.BigEndian.PutUint16(r[6:], 0)
	binary.BigEndian.PutUint16(r[8:], 0)
	binary.BigEndian.PutUint16(r[10:], 0)
	if qtype == 1 {
		binary.BigEndian.PutUint16(r[6:], 1)
		r = append(r, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7)
	}
	return r
}

// echo sends mib MiB through a TCP echo server and compares what comes back.
func echo(mib int) {
	c, s := pair("tcp", "127.0.0.1:0")
	go func() {
		io.Copy(s, s)
		s.Close()
	}()
	size := int64(mib) << 20
	sent := sha256.New()
	start := time.Now()
	go func() {
		r := rand.New(rand.NewPCG(1, 2))
		buf := make([]byte, 64<<10)
		for left := size; left > 0; left -= int64(len(buf)) {
			for i := 0; i < len(buf); i += 8 {
				binary.LittleEndian.PutUint64(buf[i:], r.Uint64())
			}
			sent.Write(buf)
			if _, err := c.Write(buf); err != nil {
				fmt.Println("FAIL echo write:", err)
				os.Exit(1)
			}
		}
		c.(*net.TCPConn).CloseWrite()
	}()
	got := sha256.New()
	n, err := io.Copy(got, c)
	elapsed := time.Since(start)
	check("echo", func() error {
		if err != nil {
			return err
		}
		if n != size {
			return fmt.Errorf("%d bytes came back of %d", n, size)
		}
		if !bytes.Equal(got.Sum(nil), sent.Sum(nil)) {
			return errors.New("what came back differs from what was sent")
		}
		return nil
	}())
	fmt.Printf("echo: %d bytes each way in %.2f s: %.1f MB/s\n", n, elapsed.Seconds(), float64(n)/1e6/elapsed.Seconds())
}

// conns opens n connections at once; each sends a message and reads it back.
func conns(n int) {
	ln := listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	var open []net.Conn
	start := time.Now()
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			check("conns", fmt.Errorf("connection %d: %v", i, err))
			return
		}
		open = append(open, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range open {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := fmt.Appendf(nil, "message %d", i)
			if _, err := c.Write(msg); err != nil {
				errs <- err
				return
			}
			buf := make([]byte, len(msg))
			if _, err := io.ReadFull(c, buf); err != nil || !bytes.Equal(buf, msg) {
				errs <- fmt.Errorf("connection %d read %q, %v", i, buf, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	err := <-errs
	for _, c := range open {
		c.Close()
	}
	check(fmt.Sprintf("%d connections", n), err)
	fmt.Printf("conns: %d open at once, each echoed, in %.2f s\n", n, time.Since(start).Seconds())
}

// idle blocks a listener in Accept while the program sleeps.
func idle(seconds int) {
	ln := listen("tcp", ":8080")
	go ln.Accept()
	time.Sleep(time.Duration(seconds) * time.Second)
	fmt.Printf("idled %d s with a listener\n", seconds)
}
