package qemuxen

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTestTimeout(t *testing.T) {
	for _, tt := range []struct {
		args []string
		d    time.Duration
		ok   bool
	}{
		{nil, 0, false},
		{[]string{"-test.v", "-test.run", "X"}, 0, false},
		{[]string{"-test.timeout=10m0s"}, 10 * time.Minute, true},
		{[]string{"--test.timeout=3s"}, 3 * time.Second, true},
		{[]string{"-test.timeout", "90s", "-test.v"}, 90 * time.Second, true},
		{[]string{"--test.timeout", "1h"}, time.Hour, true},
		{[]string{"-test.timeout=0"}, 0, true},
		{[]string{"-test.timeout=1s", "-test.timeout=2s"}, 2 * time.Second, true},
		{[]string{"-test.timeout=bogus"}, 0, false},
		{[]string{"-test.timeout"}, 0, false},
		{[]string{"--", "-test.timeout=1s"}, 0, false},
		{[]string{"-test.timeoutx=1s", "-test.timeout.x=1s"}, 0, false},
		{[]string{"-test.run", "-test.timeout=5s"}, 5 * time.Second, true},
	} {
		d, ok := TestTimeout(tt.args)
		if d != tt.d || ok != tt.ok {
			t.Errorf("TestTimeout(%q) = %v, %v; want %v, %v", tt.args, d, ok, tt.d, tt.ok)
		}
	}
}

func TestTimeoutRules(t *testing.T) {
	g := TestTimeoutGrace
	for _, tt := range []struct {
		env   string
		set   bool
		args  []string
		limit time.Duration
		err   bool
	}{
		{"", false, nil, DefaultTimeout, false},
		{"5s", true, nil, 5 * time.Second, false},
		{"0", true, nil, 0, false},
		{"", false, []string{"-test.timeout=10m0s"}, 10*time.Minute + g, false},
		{"", false, []string{"-test.timeout=1h"}, time.Hour + g, false},
		{"", false, []string{"-test.timeout=0s"}, 0, false},
		{"5s", true, []string{"-test.timeout=10m"}, 5 * time.Second, false},
		{"1h", true, []string{"-test.timeout=1m"}, time.Minute + g, false},
		{"0", true, []string{"-test.timeout=1m"}, time.Minute + g, false},
		{"5s", true, []string{"-test.timeout=0"}, 5 * time.Second, false},
		{"bogus", true, nil, 0, true},
		{"-5s", true, nil, 0, true},
		{"10", true, nil, 0, true},
	} {
		limit, why, err := Timeout(tt.env, tt.set, tt.args)
		if (err != nil) != tt.err || limit != tt.limit {
			t.Errorf("Timeout(%q, %v, %q) = %v, %q, %v; want %v, error %v", tt.env, tt.set, tt.args, limit, why, err, tt.limit, tt.err)
		}
		if err == nil && why == "" {
			t.Errorf("Timeout(%q, %v, %q): no reason given", tt.env, tt.set, tt.args)
		}
	}
}

func TestParseMemory(t *testing.T) {
	for _, tt := range []struct {
		s   string
		mib int
	}{
		{"512", 512}, {"64", 64}, {"4", 4}, {"256M", 256}, {"256MiB", 256}, {"1G", 1024}, {"2GiB", 2048},
		{" 128 ", 128},
	} {
		if got, err := ParseMemory(tt.s); err != nil || got != tt.mib {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", tt.s, got, err, tt.mib)
		}
	}
	for _, s := range []string{"", "0", "-1", "3", "abc", "1.5G", "12K", "1T", "99999999999", "0x100", "1048577", "1025G"} {
		if got, err := ParseMemory(s); err == nil {
			t.Errorf("ParseMemory(%q) = %d, want an error", s, got)
		} else if !strings.Contains(err.Error(), "GOXEN_MEMORY") {
			t.Errorf("ParseMemory(%q): error %q does not name GOXEN_MEMORY", s, err)
		}
	}
}

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

func TestXenOverhead(t *testing.T) {
	// Measured minimums of extra machine memory for a dom0 of N MiB.
	for mem, need := range map[int]int{64: 12, 512: 16, 2048: 40, 4096: 80} {
		if got := XenOverhead(mem); got < need {
			t.Errorf("XenOverhead(%d) = %d, measured need %d", mem, got, need)
		}
	}
	// The boot modules come on top, rounded up to MiB.
	if got, want := MachineMemory(512, 36<<20+1), 512+XenOverhead(512)+37; got != want {
		t.Errorf("MachineMemory(512, 36 MiB + 1) = %d, want %d", got, want)
	}
}

