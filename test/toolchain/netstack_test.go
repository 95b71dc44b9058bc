// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package toolchain

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"goforxen.dev/test/internal/xentest"
)

const netProgram = `package main

import (
	"fmt"
	"net/http"
)

func main() {
	fmt.Println(http.ListenAndServe(":8080", nil))
}
`

// A GOOS=xen program that uses net (here through net/http) gets the network
// stack with no import of its own; one that does not, does not.
func TestNetstackLinkedOnlyWithNet(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		stack     bool
	}{
		{"hello", xentest.HelloWorld, false},
		{"net/http", netProgram, true},
	} {
		img := xentest.BuildXen(t, map[string]string{"main.go": tc.src})
		f, err := elf.Open(img)
		if err != nil {
			t.Fatal(err)
		}
		syms := xentest.Symbols(t, f)
		f.Close()
		_, hasInit := syms["internal/xen/netstack.init.0"]
		_, hasTCP := syms["vendor/gvisor.dev/gvisor/pkg/tcpip/transport/tcp.NewProtocol"]
		if hasInit != tc.stack || hasTCP != tc.stack {
			t.Errorf("%s: netstack's init linked %v, gVisor's TCP linked %v; want %v", tc.name, hasInit, hasTCP, tc.stack)
		}
	}

	// go list, go vet and go test see it too.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/prog\n\ngo 1.26\n"), 0o666)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(netProgram), 0o666)
	os.WriteFile(filepath.Join(dir, "main_test.go"), []byte("package main\n\nimport \"testing\"\n\nfunc TestNothing(t *testing.T) {}\n"), 0o666)
	list := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "list", "-deps", ".")
	list.Dir = dir
	if out := string(xentest.Run(t, list)); !strings.Contains(out, "\ninternal/xen/netstack\n") {
		t.Errorf("go list -deps of a net/http program does not list internal/xen/netstack:\n%s", out)
	}
	listTest := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "list", "-test", "-deps", ".")
	listTest.Dir = dir
	if out := string(xentest.Run(t, listTest)); !strings.Contains(out, "internal/xen/netstack") {
		t.Errorf("go list -test -deps does not list internal/xen/netstack:\n%s", out)
	}
	vet := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "vet", ".")
	vet.Dir = dir
	xentest.Run(t, vet)
	testBuild := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "test", "-c", "-o", filepath.Join(dir, "prog.test"), ".")
	testBuild.Dir = dir
	xentest.Run(t, testBuild)

	// A program cannot import the stack itself: it stays internal.
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nimport _ \"internal/xen/netstack\"\n\nfunc main() {}\n"), 0o666)
	os.Remove(filepath.Join(dir, "main_test.go"))
	build := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "build", "-o", os.DevNull, ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err == nil || !strings.Contains(string(out), "use of internal package") {
		t.Errorf("importing internal/xen/netstack from a program: %v\n%s", err, out)
	}
}

// The built GOROOT vendors gVisor's packages, with the license, consistently
// with std's go.mod (as upstream's cmd/internal/moddeps checks in -short).
func TestNetstackVendored(t *testing.T) {
	root := xentest.GOROOT(t)
	for _, f := range []string{"src/vendor/gvisor.dev/gvisor/LICENSE", "src/vendor/gvisor.dev/gvisor/pkg/tcpip/stack/stack.go"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Error(err)
		}
	}
	pinned, err := os.ReadFile(filepath.Join(xentest.RepoRoot(t), "netstack-deps", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var version string
	for _, line := range strings.Split(string(pinned), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "require" && f[1] == "gvisor.dev/gvisor" {
			version = f[2]
		}
	}
	txt, err := os.ReadFile(filepath.Join(root, "src/vendor/modules.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if version == "" || !strings.Contains(string(txt), "# gvisor.dev/gvisor "+version+"\n") {
		t.Errorf("src/vendor/modules.txt does not have gvisor.dev/gvisor %q", version)
	}
	list := xentest.GoCmd(t, []string{"GO111MODULE=on", "GOWORK=off"}, "list", "-mod=vendor", "-deps", "./...")
	list.Dir = filepath.Join(root, "src")
	xentest.Run(t, list)
	listXen := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "list", "-deps", "internal/xen/netstack")
	xentest.Run(t, listXen)
}

// The vendoring step of make.bash works offline from the module cache, and
// names the module and the proxy's error when it cannot fetch one.
func TestNetstackVendoringOffline(t *testing.T) {
	repo := xentest.RepoRoot(t)
	upstream, err := exec.Command(filepath.Join(repo, "make.bash"), "-upstream").Output()
	if err != nil {
		t.Fatalf("make.bash -upstream: %v", err)
	}
	skeleton := func() string {
		dir := t.TempDir()
		for _, f := range []string{"src/go.mod", "src/go.sum", "src/vendor/modules.txt"} {
			b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(upstream)), f))
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o777)
			os.WriteFile(filepath.Join(dir, f), b, 0o666)
		}
		ns := filepath.Join(dir, "src/internal/xen/netstack")
		os.MkdirAll(ns, 0o777)
		srcs, _ := filepath.Glob(filepath.Join(repo, "runtime-xen/internal/xen/netstack/*.go"))
		for _, s := range srcs {
			b, _ := os.ReadFile(s)
			os.WriteFile(filepath.Join(ns, filepath.Base(s)), b, 0o666)
		}
		return dir
	}
	vendor := func(goroot string, env ...string) ([]byte, error) {
		cmd := xentest.GoCmd(t, append([]string{"GOPROXY=off"}, env...), "run", "netstack-deps/vendor.go", "-goroot", goroot)
		cmd.Dir = repo
		return cmd.CombinedOutput()
	}
	dir := skeleton()
	if out, err := vendor(dir); err != nil {
		t.Fatalf("vendoring with GOPROXY=off from the module cache: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "src/vendor/gvisor.dev/gvisor/LICENSE")); err != nil {
		t.Error(err)
	}
	out, err := vendor(skeleton(), "GOMODCACHE="+t.TempDir(), "GOFLAGS=-modcacherw")
	if err == nil {
		t.Fatalf("vendoring with an empty module cache and no proxy succeeded:\n%s", out)
	}
	if s := string(out); !strings.Contains(s, "gvisor.dev/gvisor@v0.0.0-") || !strings.Contains(s, "GOPROXY=off") {
		t.Errorf("the failure does not name the module and the proxy's error:\n%s", s)
	}
}
