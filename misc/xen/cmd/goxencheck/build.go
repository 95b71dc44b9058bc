// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/build"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// A buildFinding is a package that does not build for xen.
type buildFinding struct {
	Pkg    string // import path
	Module string // path@version, or the path of the main module
	Errors []string
	// Fixes are the files that would make it build, as on Platform.
	Platform string
	Fixes    []fileFix
}

// A fileFix is a file that xen's build leaves out and the line that lets
// it in.
type fileFix struct {
	File    string // absolute path
	Line    int    // of the //go:build line; 0 when there is none
	Old     string // the //go:build line, or "" when there is none
	New     string // the line to propose
	Suffix  string // the file name's GOOS/GOARCH suffix that leaves xen out, if any
	Exclude bool   // the fix takes xen out (the peer port does not use the file)
	Defines []string
}

// peers are the ports that have no Unix system calls either, whose
// fallback files xen can usually share.
var peers = []struct{ goos, goarch string }{{"js", "wasm"}, {"wasip1", "wasm"}}

var undefinedRE = regexp.MustCompile(`undefined: ([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?`)

// checkBuild loads the packages, with the files of overlay (path ->
// contents, as readOverlay gives them) in place of those on disk.
func checkBuild(dir string, patterns []string, overlay map[string][]byte) ([]buildFinding, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps |
			packages.NeedModule | packages.NeedTypes | packages.NeedSyntax,
		Dir:     dir,
		Env:     append(os.Environ(), "GOOS=xen", "GOARCH=amd64", "CGO_ENABLED=0"),
		Overlay: overlay,
	}
	roots, err := packages.Load(cfg, patterns...)
	if err != nil {
		if strings.Contains(err.Error(), "unsupported GOOS/GOARCH pair xen/amd64") {
			return nil, fmt.Errorf("the go command on PATH is not Go for Xen's (put its goroot/bin first on PATH): %v", err)
		}
		return nil, err
	}
	// undefined collects, per package, the names its importers (or its own
	// files) use and no file of it defines for xen.
	undefined := map[*packages.Package]map[string]bool{}
	var failing []*packages.Package
	packages.Visit(roots, nil, func(p *packages.Package) {
		if p.PkgPath == "unsafe" || len(p.Errors) == 0 {
			return
		}
		own := false
		for _, e := range p.Errors {
			if strings.Contains(e.Msg, "could not import") {
				continue // a dependency's failure, reported there
			}
			m := undefinedRE.FindStringSubmatch(e.Msg)
			if m == nil || m[2] == "" || importNamed(p, m[1]) == nil {
				own = true
			}
			if m == nil {
				continue
			}
			target, name := p, m[1]
			if m[2] != "" {
				target, name = importNamed(p, m[1]), m[2]
			}
			if target != nil {
				if undefined[target] == nil {
					undefined[target] = map[string]bool{}
				}
				undefined[target][name] = true
				if target != p && !contains(failing, target) {
					failing = append(failing, target)
				}
			}
		}
		if own && !contains(failing, p) {
			failing = append(failing, p)
		}
	})
	var out []buildFinding
	for _, p := range failing {
		f := buildFinding{Pkg: p.PkgPath}
		if p.Module != nil {
			f.Module = p.Module.Path
			if p.Module.Version != "" {
				f.Module += "@" + p.Module.Version
			}
		}
		for _, e := range p.Errors {
			m := undefinedRE.FindStringSubmatch(e.Msg)
			if !strings.Contains(e.Msg, "could not import") && (m == nil || m[2] == "" || importNamed(p, m[1]) == nil) {
				f.Errors = append(f.Errors, e.Error())
			}
		}
		// The errors of its importers that name what it lacks.
		var importers []*packages.Package
		packages.Visit(roots, nil, func(q *packages.Package) { importers = append(importers, q) })
		for _, q := range importers {
			for _, e := range q.Errors {
				if m := undefinedRE.FindStringSubmatch(e.Msg); m != nil && m[2] != "" && importNamed(q, m[1]) == p {
					f.Errors = append(f.Errors, e.Error())
				}
			}
		}
		f.Platform, f.Fixes = fallbackFiles(p, undefined[p])
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pkg < out[j].Pkg })
	return out, nil
}

