// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen_test

import (
	"archive/tar"
	"bytes"
	"internal/runtime/xen"
	"strings"
	"testing"
	"time"
)

type member struct {
	name, link string
	typ        byte
	mode       int64
	data       string
}

func archive(t *testing.T, format tar.Format, ms []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Linkname: m.link, Typeflag: m.typ, Mode: m.mode,
			Size: int64(len(m.data)), ModTime: time.Unix(1700000000, 0), Format: format}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(m.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readAll(t *testing.T, b []byte) ([]member, string) {
	t.Helper()
	r := xen.NewTarReader(b)
	var got []member
	for {
		e, ok := r.Next()
		if !ok {
			return got, r.Err()
		}
		name := e.Name
		if e.Prefix != "" {
			name = e.Prefix + "/" + e.Name
		}
		if e.Mtime != 1700000000 {
			t.Errorf("%s: mtime %d", name, e.Mtime)
		}
		got = append(got, member{name, e.Linkname, e.Type, e.Mode, string(e.Data)})
	}
}

func TestTarReaderRoundTrip(t *testing.T) {
	long := strings.Repeat("very-long-directory-name/", 12) + "file.txt" // > 255 bytes: pax
	split := strings.Repeat("d", 90) + "/" + strings.Repeat("f", 90)     // ustar prefix/name
	ms := []member{
		{"dir/", "", tar.TypeDir, 0o755, ""},
		{"dir/file.txt", "", tar.TypeReg, 0o644, "hello\n"},
		{"dir/empty", "", tar.TypeReg, 0o600, ""},
		{"dir/big", "", tar.TypeReg, 0o644, strings.Repeat("x", 70000)},
		{"dir/sym", "file.txt", tar.TypeSymlink, 0o777, ""},
		{"dir/hard", "dir/file.txt", tar.TypeLink, 0o644, ""},
		{split, "", tar.TypeReg, 0o644, "split"},
		{long, "", tar.TypeReg, 0o644, "long"},
		{"ünïcode/名前", "", tar.TypeReg, 0o644, "utf8"},
	}
	for _, format := range []tar.Format{tar.FormatPAX, tar.FormatGNU} {
		got, err := readAll(t, archive(t, format, ms))
		if err != "" {
			t.Fatalf("%v: %s", format, err)
		}
		if len(got) != len(ms) {
			t.Fatalf("%v: %d members, want %d: %+v", format, len(got), len(ms), got)
		}
		for i, m := range ms {
			if got[i] != m {
				t.Errorf("%v: member %d = %+v, want %+v", format, i, got[i], m)
			}
		}
	}
}

func TestTarReaderErrors(t *testing.T) {
	good := archive(t, tar.FormatUSTAR, []member{{"a", "", tar.TypeReg, 0o644, strings.Repeat("y", 1000)}})
	if !xen.IsTar(good) {
		t.Fatal("IsTar(ustar archive) = false")
	}
	if xen.IsTar([]byte("plain text command line")) {
		t.Fatal("IsTar(text) = true")
	}
	for name, b := range map[string][]byte{
		"truncated data":   good[:700],
		"truncated header": good[:300],
		"bad checksum":     append([]byte{good[0] ^ 1}, good[1:]...),
	} {
		if _, err := readAll(t, b); err == "" {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzTarReader(f *testing.F) {
	f.Add(archive(&testing.T{}, tar.FormatPAX, []member{{"a/b", "", tar.TypeReg, 0o644, "data"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := xen.NewTarReader(b)
		for i := 0; i < 10000; i++ {
			e, ok := r.Next()
			if !ok {
				return
			}
			if len(e.Data) > len(b) {
				t.Fatalf("member data longer than the archive")
			}
		}
		t.Fatalf("Next did not stop")
	})
}
