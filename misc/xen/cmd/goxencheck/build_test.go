// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// xenGoOnPath puts a GOOS=xen toolchain's bin first on PATH for the test
// (GOXEN_GOROOT, the go on PATH, or the repository's ./goroot), or fails.
func xenGoOnPath(t *testing.T) {
	t.Helper()
	supports := func(goCmd string) bool {
		out, err := exec.Command(goCmd, "tool", "dist", "list").Output()
		return err == nil && bytes.Contains(out, []byte("xen/amd64\n"))
	}
	var cands []string
	if root := os.Getenv("GOXEN_GOROOT"); root != "" {
		cands = append(cands, filepath.Join(root, "bin", "go"))
	} else {
		if g, err := exec.LookPath("go"); err == nil {
			cands = append(cands, g)
		}
		if g, err := filepath.Abs("../../../../goroot/bin/go"); err == nil {
			cands = append(cands, g)
		}
	}
	for _, g := range cands {
		if supports(g) {
			t.Setenv("PATH", filepath.Dir(g)+string(os.PathListSeparator)+os.Getenv("PATH"))
			return
		}
	}
	t.Fatalf("no GOOS=xen toolchain among %q: set GOXEN_GOROOT, put its bin on PATH, or build ./goroot with make.bash", cands)
}

// The go-isatty class: a dependency's fallback file names js and wasm and
// not xen, so its importer finds IsTerminal undefined; and the logrus class:
// the package's common file, which xen's build includes and js's does not,
// calls a function only per-platform files define, and js's fallback
// redefines the common file's function, so xen must follow js on both.
func TestFallbackFileLeavesXenOut(t *testing.T) {
	xenGoOnPath(t)
	findings, err := checkBuild("testdata/isatty", []string{"./..."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]buildFinding{}
	for _, f := range findings {
		got[f.Pkg] = f
	}
	if len(findings) != 3 {
		t.Errorf("findings for %d packages, want 3 (example.com/isatty, example.com/app/term, example.com/app/du): %+v", len(findings), findings)
	}

	isatty, ok := got["example.com/isatty"]
	if !ok {
		t.Fatalf("no finding for example.com/isatty: %+v", findings)
	}
	if isatty.Module != "example.com/isatty@v0.0.0" {
		t.Errorf("isatty's module: %q", isatty.Module)
	}
	if len(isatty.Errors) != 1 || !strings.Contains(isatty.Errors[0], filepath.Join("cmd", "app", "main.go")) || !strings.Contains(isatty.Errors[0], "undefined: isatty.IsTerminal") {
		t.Errorf("isatty's errors: %q, want its importer's undefined: isatty.IsTerminal", isatty.Errors)
	}
	if isatty.Platform != "js/wasm" || len(isatty.Fixes) != 1 {
		t.Fatalf("isatty's fixes (%s): %+v, want isatty_others.go", isatty.Platform, isatty.Fixes)
	}
	fix := isatty.Fixes[0]
	if filepath.Base(fix.File) != "isatty_others.go" || fix.Line != 1 || fix.Suffix != "" ||
		fix.Old != "//go:build (appengine || js || nacl || tinygo || wasm) && !windows" ||
		fix.New != "//go:build ((appengine || js || nacl || tinygo || wasm) && !windows) || xen" {
		t.Errorf("isatty's fix: %+v", fix)
	}
	if strings.Join(fix.Defines, " ") != "IsCygwinTerminal IsTerminal" {
		t.Errorf("isatty_others.go defines %q", fix.Defines)
	}

	term, ok := got["example.com/app/term"]
	if !ok {
		t.Fatalf("no finding for example.com/app/term: %+v", findings)
	}
	if len(term.Errors) != 1 || !strings.Contains(term.Errors[0], "undefined: isTerminal") {
		t.Errorf("term's errors: %q", term.Errors)
	}
	// The fallback alone would define checkIfTerminal twice: xen must
	// leave the common file out as js does.
	if term.Platform != "js/wasm" || len(term.Fixes) != 2 {
		t.Fatalf("term's fixes (%s): %+v, want the common file's and the fallback's lines", term.Platform, term.Fixes)
	}
	for _, want := range []fileFix{
		{File: "terminal_check_notappengine.go", Line: 4, Exclude: true,
			New: "//go:build !appengine && !js && !windows && !nacl && !plan9 && !wasi && !wasip1 && !tinygo && !xen"},
		{File: "terminal_check_no_terminal.go", Line: 1,
			New: "//go:build js || nacl || plan9 || wasi || wasip1 || tinygo || xen"},
	} {
		found := false
		for _, fix := range term.Fixes {
			if filepath.Base(fix.File) == want.File {
				found = true
				if fix.Line != want.Line || fix.Exclude != want.Exclude || fix.New != want.New || fix.Suffix != "" {
					t.Errorf("term's fix of %s: %+v, want line %d %q (exclude %v)", want.File, fix, want.Line, want.New, want.Exclude)
				}
			}
		}
		if !found {
			t.Errorf("no fix of %s: %+v", want.File, term.Fixes)
		}
	}

	// The nats-server class: a _wasm.go fallback, whose name leaves xen
	// out (all of the package's files, here).
	du, ok := got["example.com/app/du"]
	if !ok {
		t.Fatalf("no finding for example.com/app/du: %+v", findings)
	}
	if len(du.Errors) != 1 || !strings.Contains(du.Errors[0], "build constraints exclude all Go files") {
		t.Errorf("du's errors: %q", du.Errors)
	}
	if len(du.Fixes) != 1 || filepath.Base(du.Fixes[0].File) != "du_wasm.go" || du.Fixes[0].Suffix != "wasm" ||
		du.Fixes[0].Old != "" || du.Fixes[0].New != "//go:build wasm || xen" {
		t.Errorf("du's fixes: %+v, want du_wasm.go renamed with //go:build wasm || xen", du.Fixes)
	}

	// The fix works: with the proposed lines (and the rename), the module
	// builds for xen.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/isatty")); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(append(isatty.Fixes, term.Fixes...), du.Fixes...) {
		rel, _ := filepath.Rel("testdata/isatty", relToCwd(t, f.File))
		path := filepath.Join(dir, rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		if f.Old != "" {
			src = strings.Replace(src, f.Old, f.New, 1)
		} else {
			src = f.New + "\n\n" + src
		}
		os.Remove(path)
		if f.Suffix != "" {
			path = strings.TrimSuffix(path, "_"+f.Suffix+".go") + ".go"
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	again, err := checkBuild(dir, []string{"./..."}, nil)
	if err != nil || len(again) != 0 {
		t.Errorf("after the fixes: %+v, %v; want no findings", again, err)
	}
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=xen", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("GOOS=xen go build after the fixes: %v\n%s", err, out)
	}
}

func relToCwd(t *testing.T, abs string) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func TestNameSuffix(t *testing.T) {
	for name, want := range map[string]string{
		"a_js.go":          "js",
		"a_wasm.go":        "wasm",
		"a_js_wasm.go":     "js_wasm",
		"isatty_others.go": "",
		"js.go":            "",
	} {
		if _, got := nameSuffix(name); got != want {
			t.Errorf("nameSuffix(%q) = %q, want %q", name, got, want)
		}
	}
}
