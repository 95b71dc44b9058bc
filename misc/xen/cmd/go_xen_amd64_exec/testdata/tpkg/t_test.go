package tpkg

import (
	"os"
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
