// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Chi is a web server on github.com/go-chi/chi/v5 with Prometheus metrics
// (github.com/prometheus/client_golang), as a unikernel:
//
//	GOOS=xen go build -o chi.xen .     # boot it on Xen with a vif (xl create)
//	GOOS=xen go run . -selftest        # under emulated Xen: serve, ask itself, print, exit
//
// It serves /hello/{name}, /healthz and /metrics, the last with the Go
// and process collectors: the process collector reads the synthetic /proc
// (/proc/self/stat, limits, fd/), so process_cpu_seconds_total,
// process_resident_memory_bytes, process_open_fds and
// process_start_time_seconds are the domain's (the network byte counts,
// which it reads from /proc/self/net/netstat, are missing).
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func router(reg *prometheus.Registry) http.Handler {
	hellos := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hello_requests_total",
		Help: "Requests to /hello/{name}.",
	}, []string{"name"})
	reg.MustRegister(hellos, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer)
	r.Get("/hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := chi.URLParam(r, "name")
		hellos.WithLabelValues(name).Inc()
		fmt.Fprintf(w, "hello, %s\n", name)
	})
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	r.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	return r
}

func main() {
	addr := flag.String("addr", ":8080", "listen on `address`")
	selftest := flag.Bool("selftest", false, "serve on loopback, fetch /hello/xen and /metrics, print them, exit")
	flag.Parse()
	h := router(prometheus.NewRegistry())
	if !*selftest {
		log.Printf("listening on %s", *addr)
		log.Fatal(http.ListenAndServe(*addr, middleware.Logger(h)))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, h)
	base := "http://" + ln.Addr().String()
	for _, path := range []string{"/hello/xen", "/metrics"} {
		resp, err := http.Get(base + path)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			log.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
		}
		for _, line := range strings.Split(string(body), "\n") {
			if path != "/metrics" || strings.HasPrefix(line, "process_") || strings.HasPrefix(line, "hello_") {
				if line != "" {
					fmt.Println(line)
				}
			}
		}
	}
	os.Exit(0)
}
