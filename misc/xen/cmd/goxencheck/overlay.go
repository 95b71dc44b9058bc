// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// writeOverlay writes, for go build's -overlay flag, the JSON file path
// and beside it (path less .json, plus ".files") rewritten copies of the
// files the fixes name: each with its proposed build line in place of the
// old one (or first, when it had none), and a file whose name's suffix
// leaves xen out under its name without the suffix, the old name deleted.
// With it the module builds for xen as the fixes would make it, its
// dependencies unchanged in the module cache:
//
//	GOOS=xen go build -overlay path ./...
func writeOverlay(path string, findings []buildFinding) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	dir := strings.TrimSuffix(abs, ".json") + ".files"
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	modcache := goEnv("GOMODCACHE")
	replace := map[string]string{}
	n := 0
	for _, f := range findings {
		for _, x := range f.Fixes {
			if modcache != "" && strings.HasPrefix(x.File, modcache+string(filepath.Separator)) {
				return fmt.Errorf("%s is in the module cache, where go build -overlay may not replace files: "+
					"run go mod vendor in the module first (the files are then in ./vendor, and go builds from there), then goxencheck -overlay again", x.File)
			}
			src, err := os.ReadFile(x.File)
			if err != nil {
				return err
			}
			out, err := applyFix(string(src), x)
			if err != nil {
				return fmt.Errorf("%s: %v", x.File, err)
			}
			n++
			copyPath := filepath.Join(dir, strconv.Itoa(n)+"_"+filepath.Base(x.File))
			if err := os.WriteFile(copyPath, []byte(out), 0o666); err != nil {
				return err
			}
			if x.Suffix != "" {
				replace[x.File] = "" // deleted
				replace[strings.TrimSuffix(x.File, "_"+x.Suffix+".go")+".go"] = copyPath
			} else {
				replace[x.File] = copyPath
			}
		}
	}
	data, err := json.MarshalIndent(struct{ Replace map[string]string }{replace}, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(abs, append(data, '\n'), 0o666)
}

// readOverlay reads an overlay file as go/packages takes one: the
// replaced and added files' contents (a file the overlay deletes is one
// xen's build leaves out anyway: the old name of a renamed file).
func readOverlay(path string) (map[string][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ov struct{ Replace map[string]string }
	if err := json.Unmarshal(data, &ov); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	files := map[string][]byte{}
	for file, with := range ov.Replace {
		if with == "" {
			continue
		}
		if files[file], err = os.ReadFile(with); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// goEnv is go env's value of name ("" when the go command fails).
func goEnv(name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// applyFix returns src with fix x's build line.
func applyFix(src string, x fileFix) (string, error) {
	if x.Old == "" {
		return x.New + "\n\n" + src, nil
	}
	lines := strings.SplitAfter(src, "\n")
	if x.Line < 1 || x.Line > len(lines) || strings.TrimSpace(lines[x.Line-1]) != x.Old {
		return "", fmt.Errorf("line %d is not %q any more", x.Line, x.Old)
	}
	lines[x.Line-1] = x.New + "\n"
	return strings.Join(lines, ""), nil
}
