// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package compat builds the corpus of real modules (test/corpus: small
// programs over popular modules, a module of its own pinned in its go.sum)
// for GOOS=xen, js/wasm and wasip1/wasm, and for xen again through
// goxencheck's -overlay where it does not build. With GOXEN_CORPUS_RUN=1 it
// also runs them, linux/amd64 natively, xen under the emulated backend
// (one boot each; run the package under flock /tmp/goxen-emulator.lock) and
// js/wasm under node, and compares their output with linux's.
// GOXEN_CORPUS_TABLE=FILE writes the table as Markdown.
package compat

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"goforxen.dev/test/internal/xentest"
)

type target struct{ name, goos, goarch string }

var targets = []target{{"xen", "xen", "amd64"}, {"js", "js", "wasm"}, {"wasip1", "wasip1", "wasm"}, {"linux", "linux", "amd64"}}

type result struct {
	prog     string
	built    map[string]bool
	why      map[string]string // first error line of a failed build
	overlay  bool              // xen builds with goxencheck's overlay
	runs     map[string]string // output, by target
	runFails map[string]string
}

// firstError is the first line of a failed build's output that says why.
func firstError(out []byte) string {
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(string(out))
}

func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the corpus for four targets (minutes)")
	}
	root := xentest.RepoRoot(t)
	corpus := filepath.Join(root, "test", "corpus")
	ents, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	var progs []string
	for _, e := range ents {
		if e.IsDir() {
			progs = append(progs, e.Name())
		}
	}
	out := t.TempDir()
	run := os.Getenv("GOXEN_CORPUS_RUN") == "1"
	modcache := strings.TrimSpace(string(xentest.Run(t, xentest.GoCmd(t, nil, "env", "GOMODCACHE"))))
	build := func(prog string, tg target, flags ...string) ([]byte, error) {
		args := append([]string{"build", "-o", filepath.Join(out, prog+"."+tg.name)}, flags...)
		cmd := xentest.GoCmd(t, []string{"GOOS=" + tg.goos, "GOARCH=" + tg.goarch, "CGO_ENABLED=0"}, append(args, "./"+prog)...)
		cmd.Dir = corpus
		return cmd.CombinedOutput()
	}
	results := make([]*result, len(progs))
	var wg sync.WaitGroup
	sem := make(chan bool, 2)
	for i, prog := range progs {
		r := &result{prog: prog, built: map[string]bool{}, why: map[string]string{}, runs: map[string]string{}, runFails: map[string]string{}}
		results[i] = r
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- true
			defer func() { <-sem }()
			for _, tg := range targets {
				if tg.name == "linux" && !run {
					r.built[tg.name] = true // built to be run only
					continue
				}
				o, err := build(prog, tg)
				r.built[tg.name] = err == nil
				if err != nil {
					r.why[tg.name] = strings.ReplaceAll(firstError(o), modcache+"/", "")
				}
			}
			if !r.built["xen"] {
				// The recipe: go mod vendor (an overlay may not replace
				// files in the module cache), goxencheck -overlay, go
				// build -overlay.
				vendored := vendorOnce(t, corpus)
				ov := filepath.Join(out, prog+"-overlay.json")
				cmd := exec.Command(filepath.Join(xentest.GOROOT(t), "bin", "goxencheck"), "-overlay", ov, "./"+prog)
				cmd.Dir = vendored
				cmd.Env = xentest.GoCmd(t, nil).Env
				cmd.CombinedOutput() // exit status 1: it reports
				if _, err := os.Stat(ov); err == nil {
					cmd := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "build", "-overlay", ov, "-o", filepath.Join(out, prog+".xen"), "./"+prog)
					cmd.Dir = vendored
					r.overlay = cmd.Run() == nil
				}
			}
		}()
	}
	wg.Wait()

	if run {
		for _, r := range results {
			for _, tg := range targets {
				if !r.built[tg.name] && !(tg.name == "xen" && r.overlay) || tg.name == "wasip1" {
					continue // no wasip1 runtime on the build machines
				}
				img := filepath.Join(out, r.prog+"."+tg.name)
				var cmd *exec.Cmd
				switch tg.name {
				case "xen":
					cmd = exec.Command(filepath.Join(xentest.GOROOT(t), "bin", "go_xen_amd64_exec"), img)
					cmd.Env = append(os.Environ(), "GOXEN_MEMORY=256", "GOXEN_TIMEOUT=2m")
				case "js":
					cmd = exec.Command(filepath.Join(xentest.GOROOT(t), "lib", "wasm", "go_js_wasm_exec"), img)
				default:
					cmd = exec.Command(img)
				}
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Run(); err != nil {
					r.runFails[tg.name] = fmt.Sprintf("%v: %s", err, firstError(stderr.Bytes()))
				}
				r.runs[tg.name] = stdout.String()
			}
		}
	}

	// The table and the goals.
	count := map[string]int{}
	var table strings.Builder
	table.WriteString("| program | xen | js/wasm | wasip1 | xen with `goxencheck -overlay` |")
	if run {
		table.WriteString(" xen run = linux | js run = linux |")
	}
	table.WriteString("\n|---|---|---|---|---|")
	if run {
		table.WriteString("---|---|")
	}
	table.WriteString("\n")
	mark := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	for _, r := range results {
		for _, tg := range targets {
			if r.built[tg.name] {
				count[tg.name]++
			}
		}
		if r.built["xen"] || r.overlay {
			count["xen+overlay"]++
		}
		if !r.built["linux"] {
			t.Errorf("%s does not build for linux: %s", r.prog, r.why["linux"])
		}
		if (r.built["js"] || r.built["wasip1"]) && !r.built["xen"] && !r.overlay {
			t.Errorf("%s builds for js/wasm or wasip1 but not for xen, even with the overlay: %s", r.prog, r.why["xen"])
		}
		ovCell := ""
		if !r.built["xen"] {
			ovCell = mark(r.overlay)
		}
		cell := func(tg string) string {
			if r.built[tg] {
				return "yes"
			}
			return "no: `" + strings.ReplaceAll(trim(r.why[tg]), "|", "\\|") + "`"
		}
		fmt.Fprintf(&table, "| %s | %s | %s | %s | %s |", r.prog, cell("xen"), cell("js"), cell("wasip1"), ovCell)
		if run {
			for _, tg := range []string{"xen", "js"} {
				_, ran := r.runs[tg]
				switch {
				case !ran:
					table.WriteString(" |")
				case r.runs[tg] == r.runs["linux"] && r.runFails[tg] == "":
					table.WriteString(" yes |")
					count["run "+tg]++
				default:
					fmt.Fprintf(&table, " **no**: `%s` |", strings.ReplaceAll(trim(firstLine(r.runs[tg])+" "+r.runFails[tg]), "|", "\\|"))
				}
			}
			if r.runs["js"] == r.runs["linux"] && r.runFails["js"] == "" && (r.runs["xen"] != r.runs["linux"] || r.runFails["xen"] != "") {
				t.Errorf("%s: js/wasm's output matches linux's and xen's does not:\nxen: %q (%s)\nlinux: %q", r.prog, r.runs["xen"], r.runFails["xen"], r.runs["linux"])
			}
		}
		table.WriteString("\n")
	}
	summary := fmt.Sprintf("%d programs: %d build for xen, %d for js/wasm, %d for wasip1; %d for xen with the overlay",
		len(results), count["xen"], count["js"], count["wasip1"], count["xen+overlay"])
	if run {
		summary += fmt.Sprintf("; runs matching linux: xen %d, js/wasm %d", count["run xen"], count["run js"])
	}
	t.Log(summary + "\n" + table.String())
	// The goal: with the overlay, xen builds everything either wasm port
	// does. Without it, the programs over modules whose fallback files
	// name the platforms they support (go-isatty, logrus) do not build
	// until those modules add xen: that count is reported, not asserted.
	if count["xen+overlay"] < count["js"] || count["xen+overlay"] < count["wasip1"] {
		t.Errorf("fewer programs build for xen, even with the overlay, than for js/wasm or wasip1: %s", summary)
	}
	if f := os.Getenv("GOXEN_CORPUS_TABLE"); f != "" {
		if err := os.WriteFile(f, []byte(summary+".\n\n"+table.String()), 0o666); err != nil {
			t.Error(err)
		}
	}
}

var (
	vendorMu  sync.Mutex
	vendorDir string
)

// vendorOnce copies the corpus module to a temporary directory and runs
// go mod vendor there, once.
func vendorOnce(t *testing.T, corpus string) string {
	vendorMu.Lock()
	defer vendorMu.Unlock()
	if vendorDir != "" {
		return vendorDir
	}
	dir, err := os.MkdirTemp("", "goxen-corpus-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.CopyFS(dir, os.DirFS(corpus)); err != nil {
		t.Fatal(err)
	}
	cmd := xentest.GoCmd(t, nil, "mod", "vendor")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	vendorDir = dir
	return dir
}

func trim(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 110 {
		s = s[:110] + "..."
	}
	return s
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