func contains(ps []*packages.Package, p *packages.Package) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// importNamed returns the package p imports under name, or nil.
func importNamed(p *packages.Package, name string) *packages.Package {
	for _, f := range p.Syntax {
		for _, is := range f.Imports {
			path := strings.Trim(is.Path.Value, `"`)
			q := p.Imports[path]
			if q == nil {
				continue
			}
			if is.Name != nil && is.Name.Name == name || is.Name == nil && q.Name == name {
				return q
			}
		}
	}
	return nil
}

// fallbackFiles picks, for the first peer port they suffice for, files of
// p that xen's build leaves out and that port's includes: those defining
// the names p lacks (all of them, when none is known), without defining a
// name twice.
func fallbackFiles(p *packages.Package, missing map[string]bool) (string, []fileFix) {
	declared := map[string]bool{}
	for _, f := range p.Syntax {
		for name := range topLevelNames(f) {
			declared[name] = true
		}
	}
	for _, peer := range peers {
		ctx := build.Default
		ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = peer.goos, peer.goarch, false
		var picked []fileFix
		have := map[string]bool{}
		for _, file := range p.IgnoredFiles {
			if strings.HasSuffix(file, "_test.go") || !strings.HasSuffix(file, ".go") {
				continue
			}
			if ok, err := ctx.MatchFile(filepath.Dir(file), filepath.Base(file)); err != nil || !ok {
				continue
			}
			af, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
			if err != nil || af.Name.Name != p.Name {
				continue
			}
			names := topLevelNames(af)
			clash, useful := false, len(missing) == 0
			for name := range names {
				if declared[name] || have[name] {
					clash = true
				}
				if missing[name] {
					useful = true
				}
			}
			if clash || !useful {
				continue
			}
			fix, err := buildLineFix(file, false)
			if err != nil {
				continue
			}
			for name := range names {
				have[name] = true
				fix.Defines = append(fix.Defines, name)
			}
			sort.Strings(fix.Defines)
			picked = append(picked, fix)
		}
		covered := len(picked) > 0
		for name := range missing {
			if !have[name] {
				covered = false
			}
		}
		if covered {
			return peer.goos + "/" + peer.goarch, picked
		}
	}
	return mirrorPeer(p)
}

// mirrorPeer proposes that xen build p from the files a peer port does:
// xen added to the build lines of the files only the peer uses, and
// excluded from those only xen uses; from the peer that needs the fewest
// changes.
func mirrorPeer(p *packages.Package) (string, []fileFix) {
	xenFiles := map[string]bool{}
	for _, f := range p.GoFiles {
		xenFiles[f] = true
	}
	all := append(append([]string(nil), p.GoFiles...), p.IgnoredFiles...)
	var best []fileFix
	platform := ""
	for _, peer := range peers {
		ctx := build.Default
		ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = peer.goos, peer.goarch, false
		var fixes []fileFix
		ok := true
		for _, file := range all {
			if strings.HasSuffix(file, "_test.go") || !strings.HasSuffix(file, ".go") {
				continue
			}
			match, err := ctx.MatchFile(filepath.Dir(file), filepath.Base(file))
			if err != nil {
				ok = false
				break
			}
			if match == xenFiles[file] {
				continue
			}
			fix, err := buildLineFix(file, !match)
			if err != nil {
				ok = false
				break
			}
			fixes = append(fixes, fix)
		}
		if ok && len(fixes) > 0 && (best == nil || len(fixes) < len(best)) {
			best, platform = fixes, peer.goos+"/"+peer.goarch
		}
	}
	return platform, best
}

func topLevelNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name != "init" && d.Name.Name != "_" {
				names[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.Name != "_" {
							names[n.Name] = true
						}
					}
				}
			}
		}
	}
	return names
}

// buildLineFix reads file's //go:build line and proposes it with xen
// added (with exclude, taken out); a GOOS/GOARCH suffix in the name becomes
// part of the line (the file must then be renamed without it).
func buildLineFix(file string, exclude bool) (fileFix, error) {
	fix := fileFix{File: file, Exclude: exclude}
	f, err := os.Open(file)
	if err != nil {
		return fix, err
	}
	defer f.Close()
	var expr constraint.Expr
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if constraint.IsGoBuild(line) {
			if expr, err = constraint.Parse(line); err != nil {
				return fix, err
			}
			fix.Line, fix.Old = n, line
			break
		}
		if strings.HasPrefix(line, "package ") {
			break
		}
	}
	if suffix, raw := nameSuffix(filepath.Base(file)); suffix != nil {
		fix.Suffix = raw
		if expr == nil || expr.String() == suffix.String() {
			expr = suffix
		} else {
			expr = &constraint.AndExpr{X: suffix, Y: expr}
		}
	}
	xen := &constraint.TagExpr{Tag: "xen"}
	switch {
	case exclude && expr == nil:
		fix.New = "//go:build !xen"
	case exclude:
		fix.New = "//go:build " + (&constraint.AndExpr{X: expr, Y: &constraint.NotExpr{X: xen}}).String()
	case expr == nil:
		return fix, fmt.Errorf("%s: nothing leaves xen out", file)
	default:
		fix.New = "//go:build " + (&constraint.OrExpr{X: expr, Y: xen}).String()
	}
	return fix, nil
}

// nameSuffix is the constraint a file name's _GOOS, _GOARCH or
// _GOOS_GOARCH suffix puts on it, or nil, and the suffix.
func nameSuffix(name string) (constraint.Expr, string) {
	name = strings.TrimSuffix(name, ".go")
	parts := strings.Split(name, "_")
	if len(parts) < 2 {
		return nil, ""
	}
	last := parts[len(parts)-1]
	if len(parts) >= 3 && knownOS[parts[len(parts)-2]] && knownArch[last] {
		goos := parts[len(parts)-2]
		return &constraint.AndExpr{X: &constraint.TagExpr{Tag: goos}, Y: &constraint.TagExpr{Tag: last}}, goos + "_" + last
	}
	if knownOS[last] || knownArch[last] {
		return &constraint.TagExpr{Tag: last}, last
	}
	return nil, ""
}

var knownOS = setOf("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos xen")
var knownArch = setOf("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm")

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func report(w io.Writer, findings []buildFinding) {
	if len(findings) == 0 {
		fmt.Fprintln(w, "every package builds for GOOS=xen")
		return
	}
	for _, f := range findings {
		fmt.Fprintf(w, "%s (%s) does not build for GOOS=xen:\n", f.Pkg, f.Module)
		for _, e := range f.Errors {
			fmt.Fprintf(w, "\t%s\n", e)
		}
		if len(f.Fixes) == 0 {
			fmt.Fprintf(w, "\tno file of it that builds for js/wasm or wasip1/wasm would fix it\n")
			continue
		}
		fmt.Fprintf(w, "\tfix: let xen use the files %s uses:\n", f.Platform)
		for _, x := range f.Fixes {
			switch {
			case x.Old == "" && x.Suffix == "":
				fmt.Fprintf(w, "\t%s: add a first line\n\t\t%s\n", x.File, x.New)
			case x.Suffix != "":
				fmt.Fprintf(w, "\t%s: the name's _%s suffix leaves xen out; rename it without the suffix and begin it with\n\t\t%s\n", x.File, x.Suffix, x.New)
			default:
				fmt.Fprintf(w, "\t%s:%d: %s\n\t\t-> %s\n", x.File, x.Line, x.Old, x.New)
			}
		}
	}
}
