// Command stdtest runs the standard library's tests for GOOS=xen under the
// emulated backend and prints one table line per package.
//
//	go run ./cmd/stdtest [flags] [all | packages...]
//
// With no packages it runs the core list (what test/run.bash checks); "all"
// runs every package in std. With -js it also runs each package for js/wasm
// (Go's go_js_wasm_exec and node) for comparison. The exit status is 1 if a
// package failed on xen.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// core is the list of packages whose tests must pass on xen (what CI runs):
// the runtime's (issue 3), those of os and the file system (issue 4), and a
// few that once failed on xen only (the loopback network, tests reading
// their parent's or children's testdata, a large heap, cycle counts,
// read-only rodata, the fake network's double Close).
var core = strings.Fields(`strings bytes strconv sort slices maps unicode/utf8 math math/big
math/bits container/heap container/list errors bufio io fmt encoding/json encoding/binary
encoding/base64 encoding/hex regexp text/template hash/crc32 crypto/sha256 crypto/aes
compress/flate sync sync/atomic context time
os io/fs io/ioutil path/filepath testing/fstest embed archive/tar archive/zip crypto/rand
math/rand/v2 log log/slog encoding/csv mime
net compress/lzw image/gif encoding/gob runtime/pprof reflect crypto/tls internal/trace`)

type result struct {
	status  string // ok, FAIL, skip
	elapsed float64
	reason  string // why it failed or skipped
	output  []string
}

func main() {
	short := flag.Bool("short", true, "pass -short to the tests")
	par := flag.Int("p", 2, "packages to test in parallel")
	outFile := flag.String("o", "", "also write the table (markdown) to this file")
	timeout := flag.Duration("timeout", 20*time.Minute, "per-package test timeout")
	withJS := flag.Bool("js", false, "also run the packages for js/wasm")
	flag.Parse()

	pkgs := flag.Args()
	switch {
	case len(pkgs) == 0:
		pkgs = core
	case len(pkgs) == 1 && pkgs[0] == "all":
		out, err := exec.Command("go", "list", "std").Output()
		if err != nil {
			fatal(fmt.Errorf("go list std: %v", err))
		}
		pkgs = nil
		for _, p := range strings.Fields(string(out)) {
			if !strings.HasPrefix(p, "vendor/") && !strings.HasPrefix(p, "cmd/") {
				pkgs = append(pkgs, p)
			}
		}
	}
	start := time.Now()
	xenEnv := []string{"GOOS=xen", "GOARCH=amd64"}
	if os.Getenv("GOXEN_MEMORY") == "" {
		// js/wasm's tests may grow to 4 GiB; a few std tests need more
		// than the runner's default 512 MiB (encoding/gob's
		// TestLargeSlice). An emulated domain's memory costs the host
		// only what the program touches.
		xenEnv = append(xenEnv, "GOXEN_MEMORY=1024")
	}
	xen := run(pkgs, xenEnv, *short, *par, *timeout, "xen")
	var js map[string]*result
	if *withJS {
		gr, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			fatal(err)
		}
		wasmDir := filepath.Join(strings.TrimSpace(string(gr)), "lib", "wasm")
		js = run(pkgs, []string{"GOOS=js", "GOARCH=wasm", "PATH=" + wasmDir + string(os.PathListSeparator) + os.Getenv("PATH")}, *short, *par, *timeout, "js/wasm")
	}

	var w io.Writer = os.Stdout
	if *outFile != "" {
		f, err := os.Create(*outFile)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		w = io.MultiWriter(os.Stdout, f)
	}
	sort.Strings(pkgs)
	if js != nil {
		fmt.Fprintf(w, "| package | xen | js/wasm | xen: reason for a skip or failure |\n|---|---|---|---|\n")
	} else {
		fmt.Fprintf(w, "| package | xen | time | reason for a skip or failure |\n|---|---|---|---|\n")
	}
	count := map[string]int{}
	for _, p := range pkgs {
		x := xen[p]
		count["xen "+x.status]++
		reason := strings.ReplaceAll(x.reason, "|", "\\|")
		if js != nil {
			j := js[p]
			count["js "+j.status]++
			if x.status == "ok" && j.status == "ok" {
				count["both ok"]++
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", p, x.status, j.status, reason)
		} else {
			fmt.Fprintf(w, "| %s | %s | %.1fs | %s |\n", p, x.status, x.elapsed, reason)
		}
	}
	fmt.Fprintf(w, "\nxen: %d ok, %d FAIL, %d skip", count["xen ok"], count["xen FAIL"], count["xen skip"])
	if js != nil {
		fmt.Fprintf(w, "; js/wasm: %d ok, %d FAIL, %d skip; ok on both: %d", count["js ok"], count["js FAIL"], count["js skip"], count["both ok"])
	}
	fmt.Fprintf(w, "; %d packages in %s\n", len(pkgs), time.Since(start).Round(time.Second))
	for _, p := range pkgs {
		if r := xen[p]; r.status == "FAIL" {
			fmt.Fprintf(os.Stderr, "\n--- %s (xen)\n", p)
			out := r.output
			if len(out) > 40 {
				out = out[len(out)-40:]
			}
			fmt.Fprintln(os.Stderr, strings.Join(out, "\n"))
		}
	}
	if count["xen FAIL"] > 0 {
		os.Exit(1)
	}
}

