// Tests of the toolchain: GOOS=xen is known, configured and versioned as the
// project says (README, "The toolchain").
package toolchain

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"goforxen.dev/test/internal/xentest"
)

func TestDistListHasXen(t *testing.T) {
	out := xentest.Run(t, xentest.GoCmd(t, nil, "tool", "dist", "list", "-json"))
	var ports []struct {
		GOOS, GOARCH string
		CgoSupported bool
	}
	if err := json.Unmarshal(out, &ports); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range ports {
		if p.GOOS == "xen" {
			if p.GOARCH != "amd64" {
				t.Errorf("unexpected port xen/%s", p.GOARCH)
			}
			if p.CgoSupported {
				t.Errorf("xen/amd64 claims cgo support")
			}
			found = true
		}
	}
	if !found {
		t.Fatalf("go tool dist list does not list xen/amd64")
	}
}

func TestGoEnvForXen(t *testing.T) {
	out := xentest.Run(t, xentest.GoCmd(t, []string{"GOOS=xen"}, "env", "GOOS", "GOARCH", "CGO_ENABLED", "GOTOOLCHAIN"))
	got := strings.Fields(string(out))
	want := []string{"xen", "amd64", "0", "local"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("GOOS=xen go env GOOS GOARCH CGO_ENABLED GOTOOLCHAIN = %q, want %q", got, want)
	}
}

func TestVersion(t *testing.T) {
	out := strings.TrimSpace(string(xentest.Run(t, xentest.GoCmd(t, nil, "version"))))
	want := "go version " + xentest.Version(t) + " linux/amd64"
	if out != want {
		t.Fatalf("go version = %q, want %q", out, want)
	}
}

// A module that asks for a newer Go must fail clearly rather than switch to a
// downloaded toolchain that has no GOOS=xen.
func TestNewerGoIsRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/newer\n\ngo 1.99\n"), 0o666)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o666)
	cmd := xentest.GoCmd(t, []string{"GOOS=xen"}, "build", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("go build of a go 1.99 module succeeded; want a refusal")
	}
	if !strings.Contains(string(out), "requires go >= 1.99") {
		t.Fatalf("go build of a go 1.99 module: want \"requires go >= 1.99\", got:\n%s", out)
	}
}

func TestBuildInfoOfXenImage(t *testing.T) {
	img := xentest.BuildXen(t, map[string]string{"main.go": xentest.HelloWorld})
	out := string(xentest.Run(t, xentest.GoCmd(t, nil, "version", "-m", img)))
	for _, want := range []string{
		": " + xentest.Version(t) + "\n",
		"\tpath\texample.com/prog\n",
		"\tbuild\tGOOS=xen\n",
		"\tbuild\tGOARCH=amd64\n",
		"\tbuild\tCGO_ENABLED=0\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("go version -m output lacks %q:\n%s", want, out)
		}
	}
}

// go build std, go vet std and go test -c of common packages work for xen.
func TestStdBuildsForXen(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and vets all of std (minutes); run without -short")
	}
	env := []string{"GOOS=xen", "GOARCH=amd64"}
	xentest.Run(t, xentest.GoCmd(t, env, "build", "std"))
	xentest.Run(t, xentest.GoCmd(t, env, "vet", "std"))
	dir := t.TempDir()
	for _, pkg := range []string{"strings", "sort", "encoding/json", "time", "fmt", "bytes", "strconv", "os", "net", "net/http", "runtime", "sync", "crypto/tls"} {
		out := filepath.Join(dir, strings.ReplaceAll(pkg, "/", "_")+".test")
		xentest.Run(t, xentest.GoCmd(t, env, "test", "-c", "-o", out, pkg))
	}
}

// The project's Go sources are gofmt'd.
func TestGofmt(t *testing.T) {
	root := xentest.RepoRoot(t)
	gofmt := filepath.Join(xentest.GOROOT(t), "bin", "gofmt")
	args := []string{"-l"}
	for _, d := range []string{"src", "runtime-xen", "misc", "test"} {
		args = append(args, filepath.Join(root, d))
	}
	out := xentest.Run(t, exec.Command(gofmt, args...))
	if len(out) > 0 {
		t.Errorf("not gofmt'd (gofmt -w them):\n%s", out)
	}
}
