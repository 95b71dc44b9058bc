// Copyright 2026 The Go for Xen Authors.

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
// program with bss padding of several sizes below the boot stack's.
func TestImageEndOffPage(t *testing.T) {
	t.Parallel()
	offPage := 0
	for _, pad := range []int{1, 1024, 2048, 3072} {
		dir := t.TempDir()
		src := fmt.Sprintf("package main\n\nimport \"fmt\"\n\nvar pad [%d]byte\n\nfunc main() { pad[0] = 1; fmt.Println(\"booted\", len(pad)) }\n", pad)
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
		img := filepath.Join(dir, "pad.xen")
		cmd := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64", "GO111MODULE=off"}, "build", "-o", img, "main.go")
		cmd.Dir = dir
		xentest.Run(t, cmd)
		f, err := elf.Open(img)
		if err != nil {
			t.Fatal(err)
		}
		var end uint64
		for _, p := range f.Progs {
			if p.Type == elf.PT_LOAD && p.Paddr+p.Memsz > end {
				end = p.Paddr + p.Memsz
			}
		}
		f.Close()
		if end%4096 != 0 {
			offPage++
		}
		r := runXen(t, img, 64, nil)
		expect(t, r, 0, fmt.Sprintf(`(?m)^booted %d$`, pad))
	}
	if offPage == 0 {
		t.Errorf("no image ended off a page boundary: the test no longer tests what it says")
	}
}
