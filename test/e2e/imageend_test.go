// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package e2e

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"goforxen.dev/test/internal/xentest"
)

// An image whose end (runtime.end) is not on a page boundary and that has no
// lazy bss boots: the runtime once made a lazily backed hole of the image's
// last page in that case, the top of the boot stack, and start of day
// returned to address 0. Which images hit it depended on their size (a
// path's length in the binary was enough), so the test builds the same
// program with bss padding of several sizes below the boot stack's, and
// checks that at least one of them has the case: the boot stack last, its
// top at an image end off a page boundary.
func TestImageEndOffPage(t *testing.T) {
	t.Parallel()
	hit := 0
	for _, pad := range []int{1, 8192, 32768} {
		dir := t.TempDir()
		files := map[string]string{
			"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"booted\", len(pad)) }\n",
			"pad.go":  fmt.Sprintf("package main\n\nvar pad [%d]byte\n\nfunc init() { pad[0] = 1 }\n", pad),
		}
		for name, src := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o666); err != nil {
				t.Fatal(err)
			}
		}
		img := filepath.Join(dir, "pad.xen")
		cmd := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64", "GO111MODULE=off"}, "build", "-o", img, ".")
		cmd.Dir = dir
		xentest.Run(t, cmd)
		if stackTopAtOffPageEnd(t, img) {
			hit++
		}
		r := runXen(t, img, 64, nil)
		expect(t, r, 0, fmt.Sprintf(`(?m)^booted %d$`, pad))
	}
	if hit == 0 {
		t.Errorf("in no image was the boot stack's top the image's end off a page: the test no longer tests what it says")
	}
}

// stackTopAtOffPageEnd reports whether img's boot stack ends where the image
// does, off a page boundary.
func stackTopAtOffPageEnd(t *testing.T, img string) bool {
	f, err := elf.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	var stackTop, end uint64
	for _, s := range syms {
		switch s.Name {
		case "runtime.xenBootStack":
			stackTop = s.Value + s.Size
		case "runtime.end":
			end = s.Value
		}
	}
	return stackTop != 0 && stackTop == end && end%4096 != 0
}
