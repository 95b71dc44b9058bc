// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Goxencheck tells whether a Go module's programs will work for GOOS=xen.
//
// Usage:
//
//	goxencheck [-C dir] [packages]
//
// It loads the packages (default ./...) and their dependencies as
// GOOS=xen GOARCH=amd64 CGO_ENABLED=0 would build them, with the go command
// of the Go for Xen toolchain it ships with (or the one on PATH), and lists
// the packages that do not build. For each it names the files that would
// make it build, as they do for js/wasm or wasip1/wasm, and that a build
// line or a file name suffix leaves xen out of, with the one-line fix to
// propose upstream: the same line with "|| xen" added.
//
// Exit status: 0 when everything builds, 1 when something does not, 2 when
// the packages could not be loaded at all.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("C", ".", "run in `dir` (the module to check)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: goxencheck [-C dir] [packages]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	patterns := flag.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	useOwnGo()
	findings, err := checkBuild(*dir, patterns)
	if err != nil {
		fmt.Fprintf(os.Stderr, "goxencheck: %v\n", err)
		os.Exit(2)
	}
	report(os.Stdout, findings)
	if len(findings) > 0 {
		os.Exit(1)
	}
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
