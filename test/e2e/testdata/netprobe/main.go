// Copyright 2026 The Go for Xen Authors.

// netprobe runs in the test host's dom0 against the netfront guest
// (TestNetfront). Each command prints "ok NAME" or "FAIL NAME: why" and
// exits nonzero on failure.
//
//	netprobe hello URL            GET URL, expect the guest's greeting
//	netprobe udp HOST:PORT        three UDP datagrams echoed back unchanged
//	netprobe linklocal MAC        print the EUI-64 link-local address of MAC
//	netprobe tlsserve CERT KEY ADDR SECONDS
//	                              serve HTTPS on ADDR for SECONDS
//	netprobe hashcheck ROUNDS     hash the same 16 MiB ROUNDS times on each
//	                              of four goroutines; every SHA-256 must
//	                              agree (the emulated machine keeps vector
//	                              registers right: misc/xen/README.md,
//	                              "When the emulator fails")
package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fail("usage", fmt.Errorf("netprobe hello|udp|linklocal ARGS"))
	}
	client := &http.Client{Timeout: 3 * time.Minute}
	switch cmd, arg := os.Args[1], os.Args[2]; cmd {
	case "hello":
		r, err := client.Get(arg)
		if err != nil {
			fail("hello", err)
		}
		b, _ := io.ReadAll(r.Body)
		if r.StatusCode != 200 || !strings.HasPrefix(string(b), "hello from xen") {
			fail("hello", fmt.Errorf("status %d, body %q", r.StatusCode, b))
		}
		fmt.Printf("ok hello %s: %s", arg, b)
	case "udp":
		c, err := net.Dial("udp", arg)
		if err != nil {
			fail("udp", err)
		}
		buf := make([]byte, 2000)
		for i, size := range []int{1, 512, 1400} {
			msg := bytes.Repeat([]byte{byte('a' + i)}, size)
			var got []byte
			for try := 0; try < 5 && got == nil; try++ { // UDP may lose one
				c.Write(msg)
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				if n, err := c.Read(buf); err == nil {
					got = buf[:n]
				}
			}
			if !bytes.Equal(got, msg) {
				fail("udp", fmt.Errorf("%d-byte datagram: echoed %d bytes", size, len(got)))
			}
		}
		fmt.Println("ok udp")
	case "linklocal":
		mac, err := net.ParseMAC(arg)
		if err != nil || len(mac) != 6 {
			fail("linklocal", fmt.Errorf("bad MAC %q", arg))
		}
		// RFC 4291 appendix A: the modified EUI-64 interface identifier.
		ip := net.IP{0xfe, 0x80, 0, 0, 0, 0, 0, 0, mac[0] ^ 2, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]}
		fmt.Println(ip)
	case "tlsserve":
		// tlsserve CERT KEY ADDR SECONDS: an HTTPS server answering
		// "hello from dom0 over TLS" for SECONDS.
		if len(os.Args) < 6 {
			fail("tlsserve", fmt.Errorf("usage: netprobe tlsserve CERT KEY ADDR SECONDS"))
		}
		secs, _ := time.ParseDuration(os.Args[5] + "s")
		srv := &http.Server{Addr: os.Args[4], Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "hello from dom0 over TLS")
		})}
		time.AfterFunc(secs, func() { srv.Close() })
		if err := srv.ListenAndServeTLS(arg, os.Args[3]); err != http.ErrServerClosed {
			fail("tlsserve", err)
		}
	case "hashcheck":
		rounds, err := strconv.Atoi(arg)
		if err != nil || rounds < 1 {
			fail("hashcheck", fmt.Errorf("bad ROUNDS %q", arg))
		}
		buf := make([]byte, 16<<20)
		rand.New(rand.NewSource(1)).Read(buf)
		want := sha256.Sum256(buf)
		var wg sync.WaitGroup
		var bad atomic.Int32
		for g := 0; g < 4; g++ {
			wg.Go(func() {
				for range rounds {
					c := bytes.Clone(buf)
					if sha256.Sum256(c) != want {
						bad.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if n := bad.Load(); n > 0 {
			fail("hashcheck", fmt.Errorf("%d of %d SHA-256s of the same 16 MiB differ", n, 4*rounds))
		}
		fmt.Printf("ok hashcheck %d\n", 4*rounds)
	default:
		fail("usage", fmt.Errorf("unknown command %q", cmd))
	}
}

func fail(name string, err error) {
	fmt.Printf("FAIL %s: %v\n", name, err)
	os.Exit(1)
}
