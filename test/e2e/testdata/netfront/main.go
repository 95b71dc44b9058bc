// Copyright 2026 The Go for Xen Authors.

// netfront is a domU on the test host's bridge (TestNetfront): it reports
// its interfaces and /etc/resolv.conf, serves HTTP on :8080 and UDP echo on
// :7, fetches from dom0's HTTP server on 10.0.0.1:8000 by address, by name
// and over IPv6, prints "ready" and serves until xl shutdown (SIGTERM).
// Checks print "ok NAME" or "FAIL NAME: why".
//
//	netfront serve    the above
//	netfront fetch    only the fetches, then exit (static configuration,
//	                  a DHCP server that never answers)
//	netfront peer URL REPORT
//	                  GET URL (another domU), POST what came to REPORT
//	netfront detach   read dom0's /big slowly until the connection fails
//	                  (xl network-detach), then wait for an interface with
//	                  an address again (xl network-attach) and fetch
package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: netfront serve|fetch")
		os.Exit(2)
	}
	if os.Args[1] == "serve" {
		// SLAAC comes with the first router advertisement, which may
		// follow the DHCP lease that main waited for.
		for deadline := time.Now().Add(20 * time.Second); !hasGlobal6() && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
		}
	}
	report()
	switch os.Args[1] {
	case "serve":
		serve()
	case "fetch":
		fetchAll()
	case "detach":
		detach()
	case "peer":
		peer(os.Args[2], os.Args[3])
	default:
		fmt.Fprintln(os.Stderr, "netfront: unknown mode", os.Args[1])
		os.Exit(2)
	}
}

// report prints each interface ("iface NAME MAC MTU FLAGS ADDR...") and
// /etc/resolv.conf ("resolv: LINE").
func report() {
	ifs, err := net.Interfaces()
	if err != nil {
		fmt.Println("FAIL interfaces:", err)
	}
	for _, ifi := range ifs {
		addrs, _ := ifi.Addrs()
		var as []string
		for _, a := range addrs {
			as = append(as, a.String())
		}
		fmt.Printf("iface %s %s %d %s %s\n", ifi.Name, ifi.HardwareAddr, ifi.MTU, ifi.Flags, strings.Join(as, " "))
	}
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		fmt.Println("resolv: none:", err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		fmt.Println("resolv:", l)
	}
	if h, err := os.Hostname(); err == nil {
		fmt.Println("hostname:", h)
	}
}

func serve() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from xen to %s\n", r.RemoteAddr)
	})
	// POST /sha256: the body's SHA-256 in hex.
	mux.HandleFunc("/sha256", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "%x %d\n", h.Sum(nil), n)
	})
	// GET /bytes?n=N: N bytes of a counter stream; the trailer X-Sha256 is
	// their SHA-256.
	mux.HandleFunc("/bytes", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 0 {
			http.Error(w, "bad n", 400)
			return
		}
		w.Header().Set("Trailer", "X-Sha256")
		h := sha256.New()
		buf := make([]byte, 64<<10)
		for i := 0; n > 0; i++ {
			for j := 0; j < len(buf); j += 8 {
				binary.LittleEndian.PutUint64(buf[j:], uint64(i*len(buf)+j))
			}
			k := min(n, len(buf))
			h.Write(buf[:k])
			if _, err := w.Write(buf[:k]); err != nil {
				return
			}
			n -= k
		}
		w.Header().Set("X-Sha256", hex.EncodeToString(h.Sum(nil)))
	})
	// GET /bytes-sha256?n=N: the SHA-256 of what /bytes?n=N sends, for a
	// checker that cannot read trailers (curl | sha256sum in dom0).
	mux.HandleFunc("/bytes-sha256", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 0 {
			http.Error(w, "bad n", 400)
			return
		}
		h := sha256.New()
		buf := make([]byte, 64<<10)
		for i := 0; n > 0; i++ {
			for j := 0; j < len(buf); j += 8 {
				binary.LittleEndian.PutUint64(buf[j:], uint64(i*len(buf)+j))
			}
			k := min(n, len(buf))
			h.Write(buf[:k])
			n -= k
		}
		fmt.Fprintf(w, "%x\n", h.Sum(nil))
	})
	// POST /fetch-tls, the body a CA certificate: fetch dom0's HTTPS
	// server by name, trusting that CA only.
	mux.HandleFunc("/fetch-tls", func(w http.ResponseWriter, r *http.Request) {
		pem, _ := io.ReadAll(r.Body)
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fmt.Fprintln(w, "FAIL fetch-tls: no CA certificate in the request")
			return
		}
		c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		resp, err := c.Get("https://dom0.test:8443/")
		if err != nil {
			fmt.Fprintln(w, "FAIL fetch-tls:", err)
			fmt.Println("FAIL fetch-tls:", err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "hello from dom0 over TLS") {
			fmt.Fprintf(w, "FAIL fetch-tls: %q\n", b)
			return
		}
		fmt.Println("ok fetch-tls")
		fmt.Fprintln(w, "ok fetch-tls")
	})
	// POST /peer: another domU on the bridge reports what it fetched here.
	mux.HandleFunc("/peer", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Printf("ok peer: %s from %s\n", strings.TrimSpace(string(b)), r.RemoteAddr)
	})
	ln, err := net.Listen("tcp", ":8080")
	if err != nil {
		fmt.Println("FAIL listen:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	go udpEcho()
	fetchAll()
	fmt.Println("ready")

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Println("FAIL shutdown:", err)
		os.Exit(1)
	}
	fmt.Println("shutdown clean")
}

