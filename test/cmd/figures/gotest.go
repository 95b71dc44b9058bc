// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// goTestFigures times `GOOS=xen go test -short` of a few CPU-light std
// packages under the emulated backend (dom0 mode), as the runner runs them
// and, for what it cost before, without the invariant TSC it gives QEMU's
// CPU (every clock read of the dom0 then traps to Xen), with the full
// (non -short) `time` tests last.
func goTestFigures() {
	fmt.Println("\n## GOOS=xen go test wall time (dom0 mode, -count=1)")
	pkgs := []string{"time", "context", "sync", "net/http"}
	run := func(env []string, args ...string) string {
		cmd := exec.Command("go", append([]string{"test", "-count=1", "-timeout=20m"}, args...)...)
		cmd.Env = append(append(os.Environ(), "GOOS=xen", "GOARCH=amd64"), env...)
		t0 := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(t0).Round(100 * time.Millisecond)
		if err != nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			return fmt.Sprintf("%v (failed: %v; %s)", d, err, lines[len(lines)-1])
		}
		return d.String()
	}
	fmt.Printf("%-22s %14s %26s\n", "package", "now", "without invtsc (before)")
	for _, p := range pkgs {
		before := "(not run)"
		if p != "net/http" { // not measured before the stack landed; left out to bound the run
			before = run([]string{"GOXEN_CPU=max,-invtsc"}, "-short", p)
		}
		fmt.Printf("%-22s %14s %26s\n", p+" -short", run(nil, "-short", p), before)
	}
	fmt.Printf("%-22s %14s %26s\n", "time (full)", run(nil, "time"), "(over 10 minutes: not run)")
}
