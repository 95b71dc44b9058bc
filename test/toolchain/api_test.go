package toolchain

import (
	"flag"
	"fmt"
	"go/build"
	"go/importer"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"goforxen.dev/test/internal/xentest"
)

var updateAPI = flag.Bool("update-api", false, "rewrite api/xen.txt from the toolchain")

// TestXenOnlyAPI checks api/xen.txt: the exported API of the standard
// library that exists for GOOS=xen but neither for linux/amd64 nor for
// js/wasm (the peer single-threaded port). A change to that API must change
// the file too: go test ./toolchain -run XenOnlyAPI -update-api rewrites it.
func TestXenOnlyAPI(t *testing.T) {
	goroot := xentest.GOROOT(t)
	pkgs := apiCandidates(t, goroot)
	xen := apiOf(t, goroot, "xen", "amd64", pkgs)
	others := map[string]bool{}
	for _, p := range [][2]string{{"linux", "amd64"}, {"js", "wasm"}} {
		for l := range apiOf(t, goroot, p[0], p[1], pkgs) {
			others[l] = true
		}
	}
	var only []string
	for l := range xen {
		if !others[l] {
			only = append(only, l)
		}
	}
	sort.Strings(only)
	got := strings.Join(only, "\n") + "\n"

	file := filepath.Join(xentest.RepoRoot(t), "api", "xen.txt")
	if *updateAPI {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the xen-only API differs from api/xen.txt (go test ./toolchain -run XenOnlyAPI -update-api rewrites it):\n%s", lineDiff(string(want), got))
	}
	if len(only) == 0 {
		t.Errorf("no xen-only API found at all: the comparison is broken")
	}
}

// apiCandidates lists the public std packages whose files for GOOS=xen differ
// from those for linux/amd64: only they can have xen-only API.
func apiCandidates(t *testing.T, goroot string) []string {
	files := func(goos string) map[string]string {
		cmd := xentest.GoCmd(t, []string{"GOOS=" + goos, "GOARCH=amd64", "CGO_ENABLED=0"}, "list", "-f", "{{.ImportPath}} {{.GoFiles}}", "std")
		out := xentest.Run(t, cmd)
		m := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			path, fs, _ := strings.Cut(l, " ")
			m[path] = fs
		}
		return m
	}
	xen, linux := files("xen"), files("linux")
	var pkgs []string
	for p, fs := range xen {
		if strings.Contains(p, "internal") || strings.HasPrefix(p, "vendor/") || strings.HasPrefix(p, "cmd/") {
			continue
		}
		if linux[p] != fs {
			pkgs = append(pkgs, p)
		}
	}
	sort.Strings(pkgs)
	if len(pkgs) == 0 {
		t.Fatal("no std package differs between xen and linux")
	}
	return pkgs
}

// apiOf returns the exported API of pkgs for goos/goarch, one line per
// feature, type-checked from goroot's sources.
func apiOf(t *testing.T, goroot, goos, goarch string, pkgs []string) map[string]bool {
	saved := build.Default
	defer func() { build.Default = saved }()
	build.Default.GOROOT = goroot
	build.Default.GOOS, build.Default.GOARCH = goos, goarch
	build.Default.CgoEnabled = false
	build.Default.Dir = ""
	build.Default.BuildTags = nil
	if goarch != saved.GOARCH {
		// The host's goexperiment tags (regabi, ...) are amd64's.
		build.Default.ToolTags = nil
	}
	build.Default.GOPATH = ""
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil).(types.ImporterFrom)
	api := map[string]bool{}
	for _, path := range pkgs {
		if _, err := build.Default.Import(path, "", 0); err != nil {
			continue // not a package for this platform
		}
		pkg, err := imp.ImportFrom(path, "", 0)
		if err != nil {
			t.Fatalf("type-checking %s for %s/%s: %v", path, goos, goarch, err)
		}
		for _, l := range features(pkg) {
			api[l] = true
		}
	}
	return api
}

// features lists a package's exported API in the style of cmd/api.
func features(pkg *types.Package) []string {
	q := types.RelativeTo(pkg)
	var out []string
	add := func(format string, args ...any) {
		out = append(out, "pkg "+pkg.Path()+", "+fmt.Sprintf(format, args...))
	}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Const:
			add("const %s %s = %s", name, typeString(obj.Type(), q), obj.Val().ExactString())
		case *types.Var:
			add("var %s %s", name, typeString(obj.Type(), q))
		case *types.Func:
			add("func %s%s", name, signature(obj.Type().(*types.Signature), q))
		case *types.TypeName:
			if st, ok := obj.Type().Underlying().(*types.Struct); ok {
				// Unexported fields are not API.
				add("type %s struct", name)
				for i := 0; i < st.NumFields(); i++ {
					if f := st.Field(i); f.Exported() {
						add("type %s struct, %s %s", name, f.Name(), typeString(f.Type(), q))
					}
				}
			} else {
				add("type %s %s", name, typeString(obj.Type().Underlying(), q))
			}
			ms := types.NewMethodSet(types.NewPointer(obj.Type()))
			for i := 0; i < ms.Len(); i++ {
				m := ms.At(i).Obj()
				if m.Exported() {
					add("method (%s) %s%s", name, m.Name(), signature(m.Type().(*types.Signature), q))
				}
			}
		}
	}
	return out
}

