// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// guestKernel extracts the ELF vmlinux from a bzImage's xz payload and
// writes it gzip'd (libxenguest unpacks gzip quickly; an xz bzImage is
// slow to unpack under TCG).
func guestKernel(ctx context.Context, bzImage, dst string) error {
	data, err := os.ReadFile(bzImage)
	if err != nil {
		return err
	}
	if len(data) < 0x250 || string(data[0x202:0x206]) != "HdrS" {
		return fmt.Errorf("%s: not a bzImage", bzImage)
	}
	setupSects := int(data[0x1f1])
	if setupSects == 0 {
		setupSects = 4
	}
	off := (setupSects+1)*512 + int(binary.LittleEndian.Uint32(data[0x248:]))
	n := int(binary.LittleEndian.Uint32(data[0x24c:]))
	if off+n > len(data) {
		return fmt.Errorf("%s: payload out of range", bzImage)
	}
	payload := data[off : off+n]
	var elf []byte
	switch {
	case bytes.HasPrefix(payload, []byte("\xfd7zXZ\x00")):
		xz, err := lookPath("xz")
		if err != nil {
			return err
		}
		// The kernel appends its size after the xz stream; --single-stream
		// ignores what follows the first stream.
		cmd := exec.CommandContext(ctx, xz, "-dc", "--single-stream")
		cmd.Stdin = bytes.NewReader(payload)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		elf, err = cmd.Output()
		if err != nil {
			return fmt.Errorf("xz -dc of the kernel payload: %v: %s", err, stderr.String())
		}
	case bytes.HasPrefix(payload, []byte("\x1f\x8b")):
		zr, err := gzip.NewReader(bytes.NewReader(payload))
		if err != nil {
			return err
		}
		zr.Multistream(false)
		elf, err = io.ReadAll(zr)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return err
		}
	default:
		return fmt.Errorf("%s: unknown payload compression %x", bzImage, payload[:min(6, len(payload))])
	}
	if !bytes.HasPrefix(elf, []byte("\x7fELF")) {
		return fmt.Errorf("%s: the payload is not an ELF", bzImage)
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if _, err := zw.Write(elf); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// moduleClosure returns the modules (paths relative to the module
// directory, in loading order: dependencies first) needed for names,
// reading modules.dep. Built-in modules need nothing.
func moduleClosure(moddir string, names []string) ([]string, error) {
	dep, err := os.ReadFile(filepath.Join(moddir, "modules.dep"))
	if err != nil {
		return nil, err
	}
	builtin, _ := os.ReadFile(filepath.Join(moddir, "modules.builtin"))
	norm := func(s string) string {
		s = filepath.Base(s)
		s = strings.TrimSuffix(s, ".ko")
		return strings.ReplaceAll(s, "-", "_")
	}
	deps := map[string][]string{} // path → dependency paths
	byName := map[string]string{} // normalised name → path
	sc := bufio.NewScanner(bytes.NewReader(dep))
	for sc.Scan() {
		mod, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		deps[mod] = strings.Fields(rest)
		byName[norm(mod)] = mod
	}
	isBuiltin := map[string]bool{}
	for _, l := range strings.Split(string(builtin), "\n") {
		if l != "" {
			isBuiltin[norm(l)] = true
		}
	}
	var order []string
	seen := map[string]bool{}
	var visit func(p string)
	visit = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, d := range deps[p] {
			visit(d)
		}
		order = append(order, p)
	}
	for _, n := range names {
		p, ok := byName[norm(n)]
		if !ok {
			if isBuiltin[norm(n)] {
				continue
			}
			return nil, fmt.Errorf("module %s is neither in modules.dep nor built in", n)
		}
		visit(p)
	}
	return order, nil
}