func udpEcho() {
	c, err := net.ListenPacket("udp", ":7")
	if err != nil {
		fmt.Println("FAIL udp listen:", err)
		return
	}
	buf := make([]byte, 65536)
	for {
		n, addr, err := c.ReadFrom(buf)
		if err != nil {
			fmt.Println("FAIL udp read:", err)
			return
		}
		c.WriteTo(buf[:n], addr)
	}
}

// fetchAll gets dom0's hello.txt by address, by name (dom0.test, from the
// DNS server the lease names) and over IPv6 when the interface has a
// global IPv6 address.
func fetchAll() {
	fetch("fetch-addr", "http://10.0.0.1:8000/hello.txt")
	fetch("fetch-name", "http://dom0.test:8000/hello.txt")
	if hasGlobal6() {
		fetch("fetch-ipv6", "http://[fd00::1]:8000/hello.txt")
	} else {
		fmt.Println("no global IPv6 address")
	}
}

func fetch(name, url string) {
	c := &http.Client{Timeout: 20 * time.Second}
	r, err := c.Get(url)
	if err != nil {
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil || r.StatusCode != 200 || !strings.Contains(string(b), "hello from dom0") {
		fmt.Printf("FAIL %s: status %d, %q, %v\n", name, r.StatusCode, b, err)
		return
	}
	fmt.Println("ok", name)
}

func hasGlobal6() bool {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() == nil && n.IP.IsGlobalUnicast() {
			return true
		}
	}
	return false
}

func detach() {
	r, err := http.Get("http://10.0.0.1:8000/big")
	if err != nil {
		fmt.Println("FAIL big:", err)
		os.Exit(1)
	}
	fmt.Println("downloading")
	buf := make([]byte, 1024)
	var n int64
	for {
		k, err := r.Body.Read(buf)
		n += int64(k)
		if err != nil {
			// An io.EOF would mean the whole file came before the detach.
			fmt.Printf("conn error after %d bytes: %v\n", n, err)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for !hasIPv4() {
		if time.Now().After(deadline) {
			fmt.Println("FAIL reattach: no interface with an IPv4 address")
			os.Exit(1)
		}
		time.Sleep(100 * time.Millisecond)
	}
	report()
	fetch("refetch", "http://10.0.0.1:8000/hello.txt")
	fmt.Println("ready")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	<-sig
	fmt.Println("shutdown clean")
}

func hasIPv4() bool {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return true
		}
	}
	return false
}

// peer fetches url (another domU's greeting) and posts what it got to
// report, then exits.
func peer(url, report string) {
	c := &http.Client{Timeout: 30 * time.Second}
	r, err := c.Get(url)
	if err != nil {
		fmt.Println("FAIL peer-fetch:", err)
		os.Exit(1)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if _, err := c.Post(report, "text/plain", strings.NewReader(string(b))); err != nil {
		fmt.Println("FAIL peer-report:", err)
		os.Exit(1)
	}
	fmt.Println("ok peer-fetch")
}
