// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"goforxen.dev/test/internal/xentest"
)

// The framework example (misc/xen/examples/chi, a module of its own pinned
// in its go.sum) builds for GOOS=xen, serves itself over loopback, and its
// Prometheus process collector reports the domain's values from the
// synthetic /proc: CPU time, resident memory, open and maximum descriptors,
// a start time near now.
func TestChiExampleWithProcessMetrics(t *testing.T) {
	src := filepath.Join(xentest.RepoRoot(t), "misc", "xen", "examples", "chi")
	img := filepath.Join(t.TempDir(), "chi.xen")
	cmd := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "build", "-o", img, ".")
	cmd.Dir = src
	xentest.Run(t, cmd)
	before := time.Now()
	r := runXen(t, img, 64, nil, "-selftest")
	expect(t, r, 0, `(?m)^hello, xen$`, `(?m)^hello_requests_total\{name="xen"\} 1$`)
	metrics := map[string]float64{}
	for _, line := range strings.Split(r.out, "\n") {
		if name, v, ok := strings.Cut(line, " "); ok && strings.HasPrefix(name, "process_") {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			metrics[name] = f
		}
	}
	for _, m := range []string{"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds"} {
		if metrics[m] <= 0 {
			t.Errorf("%s = %v, want > 0 (metrics: %v)", m, metrics[m], metrics)
		}
	}
	if metrics["process_max_fds"] != 65536 {
		t.Errorf("process_max_fds = %v, want RLIMIT_NOFILE, 65536", metrics["process_max_fds"])
	}
	if rss := metrics["process_resident_memory_bytes"]; rss > 64<<20 {
		t.Errorf("process_resident_memory_bytes = %v, more than the domain's 64 MiB", rss)
	}
	start := time.Unix(0, int64(metrics["process_start_time_seconds"]*1e9))
	if start.Before(before.Add(-5*time.Second)) || start.After(time.Now()) {
		t.Errorf("process_start_time_seconds = %v, want between %v and now", start, before)
	}
	if _, err := os.Stat(filepath.Join(src, "go.sum")); err != nil {
		t.Errorf("the example's modules are not pinned: %v", err)
	}
}