// run runs go test -json for pkgs with env added and returns a result per
// package.
func run(pkgs, env []string, short bool, par int, timeout time.Duration, label string) map[string]*result {
	args := []string{"test", "-json", "-p", fmt.Sprint(par), "-timeout", timeout.String()}
	if short {
		args = append(args, "-short")
	}
	args = append(args, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fatal(err)
	}
	if err := cmd.Start(); err != nil {
		fatal(err)
	}
	results := map[string]*result{}
	get := func(pkg string) *result {
		r := results[pkg]
		if r == nil {
			r = &result{}
			results[pkg] = r
		}
		return r
	}
	failedTest := map[string]string{}   // package -> first failed test
	testOutput := map[string][]string{} // package/test -> its first lines
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
		key := ev.Package + " " + ev.Test
		switch {
		case ev.Action == "output":
			line := strings.TrimRight(ev.Output, "\n")
			r.output = append(r.output, line)
			if len(r.output) > 2000 {
				r.output = r.output[len(r.output)-1000:]
			}
			if ev.Test != "" && len(testOutput[key]) < 20 {
				testOutput[key] = append(testOutput[key], strings.TrimSpace(line))
			}
		case ev.Test != "" && ev.Action == "fail" && failedTest[ev.Package] == "":
			failedTest[ev.Package] = ev.Test
			r.reason = ev.Test
			for _, l := range testOutput[key] {
				if strings.Contains(l, ".go:") || strings.HasPrefix(l, "panic:") {
					r.reason = ev.Test + ": " + l
					break
				}
			}
		case ev.Test == "" && ev.Action == "pass":
			r.status, r.elapsed = "ok", ev.Elapsed
			fmt.Fprintf(os.Stderr, "%s ok    %s\n", label, ev.Package)
		case ev.Test == "" && ev.Action == "fail":
			r.status, r.elapsed = "FAIL", ev.Elapsed
			fmt.Fprintf(os.Stderr, "%s FAIL  %s\n", label, ev.Package)
		case ev.Test == "" && ev.Action == "skip":
			r.status = "skip"
			r.reason = "no test files"
		}
	}
	cmd.Wait()
	for _, p := range pkgs {
		r := get(p)
		if r.status == "" {
			r.status = "FAIL" // no result: the build or the runner failed
		}
		if r.status == "FAIL" && r.reason == "" {
			r.reason = lastMeaningful(r.output)
		}
	}
	return results
}

// lastMeaningful returns the line that best says why a package failed
// without a failed test: a build error, a panic, a timeout.
func lastMeaningful(out []string) string {
	for _, l := range out {
		for _, key := range []string{"panic:", "fatal error:", "timed out", "build failed", "cannot", "go_xen_amd64_exec:"} {
			if strings.Contains(l, key) {
				return strings.TrimSpace(l)
			}
		}
	}
	if len(out) > 0 {
		return strings.TrimSpace(out[len(out)-1])
	}
	return "no output"
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "stdtest:", err)
	os.Exit(2)
}
