// Package xentest finds the Go for Xen toolchain and the repository for the
// end-to-end tests, and builds GOOS=xen programs with it.
package xentest

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// RepoRoot is the root of the Go for Xen repository (the directory holding
// VERSION and make.bash).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Dir(file)
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "make.bash")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "VERSION")); err == nil {
				return d
			}
		}
	}
	t.Fatalf("cannot find the repository root above %s", dir)
	return ""
}

// Version is the toolchain version in the repository's VERSION file.
func Version(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(t), "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
}

var (
	gorootOnce sync.Once
	goroot     string
	gorootErr  error
)

// GOROOT returns the Go for Xen toolchain under test: $GOXEN_GOROOT, else the
// repository's ./goroot. It fails the test if that is not a built toolchain
// that knows GOOS=xen.
func GOROOT(t testing.TB) string {
	t.Helper()
	root := RepoRoot(t)
	gorootOnce.Do(func() {
		goroot = os.Getenv("GOXEN_GOROOT")
		if goroot == "" {
			goroot = filepath.Join(root, "goroot")
		}
		gobin := filepath.Join(goroot, "bin", "go")
		if _, err := os.Stat(gobin); err != nil {
			gorootErr = fmt.Errorf("no Go for Xen toolchain at %s (run ./make.bash, or set GOXEN_GOROOT): %v", goroot, err)
			return
		}
		out, err := exec.Command(gobin, "tool", "dist", "list").CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("xen/amd64")) {
			gorootErr = fmt.Errorf("%s does not list xen/amd64 (err %v): %s", gobin, err, out)
		}
	})
	if gorootErr != nil {
		t.Fatal(gorootErr)
	}
	return goroot
}

// GoCmd returns a command running the toolchain's go with args, with the
// toolchain's bin first on PATH (so that go finds go_xen_amd64_exec) and no
// GOOS/GOARCH/GOFLAGS inherited from the caller; env entries are added.
func GoCmd(t testing.TB, env []string, args ...string) *exec.Cmd {
	t.Helper()
	root := GOROOT(t)
	cmd := exec.Command(filepath.Join(root, "bin", "go"), args...)
	cmd.Env = append(cleanEnv(root), env...)
	return cmd
}

func cleanEnv(goroot string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOOS", "GOARCH", "GOFLAGS", "GOROOT", "CGO_ENABLED", "GOTOOLCHAIN", "PATH":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PATH="+filepath.Join(goroot, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// Run runs cmd and fails the test with its output if it fails.
func Run(t testing.TB, cmd *exec.Cmd) []byte {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return out
}

// BuildXen builds the Go program with the given main-package source files
// (name -> contents) for GOOS=xen and returns the image's path.
func BuildXen(t testing.TB, files map[string]string, flags ...string) string {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["go.mod"]; !ok {
		files["go.mod"] = "module example.com/prog\n\ngo 1.26\n"
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "prog.xen")
	cmd := GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, append(append([]string{"build", "-o", out}, flags...), ".")...)
	cmd.Dir = dir
	Run(t, cmd)
	return out
}

// HelloWorld is a minimal program that prints "hello, xen".
const HelloWorld = `package main

import "fmt"

func main() {
	fmt.Println("hello, xen")
}
`

// Symbols returns the addresses of the symbols of the ELF file f, by name.
func Symbols(t testing.TB, f *elf.File) map[string]uint64 {
	t.Helper()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	addr := make(map[string]uint64, len(syms))
	for _, s := range syms {
		addr[s.Name] = s.Value
	}
	return addr
}
