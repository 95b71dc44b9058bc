// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tests of the parts that need neither QEMU nor root (they run with -short).

type cpioEntry struct {
	name       string
	mode       uint32
	data       string
	start      int // offset of the header
	major, min uint32
}

// readCpio parses a newc archive (one, or several concatenated with zero
// padding, the way the kernel does).
func readCpio(t *testing.T, b []byte) []cpioEntry {
	t.Helper()
	var out []cpioEntry
	i := 0
	for i < len(b) {
		if b[i] == 0 {
			i++
			continue
		}
		if i%4 != 0 {
			t.Fatalf("header at unaligned offset %d", i)
		}
		if string(b[i:i+6]) != "070701" {
			t.Fatalf("bad magic at %d: %q", i, b[i:i+6])
		}
		field := func(k int) uint32 {
			v, err := strconv.ParseUint(string(b[i+6+8*k:i+14+8*k]), 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			return uint32(v)
		}
		mode, size, major, minor, namesize := field(1), field(6), field(9), field(10), field(11)
		name := string(b[i+110 : i+110+int(namesize)-1])
		d := (i + 110 + int(namesize) + 3) &^ 3
		e := cpioEntry{name: name, mode: mode, data: string(b[d : d+int(size)]), start: i, major: major, min: minor}
		i = (d + int(size) + 3) &^ 3
		if name == "TRAILER!!!" {
			continue
		}
		out = append(out, e)
	}
	return out
}

func TestCpio(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a/b"), 0o750)
	os.WriteFile(filepath.Join(dir, "a/b/f"), []byte("hello"), 0o640)
	os.WriteFile(filepath.Join(dir, "a/x"), []byte("odd size!"), 0o755)
	os.Symlink("b/f", filepath.Join(dir, "a/link"))
	os.MkdirAll(filepath.Join(dir, "dev/skipped"), 0o755)
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte("copied"), 0o600)

	var buf bytes.Buffer
	cw := newCpioWriter(&buf)
	cw.Dir("top", 0o755)
	cw.File("top/inline", 0o644, []byte("abc"))
	if err := cw.CopyFile("top/copied", 0o600, src); err != nil {
		t.Fatal(err)
	}
	err := cw.AddTree(dir, "tree", func(rel string, d os.DirEntry) bool { return strings.HasPrefix(rel, "dev/") || rel == "src" })
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	got := map[string]cpioEntry{}
	for _, e := range readCpio(t, buf.Bytes()) {
		got[e.name] = e
	}
	want := map[string]struct {
		mode uint32
		data string
	}{
		"top":         {cpioModeDir | 0o755, ""},
		"top/inline":  {cpioModeReg | 0o644, "abc"},
		"top/copied":  {cpioModeReg | 0o600, "copied"},
		"tree/a":      {cpioModeDir | 0o750, ""},
		"tree/a/b":    {cpioModeDir | 0o750, ""},
		"tree/a/b/f":  {cpioModeReg | 0o640, "hello"},
		"tree/a/x":    {cpioModeReg | 0o755, "odd size!"},
		"tree/a/link": {cpioModeLink | 0o777, "b/f"},
		"tree/dev":    {cpioModeDir | 0o755, ""},
	}
	for name, w := range want {
		e, ok := got[name]
		if !ok {
			t.Errorf("missing %s", name)
			continue
		}
		if e.mode != w.mode || e.data != w.data {
			t.Errorf("%s: mode %o data %q, want %o %q", name, e.mode, e.data, w.mode, w.data)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d entries, want %d: %v", len(got), len(want), got)
	}
}

func TestMakeInitrd(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root.gz")
	os.WriteFile(root, []byte("not really gzip, 27 bytes.."), 0o644)
	dst := filepath.Join(dir, "initrd")
	err := makeInitrd(dst, root, func(w io.Writer) error {
		cw := newCpioWriter(w)
		cw.File("f", 0o644, []byte("x"))
		return cw.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(dst)
	if !bytes.HasPrefix(b, []byte("not really gzip, 27 bytes..")) || string(b[512:518]) != "070701" {
		t.Fatalf("second archive not at offset 512: %q", b[:min(len(b), 530)])
	}
	if ents := readCpio(t, b[512:]); len(ents) != 1 || ents[0].name != "f" {
		t.Fatalf("got %v", ents)
	}
}

func TestXLConfig(t *testing.T) {
	c, err := normalize(0, Case{Kernel: "/dev/null", Cmdline: `-msg "a \ b"`, VIF: true, MAC: "00:16:3E:00:00:0A",
		Disk: &Disk{SizeMiB: 4, ReadOnly: true}, XLConfig: []string{`cpuid = "host"`}})
	if err == nil {
		t.Fatal("normalize accepted /dev/null as a kernel")
	}
	k := filepath.Join(t.TempDir(), "k")
	os.WriteFile(k, []byte("x"), 0o644)
	c, err = normalize(2, Case{Kernel: k, Cmdline: `-msg "a \ b"`, VIF: true, MAC: "00:16:3E:00:00:0A",
		Disk: &Disk{SizeMiB: 4, ReadOnly: true}, XLConfig: []string{`cpuid = "host"`}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := xlConfig(2, c, caseFiles{kernel: "/xth/blobs/0", ramdisk: "/xth/blobs/1"})
	for _, want := range []string{
		`name = "xth-003"`, `type = "pvh"`, `kernel = "/xth/blobs/0"`, `ramdisk = "/xth/blobs/1"`,
		"memory = 64", "vcpus = 1", `tsc_mode = "native"`, `on_poweroff = "preserve"`, `on_crash = "preserve"`,
		`on_reboot = "preserve"`, `extra = "-msg \"a \\ b\""`, `vif = [ "bridge=xenbr0,mac=00:16:3e:00:00:0a" ]`,
		`disk = [ "format=raw,vdev=xvda,access=ro,script=/xth/bin/xth-block,target=/xth/cases/003/disk.img" ]`, `cpuid = "host"`,
	} {
		if !strings.Contains(cfg, want+"\n") {
			t.Errorf("xl config lacks %s:\n%s", want, cfg)
		}
	}
	if ip := guestIP(c.MAC); ip != "10.0.0.10" {
		t.Errorf("guestIP(%s) = %q", c.MAC, ip)
	}
	if ip := guestIP("00:16:3e:00:01:02"); ip != "" {
		t.Errorf("guestIP of a MAC outside the static range = %q", ip)
	}
	if _, err := normalize(0, Case{Kernel: k, MAC: "nonsense"}); err == nil {
		t.Error("bad MAC accepted")
	}
	if _, err := normalize(0, Case{Kernel: k, HostTools: []string{k, filepath.Join(t.TempDir(), "missing")}}); err == nil {
		t.Error("a missing host tool accepted")
	}
	if _, err := normalize(0, Case{Kernel: k, HostTools: []string{k, k}}); err == nil {
		t.Error("two host tools of one name accepted")
	}
	if _, err := normalize(0, Case{Kernel: k, Disk: &Disk{}}); err == nil {
		t.Error("empty Disk accepted")
	}
	c, err = normalize(0, Case{Kernel: k, Disk: &Disk{SizeMiB: 1}, Disks: []Disk{{SizeMiB: 2}, {SizeMiB: 3, Vdev: "xvdz"}}})
	if err != nil || len(c.Disks) != 3 || c.Disk != &c.Disks[0] || c.Disks[1].Vdev != "xvdb" || c.Disks[2].Vdev != "xvdz" {
		t.Errorf("Disk and Disks: %+v, %v", c.Disks, err)
	}
	if cfg := xlConfig(0, c, caseFiles{kernel: "k"}); !strings.Contains(cfg, `disk = [ "format=raw,vdev=xvda,access=rw,script=/xth/bin/xth-block,target=/xth/cases/001/disk.img", "format=raw,vdev=xvdb,access=rw,script=/xth/bin/xth-block,target=/xth/cases/001/disk2.img", "format=raw,vdev=xvdz,access=rw,script=/xth/bin/xth-block,target=/xth/cases/001/disk3.img" ]`) {
		t.Errorf("xl.cfg:\n%s", cfg)
	}
}

// TestCaseVars checks that vars.sh reads back in bash what Go wrote.
func TestCaseVars(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("no bash:", err)
	}
	name := `it's "quoted" $HOME; $(false) \`
	f := filepath.Join(t.TempDir(), "vars.sh")
	os.WriteFile(f, []byte(caseVars(4, Case{Name: name, Timeout: 90 * time.Second, CreateTimeout: time.Minute,
		CommandTimeout: 1500 * time.Millisecond, VIF: true, MAC: defaultMAC,
		Disks: []Disk{{SizeMiB: 3, Return: true}, {Image: "img"}}})), 0o644)
	out, err := exec.Command(bash, "-c", `. "$1"; printf '%s|' "$CASE_NAME" "$NAME" "$TIMEOUT_US" "$CREATE_TIMEOUT_US" "$CMD_TIMEOUT_S" "$DISK_SPECS" "$GUEST_IP"`, "-", f).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := name + "|xth-005|90000000|60000000|1|disk.img empty 3 1\ndisk2.img image 0 0\n|10.0.0.2|"
	if string(out) != want {
		t.Errorf("got  %q\nwant %q", out, want)
	}
}

func TestScriptsParse(t *testing.T) {
	for _, s := range []struct{ shell, name, text string }{
		{"sh", "init.sh", initScript}, {"bash", "agent.sh", agentScript}, {"bash", "wait-console.sh", waitConsoleScript},
		{"bash", "run-cmds.sh", runCmdsScript}, {"bash", "block.sh", blockScript},
	} {
		path, err := exec.LookPath(s.shell)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(path, "-n")
		cmd.Stdin = strings.NewReader(s.text)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s -n %s: %v\n%s", s.shell, s.name, err, out)
		}
	}
}

func TestCaseResult(t *testing.T) {
	files := map[string][]byte{
		"002/state":       []byte("done\n"),
		"002/console.log": []byte("boot\r\ngoxen: exit status 1\r\nmore\r\n  goxen: exit status 42\r\n"),
		"002/meta": []byte("domid=7\ncreate_rc=0\nreason_code=0\ntimed_out=0\nt_start=1000000\nt_created=3000000\n" +
			"t_console=3500000\nt_shutdown=5000000\nt_cmds=5000000\nt_after=5200000\nt_destroyed=5600000\nt_end=5700000\n"),
		"002/during-1.out":  []byte("out"),
		"002/during-1.err":  []byte("err"),
		"002/during-1.rc":   []byte("124\n"),
		"002/during-1.time": []byte("3000000 3250000\n"),
		"002/after-1.rc":    []byte("0\n"),
		"002/files/a/b.txt": []byte("file"),
		"003/state":         []byte("done\n"),
		"003/console.log":   []byte("oops\ngoxen: crashed\n"),
		"003/meta":          []byte("reason_code=3\ntimed_out=0\n"),
		"004/state":         []byte("started\n"),
	}
	c := Case{Name: "b", HostCommands: []string{"sleep 100"}, AfterCommands: []string{"true"}, VIF: true, MAC: defaultMAC}
	r := caseResult(1, c, files)
	// The status line is a whole line: an indented one is not.
	if r.Err != nil || r.ExitStatus != 1 || r.Crashed || r.StatusLine != "goxen: exit status 1" || r.ShutdownReason != "poweroff" ||
		r.DomID != 7 || r.GuestIP != "10.0.0.2" || r.TimedOut {
		t.Errorf("got %+v", r)
	}
	if r.Console != "boot\ngoxen: exit status 1\nmore\n  goxen: exit status 42\n" {
		t.Errorf("console %q", r.Console)
	}
	if r.Create != 2*time.Second || r.CreateToConsole != 2500*time.Millisecond || r.Running != 2*time.Second ||
		r.Total != 4700*time.Millisecond || r.Teardown != 500*time.Millisecond || r.Overhead != 3*time.Second {
		t.Errorf("timings: create %v console %v running %v total %v teardown %v overhead %v",
			r.Create, r.CreateToConsole, r.Running, r.Total, r.Teardown, r.Overhead)
	}
	if len(r.HostOutputs) != 2 || r.HostOutputs[0].Stdout != "out" || r.HostOutputs[0].Stderr != "err" ||
		!r.HostOutputs[0].TimedOut || r.HostOutputs[0].Duration != 250*time.Millisecond ||
		r.HostOutputs[1].Phase != "after" || r.HostOutputs[1].ExitStatus != 0 {
		t.Errorf("host outputs %+v", r.HostOutputs)
	}
	if string(r.Files["a/b.txt"]) != "file" || len(r.Files) != 1 {
		t.Errorf("files %v", r.Files)
	}
	r = caseResult(2, Case{Name: "c"}, files)
	if !r.Crashed || r.ExitStatus != -1 || r.ShutdownReason != "crash" || r.StatusLine != "goxen: crashed" {
		t.Errorf("crashed case: %+v", r)
	}
	if r.ExitCode() != 134 || !strings.Contains(r.Failure(), "crashed") {
		t.Errorf("crashed case: exit code %d, failure %q", r.ExitCode(), r.Failure())
	}
	if r := caseResult(3, Case{Name: "d"}, files); r.Err == nil || r.ExitCode() != 125 {
		t.Errorf("a started case: error %v, exit code %d", r.Err, r.ExitCode())
	}
	if r := caseResult(4, Case{Name: "e"}, files); r.Err == nil {
		t.Error("a missing case has no error")
	}
}

func TestParsePolicy(t *testing.T) {
	out := `xen-utils-4.17:
  Installed: (none)
  Candidate: 4.17.7+13-g2445b30a44-0+deb12u1
  Version table:
     4.17.7+13-g2445b30a44-0+deb12u1 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
busybox:
  Installed: (none)
  Candidate: (none)
`
	v := parsePolicy(out)
	if v["xen-utils-4.17"] != "4.17.7+13-g2445b30a44-0+deb12u1" || v["busybox"] != "(none)" {
		t.Errorf("got %v", v)
	}
}

func TestParseAptSources(t *testing.T) {
	s := parseAptSources(map[string]string{
		"/etc/apt/sources.list.d/debian.sources": `Types: deb
# comment
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main
`,
		"/etc/apt/sources.list.d/other.list": "deb [arch=amd64] https://elsewhere.example/apt stable main\n",
	})
	if s.mirror != "http://mirror.example/debian" || s.security != "http://security.example/debian-security" || !s.updates {
		t.Errorf("deb822: got %+v", s)
	}
	s = parseAptSources(map[string]string{
		"/etc/apt/sources.list": "deb http://m.example/debian bookworm main contrib\n#deb http://x bookworm main\n",
	})
	if s.mirror != "http://m.example/debian" || s.security != "" || s.updates {
		t.Errorf("one-line: got %+v", s)
	}
}

func TestKey(t *testing.T) {
	in := &inputs{mirror: "http://m", suites: []string{"bookworm"}, versions: map[string]string{"a": "1", "b": "2"}, debootstrap: "1.0"}
	k0 := keyOf(in.makeText("init"))
	if k0 != keyOf(in.makeText("init")) || !keyRE.MatchString(k0) {
		t.Fatal("key not stable or malformed")
	}
	if keyOf(in.makeText("init changed")) == k0 {
		t.Error("the init script does not change the key")
	}
	in.versions["b"] = "3"
	if keyOf(in.makeText("init")) == k0 {
		t.Error("a package version does not change the key")
	}
}

func TestModuleClosure(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "modules.dep"), []byte(
		"kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko\n"+
			"kernel/net/802/stp.ko: kernel/net/llc/llc.ko\n"+
			"kernel/net/llc/llc.ko:\n"+
			"kernel/drivers/xen/xen-evtchn.ko:\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "modules.builtin"), []byte("kernel/drivers/block/loop.ko\n"), 0o644)
	got, err := moduleClosure(dir, []string{"bridge", "xen_evtchn", "loop", "llc"})
	if err != nil {
		t.Fatal(err)
	}
	want := "kernel/net/llc/llc.ko kernel/net/802/stp.ko kernel/net/bridge/bridge.ko kernel/drivers/xen/xen-evtchn.ko"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v\nwant %s", got, want)
	}
	if _, err := moduleClosure(dir, []string{"nonesuch"}); err == nil {
		t.Error("unknown module accepted")
	}
}

func TestStepError(t *testing.T) {
	var log bytes.Buffer
	b := &builder{log: &log}
	err := b.step(context.Background(), "demo", func(run runFunc) error {
		if err := run("", "sh", "-c", "echo fine"); err != nil {
			return err
		}
		return run("", "sh", "-c", "echo line1; echo line2 >&2; exit 3")
	})
	var se *StepError
	if !errors.As(err, &se) || se.Step != "demo" || !strings.Contains(se.Tail, "line1\nline2") || !strings.Contains(se.Tail, "fine") {
		t.Fatalf("got %#v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, `step "demo" failed`) || !strings.Contains(msg, "exit status 3") {
		t.Errorf("message: %s", msg)
	}
}

func TestBlobsDedup(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	os.WriteFile(a, []byte("same"), 0o644)
	os.WriteFile(b, []byte("same"), 0o644)
	os.WriteFile(c, []byte("other"), 0o644)
	var bl blobs
	pa, _ := bl.add(a)
	pb, _ := bl.add(b)
	pc, _ := bl.add(c)
	if pa != pb || pa == pc || len(bl.list) != 2 || bl.size != 9 {
		t.Errorf("got %s %s %s, %d blobs of %d bytes", pa, pb, pc, len(bl.list), bl.size)
	}
}

// TestRestart runs RunReport against a fake QEMU: the first boot "crashes"
// during the second case, the second boot finishes it.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"xen", "vmlinuz", "vmlinux.gz", "dom0.cpio.gz", "kernel"} {
		os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644)
	}
	fake := filepath.Join(dir, "fake-qemu")
	os.WriteFile(fake, []byte(`#!/bin/bash
count=$(cat "$FAKE_DIR/count" 2>/dev/null || echo 0)
count=$((count + 1))
echo $count >"$FAKE_DIR/count"
for a in "$@"; do
	case "$a" in *file=*results.img) res=${a#*file=} ;; esac
done
echo "xth: ready: dom0 uptime 1.5s"
r=$FAKE_DIR/r$count
mkdir -p "$r"
printf 'uptime_ready=1.5\nmeminfo_MemTotal=1000\n' >"$r/info"
if [ $count = 1 ]; then
	mkdir -p "$r/001" "$r/002"
	echo done >"$r/001/state"
	printf 'reason_code=0\ntimed_out=0\n' >"$r/001/meta"
	echo "goxen: exit status 0" >"$r/001/console.log"
	echo started >"$r/002/state"
	tar -C "$r" -cf "$res" .
	exit 1
fi
mkdir -p "$r/002"
echo done >"$r/002/state"
printf 'reason_code=3\ntimed_out=0\n' >"$r/002/meta"
echo "goxen: crashed" >"$r/002/console.log"
tar -C "$r" -cf "$res" .
echo "xth: all 1 cases done"
`), 0o755)
	t.Setenv("FAKE_DIR", dir)
	mods := filepath.Join(dir, "guest", "modules")
	os.MkdirAll(mods, 0o755)
	h := &Host{Dir: dir, Xen: filepath.Join(dir, "xen"), Kernel: filepath.Join(dir, "vmlinuz"),
		Initrd: filepath.Join(dir, "dom0.cpio.gz"), GuestKernel: filepath.Join(dir, "vmlinux.gz"), GuestModules: mods}
	k := filepath.Join(dir, "kernel")
	rep, err := RunReport(context.Background(), Config{Host: h, QEMU: fake},
		[]Case{{Name: "one", Kernel: k}, {Name: "two", Kernel: k}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Restarts != 1 || len(rep.Results) != 2 {
		t.Fatalf("restarts %d, %d results", rep.Restarts, len(rep.Results))
	}
	if r := rep.Results[0]; r.Err != nil || r.ExitStatus != 0 || r.Restarted || r.ShutdownReason != "poweroff" {
		t.Errorf("first case: %+v", r)
	}
	if r := rep.Results[1]; r.Err != nil || !r.Crashed || !r.Restarted || r.ShutdownReason != "crash" {
		t.Errorf("second case: %+v", r)
	}
	if !strings.Contains(rep.Serial, "test host restarted") {
		t.Errorf("serial log does not mention the restart:\n%s", rep.Serial)
	}

	// Without restarts the failure is reported, with the results so far.
	os.Remove(filepath.Join(dir, "count"))
	rep, err = RunReport(context.Background(), Config{Host: h, QEMU: fake, Restarts: -1},
		[]Case{{Name: "one", Kernel: k}, {Name: "two", Kernel: k}})
	if err == nil || rep == nil || rep.Results[0].Err != nil || rep.Results[1].Err == nil {
		t.Fatalf("got %v, %+v", err, rep)
	}
}

// Every way a case can end has the exit code go_xen_amd64_exec reports.
func TestResultExitCode(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    Result
		code int
		msg  string
	}{
		{"status", Result{StatusLine: "goxen: exit status 3", ExitStatus: 3, ShutdownReason: "crash"}, 3, ""},
		{"status 256", Result{StatusLine: "goxen: exit status 256", ExitStatus: 256}, 0, ""},
		{"crash", Result{StatusLine: "goxen: crashed", Crashed: true, ExitStatus: -1}, 134, "crashed"},
		{"no status", Result{ExitStatus: -1, ShutdownReason: "poweroff"}, 134, "without a status line"},
		{"timeout", Result{ExitStatus: -1, TimedOut: true}, 124, "timed out"},
		{"create timeout", Result{ExitStatus: -1, TimedOut: true, CreateTimedOut: true}, 125, "xl create did not finish"},
		{"create failed", Result{ExitStatus: -1, CreateStatus: 1, CreateLog: "libxl: error"}, 125, "libxl: error"},
		{"host failed", Result{ExitStatus: -1, Err: errors.New("the test host stopped during the case"), StatusLine: "goxen: exit status 0"}, 125, "the test host failed"},
		{"status then timeout", Result{StatusLine: "goxen: exit status 0", ExitStatus: 0, TimedOut: true}, 0, ""},
	} {
		if c := tt.r.ExitCode(); c != tt.code {
			t.Errorf("%s: exit code %d, want %d", tt.name, c, tt.code)
		}
		if f := tt.r.Failure(); (tt.msg == "") != (f == "") || !strings.Contains(f, tt.msg) {
			t.Errorf("%s: failure %q, want one with %q", tt.name, f, tt.msg)
		}
	}
}
