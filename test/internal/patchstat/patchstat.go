// Package patchstat measures the patch series (patches/*.patch): how many
// patches, how many upstream files they change and how many lines they add
// and remove. The figures command prints it and a toolchain test holds the
// README's figure to it.
package patchstat

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Stats is the size of a patch series.
type Stats struct {
	Patches, Files, Added, Removed int
}

// String is the figure as the README states it.
func (s Stats) String() string {
	return fmt.Sprintf("%d patches, %d upstream files, +%d −%d lines", s.Patches, s.Files, s.Added, s.Removed)
}

// Count reads the *.patch files in dir (git format-patch output). A file
// counts once however many patches change it; a rename counts its old name.
func Count(dir string) (Stats, error) {
	patches, err := filepath.Glob(filepath.Join(dir, "*.patch"))
	if err != nil {
		return Stats{}, err
	}
	if len(patches) == 0 {
		return Stats{}, fmt.Errorf("no patches in %s", dir)
	}
	st := Stats{Patches: len(patches)}
	files := map[string]bool{}
	for _, p := range patches {
		f, err := os.Open(p)
		if err != nil {
			return Stats{}, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		inDiff := false // past the commit message
		for sc.Scan() {
			l := sc.Text()
			switch {
			case strings.HasPrefix(l, "diff --git "):
				inDiff = true
				files[strings.TrimPrefix(strings.Fields(l)[2], "a/")] = true
			case !inDiff, strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			case strings.HasPrefix(l, "+"):
				st.Added++
			case strings.HasPrefix(l, "-"):
				st.Removed++
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return Stats{}, fmt.Errorf("%s: %v", p, err)
		}
	}
	st.Files = len(files)
	return st, nil
}
