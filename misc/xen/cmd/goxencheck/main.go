// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Goxencheck tells whether a Go module's programs will work for GOOS=xen.
//
// Usage:
//
//	goxencheck [-C dir] [-overlay file.json] [packages]
//
// It loads the packages (default ./...) and their dependencies as
// GOOS=xen GOARCH=amd64 CGO_ENABLED=0 would build them, with the go command
// of the Go for Xen toolchain it ships with (or the one on PATH), and
// reports:
//
//   - the packages that do not build. For each it names the files that
//     would make it build, as they do for js/wasm or wasip1/wasm, and that a
//     build line or a file name suffix leaves xen out of, with the one-line
//     fix to propose upstream: the same line with "|| xen" added.
//   - once everything builds: in the code reachable from the main packages
//     (rapid type analysis over their SSA form; std left out), the calls
//     that always fail on xen (os/exec, os.StartProcess, plugin.Open, raw
//     and socket system calls, files behind net connections, user
//     lookups beyond root, signal.Notify of signals a domain never gets)
//     and the /proc and /sys paths it names that xen does not have.
//
// With -overlay, it also writes file.json for go build's -overlay flag
// (and rewritten copies of the fallback files beside it, in
// file.files/): with it the module builds for xen as if the fixes were
// made, without forking the dependencies. The go command does not let an
// overlay replace files in the module cache, so vendor the dependencies
// first:
//
//	go mod vendor
//	goxencheck -overlay xen-overlay.json ./...
//	GOOS=xen go build -overlay xen-overlay.json ./cmd/app
//
// Exit status: 0 when nothing is reported, 1 when something is, 2 when the
// packages could not be loaded at all.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("C", ".", "run in `dir` (the module to check)")
	overlay := flag.String("overlay", "", "write `file.json` for go build -overlay, adding xen to the fallback files' build lines")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: goxencheck [-C dir] [-overlay file.json] [packages]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	patterns := flag.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	useOwnGo()
	findings, err := checkBuild(*dir, patterns, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "goxencheck: %v\n", err)
		os.Exit(2)
	}
	report(os.Stdout, findings)
	status := 0
	if len(findings) > 0 {
		status = 1
	}
	var files map[string][]byte
	if *overlay != "" && len(findings) > 0 {
		if err := writeOverlay(*overlay, findings); err != nil {
			fmt.Fprintf(os.Stderr, "goxencheck: writing the overlay: %v\n", err)
			os.Exit(2)
		}
		if files, err = readOverlay(*overlay); err == nil {
			findings, err = checkBuild(*dir, patterns, files)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "goxencheck: with the overlay: %v\n", err)
			os.Exit(2)
		}
		if len(findings) == 0 {
			fmt.Printf("wrote %s: with it every package builds for GOOS=xen:\n\tGOOS=xen go build -overlay %s ...\n", *overlay, *overlay)
		} else {
			fmt.Printf("wrote %s, but with it these still do not build:\n", *overlay)
			report(os.Stdout, findings)
		}
	}
	if len(findings) > 0 {
		fmt.Println("calls and files reachable from main: checked once every package builds (see -overlay)")
		os.Exit(1)
	}
	reach, err := checkReach(*dir, patterns, files)
	if err != nil {
		fmt.Fprintf(os.Stderr, "goxencheck: %v\n", err)
		os.Exit(2)
	}
	reportReach(os.Stdout, reach)
	if len(reach) > 0 {
		status = 1
	}
	os.Exit(status)
}

// useOwnGo puts the go command beside this executable (goroot/bin/go, when
// goxencheck is the toolchain's) first on PATH, for go/packages to run.
func useOwnGo() {
	exe, err := os.Executable()
	if err != nil {
		return
	}
	bin := filepath.Dir(exe)
	if _, err := os.Stat(filepath.Join(bin, "go")); err == nil {
		os.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
}
