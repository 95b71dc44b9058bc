// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Server is the networked example: a net/http server on the domain's vif
// (configured by DHCP, with nothing in the program for it) that keeps a boot
// counter on its disk and stops cleanly when the toolstack shuts the domain
// down (xl shutdown, virsh shutdown: SIGTERM). server.cfg (xl) and
// server.xml (libvirt) deploy it.
//
//	GOOS=xen go build -o server.xen ./examples/server
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
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
	addr := flag.String("addr", ":8080", "address to listen on")
	disk := flag.String("disk", "/dev/xvda", "the disk whose first sector keeps the boot counter (\"\" for none)")
	flag.Parse()
	log.SetFlags(0)

	boot := 0
	if *disk != "" {
		var err error
		if boot, err = countBoot(*disk); err != nil {
			log.Printf("boot counter: %v", err)
		} else {
			fmt.Printf("boot %d (counted on %s)\n", boot, *disk)
		}
	}
	host, _ := os.Hostname()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Printf("listening on port %s\n", port)
	go reportAddrs(port)

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s, boot %d\n", host, boot)
	})
	srv := &http.Server{Handler: mux}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	// xl shutdown and virsh shutdown reach the program as SIGTERM.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	select {
	case s := <-sig:
		fmt.Printf("got %v: shutting down\n", s)
	case err := <-done:
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("stopped")
}

// reportAddrs prints the URL of each IPv4 address the interfaces get (by
// DHCP, which may answer after main has started: GOXEN_NET_WAIT), for a
// minute after start.
func reportAddrs(port string) {
	seen := map[string]bool{}
	for range 120 {
		ifaces, _ := net.Interfaces()
		for _, ifc := range ifaces {
			addrs, _ := ifc.Addrs()
			for _, a := range addrs {
				ip, ok := a.(*net.IPNet)
				if !ok || ip.IP.To4() == nil || ip.IP.IsLoopback() || seen[ip.IP.String()] {
					continue
				}
				seen[ip.IP.String()] = true
				fmt.Printf("listening on http://%s/ (%s)\n", net.JoinHostPort(ip.IP.String(), port), ifc.Name)
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// countBoot reads the counter "boots N" from the disk's first sector,
// writes N+1 back and syncs it to the backend's stable storage.
func countBoot(name string) (int, error) {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sector := make([]byte, 512)
	if _, err := f.ReadAt(sector, 0); err != nil {
		return 0, err
	}
	n := 0
	if line, _, ok := bytes.Cut(sector, []byte("\n")); ok {
		if v, ok := strings.CutPrefix(string(line), "boots "); ok {
			n, _ = strconv.Atoi(v)
		}
	}
	n++
	clear(sector)
	copy(sector, fmt.Sprintf("boots %d\n", n))
	if _, err := f.WriteAt(sector, 0); err != nil {
		return 0, err
	}
	return n, f.Sync()
}
