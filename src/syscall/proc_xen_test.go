// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package syscall_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func readProc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// kv parses "Key: value" lines, as procfs's meminfo and status parsers do.
func kv(t *testing.T, s string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("line %q has no colon", line)
		}
		m[k] = strings.TrimSpace(v)
	}
	return m
}

func kB(t *testing.T, m map[string]string, key string) uint64 {
	t.Helper()
	v, ok := strings.CutSuffix(m[key], " kB")
	n, err := strconv.ParseUint(v, 10, 64)
	if !ok || err != nil {
		t.Fatalf("%s: %q, want N kB", key, m[key])
	}
	return n
}

func TestProcMeminfo(t *testing.T) {
	m := kv(t, readProc(t, "/proc/meminfo"))
	total, free, avail := kB(t, m, "MemTotal"), kB(t, m, "MemFree"), kB(t, m, "MemAvailable")
	var st syscall.Statfs_t
	if err := syscall.Statfs("/tmp", &st); err != nil {
		t.Fatal(err)
	}
	if want := st.Blocks * uint64(st.Bsize) >> 10; total != want {
		t.Errorf("MemTotal %d kB, want the domain's RAM, %d kB (Statfs of /tmp)", total, want)
	}
	if free == 0 || free >= total || avail < free || avail > total {
		t.Errorf("MemFree %d, MemAvailable %d of MemTotal %d kB", free, avail, total)
	}
	// Memory the program holds is not free: with 64 MiB live and
	// touched, the domain's used memory is at least that.
	b := make([]byte, 64<<20)
	for i := range b {
		b[i] = 1
	}
	if free2 := kB(t, kv(t, readProc(t, "/proc/meminfo")), "MemFree"); total-free2 < 64<<10 {
		t.Errorf("MemTotal %d kB - MemFree %d kB with 64 MiB live: less than 64 MiB used", total, free2)
	}
	b[len(b)-1] = 0
	if kB(t, m, "SwapTotal") != 0 {
		t.Errorf("SwapTotal: %s", m["SwapTotal"])
	}
}

// statFields splits /proc/1/stat as procfs does: the name in parentheses,
// then the fields after it.
func statFields(t *testing.T) (string, []string) {
	t.Helper()
	s := readProc(t, "/proc/self/stat")
	l, r := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if l < 0 || r < l || s[:l] != "1 " {
		t.Fatalf("/proc/self/stat: %q", s)
	}
	f := strings.Fields(s[r+1:])
	if len(f) != 52-2 {
		t.Fatalf("/proc/self/stat has %d fields, want 52: %q", len(f)+2, s)
	}
	return s[l+1 : r], f
}

func TestProcSelfStat(t *testing.T) {
	if l, err := os.Readlink("/proc/self"); err != nil || l != strconv.Itoa(os.Getpid()) {
		t.Fatalf("Readlink /proc/self = %q, %v; want the pid", l, err)
	}
	name, f := statFields(t)
	if want := filepath.Base(os.Args[0]); len(want) > 15 && name != want[:15] || len(want) <= 15 && name != want {
		t.Errorf("comm %q, os.Args[0] %q", name, os.Args[0])
	}
	field := func(f []string, i int) uint64 { // i: Linux's field number (man 5 proc)
		n, err := strconv.ParseUint(f[i-3], 10, 64)
		if err != nil {
			t.Fatalf("field %d: %v", i, err)
		}
		return n
	}
	utime, starttime, vsize, rss := field(f, 14), field(f, 22), field(f, 23), field(f, 24)
	if vsize == 0 || rss == 0 || rss*4096 > vsize {
		t.Errorf("vsize %d, rss %d pages", vsize, rss)
	}
	// CPU time grows with work; starttime is before now.
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	_, f2 := statFields(t)
	if u2 := field(f2, 14); u2 < utime+20 {
		t.Errorf("utime %d ticks after 300 ms of work, before %d", u2, utime)
	}
	up := readProc(t, "/proc/uptime")
	var upSec, idleSec float64
	if n, err := fmtSscan(up, &upSec, &idleSec); n != 2 || err != nil || upSec <= 0 || idleSec < 0 || idleSec > upSec {
		t.Fatalf("/proc/uptime %q: %v", up, err)
	}
	if float64(starttime)/100 > upSec {
		t.Errorf("starttime %d ticks, uptime %v s", starttime, upSec)
	}
	// btime + uptime is now.
	for _, line := range strings.Split(readProc(t, "/proc/stat"), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			bt, _ := strconv.ParseInt(v, 10, 64)
			if d := time.Now().Unix() - bt - int64(upSec); d < -2 || d > 2 {
				t.Errorf("btime %d + uptime %v is %d s off now", bt, upSec, d)
			}
		}
	}
}

