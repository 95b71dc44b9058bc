// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Tests of the release archives ./make.bash -distpack writes into
// GOROOT/pkg/distpack (README, "Making a release"): what they hold, that a
// rebuild from the source tarball in another directory gives the same bytes,
// and that the binary tarball works unpacked anywhere with nothing set up.
package toolchain

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"goforxen.dev/test/internal/xentest"
)

// hostTools are the programs make.bash builds into GOROOT/bin besides go and
// gofmt (misc/xen/cmd), which the binary tarball must carry.
var hostTools = []string{"go_xen_amd64_exec", "goxencheck", "xentesthost"}

// distpackNames are the files ./make.bash -distpack writes for version v:
// upstream distpack's archives (binary and source tarballs, the toolchain
// module's zip, mod and info) and a .sha256 for each tarball and zip.
func distpackNames(v string) (bin, src, modZip string, all []string) {
	bin = v + ".linux-amd64.tar.gz"
	src = v + ".src.tar.gz"
	mod := "v0.0.1-" + v + ".linux-amd64"
	modZip = mod + ".zip"
	all = []string{bin, bin + ".sha256", src, src + ".sha256", modZip, modZip + ".sha256", mod + ".mod", mod + ".info"}
	sort.Strings(all)
	return bin, src, modZip, all
}

// distpackDir is GOROOT/pkg/distpack; the test fails if the toolchain under
// test was built without -distpack.
func distpackDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(xentest.GOROOT(t), "pkg", "distpack")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("no release archives in %s (build with ./make.bash -distpack, or ./make.bash -quick -distpack): %v", dir, err)
	}
	return dir
}

// entry is one file of an archive: its header fields and a hash of its data.
type entry struct {
	mode  fs.FileMode
	size  int64
	mtime time.Time
	sum   [32]byte
}

func (e entry) String() string {
	return fmt.Sprintf("%v %d bytes %s sha256:%x", e.mode, e.size, e.mtime.UTC().Format(time.RFC3339), e.sum[:6])
}

// archive is an archive's files in order, by name; data holds the contents
// of the files keep asked for.
type archive struct {
	names   []string
	entries map[string]entry
	data    map[string][]byte
}

// readArchive reads a .tar.gz or .zip, keeping the data of the files for
// which keep returns true.
func readArchive(t *testing.T, file string, keep func(name string) bool) *archive {
	t.Helper()
	a := &archive{entries: map[string]entry{}, data: map[string][]byte{}}
	add := func(name string, e entry, r io.Reader) {
		h := sha256.New()
		var buf bytes.Buffer
		w := io.Writer(h)
		if keep != nil && keep(name) {
			w = io.MultiWriter(h, &buf)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatalf("%s: reading %s: %v", file, name, err)
		}
		copy(e.sum[:], h.Sum(nil))
		if keep != nil && keep(name) {
			a.data[name] = buf.Bytes()
		}
		if _, dup := a.entries[name]; dup {
			t.Errorf("%s: %s appears twice", filepath.Base(file), name)
		}
		a.names = append(a.names, name)
		a.entries[name] = e
	}
	if strings.HasSuffix(file, ".zip") {
		z, err := zip.OpenReader(file)
		if err != nil {
			t.Fatal(err)
		}
		defer z.Close()
		for _, f := range z.File {
			r, err := f.Open()
			if err != nil {
				t.Fatalf("%s: %s: %v", file, f.Name, err)
			}
			add(f.Name, entry{mode: f.Mode(), size: int64(f.UncompressedSize64), mtime: f.Modified}, r)
			r.Close()
		}
		return a
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		add(h.Name, entry{mode: h.FileInfo().Mode(), size: h.Size, mtime: h.ModTime}, tr)
	}
	return a
}

// files returns the archive's regular files (not directories).
func (a *archive) files() []string {
	var names []string
	for _, n := range a.names {
		if !a.entries[n].mode.IsDir() {
			names = append(names, n)
		}
	}
	return names
}

