// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// xenElfnotePhys32Entry is XEN_ELFNOTE_PHYS32_ENTRY (xen/include/public/elfnote.h):
// the 32-bit physical entry point of a PVH kernel.
const xenElfnotePhys32Entry = 18

// CheckImage reports whether the file at path is a GOOS=xen image: an
// x86-64 ELF with a PT_NOTE "Xen" note of type XEN_ELFNOTE_PHYS32_ENTRY,
// which is how Xen finds the PVH entry point.
func CheckImage(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		return fmt.Errorf("%s: not a GOOS=xen image (not an ELF file)", path)
	}
	if ef.Class != elf.ELFCLASS64 || ef.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s: not a GOOS=xen image (an ELF file for %v %v, not ELF64 x86-64)", path, ef.Class, ef.Machine)
	}
	for _, p := range ef.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(p.Open(), 1<<20))
		if err != nil {
			return fmt.Errorf("%s: reading a PT_NOTE segment: %v", path, err)
		}
		if hasPVHNote(data, ef.ByteOrder) {
			return nil
		}
	}
	return fmt.Errorf("%s: not a GOOS=xen image (an ELF file without the Xen PVH entry note; build it with GOOS=xen GOARCH=amd64)", path)
}

// hasPVHNote reports whether a note segment holds the Xen PVH entry note.
func hasPVHNote(data []byte, bo binary.ByteOrder) bool {
	for len(data) >= 12 {
		namesz := uint64(bo.Uint32(data[0:]))
		descsz := uint64(bo.Uint32(data[4:]))
		typ := bo.Uint32(data[8:])
		data = data[12:]
		nameEnd := (namesz + 3) &^ 3
		descEnd := nameEnd + (descsz+3)&^3
		if nameEnd > uint64(len(data)) {
			return false
		}
		name := data[:namesz]
		if typ == xenElfnotePhys32Entry && bytes.Equal(bytes.TrimRight(name, "\x00"), []byte("Xen")) && descsz >= 4 {
			return true
		}
		if descEnd > uint64(len(data)) {
			return false
		}
		data = data[descEnd:]
	}
	return false
}

// DefaultXen is Debian's Xen hypervisor (package xen-hypervisor-4.17-amd64).
const DefaultXen = "/boot/xen-4.17-amd64.gz"

// InstallHint says how to get what the runner needs on Debian.
const InstallHint = "install QEMU and Xen with: apt-get install qemu-system-x86 xen-hypervisor-4.17-amd64"

// ErrNotFound marks a missing QEMU or Xen.
var ErrNotFound = errors.New("not found")

// XenELF opens an uncompressed Xen hypervisor image for QEMU's multiboot
// loader. path is GOXEN_XEN, or empty for DefaultXen. A gzip'd image is
// unpacked once into cacheDir (usually os.UserCacheDir()/goxen), named by the
// SHA-256 of the .gz and moved into place atomically; without a usable
// cacheDir it is unpacked into an unlinked temporary file.
func XenELF(path, cacheDir string) (*os.File, error) {
	if path == "" {
		path = DefaultXen
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("the Xen hypervisor %s: %w; %s (or point GOXEN_XEN at a Xen ELF or .gz)", path, ErrNotFound, InstallHint)
		}
		return nil, err
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return nil, fmt.Errorf("the Xen hypervisor %s: too short to be a Xen image", path)
	}
	switch {
	case magic[0] == 0x1f && magic[1] == 0x8b:
	case string(magic[:]) == elf.ELFMAG:
		return os.Open(path)
	default:
		return nil, fmt.Errorf("the Xen hypervisor %s: neither an ELF file nor gzip'd", path)
	}

	h := sha256.New()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("reading %s: %v", path, err)
	}
	name := "xen-" + hex.EncodeToString(h.Sum(nil))[:24]

	if cacheDir != "" {
		cached := filepath.Join(cacheDir, name)
		if x, err := openELF(cached); err == nil {
			return x, nil
		}
		if err := os.MkdirAll(cacheDir, 0o777); err == nil {
			if tmp, err := gunzipTemp(f, cacheDir, name+".tmp*"); err == nil {
				tmp.Close()
				if err := os.Rename(tmp.Name(), cached); err == nil {
					return openELF(cached)
				}
				os.Remove(tmp.Name())
			}
		}
	}
	tmp, err := gunzipTemp(f, "", "goxen-"+name+"-*")
	if err != nil {
		return nil, fmt.Errorf("unpacking %s: %v", path, err)
	}
	os.Remove(tmp.Name())
	return tmp, nil
}

// openELF opens path if it is an ELF file.
func openELF(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var magic [4]byte
	if _, err := f.ReadAt(magic[:], 0); err != nil || string(magic[:]) != elf.ELFMAG {
		f.Close()
		return nil, fmt.Errorf("%s: not an ELF file", path)
	}
	return f, nil
}

// gunzipTemp unpacks the gzip file f into a new temporary file (os.CreateTemp's
// dir and pattern) and checks that the result is an ELF file.
func gunzipTemp(f *os.File, dir, pattern string) (tmp *os.File, err error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tmp, err = os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, zr); err != nil {
		return nil, err
	}
	if err = zr.Close(); err != nil {
		return nil, err
	}
	var magic [4]byte
	if _, err = tmp.ReadAt(magic[:], 0); err != nil || string(magic[:]) != elf.ELFMAG {
		return nil, fmt.Errorf("%s does not unpack to an ELF file", f.Name())
	}
	if err = tmp.Chmod(0o644); err != nil {
		return nil, err
	}
	return tmp, nil
}
