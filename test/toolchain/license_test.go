package toolchain

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"goforxen.dev/test/internal/xentest"
)

// licenseHeader is the header every Go and assembly file of the port that
// ships in the GOROOT carries, as Go's own files do: upstream's
// internal/copyright test requires a copyright line in each .go file of a
// GOROOT, and the header names the license (the repository's LICENSE,
// go/misc/xen/LICENSE in the release archives).
const licenseHeader = "// Copyright 2026 The Go for Xen Authors. All rights reserved.\n" +
	"// Use of this source code is governed by a BSD-style\n" +
	"// license that can be found in the LICENSE file.\n\n"

// Every .go and .s file of the overlays (src/, runtime-xen/), of misc/xen
// (the host tools, shipped in the archives; its testdata are fixtures that
// mimic other projects' files, and exempt) and netstack-deps starts with
// licenseHeader, followed by a blank line (so that it is not a doc comment).
func TestLicenseHeaders(t *testing.T) {
	root := xentest.RepoRoot(t)
	n := 0
	for _, d := range []string{"src", "runtime-xen", "misc/xen", "netstack-deps"} {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if de.IsDir() {
				if de.Name() == "testdata" || de.Name() == "vendor" {
					return filepath.SkipDir
				}
				return nil
			}
			if ext := filepath.Ext(p); ext != ".go" && ext != ".s" {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			n++
			if !strings.HasPrefix(string(data), licenseHeader) {
				rel, _ := filepath.Rel(root, p)
				first, _, _ := strings.Cut(string(data), "\n")
				t.Errorf("%s does not start with the license header (its first line: %q); want:\n%s", rel, first, licenseHeader)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 100 {
		t.Fatalf("checked only %d files", n)
	}
}

// The repository's LICENSE is the BSD 3-clause license of Go's, naming the
// project's authors.
func TestLicenseFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(xentest.RepoRoot(t), "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Copyright 2026 The Go for Xen Authors.\n",
		"Redistribution and use in source and binary forms, with or without\nmodification, are permitted",
		"Neither the name of the copyright holder nor the names of its\ncontributors may be used to endorse",
		"THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS\n\"AS IS\"",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("LICENSE lacks %q", want)
		}
	}
}
