package tpkg

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestA(t *testing.T) {
	t.Log("in A")
}

func TestB(t *testing.T) {
	if os.Getenv("TPKG_FAIL") != "" {
		t.Fatal("B failed as asked")
	}
}

func TestHang(t *testing.T) {
	if os.Getenv("TPKG_HANG") == "" {
		t.Skip("TPKG_HANG not set")
	}
	time.Sleep(time.Hour)
}

// TestFiles reads the package's files: the runner gives a test binary its
// working directory and testdata.
func TestFiles(t *testing.T) {
	for name, want := range map[string]string{
		"testdata/hello.txt":    "hello, testdata\n",
		"testdata/sub/deep.txt": "deeper\n",
	} {
		b, err := os.ReadFile(name)
		if err != nil || string(b) != want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", name, b, err, want)
		}
	}
	if _, err := os.Stat("t_test.go"); err != nil {
		t.Error(err)
	}
	wd, err := os.Getwd()
	if err != nil || !strings.HasSuffix(wd, "/tpkg") {
		t.Errorf("Getwd() = %q, %v", wd, err)
	}
}