// checkLicenses checks that an archive's tree (file names under prefix)
// carries the licenses of everything in it: Go's LICENSE and PATENTS, the
// project's LICENSE (go/misc/xen/LICENSE, the repository's LICENSE) and
// gVisor's Apache-2.0 LICENSE beside the vendored network stack.
func checkLicenses(t *testing.T, kind string, a *archive, prefix string) {
	t.Helper()
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// Go's own files are the toolchain's, as upstream ships them.
	goroot := xentest.GOROOT(t)
	for _, l := range []struct{ name, want string }{
		{"LICENSE", read(filepath.Join(goroot, "LICENSE"))},
		{"PATENTS", read(filepath.Join(goroot, "PATENTS"))},
		{"misc/xen/LICENSE", read(filepath.Join(xentest.RepoRoot(t), "LICENSE"))},
		{"src/vendor/gvisor.dev/gvisor/LICENSE", "Apache License\n                           Version 2.0, January 2004"},
	} {
		data, ok := a.data[prefix+l.name]
		switch {
		case !ok:
			t.Errorf("%s archive has no %s%s", kind, prefix, l.name)
		case !strings.Contains(string(data), l.want):
			t.Errorf("%s archive's %s%s lacks %q", kind, prefix, l.name, firstLine(l.want))
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func isLicense(name string) bool {
	return path.Base(name) == "LICENSE" || path.Base(name) == "PATENTS"
}

// checkOverlays checks that every file of the src/ and runtime-xen/
// overlays is in the archive's tree at its GOROOT path, unchanged.
func checkOverlays(t *testing.T, kind string, a *archive, prefix string) {
	t.Helper()
	root := xentest.RepoRoot(t)
	n := 0
	for _, d := range []string{"src", "runtime-xen"} {
		filepath.WalkDir(filepath.Join(root, d), func(p string, de fs.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join(root, d), p)
			data, _ := os.ReadFile(p)
			name := prefix + "src/" + filepath.ToSlash(rel)
			e, ok := a.entries[name]
			switch {
			case !ok:
				t.Errorf("%s archive lacks the overlay file %s (%s/%s)", kind, name, d, rel)
			case e.sum != sha256.Sum256(data):
				t.Errorf("%s archive's %s differs from %s/%s", kind, name, d, rel)
			}
			n++
			return nil
		})
	}
	if n == 0 {
		t.Fatal("no overlay files found")
	}
}

// pkg/distpack holds what upstream distpack writes and a correct .sha256
// (sha256sum's format) for each tarball and zip.
func TestDistpackFiles(t *testing.T) {
	dir := distpackDir(t)
	_, _, _, want := distpackNames(xentest.Version(t))
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, e := range ents {
		have = append(have, e.Name())
	}
	if !slices.Equal(have, want) {
		t.Errorf("%s holds %q, want %q", dir, have, want)
	}
	for _, name := range want {
		sumFile, ok := strings.CutSuffix(name, ".sha256")
		if !ok {
			continue
		}
		line, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, sumFile))
		if err != nil {
			t.Error(err)
			continue
		}
		sum := sha256.Sum256(data)
		if want := hex.EncodeToString(sum[:]) + "  " + sumFile + "\n"; string(line) != want {
			t.Errorf("%s = %q, want %q", name, line, want)
		}
	}
}

