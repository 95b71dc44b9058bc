// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

// The network stack's figures (sections netsize, netmem, netidle, netperf):
// image sizes, the smallest domain in which a net/http server answers, what an
// idle listener costs, and loopback TCP and net/http throughput at level 1
// next to the same program for linux/amd64 with GOMAXPROCS=1 under QEMU user
// mode (qemu-x86_64: the same TCG CPU emulation, Linux's kernel network
// stack running natively underneath).

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// dialer is a program that only dials.
const dialer = `package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	c, err := net.Dial("tcp", os.Args[1])
	fmt.Println(c, err)
}
`

// httpServer is a net/http server that answers itself once, then serves.
const httpServer = `package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello, xen\n") })
	go http.Serve(ln, nil)
	resp, err := http.Get("http://127.0.0.1:8080/")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	b, _ := io.ReadAll(resp.Body)
	fmt.Printf("answered %q\n", b)
	if len(os.Args) > 1 {
		select {}
	}
}
`

// netBench measures loopback throughput in one program: "tcp MIB" streams
// MIB MiB over one connection, "http N CONNS" makes N net/http requests over
// CONNS keep-alive connections at once.
const netBench = `package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	a, _ := strconv.Atoi(os.Args[2])
	switch os.Args[1] {
	case "tcp":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		done := make(chan int64)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				panic(err)
			}
			n, _ := io.Copy(io.Discard, c)
			done <- n
		}()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		buf := make([]byte, 64<<10)
		t0 := time.Now()
		for left := int64(a) << 20; left > 0; left -= int64(len(buf)) {
			if _, err := c.Write(buf); err != nil {
				panic(err)
			}
		}
		c.Close()
		n := <-done
		fmt.Printf("tcp %.1f MB/s\n", float64(n)/1e6/time.Since(t0).Seconds())
	case "http":
		conns, _ := strconv.Atoi(os.Args[3])
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello, xen\n") }))
		tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
		c := &http.Client{Transport: tr}
		url := "http://" + ln.Addr().String() + "/"
		get := func() {
			resp, err := c.Get(url)
			if err != nil {
				panic(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		for i := 0; i < conns; i++ { // open the connections
			get()
		}
		var wg sync.WaitGroup
		t0 := time.Now()
		for i := 0; i < conns; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < a/conns; j++ {
					get()
				}
			}()
		}
		wg.Wait()
		fmt.Printf("http %.0f requests/s\n", float64(a/conns*conns)/time.Since(t0).Seconds())
	}
}
`

func netSizes(dir string) {
	fmt.Println("\n## Stripped image sizes of network programs (-ldflags=-s -w)")
	for _, prog := range []struct{ name, src string }{{"hello", hello}, {"net.Dial only", dialer}, {"net/http server", httpServer}} {
		x := build(dir, prog.name, prog.src, "xen")
		l := build(dir, prog.name, prog.src, "linux")
		fmt.Printf("%-24s xen %7.2f MiB   linux/amd64 %7.2f MiB\n", prog.name, mib(size(x)), mib(size(l)))
	}
}

func netMemory(dir string) {
	fmt.Println("\n## Smallest domain memory in which a net/http server answers (dom0, MiB)")
	img := build(dir, "httpserver", httpServer, "xen")
	fmt.Printf("%d MiB\n", smallest(func(mem int) bool {
		return strings.Contains(runXen(img, mem), `answered "hello, xen\n"`)
	}))
}

// netIdle measures what a listening server costs while nobody connects, as
// idleFigures does for a timer.
func netIdle(dir string) {
	fmt.Println("\n## CPU while a net/http server waits for connections (10 s more)")
	img := build(dir, "httpserver", httpServer, "xen")
	cost := func(secs int) (wall, cpu time.Duration) {
		cmd := exec.Command("go_xen_amd64_exec", img, "serve")
		cmd.Env = append(os.Environ(), "GOXEN_MEMORY=64", "GOXEN_TIMEOUT="+strconv.Itoa(secs+8)+"s")
		t0 := time.Now()
		out, _ := cmd.CombinedOutput() // ends by the timeout: the server never exits
		if !strings.Contains(string(out), "answered") {
			fatal("the server did not answer:\n" + string(out))
		}
		wall = time.Since(t0)
		ps := cmd.ProcessState
		return wall, ps.UserTime() + ps.SystemTime()
	}
	w1, c1 := cost(1)
	w11, c11 := cost(11)
	fmt.Printf("%v more wall time, %v more CPU time: %.1f%% of a core\n",
		(w11 - w1).Round(time.Millisecond), (c11 - c1).Round(time.Millisecond), 100*(c11-c1).Seconds()/(w11-w1).Seconds())
}

// netPerf runs netBench on xen (level 1) and on linux/amd64 under
// qemu-x86_64 with GOMAXPROCS=1, the median of three runs each.
func netPerf(dir string) {
	fmt.Println("\n## Loopback throughput: xen (gVisor's stack, level 1) and linux/amd64 GOMAXPROCS=1 under qemu-x86_64 (median of 3)")
	qemu, err := exec.LookPath("qemu-x86_64")
	if err != nil {
		fatal("qemu-x86_64 is missing: apt-get install --no-install-recommends qemu-user")
	}
	x := build(dir, "netbench", netBench, "xen")
	l := build(dir, "netbench", netBench, "linux")
	figure := regexp.MustCompile(`(?m)^(tcp|http) ([0-9.]+) (MB/s|requests/s)$`)
	median := func(run func() string) string {
		var vals []float64
		unit := ""
		for i := 0; i < 3; i++ {
			out := run()
			m := figure.FindStringSubmatch(out)
			if m == nil {
				fatal("no figure in:\n" + out)
			}
			v, _ := strconv.ParseFloat(m[2], 64)
			vals = append(vals, v)
			unit = m[3]
		}
		sort.Float64s(vals)
		return fmt.Sprintf("%.1f %s", vals[1], unit)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"TCP, one stream, 64 MiB", []string{"tcp", "64"}},
		{"net/http, 1 connection", []string{"http", "300", "1"}},
		{"net/http, 64 connections", []string{"http", "1280", "64"}},
	} {
		xen := median(func() string { return runXen(x, 512, append([]string{"--"}, c.args...)...) })
		linux := median(func() string {
			cmd := exec.Command(qemu, append([]string{l}, c.args...)...)
			cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				fatal(fmt.Sprintf("qemu-x86_64 %s: %v\n%s", l, err, out))
			}
			return string(out)
		})
		fmt.Printf("%-28s xen %16s   linux/amd64 (qemu-x86_64) %16s\n", c.name, xen, linux)
	}
}
