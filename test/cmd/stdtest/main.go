// Command stdtest runs the standard library's tests for GOOS=xen under the
// emulated backend and prints one table line per package.
//
//	go run ./cmd/stdtest [-short] [-p N] [-o file] [list|packages...]
//
// With no packages it runs the core list (what test/run.bash checks); "all"
// runs every package in std. The exit status is 1 if a package failed.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// core is the list of packages whose tests must pass on xen.
var core = strings.Fields(`strings bytes strconv sort slices maps unicode/utf8 math math/big
math/bits container/heap container/list errors bufio io fmt encoding/json encoding/binary
encoding/base64 encoding/hex regexp text/template hash/crc32 crypto/sha256 crypto/aes
compress/flate sync sync/atomic context time`)

type result struct {
	pkg     string
	status  string // ok, FAIL, skip (no tests)
	elapsed float64
	output  []string
}

func main() {
	short := flag.Bool("short", true, "pass -short to the tests")
	par := flag.Int("p", 2, "packages to test in parallel")
	outFile := flag.String("o", "", "also write the table to this file")
	timeout := flag.Duration("timeout", 20*time.Minute, "per-package test timeout")
	flag.Parse()

	pkgs := flag.Args()
	if len(pkgs) == 0 {
		pkgs = core
	}
	args := []string{"test", "-json", "-p", fmt.Sprint(*par), "-timeout", timeout.String()}
	if *short {
		args = append(args, "-short")
	}
	args = append(args, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOOS=xen", "GOARCH=amd64")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fatal(err)
	}
	results := map[string]*result{}
	get := func(pkg string) *result {
		r := results[pkg]
		if r == nil {
			r = &result{pkg: pkg}
			results[pkg] = r
		}
		return r
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var ev struct {
			Action, Package, Test, Output string
			Elapsed                       float64
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Package == "" {
			continue
		}
		r := get(ev.Package)
		switch {
		case ev.Action == "output":
			r.output = append(r.output, strings.TrimRight(ev.Output, "\n"))
		case ev.Test == "" && ev.Action == "pass":
			r.status, r.elapsed = "ok", ev.Elapsed
			fmt.Fprintf(os.Stderr, "ok    %s\n", ev.Package)
		case ev.Test == "" && ev.Action == "fail":
			r.status, r.elapsed = "FAIL", ev.Elapsed
			fmt.Fprintf(os.Stderr, "FAIL  %s\n", ev.Package)
		case ev.Test == "" && ev.Action == "skip":
			r.status = "skip"
		}
	}
	cmd.Wait()

	var w io.Writer = os.Stdout
	if *outFile != "" {
		f, err := os.Create(*outFile)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		w = io.MultiWriter(os.Stdout, f)
	}
	var names []string
	for _, p := range pkgs {
		names = append(names, p)
		get(p)
	}
	for p := range results {
		if !contains(names, p) {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	pass, fail := 0, 0
	fmt.Fprintf(w, "| package | xen | time |\n|---|---|---|\n")
	for _, p := range names {
		r := results[p]
		if r.status == "" {
			r.status = "FAIL" // no result: the build or the runner failed
		}
		switch r.status {
		case "ok":
			pass++
		case "FAIL":
			fail++
		}
		fmt.Fprintf(w, "| %s | %s | %.1fs |\n", p, r.status, r.elapsed)
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d packages, %s\n", pass, fail, len(names), time.Since(start).Round(time.Second))
	for _, p := range names {
		if r := results[p]; r.status == "FAIL" {
			fmt.Fprintf(os.Stderr, "\n--- %s\n", p)
			out := r.output
			if len(out) > 40 {
				out = out[len(out)-40:]
			}
			fmt.Fprintln(os.Stderr, strings.Join(out, "\n"))
		}
	}
	if fail > 0 {
		os.Exit(1)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "stdtest:", err)
	os.Exit(2)
}