func TestWorkFilesAndModule(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "pkg")
	for name, data := range map[string]string{
		"pkg/a_test.go":           "package a\n",
		"pkg/data.bin":            "\x00\x01",
		"pkg/testdata/x.txt":      "x\n",
		"pkg/testdata/deep/y.txt": "y\n",
		"pkg/subpkg/other.go":     "package other\n",
		"pkg/testdata/" + long():  "long name\n",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("data.bin", filepath.Join(pkg, "link"))
	paths, size, err := WorkFiles(pkg)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, p := range paths {
		r, _ := filepath.Rel(dir, p)
		rel = append(rel, r)
	}
	want := []string{"pkg", "pkg/a_test.go", "pkg/data.bin", "pkg/link", "pkg/subpkg", "pkg/testdata", "pkg/testdata/deep", "pkg/testdata/deep/y.txt", "pkg/testdata/" + long(), "pkg/testdata/x.txt"}
	if !reflect.DeepEqual(rel, want) {
		t.Errorf("WorkFiles:\n got %q\nwant %q", rel, want)
	}
	if size != int64(len("package a\n")+2+2+2+len("long name\n")) {
		t.Errorf("size = %d", size)
	}

	var b bytes.Buffer
	if err := WriteModule(&b, []byte("A=1 -- x\n"), paths); err != nil {
		t.Fatal(err)
	}
	m := b.Bytes()
	// The runtime's test for an archive (internal/runtime/xen.IsTar).
	if len(m) < 512 || string(m[257:262]) != "ustar" {
		t.Fatalf("module does not start with a ustar header")
	}
	tr := tar.NewReader(bytes.NewReader(m))
	got := map[string]string{}
	var order []string
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(tr)
		got[h.Name] = string(data)
		if h.Typeflag == tar.TypeSymlink {
			got[h.Name] = "-> " + h.Linkname
		}
		order = append(order, h.Name)
	}
	if order[0] != CmdlineMember || got[CmdlineMember] != "A=1 -- x\n" {
		t.Errorf("first member %q = %q", order[0], got[order[0]])
	}
	base := strings.TrimPrefix(filepath.ToSlash(pkg), "/")
	for name, want := range map[string]string{
		base + "/":                    "",
		base + "/data.bin":            "\x00\x01",
		base + "/link":                "-> data.bin",
		base + "/testdata/deep/y.txt": "y\n",
		base + "/testdata/" + long():  "long name\n",
	} {
		if g, ok := got[name]; !ok || g != want {
			t.Errorf("member %q = %q, %v; want %q", name, g, ok, want)
		}
	}
	// Files only: no command line member.
	b.Reset()
	WriteModule(&b, nil, paths[:1])
	tr = tar.NewReader(bytes.NewReader(b.Bytes()))
	if h, err := tr.Next(); err != nil || h.Name != base+"/" {
		t.Errorf("files-only module starts with %v, %v", h, err)
	}
}

func long() string { return strings.Repeat("long-", 30) + "name.txt" }

// A package of a GOROOT also gets the GOROOT's time zone database, its
// src/testdata and the testdata directories above the package.
func TestWorkFilesGOROOT(t *testing.T) {
	root := t.TempDir()
	for name, data := range map[string]string{
		"VERSION":                         "go1.26.8\n",
		"lib/time/zoneinfo.zip":           "zip",
		"src/testdata/shared.txt":         "s",
		"src/compress/testdata/e.txt":     "e",
		"src/compress/lzw/reader.go":      "package lzw\n",
		"src/compress/other/x.txt":        "not given",
		"src/compress/lzw/testdata/t":     "t",
		"src/image/testdata/never.gif":    "other tree",
		"src/compress/lzw/sub/testdata/s": "below",
		"src/compress/lzw/sub/code.go":    "not given",
		"src/compress/compress.go":        "above",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	paths, _, err := WorkFiles(filepath.Join(root, "src/compress/lzw"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range paths {
		r, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(r)] = true
	}
	for _, want := range []string{"lib/time/zoneinfo.zip", "src/testdata/shared.txt", "src/compress/testdata/e.txt", "src/compress/lzw/testdata/t", "src/compress/lzw/reader.go", "src/compress/lzw/sub/testdata/s", "src/compress/compress.go"} {
		if !got[want] {
			t.Errorf("WorkFiles lacks %s: %v", want, got)
		}
	}
	for _, never := range []string{"src/compress/other/x.txt", "src/image/testdata/never.gif", "src/compress/lzw/sub/code.go"} {
		if got[never] {
			t.Errorf("WorkFiles gives %s", never)
		}
	}
}
