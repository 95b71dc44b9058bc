// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package toolchain

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"goforxen.dev/test/internal/xentest"
)

// cmd/dist, which builds the toolchain's own runtime for the host, finds a
// file's GOOS suffix with strings.Index: in a name that begins with "xen",
// such as xenstore_xen.go, it sees no suffix and compiles the file for
// linux, and a full make.bash fails. go build is not fooled, so only a full
// build would show it: check the overlays' names instead.
func TestOverlayNamesDistCanRead(t *testing.T) {
	root := xentest.RepoRoot(t)
	for _, dir := range []string{"src", "runtime-xen"} {
		filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			name := d.Name()
			if strings.HasPrefix(name, "xen") && (strings.Contains(name, "_xen.") || strings.Contains(name, "_xen_")) {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s: a name that begins with \"xen\" hides its _xen suffix from cmd/dist; rename it", rel)
			}
			return nil
		})
	}
}