// signature writes a function's parameter and result types without their
// names (which are not API).
func signature(sig *types.Signature, q types.Qualifier) string {
	list := func(t *types.Tuple, variadic bool) string {
		var parts []string
		for i := 0; i < t.Len(); i++ {
			ty := t.At(i).Type()
			if variadic && i == t.Len()-1 {
				parts = append(parts, "..."+typeString(ty.(*types.Slice).Elem(), q))
			} else {
				parts = append(parts, typeString(ty, q))
			}
		}
		return strings.Join(parts, ", ")
	}
	s := "(" + list(sig.Params(), sig.Variadic()) + ")"
	switch r := sig.Results(); r.Len() {
	case 0:
	case 1:
		s += " " + list(r, false)
	default:
		s += " (" + list(r, false) + ")"
	}
	return s
}

// typeString writes t, a func type without its parameter names.
func typeString(t types.Type, q types.Qualifier) string {
	if sig, ok := t.(*types.Signature); ok {
		return "func" + signature(sig, q)
	}
	return types.TypeString(t, q)
}

// lineDiff shows the lines only in a (-) and only in b (+).
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			if l != "" {
				m[l] = true
			}
		}
		return m
	}
	am, bm := in(a), in(b)
	var d []string
	for l := range am {
		if !bm[l] {
			d = append(d, "- "+l)
		}
	}
	for l := range bm {
		if !am[l] {
			d = append(d, "+ "+l)
		}
	}
	sort.Strings(d)
	return strings.Join(d, "\n")
}

// TestSyscallCoversJSAndWasip1: syscall on xen exports every name syscall
// exports on js/wasm or on wasip1/wasm (values and field types may be
// Linux's), less the WASI ABI's own names, which compat_xen.go leaves out
// on purpose (README, "Will my program work?").
func TestSyscallCoversJSAndWasip1(t *testing.T) {
	goroot := xentest.GOROOT(t)
	pkgs := []string{"syscall"}
	names := func(api map[string]bool) map[string]bool {
		m := map[string]bool{}
		for l := range api {
			m[apiName(l)] = true
		}
		return m
	}
	xen := names(apiOf(t, goroot, "xen", "amd64", pkgs))
	wasi := []string{"const RIGHT_", "const FILETYPE_", "const OFLAG_", "const FDFLAG_", "const FILESTAT_SET_",
		"const LOOKUP_", "const WHENCE_", "type Dircookie", "type Filetype", "func RandomGet", "func ProcExit",
		"func ReadDir", "const ENOTCAPABLE", "const SIGNONE", "const SIGVTARLM",
		// Fields of those types: wasip1's Dirent.Next is a Dircookie, its
		// Stat_t.Filetype a Filetype.
		"type Dirent struct, Next", "type Stat_t struct, Filetype"}
	var missing []string
	for _, p := range [][2]string{{"js", "wasm"}, {"wasip1", "wasm"}} {
		for n := range names(apiOf(t, goroot, p[0], p[1], pkgs)) {
			if xen[n] {
				continue
			}
			leftOut := false
			for _, w := range wasi {
				if n == w || strings.HasPrefix(n, w) && strings.HasSuffix(w, "_") || strings.HasPrefix(n, w+" ") {
					leftOut = true
				}
			}
			if !leftOut {
				missing = append(missing, p[0]+": "+n)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("syscall on xen lacks what js/wasm or wasip1 export:\n%s", strings.Join(missing, "\n"))
	}
	if len(xen) < 100 {
		t.Errorf("only %d names in xen's syscall: the comparison is broken", len(xen))
	}
}

// apiName is an API line's kind and name, without its value or type:
// "const O_RDONLY", "func Open", "method (Errno) Error", "type Stat_t
// struct, Dev".
func apiName(line string) string {
	_, rest, _ := strings.Cut(line, ", ")
	cut := func(s string) string {
		if i := strings.IndexAny(s, "(["); i > 0 {
			return s[:i]
		}
		return s
	}
	f := strings.Fields(rest)
	switch {
	case len(f) >= 3 && f[0] == "method":
		return f[0] + " " + f[1] + " " + cut(f[2])
	case len(f) < 2:
		return rest
	}
	if head, field, ok := strings.Cut(rest, ", "); ok && f[0] == "type" {
		return head + ", " + strings.Fields(field)[0] // a struct's field
	}
	return f[0] + " " + cut(f[1])
}
