// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// note builds one ELF note.
func note(name string, typ uint32, desc []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, []uint32{uint32(len(name) + 1), uint32(len(desc)), typ})
	b.WriteString(name + "\x00")
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	b.Write(desc)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

func TestHasPVHNote(t *testing.T) {
	le := binary.LittleEndian
	entry := []byte{0, 0, 0x10, 0}
	for _, tt := range []struct {
		name string
		data []byte
		want bool
	}{
		{"pvh", note("Xen", 18, entry), true},
		{"after others", append(note("GNU", 3, make([]byte, 20)), note("Xen", 18, entry)...), true},
		{"other Xen note", note("Xen", 6, []byte("linux\x00")), false},
		{"type 18 of another owner", note("Go", 18, entry), false},
		{"empty", nil, false},
		{"truncated", note("Xen", 18, entry)[:10], false},
	} {
		if got := hasPVHNote(tt.data, le); got != tt.want {
			t.Errorf("%s: hasPVHNote = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheckImage(t *testing.T) {
	// The test binary itself is an ELF for the host, not a GOOS=xen image.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckImage(self); err == nil || !strings.Contains(err.Error(), "not a GOOS=xen image") {
		t.Errorf("CheckImage(host binary) = %v, want not a GOOS=xen image", err)
	}
	text := filepath.Join(t.TempDir(), "script")
	os.WriteFile(text, []byte("#!/bin/sh\necho hi\n"), 0o755)
	if err := CheckImage(text); err == nil || !strings.Contains(err.Error(), "not a GOOS=xen image") {
		t.Errorf("CheckImage(script) = %v, want not a GOOS=xen image", err)
	}
	if err := CheckImage(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("CheckImage(missing file) succeeded")
	}
}

func TestXenELF(t *testing.T) {
	dir := t.TempDir()
	elfData := append([]byte("\x7fELF"), bytes.Repeat([]byte("xen"), 1000)...)
	gz := filepath.Join(dir, "xen.gz")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(elfData)
	zw.Close()
	os.WriteFile(gz, b.Bytes(), 0o644)

	cache := filepath.Join(dir, "cache")
	var wg sync.WaitGroup
	names := make([]string, 4)
	for i := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := XenELF(gz, cache)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			names[i] = f.Name()
			got, _ := os.ReadFile(f.Name())
			if !bytes.Equal(got, elfData) {
				t.Errorf("unpacked image differs")
			}
		}()
	}
	wg.Wait()
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "xen-") || names[0] != filepath.Join(cache, entries[0].Name()) {
		t.Errorf("cache holds %v; images %q", entries, names)
	}

	// Without a cache: an unlinked temporary file.
	f, err := XenELF(gz, "")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(elfData))
	if _, err := f.ReadAt(got, 0); err != nil || !bytes.Equal(got, elfData) {
		t.Errorf("uncached image: %v", err)
	}
	f.Close()

	// An ELF is used as it is.
	plain := filepath.Join(dir, "xen")
	os.WriteFile(plain, elfData, 0o644)
	if f, err := XenELF(plain, cache); err != nil || f.Name() != plain {
		t.Errorf("XenELF(ELF) = %v, %v", f, err)
	} else {
		f.Close()
	}

	// Missing: the error says what to install.
	_, err = XenELF(filepath.Join(dir, "nope.gz"), cache)
	if err == nil || !strings.Contains(err.Error(), "apt-get install qemu-system-x86 xen-hypervisor-4.17-amd64") {
		t.Errorf("XenELF(missing) = %v", err)
	}
	// Not an image.
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("junk junk"), 0o644)
	if _, err := XenELF(junk, cache); err == nil {
		t.Error("XenELF(junk) succeeded")
	}
}