// The binary tarball is a GOROOT under go/: the toolchain, the host tools in
// bin/ (the same programs as GOROOT/bin's), the licenses, the overlays, and
// the settings that keep it on this toolchain.
func TestDistpackBinaryTarball(t *testing.T) {
	dir := distpackDir(t)
	v := xentest.Version(t)
	bin, _, _, _ := distpackNames(v)
	a := readArchive(t, filepath.Join(dir, bin), func(name string) bool {
		return isLicense(name) || name == "go/VERSION" || name == "go/go.env"
	})
	for _, n := range a.names {
		if !strings.HasPrefix(n, "go/") {
			t.Fatalf("%s: %s is outside go/", bin, n)
		}
	}

	// bin/ is GOROOT/bin: go, gofmt and the host tools, byte for byte.
	goroot := xentest.GOROOT(t)
	gorootBin, err := os.ReadDir(filepath.Join(goroot, "bin"))
	if err != nil {
		t.Fatal(err)
	}
	var wantBin []string
	for _, e := range gorootBin {
		wantBin = append(wantBin, "go/bin/"+e.Name())
		data, err := os.ReadFile(filepath.Join(goroot, "bin", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := a.entries["go/bin/"+e.Name()]; ok && (got.sum != sha256.Sum256(data) || got.mode.Perm() != 0o755) {
			t.Errorf("%s: go/bin/%s (%v) is not GOROOT/bin/%s (%d bytes, mode 0755)", bin, e.Name(), got, e.Name(), len(data))
		}
	}
	var haveBin []string
	for _, n := range a.files() {
		if strings.HasPrefix(n, "go/bin/") {
			haveBin = append(haveBin, n)
		}
	}
	sort.Strings(haveBin)
	if !slices.Equal(haveBin, wantBin) {
		t.Errorf("%s: bin/ holds %q, GOROOT/bin %q", bin, haveBin, wantBin)
	}
	for _, tool := range append([]string{"go", "gofmt"}, hostTools...) {
		if !slices.Contains(haveBin, "go/bin/"+tool) {
			t.Errorf("%s lacks go/bin/%s", bin, tool)
		}
	}
	for _, tool := range []string{"compile", "link", "asm", "vet", "cover"} {
		if _, ok := a.entries["go/pkg/tool/linux_amd64/"+tool]; !ok {
			t.Errorf("%s lacks go/pkg/tool/linux_amd64/%s", bin, tool)
		}
	}
	if got := firstLine(string(a.data["go/VERSION"])); got != v {
		t.Errorf("%s: go/VERSION says %q, want %q", bin, got, v)
	}
	if env := string(a.data["go/go.env"]); !strings.Contains(env, "\nGOTOOLCHAIN=local\n") {
		t.Errorf("%s: go/go.env does not set GOTOOLCHAIN=local:\n%s", bin, env)
	}
	checkLicenses(t, "binary", a, "go/")
	checkOverlays(t, "binary", a, "go/")
}

// The source tarball is the port's GOROOT less the build's products: the
// overlays and patches applied, the network stack vendored, and misc/xen
// (vendored too) with the make.bash that rebuilds everything from it.
func TestDistpackSourceTarball(t *testing.T) {
	dir := distpackDir(t)
	_, src, _, _ := distpackNames(xentest.Version(t))
	a := readArchive(t, filepath.Join(dir, src), isLicense)
	for _, n := range a.names {
		if !strings.HasPrefix(n, "go/") {
			t.Fatalf("%s: %s is outside go/", src, n)
		}
		if strings.HasPrefix(n, "go/bin/") || strings.HasPrefix(n, "go/pkg/") {
			t.Errorf("%s holds a build product: %s", src, n)
		}
	}
	for _, f := range []struct {
		name string
		mode fs.FileMode
	}{
		{"go/src/make.bash", 0o755},
		{"go/misc/xen/make.bash", 0o755},
		{"go/misc/xen/go.mod", 0o644},
		{"go/misc/xen/vendor/modules.txt", 0o644},
		{"go/misc/xen/cmd/go_xen_amd64_exec/main.go", 0o644},
		{"go/src/vendor/modules.txt", 0o644},
		{"go/src/cmd/distpack/pack.go", 0o644},
	} {
		e, ok := a.entries[f.name]
		if !ok {
			t.Errorf("%s lacks %s", src, f.name)
		} else if e.mode.Perm() != f.mode {
			t.Errorf("%s: %s has mode %v, want %v", src, f.name, e.mode.Perm(), f.mode)
		}
	}
	checkLicenses(t, "source", a, "go/")
	checkOverlays(t, "source", a, "go/")
}

// The module zip (the toolchain as golang.org/toolchain, for GOTOOLCHAIN
// downloads from a proxy of one's own) carries the host tools too.
func TestDistpackModuleZip(t *testing.T) {
	dir := distpackDir(t)
	v := xentest.Version(t)
	_, _, modZip, _ := distpackNames(v)
	a := readArchive(t, filepath.Join(dir, modZip), nil)
	prefix := "golang.org/toolchain@v0.0.1-" + v + ".linux-amd64/"
	want := []string{"bin/go", "bin/gofmt", "LICENSE", "PATENTS", "src/vendor/gvisor.dev/gvisor/LICENSE"}
	for _, tool := range hostTools {
		want = append(want, "bin/"+tool)
	}
	for _, name := range want {
		if _, ok := a.entries[prefix+name]; !ok {
			t.Errorf("%s lacks %s%s", modZip, prefix, name)
		}
	}
}

// The release is reproducible, and the source tarball rebuilds it: the
// source tarball, unpacked in another directory and built there with
// go/misc/xen/make.bash -distpack (fresh build cache, no network), gives
// byte-identical archives. When they differ, the test names each file that
// differs inside each archive and how.
func TestDistpackRebuildFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the whole toolchain from the source tarball (minutes); run without -short")
	}
	dir := distpackDir(t)
	v := xentest.Version(t)
	_, src, _, names := distpackNames(v)
	// make.bash -quick reinstalls cmd with go install (cgo on, no
	// -trimpath), which cmd/dist does not: its archives are for trying,
	// not releases, and cannot be rebuilt byte for byte.
	info, err := buildinfo.ReadFile(filepath.Join(xentest.GOROOT(t), "bin", "go"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(info.Settings, debug.BuildSetting{Key: "-trimpath", Value: "true"}) {
		t.Fatalf("GOROOT/bin/go was not built by cmd/dist (no -trimpath: a make.bash -quick tree); its archives are not a release: build with ./make.bash -distpack")
	}

	work := t.TempDir()
	rebuild := filepath.Join(work, "rebuild")
	if err := os.MkdirAll(rebuild, 0o777); err != nil {
		t.Fatal(err)
	}
	xentest.Run(t, exec.Command("tar", "-C", rebuild, "-xzf", filepath.Join(dir, src)))

	// Bootstrap as the main build did: from the pristine upstream toolchain.
	bootstrap := upstreamTree(t)
	if _, err := os.Stat(filepath.Join(bootstrap, "bin", "go")); err != nil {
		bootstrap = xentest.GOROOT(t)
	}
	home := filepath.Join(work, "home")
	os.MkdirAll(home, 0o777)
	cmd := exec.Command(filepath.Join(rebuild, "go", "misc", "xen", "make.bash"), "-distpack")
	cmd.Env = []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + home,
		"GOROOT_BOOTSTRAP=" + bootstrap,
		"GOCACHE=" + filepath.Join(work, "gocache"),
		"GOPROXY=off", // everything the build needs is in the tarball
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("go/misc/xen/make.bash -distpack in %s: %v", rebuild, time.Since(start).Round(time.Second))
	if err != nil {
		t.Fatalf("rebuilding from %s: %v\n%s", src, err, out)
	}

	redone := filepath.Join(rebuild, "go", "pkg", "distpack")
	same := 0
	for _, name := range names {
		a, b := filepath.Join(dir, name), filepath.Join(redone, name)
		da, errA := os.ReadFile(a)
		db, errB := os.ReadFile(b)
		if errA != nil || errB != nil {
			t.Errorf("%s: main build: %v; rebuild: %v", name, errA, errB)
			continue
		}
		if bytes.Equal(da, db) {
			same++
			continue
		}
		if strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".zip") {
			t.Errorf("%s differs between the build and its rebuild from the source tarball:\n%s", name, diffArchives(t, a, b))
		} else {
			t.Errorf("%s differs between the build and its rebuild from the source tarball:\n--- build\n%s\n--- rebuild\n%s", name, da, db)
		}
	}
	t.Logf("%d of %d files of pkg/distpack identical after the rebuild in another directory", same, len(names))
}

// diffArchives says how two archives differ: the files only one has, and
// for each file in both that differs, its header fields and, for Go
// programs, their build information.
func diffArchives(t *testing.T, a, b string) string {
	t.Helper()
	ea := readArchive(t, a, nil)
	eb := readArchive(t, b, nil)
	var lines, changed []string
	for _, n := range ea.names {
		if _, ok := eb.entries[n]; !ok {
			lines = append(lines, "  only in the build: "+n)
		}
	}
	for _, n := range eb.names {
		if _, ok := ea.entries[n]; !ok {
			lines = append(lines, "  only in the rebuild: "+n)
		}
	}
	for _, n := range ea.names {
		if e, ok := eb.entries[n]; ok && e != ea.entries[n] {
			changed = append(changed, n)
		}
	}
	if !slices.Equal(ea.names, eb.names) && len(lines) == 0 {
		lines = append(lines, "  the same files in another order")
	}
	if len(changed) > 0 {
		keep := map[string]bool{}
		for _, n := range changed {
			keep[n] = true
		}
		da := readArchive(t, a, func(n string) bool { return keep[n] })
		db := readArchive(t, b, func(n string) bool { return keep[n] })
		for i, n := range changed {
			if i == 20 {
				lines = append(lines, fmt.Sprintf("  ... and %d more files differ", len(changed)-i))
				break
			}
			lines = append(lines, fmt.Sprintf("  %s:\n    build:   %v\n    rebuild: %v%s", n, ea.entries[n], eb.entries[n], explainDiff(da.data[n], db.data[n])))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "  every file is the same: the difference is in the archive's own bytes (compression, headers or order)")
	}
	return strings.Join(lines, "\n")
}

// explainDiff says where two versions of a file differ: a Go program's build
// information, else the first differing byte.
func explainDiff(a, b []byte) string {
	ia, errA := buildinfo.Read(bytes.NewReader(a))
	ib, errB := buildinfo.Read(bytes.NewReader(b))
	if errA == nil && errB == nil {
		la, lb := strings.Split(ia.String(), "\n"), strings.Split(ib.String(), "\n")
		var d []string
		for _, l := range la {
			if !slices.Contains(lb, l) {
				d = append(d, "\n    build info only in the build:   "+l)
			}
		}
		for _, l := range lb {
			if !slices.Contains(la, l) {
				d = append(d, "\n    build info only in the rebuild: "+l)
			}
		}
		if len(d) == 0 {
			d = append(d, "\n    same build info (same version, settings and dependencies): the compiled code differs")
		}
		return strings.Join(d, "")
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return fmt.Sprintf("\n    first difference at byte %d", i)
}

// The binary tarball, unpacked anywhere with a fresh HOME and nothing else
// set but PATH, is a complete toolchain: go builds, runs (the runner boots
// the image under emulated Xen) and tests a module outside the repository;
// go version and go version -m show the port's version; and a module that
// asks for a newer Go gets Go's error, never a toolchain download.
func TestDistpackTarballWorks(t *testing.T) {
	dir := distpackDir(t)
	v := xentest.Version(t)
	bin, _, _, _ := distpackNames(v)
	work := t.TempDir()
	opt := filepath.Join(work, "opt")
	home := filepath.Join(work, "home")
	for _, d := range []string{opt, home} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	xentest.Run(t, exec.Command("tar", "-C", opt, "-xzf", filepath.Join(dir, bin)))
	gobin := filepath.Join(opt, "go", "bin")
	// Only PATH and HOME: the unpacked go first, then the system's
	// directories, where QEMU is (and no other go).
	env := []string{"PATH=" + gobin + ":/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + home}
	run := func(dir string, extra []string, args ...string) (string, error) {
		t.Helper()
		// As a shell would: look the command up on the clean PATH.
		p, err := lookPath(args[0], gobin)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(p, args[1:]...)
		cmd.Dir = dir
		cmd.Env = append(slices.Clip(env), extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(dir string, extra []string, args ...string) string {
		t.Helper()
		out, err := run(dir, extra, args...)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", strings.Join(extra, " "), strings.Join(args, " "), err, out)
		}
		return out
	}
	xen := []string{"GOOS=xen"}

	if out := must(work, nil, "go", "version"); out != "go version "+v+" linux/amd64\n" {
		t.Errorf("go version = %q, want %q", out, "go version "+v+" linux/amd64")
	}
	if out := must(work, nil, "go", "env", "GOROOT", "GOTOOLCHAIN"); out != filepath.Join(opt, "go")+"\nlocal\n" {
		t.Errorf("go env GOROOT GOTOOLCHAIN = %q, want %q", out, filepath.Join(opt, "go")+"\nlocal\n")
	}

	mod := filepath.Join(work, "hello")
	writeFiles(t, mod, map[string]string{
		"go.mod": "module example.com/hello\n\ngo 1.26\n",
		"main.go": `package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println("hello from the tarball:", os.Args[1:]) }
`,
		"main_test.go": `package main

import (
	"os"
	"runtime"
	"testing"
)

func TestTarball(t *testing.T) {
	if runtime.GOOS != "xen" {
		t.Fatalf("GOOS %s", runtime.GOOS)
	}
	if err := os.WriteFile("/tmp/f", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}
`,
	})
	must(mod, xen, "go", "build", "-o", "hello.xen", ".")
	if out := must(mod, nil, "go", "version", "hello.xen"); out != "hello.xen: "+v+"\n" {
		t.Errorf("go version hello.xen = %q, want %q", out, "hello.xen: "+v)
	}
	out := must(mod, nil, "go", "version", "-m", "hello.xen")
	for _, want := range []string{"hello.xen: " + v + "\n", "\tpath\texample.com/hello\n", "\tbuild\tGOOS=xen\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("go version -m hello.xen lacks %q:\n%s", want, out)
		}
	}
	if out := must(mod, xen, "go", "run", ".", "one", "two"); out != "hello from the tarball: [one two]\n" {
		t.Errorf("GOOS=xen go run . one two = %q, want %q", out, "hello from the tarball: [one two]\n")
	}
	out = must(mod, xen, "go", "test", "-v", ".")
	if !strings.Contains(out, "--- PASS: TestTarball") || !strings.Contains(out, "ok  \texample.com/hello") {
		t.Errorf("GOOS=xen go test -v: want TestTarball to pass:\n%s", out)
	}
	if out := must(mod, nil, "goxencheck", "./..."); !strings.Contains(out, "every package builds for GOOS=xen") {
		t.Errorf("goxencheck ./... = %q", out)
	}

	// A go line newer than the toolchain: Go's error, naming GOTOOLCHAIN=local.
	newer := filepath.Join(work, "newer")
	writeFiles(t, newer, map[string]string{
		"go.mod":  "module example.com/newer\n\ngo 1.99\n",
		"main.go": "package main\n\nfunc main() {}\n",
	})
	out, err := run(newer, xen, "go", "build", ".")
	if err == nil || !strings.Contains(out, "requires go >= 1.99") || !strings.Contains(out, "GOTOOLCHAIN=local") {
		t.Errorf("GOOS=xen go build of a go 1.99 module: err %v, want Go's \"requires go >= 1.99 (... GOTOOLCHAIN=local)\":\n%s", err, out)
	}
	// A toolchain line asking for a newer Go is not followed: the build
	// uses this toolchain.
	suggest := filepath.Join(work, "suggest")
	writeFiles(t, suggest, map[string]string{
		"go.mod":  "module example.com/suggest\n\ngo 1.26\n\ntoolchain go1.99.0\n",
		"main.go": "package main\n\nfunc main() {}\n",
	})
	must(suggest, xen, "go", "build", "-o", "suggest.xen", ".")
	if out := must(suggest, nil, "go", "version", "suggest.xen"); out != "suggest.xen: "+v+"\n" {
		t.Errorf("a module with toolchain go1.99.0 was built by %q, want %s", out, v)
	}
	// Nothing was downloaded: no toolchain module in the module cache.
	for _, d := range []string{"go/pkg/mod/golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64", "go/pkg/mod/cache/download/golang.org/toolchain"} {
		if _, err := os.Stat(filepath.Join(home, d)); err == nil {
			t.Errorf("a toolchain was downloaded: %s exists", filepath.Join(home, d))
		}
	}
}

// lookPath finds name in dir (the unpacked go/bin) or the system's
// directories, never on the test's own PATH.
func lookPath(name, dir string) (string, error) {
	for _, d := range []string{dir, "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o666); err != nil {
			t.Fatal(err)
		}
	}
}