func fmtSscan(s string, a, b *float64) (int, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, nil
	}
	var err error
	if *a, err = strconv.ParseFloat(f[0], 64); err != nil {
		return 0, err
	}
	*b, err = strconv.ParseFloat(f[1], 64)
	return 2, err
}

func TestProcSelfStatusLimitsCmdline(t *testing.T) {
	m := kv(t, readProc(t, "/proc/self/status"))
	if m["Pid"] != "1" || m["Uid"] != "0\t0\t0\t0" || m["Threads"] != "1" || kB(t, m, "VmRSS") == 0 {
		t.Errorf("status: %q", m)
	}
	lim := readProc(t, "/proc/self/limits")
	var rl syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	found := false
	for _, line := range strings.Split(lim, "\n")[1:] {
		if v, ok := strings.CutPrefix(line, "Max open files"); ok {
			found = true
			if f := strings.Fields(v); len(f) != 3 || f[0] != strconv.FormatUint(rl.Cur, 10) || f[1] != f[0] || f[2] != "files" {
				t.Errorf("Max open files: %q, RLIMIT_NOFILE %d", v, rl.Cur)
			}
		}
		if line != "" && len(line) < 25+21+21 {
			t.Errorf("limits line %q shorter than Linux's columns", line)
		}
	}
	if !found || !strings.HasPrefix(lim, "Limit                     Soft Limit           Hard Limit           Units") {
		t.Errorf("limits:\n%s", lim)
	}
	want := strings.Join(os.Args, "\x00") + "\x00"
	if got := readProc(t, "/proc/self/cmdline"); got != want {
		t.Errorf("cmdline %q, want %q", got, want)
	}
	if env := readProc(t, "/proc/self/environ"); len(os.Environ()) > 0 && !strings.Contains(env, os.Environ()[0]+"\x00") {
		t.Errorf("environ %q lacks %q", env, os.Environ()[0])
	}
	if err := os.WriteFile("/proc/self/status", nil, 0); err == nil {
		t.Errorf("writing /proc/self/status succeeded")
	}
	if err := os.WriteFile("/proc/new", nil, 0o644); err == nil {
		t.Errorf("creating /proc/new succeeded")
	}
	if err := os.Remove("/proc/uptime"); err == nil {
		t.Errorf("removing /proc/uptime succeeded")
	}
}

func TestProcSelfFD(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	open := 0
	for fd := 0; fd < 1<<16; fd++ {
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil {
			open++
		} else if fd > int(w.Fd()) {
			break
		}
	}
	// The listing has the descriptor that reads it too.
	if len(ents) != open+1 && len(ents) != open {
		t.Errorf("%d entries in /proc/self/fd, %d descriptors open", len(ents), open)
	}
	if st, err := os.Stat("/proc/self/fd"); err != nil || st.Size() != int64(open) {
		t.Errorf("Stat /proc/self/fd: size %v (%v), want %d descriptors", st.Size(), err, open)
	}
	fd := strconv.Itoa(int(f.Fd()))
	if l, err := os.Readlink("/proc/self/fd/" + fd); err != nil || l != path {
		t.Errorf("Readlink fd %s = %q, %v; want %q", fd, l, err, path)
	}
	if l, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(r.Fd()))); err != nil || !strings.HasPrefix(l, "pipe:[") {
		t.Errorf("Readlink of the pipe's fd = %q, %v", l, err)
	}
	// Opening the link opens the descriptor's file.
	if _, err := f.WriteString("through fd"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile("/proc/self/fd/" + fd); err != nil || !bytes.Equal(b, []byte("through fd")) {
		t.Errorf("reading /proc/self/fd/%s: %q, %v", fd, b, err)
	}
	f.Close()
	if _, err := os.Stat("/proc/self/fd/" + fd); !os.IsNotExist(err) {
		t.Errorf("Stat of a closed descriptor's link: %v, want not exist", err)
	}
}

func TestProcCpuinfo(t *testing.T) {
	s := readProc(t, "/proc/cpuinfo")
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		k, v, _ := strings.Cut(line, ":")
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	flags := " " + m["flags"] + " "
	if m["processor"] != "0" || m["vendor_id"] == "" || m["model name"] == "" {
		t.Errorf("cpuinfo:\n%s", s)
	}
	for _, f := range []string{"fpu", "tsc", "sse2", "lm", "hypervisor"} {
		if !strings.Contains(flags, " "+f+" ") {
			t.Errorf("flags lack %s: %q", f, m["flags"])
		}
	}
	if mhz, err := strconv.ParseFloat(m["cpu MHz"], 64); err != nil || mhz < 100 {
		t.Errorf("cpu MHz %q", m["cpu MHz"])
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs("/proc", &st); err != nil || st.Type != 0x9fa0 {
		t.Errorf("Statfs /proc: type %#x, %v; want PROC_SUPER_MAGIC", st.Type, err)
	}
}
