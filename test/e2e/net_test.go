// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"goforxen.dev/test/internal/xentest"
)

// The network stack (gVisor's TCP/IP under package net) over loopback, at
// level 1: the programs are testdata/netstack and testdata/nethttp, whose
// checks print "ok NAME" or "FAIL NAME: why".

// expectChecks asserts that every named check printed ok, and none failed.
func expectChecks(t *testing.T, r run, names ...string) {
	t.Helper()
	for _, line := range strings.Split(r.out, "\n") {
		if strings.HasPrefix(line, "FAIL ") {
			t.Error(line)
		}
	}
	for _, n := range names {
		if !regexp.MustCompile(`(?m)^ok ` + regexp.QuoteMeta(n) + `$`).MatchString(r.out) {
			t.Errorf("no \"ok %s\" in the output:\n%s", n, r.out)
		}
	}
	if r.status != 0 {
		t.Errorf("exit status %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.stderr)
	}
}

// Errors as on Linux (refused, in use, not available, unreachable, reset,
// closed, timed out, canceled) in net's *OpError shapes; deadlines,
// half-close, EOF, a listener closed under Accept, socket options,
// SO_REUSEADDR, wildcard listeners for IPv4 and IPv6, the interfaces,
// localhost from /etc/hosts, a resolver configured by /etc/resolv.conf, UDP
// over IPv4 and IPv6 with broadcast, and Unix sockets.
func TestNetSemantics(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "netstack"), 256, nil, "semantics")
	expectChecks(t, r, "refused", "addrinuse", "addrnotavail", "netunreach", "netunreach6",
		"dial timeout", "dial cancel", "read deadline", "write deadline", "half-close", "eof",
		"reset", "closed", "close under accept", "options", "reuseaddr", "wildcard", "interfaces",
		"localhost", "resolv.conf", "udp", "udp broadcast", "unix")
}

// 100 MiB each way through a TCP echo server, compared by SHA-256.
func TestNetEcho100MiB(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "netstack"), 256, nil, "echo", "100")
	expectChecks(t, r, "echo")
	t.Log(regexp.MustCompile(`(?m)^echo: .*$`).FindString(r.out))
}

// 1,000 connections open at once, each echoing a message.
func TestNet1000Connections(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "netstack"), 256, nil, "conns", "1000")
	expectChecks(t, r, "1000 connections")
}

// HTTP/1.1 keep-alive, HTTP/2 over TLS with a CA made in the program, and
// http.Server.Shutdown with requests in flight.
func TestNetHTTP(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "nethttp"), 256, nil)
	expectChecks(t, r, "keep-alive", "http2 tls", "shutdown")
}

// A server waiting for connections uses no CPU: the goroutine blocked in
// Accept parks, and so do the stack's own goroutines (as TestIdleUsesNoCPU).
func TestNetIdleUsesNoCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 20 seconds")
	}
	img := image(t, "netstack")
	short := runXen(t, img, 64, nil, "idle", "1")
	long := runXen(t, img, 64, nil, "idle", "11")
	expect(t, short, 0, `(?m)^idled 1 s with a listener$`)
	expect(t, long, 0, `(?m)^idled 11 s with a listener$`)
	extraWall, extraCPU := long.wall-short.wall, long.cpu-short.cpu
	t.Logf("10 s more of a listener idling took %v more CPU time (%.1f%% of a core)",
		extraCPU.Round(time.Millisecond), 100*extraCPU.Seconds()/extraWall.Seconds())
	if extraWall < 9*time.Second {
		t.Fatalf("the long run was only %v longer", extraWall)
	}
	if extraCPU > extraWall/5 {
		t.Errorf("an idle listener used %v of CPU in %v", extraCPU, extraWall)
	}
}

// The stack is initialized before the program's own packages: a package whose
// init dials (and whose path sorts before the stack's) finds it there.
func TestNetFromPackageInit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module aaa\n\ngo 1.26\n",
		"early/early.go": `package early

import "net"

var Addr string

func init() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	Addr = ln.Addr().String()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("from init"))
			c.Close()
		}
	}()
}
`,
		"main.go": `package main

import (
	"fmt"
	"io"
	"net"

	"aaa/early"
)

func main() {
	c, err := net.Dial("tcp", early.Addr)
	if err != nil {
		panic(err)
	}
	b, err := io.ReadAll(c)
	fmt.Printf("read %q %v\n", b, err)
}
`,
	}
	for name, src := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o777)
		if err := os.WriteFile(p, []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	img := filepath.Join(dir, "prog.xen")
	cmd := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "build", "-o", img, ".")
	cmd.Dir = dir
	xentest.Run(t, cmd)
	r := runXen(t, img, 64, nil)
	expect(t, r, 0, `(?m)^read "from init" <nil>$`)
}
