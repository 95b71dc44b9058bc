// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestWorkFilesAndModule(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "pkg")
	for name, data := range map[string]string{
		"pkg/a_test.go":           "package a\n",
		"pkg/data.bin":            "\x00\x01",
		"pkg/testdata/x.txt":      "x\n",
		"pkg/testdata/deep/y.txt": "y\n",
		"pkg/subpkg/other.go":     "package other\n",
		"pkg/testdata/" + long():  "long name\n",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("data.bin", filepath.Join(pkg, "link"))
	paths, size, err := WorkFiles(pkg)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, p := range paths {
		r, _ := filepath.Rel(dir, p)
		rel = append(rel, r)
	}
	want := []string{"pkg", "pkg/a_test.go", "pkg/data.bin", "pkg/link", "pkg/subpkg", "pkg/testdata", "pkg/testdata/deep", "pkg/testdata/deep/y.txt", "pkg/testdata/" + long(), "pkg/testdata/x.txt"}
	if !reflect.DeepEqual(rel, want) {
		t.Errorf("WorkFiles:\n got %q\nwant %q", rel, want)
	}
	if size != int64(len("package a\n")+2+2+2+len("long name\n")) {
		t.Errorf("size = %d", size)
	}

	var b bytes.Buffer
	if err := WriteModule(&b, []byte("A=1 -- x\n"), paths); err != nil {
		t.Fatal(err)
	}
	m := b.Bytes()
	// The runtime's test for an archive (internal/runtime/xen.IsTar).
	if len(m) < 512 || string(m[257:262]) != "ustar" {
		t.Fatalf("module does not start with a ustar header")
	}
	tr := tar.NewReader(bytes.NewReader(m))
	got := map[string]string{}
	var order []string
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(tr)
		got[h.Name] = string(data)
		if h.Typeflag == tar.TypeSymlink {
			got[h.Name] = "-> " + h.Linkname
		}
		order = append(order, h.Name)
	}
	if order[0] != CmdlineMember || got[CmdlineMember] != "A=1 -- x\n" {
		t.Errorf("first member %q = %q", order[0], got[order[0]])
	}
	base := strings.TrimPrefix(filepath.ToSlash(pkg), "/")
	for name, want := range map[string]string{
		base + "/":                    "",
		base + "/data.bin":            "\x00\x01",
		base + "/link":                "-> data.bin",
		base + "/testdata/deep/y.txt": "y\n",
		base + "/testdata/" + long():  "long name\n",
	} {
		if g, ok := got[name]; !ok || g != want {
			t.Errorf("member %q = %q, %v; want %q", name, g, ok, want)
		}
	}
	// Files only: no command line member.
	b.Reset()
	WriteModule(&b, nil, paths[:1])
	tr = tar.NewReader(bytes.NewReader(b.Bytes()))
	if h, err := tr.Next(); err != nil || h.Name != base+"/" {
		t.Errorf("files-only module starts with %v, %v", h, err)
	}
}

func long() string { return strings.Repeat("long-", 30) + "name.txt" }

// A package of a GOROOT also gets the GOROOT's time zone database, its
// src/testdata and the testdata directories above the package.
func TestWorkFilesGOROOT(t *testing.T) {
	root := t.TempDir()
	for name, data := range map[string]string{
		"VERSION":                         "go1.26.8\n",
		"lib/time/zoneinfo.zip":           "zip",
		"src/testdata/shared.txt":         "s",
		"src/compress/testdata/e.txt":     "e",
		"src/compress/lzw/reader.go":      "package lzw\n",
		"src/compress/other/x.txt":        "not given",
		"src/compress/lzw/testdata/t":     "t",
		"src/image/testdata/never.gif":    "other tree",
		"src/compress/lzw/sub/testdata/s": "below",
		"src/compress/lzw/sub/code.go":    "not given",
		"src/compress/compress.go":        "above",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	paths, _, err := WorkFiles(filepath.Join(root, "src/compress/lzw"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range paths {
		r, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(r)] = true
	}
	for _, want := range []string{"lib/time/zoneinfo.zip", "src/testdata/shared.txt", "src/compress/testdata/e.txt", "src/compress/lzw/testdata/t", "src/compress/lzw/reader.go", "src/compress/lzw/sub/testdata/s", "src/compress/compress.go"} {
		if !got[want] {
			t.Errorf("WorkFiles lacks %s: %v", want, got)
		}
	}
	for _, never := range []string{"src/compress/other/x.txt", "src/image/testdata/never.gif", "src/compress/lzw/sub/code.go"} {
		if got[never] {
			t.Errorf("WorkFiles gives %s", never)
		}
	}
}
