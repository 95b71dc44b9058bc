// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Every class of always-failing call and of missing /proc and /sys path,
// reached from main directly, through another package and through an
// interface; the same in unreachable code is not reported, nor a path the
// synthetic /proc has.
func TestReachableFailures(t *testing.T) {
	xenGoOnPath(t)
	findings, err := checkReach("testdata/reach", []string{"./..."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		got = append(got, filepath.Base(f.position.Filename)+" "+f.Kind+" "+f.What)
		if f.Why == "" || f.Func == "" {
			t.Errorf("finding without a reason or function: %+v", f)
		}
	}
	sort.Strings(got)
	want := []string{
		"lib.go call os.StartProcess",
		"lib.go file /proc/self/cgroup",
		"lib.go file /sys/fs/cgroup",
		"main.go call (*os/exec.Cmd).Output",
		"main.go call os/signal.Notify(SIGHUP)",
		"main.go call os/signal.Notify(SIGUSR1)",
		"main.go call os/user.Lookup",
		"main.go call plugin.Open",
		"main.go call syscall.Socket",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLinuxOnlyPath(t *testing.T) {
	for p, missing := range map[string]bool{
		"/proc/self/stat": false, "/proc/1/limits": false, "/proc/%d/stat": false, "/proc/meminfo": false,
		"/proc": false, "/proc/self/fd/3": false, "/proc/self/": false,
		"/proc/self/cgroup": true, "/proc/net/dev": true, "/sys": true, "/sys/fs/cgroup/memory.max": true,
		"/procfoo": false, "/etc/passwd": false,
	} {
		if got := linuxOnlyPath(p) != ""; got != missing {
			t.Errorf("linuxOnlyPath(%q) reports missing = %v, want %v", p, got, missing)
		}
	}
}

// The -overlay recipe: the JSON goxencheck writes for the fixture's three
// classes makes the module build for xen, unchanged on disk.
func TestOverlayBuilds(t *testing.T) {
	xenGoOnPath(t)
	findings, err := checkBuild("testdata/isatty", []string{"./..."}, nil)
	if err != nil || len(findings) == 0 {
		t.Fatalf("findings %v, %v", findings, err)
	}
	ov := filepath.Join(t.TempDir(), "xen-overlay.json")
	if err := writeOverlay(ov, findings); err != nil {
		t.Fatal(err)
	}
	files, err := readOverlay(ov)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := checkBuild("testdata/isatty", []string{"./..."}, files); err != nil || len(again) != 0 {
		t.Errorf("with the overlay: %+v, %v; want no findings", again, err)
	}
	cmd := exec.Command("go", "build", "-overlay", ov, "-o", filepath.Join(t.TempDir(), "app.xen"), "./cmd/app")
	cmd.Dir = "testdata/isatty"
	cmd.Env = append(os.Environ(), "GOOS=xen", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("GOOS=xen go build -overlay: %v\n%s", err, out)
	}
	// Without it, it does not build: the overlay did the work.
	cmd = exec.Command("go", "build", "-o", os.DevNull, "./cmd/app")
	cmd.Dir = "testdata/isatty"
	cmd.Env = append(os.Environ(), "GOOS=xen", "GOARCH=amd64", "CGO_ENABLED=0")
	if err := cmd.Run(); err == nil {
		t.Errorf("the fixture builds for xen without the overlay")
	}
}
