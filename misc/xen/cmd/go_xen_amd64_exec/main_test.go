// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

// Integration tests: they build the runner and small GOOS=xen programs
// (testdata/) and boot them in QEMU. They need qemu-system-x86_64, Xen
// (/boot/xen-4.17-amd64.gz or GOXEN_XEN) and a GOOS=xen toolchain
// (GOXEN_GOROOT, or a go on PATH that lists xen/amd64, or the repository's
// goroot/); without one of them they fail, and say why, except with -short.
// The tests of the runner's own errors use a hand-made PVH ELF and run
// everywhere.

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"goforxen.dev/misc/xen/internal/exitstatus"
	"goforxen.dev/misc/xen/internal/qemuxen"
)

var (
	setupOnce sync.Once
	setupErr  error
	runner    string // the built go_xen_amd64_exec
	xenGo     string // the GOOS=xen go command
	images    = map[string]string{}
	workDir   string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "goxen-exec-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildRunner builds go_xen_amd64_exec with the go that runs the tests.
func buildRunner(t testing.TB) string {
	t.Helper()
	exe := filepath.Join(workDir, "bin", "go_xen_amd64_exec")
	if _, err := os.Stat(exe); err == nil {
		return exe
	}
	out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("building the runner: %v\n%s", err, out)
	}
	return exe
}

// findXenGo finds the go command of a toolchain that has GOOS=xen.
func findXenGo() (string, error) {
	supports := func(goCmd string) bool {
		out, err := exec.Command(goCmd, "tool", "dist", "list").Output()
		return err == nil && bytes.Contains(out, []byte("xen/amd64\n"))
	}
	if root := os.Getenv("GOXEN_GOROOT"); root != "" {
		g := filepath.Join(root, "bin", "go")
		if !supports(g) {
			return "", fmt.Errorf("GOXEN_GOROOT=%s: %s does not list xen/amd64 in go tool dist list", root, g)
		}
		return g, nil
	}
	if g, err := exec.LookPath("go"); err == nil && supports(g) {
		return g, nil
	}
	if g, err := filepath.Abs("../../../../goroot/bin/go"); err == nil && supports(g) {
		return g, nil
	}
	return "", fmt.Errorf("no GOOS=xen toolchain: set GOXEN_GOROOT, put its bin on PATH, or build ./goroot with make.bash")
}

// setup checks for QEMU, Xen and the toolchain, builds the runner and the
// test programs once.
func setup(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not booting Xen in QEMU")
	}
	setupOnce.Do(func() {
		q := os.Getenv("GOXEN_QEMU")
		if q == "" {
			q = "qemu-system-x86_64"
		}
		if _, err := exec.LookPath(q); err != nil {
			setupErr = fmt.Errorf("QEMU (%s) not found; %s", q, qemuxen.InstallHint)
			return
		}
		x := os.Getenv("GOXEN_XEN")
		if x == "" {
			x = qemuxen.DefaultXen
		}
		if _, err := os.Stat(x); err != nil {
			setupErr = fmt.Errorf("Xen: %v; %s", err, qemuxen.InstallHint)
			return
		}
		if xenGo, setupErr = findXenGo(); setupErr != nil {
			return
		}
		runner = buildRunner(t)
		for _, name := range []string{"probe", "big"} {
			out := filepath.Join(workDir, name+".xen")
			cmd := exec.Command(xenGo, "build", "-o", out, ".")
			cmd.Dir = filepath.Join("testdata", name)
			cmd.Env = append(os.Environ(), "GOOS=xen", "GOARCH=amd64", "GOTOOLCHAIN=local", "GOWORK=off", "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				setupErr = fmt.Errorf("building testdata/%s with %s: %v\n%s", name, xenGo, err, b)
				return
			}
			images[name] = out
		}
	})
	if setupErr != nil {
		t.Fatal(setupErr)
	}
}

type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

// run runs the runner with args and extra environment variables.
func run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runIn(t, runner, env, args...)
}

func runIn(t *testing.T, exe string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: o.String(), stderr: e.String(), elapsed: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", exe, err)
	}
	return r
}

func (r result) String() string {
	return fmt.Sprintf("exit code %d after %v\nstdout:\n%s\nstderr:\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

func TestHello(t *testing.T) {
	setup(t)
	t.Parallel()
	r := run(t, nil, images["probe"], "hello")
	if r.code != 0 || r.stdout != "hello from xen\n" || r.stderr != "" {
		t.Errorf("want hello from xen, exit 0, nothing on stderr; got %v", r)
	}
}

// stdout and stderr arrive apart, each as written (no newline added before
// the status line).
func TestStdoutStderr(t *testing.T) {
	setup(t)
	t.Parallel()
	r := run(t, nil, images["probe"], "both")
	if r.code != 0 || r.stdout != "to stdout\nstdout, no newline" || r.stderr != "to stderr\nstderr, no newline" {
		t.Errorf("want each stream as written; got %v", r)
	}
}

func TestExitStatus(t *testing.T) {
	setup(t)
	t.Parallel()
	for _, tt := range []struct{ n, code int }{{0, 0}, {3, 3}, {255, 255}, {-1, 255}} {
		r := run(t, nil, images["probe"], "exit", strconv.Itoa(tt.n))
		if r.code != tt.code || r.stdout != fmt.Sprintf("exiting with %d\n", tt.n) {
			t.Errorf("os.Exit(%d): want exit code %d; got %v", tt.n, tt.code, r)
		}
	}
}

// awkward are arguments and values that need quoting, doubling or care.
var awkward = []string{
	"plain", "", " ", "two words", "  spaced  ", "it's", `"double"`, `back\slash`, `\`, `\\"`,
	"comma,here", ",", ",,", "a=b", "=", "--", "-test.v", "goxen.debugexit=1", "FOO=bar",
	"ünïcödé", "日本語", "tab\there", "new\nline", "cr\rhere", "$HOME", "`x`", "*?[", "#",
	"\x01\x7f", "\xff\xfe",
}

// echo runs probe echo and parses what it printed.
func echo(t *testing.T, env []string, args []string) (argv0 string, gotArgs, gotEnv []string, wd string) {
	t.Helper()
	r := run(t, env, append([]string{images["probe"], "echo"}, args...)...)
	if r.code != 0 {
		t.Fatalf("probe echo: %v", r)
	}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		kind, q, _ := strings.Cut(sc.Text(), " ")
		if kind == "wd" {
			wd = q
			continue
		}
		s, err := strconv.Unquote(q)
		if err != nil {
			t.Fatalf("bad line %q in %v", sc.Text(), r)
		}
		switch kind {
		case "argv0":
			argv0 = s
		case "arg":
			gotArgs = append(gotArgs, s)
		case "env":
			gotEnv = append(gotEnv, s)
		default:
			t.Fatalf("bad line %q", sc.Text())
		}
	}
	return
}

func TestArgsAndEnv(t *testing.T) {
	setup(t)
	t.Parallel()
	// TMPDIR is the host's and does not exist in the guest.
	env := []string{"TMPDIR=" + t.TempDir(), "GOXEN_MEMORY=128", "GOXENTEST_EMPTY="}
	for i, v := range awkward {
		env = append(env, fmt.Sprintf("GOXENTEST_%02d=%s", i, v))
	}
	argv0, args, guestEnv, _ := echo(t, env, awkward)
	if argv0 != "probe.xen" {
		t.Errorf("argv0 = %q, want probe.xen", argv0)
	}
	if !reflect.DeepEqual(args, awkward) {
		t.Errorf("args:\n got %q\nwant %q", args, awkward)
	}
	// The guest has exactly the runner's environment less host-only
	// variables.
	// (The runtime adds a GOMEMLIMIT for the domain's memory unless the
	// environment has one.)
	want := qemuxen.GuestEnv(append(os.Environ(), env...))
	if os.Getenv("GOMEMLIMIT") == "" && len(guestEnv) > 0 && strings.HasPrefix(guestEnv[len(guestEnv)-1], "GOMEMLIMIT=") {
		guestEnv = guestEnv[:len(guestEnv)-1]
	}
	if !reflect.DeepEqual(guestEnv, want) {
		t.Errorf("environment:\n got %q\nwant %q", guestEnv, want)
	}
	for _, kv := range guestEnv {
		if strings.HasPrefix(kv, "TMPDIR=") || strings.HasPrefix(kv, "GOXEN_MEMORY=") {
			t.Errorf("guest environment has %q", kv)
		}
	}
	if !slicesContains(guestEnv, "GOXENTEST_EMPTY=") || !slicesContains(guestEnv, "GOXENTEST_03=two words") {
		t.Errorf("guest environment lacks GOXENTEST_EMPTY= or GOXENTEST_03: %q", guestEnv)
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestShortCommandLine(t *testing.T) {
	setup(t)
	t.Parallel()
	// With an almost empty environment everything fits Xen's 1023 bytes;
	// the longest arguments that still fit.
	env := []string{"PATH=" + os.Getenv("PATH")}
	cmd := exec.Command(runner, images["probe"], "echo", "a b", "c,d")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := "argv0 \"probe.xen\"\narg \"a b\"\narg \"c,d\"\nenv \"PATH=" + os.Getenv("PATH") + "\"\n"; !strings.HasPrefix(string(out), want) {
		t.Errorf("got %q, want %q...", out, want)
	}
	// The longest line that Xen passes whole, and one byte more, which goes
	// in a boot module: -v says which.
	for _, n := range []int{0, 1} {
		// The runner always has a stdin (here /dev/null), so it asks for
		// input acknowledgements, and it always marks the streams.
		c := &qemuxen.Cmdline{Argv0: "probe.xen", DebugExit: true, InputAck: true, Streams: true, Env: env, Args: []string{"echo", ""}}
		line, _, _ := c.Encode()
		long := strings.Repeat("x", qemuxen.MaxCmdline-len(line)+len("''")+n)
		cmd := exec.Command(runner, "-v", images["probe"], "echo", long)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if !strings.Contains(string(out), "arg \""+long+"\"\n") {
			t.Errorf("a command line of %d bytes: argument of %d bytes lost: %q", qemuxen.MaxCmdline+n, len(long), out)
		}
		if module := strings.Contains(stderr.String(), "boot module .goxen-cmdline:"); module != (n == 1) {
			t.Errorf("a command line of %d bytes: boot module used: %v", qemuxen.MaxCmdline+n, module)
		}
	}
}

func TestLongArgumentList(t *testing.T) {
	setup(t)
	t.Parallel()
	var args []string
	total := 0
	for i := 0; total < 5000; i++ {
		a := fmt.Sprintf("argument %d, %s", i, awkward[i%len(awkward)])
		args = append(args, a)
		total += len(a) + 1
	}
	_, got, _, _ := echo(t, nil, args)
	if !reflect.DeepEqual(got, args) {
		t.Errorf("%d arguments (%d bytes): got %d back, differing", len(args), total, len(got))
	}
}

// TestFilesModule gives a program a working directory with a 60 MiB file
// (GOXEN_FILES=cwd): the boot module takes machine memory of its own.
func TestFilesModule(t *testing.T) {
	setup(t)
	t.Parallel()
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 60<<20/16)
	if err := os.WriteFile(filepath.Join(dir, "big.dat"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(runner, images["probe"], "echo")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOXEN_FILES=cwd")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("wd %q <nil>\n", dir)) {
		t.Errorf("GOXEN_FILES=cwd with a 60 MiB file: %v\n%s", err, out)
	}
}

func TestPanic(t *testing.T) {
	setup(t)
	t.Parallel()
	r := run(t, nil, images["probe"], "panic", "boom, \"quoted\"")
	// The panic goes to stderr, as on Linux; stdout stays empty.
	if r.code != 2 || r.stdout != "" || !strings.HasPrefix(r.stderr, "panic: boom, \"quoted\"\n") || !strings.Contains(r.stderr, "goroutine 1 [running]:") {
		t.Errorf("want exit 2 with the panic and its traceback on stderr; got %v", r)
	}
}

func TestCrash(t *testing.T) {
	setup(t)
	t.Parallel()
	// GOTRACEBACK=crash (passed in the environment) ends a panic in crash().
	r := run(t, []string{"GOTRACEBACK=crash"}, images["probe"], "panic", "die")
	if r.code != exitstatus.Crash || r.stdout != "" || !strings.Contains(r.stderr, "panic: die") ||
		!strings.Contains(r.stderr, "crashed") || !strings.Contains(r.stderr, "lines of Xen's log") {
		t.Errorf("want exit %d with a crash message and Xen's log; got %v", exitstatus.Crash, r)
	}
}

func TestNoStatusLine(t *testing.T) {
	setup(t)
	t.Parallel()
	// The image does not fit: Xen panics before the program runs.
	r := run(t, []string{"GOXEN_MEMORY=8"}, images["big"])
	if r.code != exitstatus.Crash || r.stdout != "" ||
		!strings.Contains(r.stderr, "before the program printed its status line") ||
		!strings.Contains(r.stderr, "(XEN) Could not construct domain 0") ||
		!strings.Contains(r.stderr, "GOXEN_MEMORY=8") {
		t.Errorf("want exit %d with Xen's panic; got %v", exitstatus.Crash, r)
	}
	// The runner ends QEMU when Xen says it stops, without waiting for
	// Xen's reboot 5s later.
	if !strings.Contains(r.stderr, "Xen stopped the machine") {
		t.Errorf("the runner did not stop QEMU after Xen's panic: %v", r)
	}
	r = run(t, []string{"GOXEN_MEMORY=64"}, images["big"])
	if r.code != 0 || r.stdout != "12582912 2\n" {
		t.Errorf("with enough memory: %v", r)
	}
}

func TestTimeout(t *testing.T) {
	setup(t)
	t.Parallel()
	r := run(t, []string{"GOXEN_TIMEOUT=4s"}, images["probe"], "sleep", "1h")
	if r.code != exitstatus.Timeout || r.stdout != "sleeping 1h0m0s\n" ||
		!strings.Contains(r.stderr, "timed out after 4s (GOXEN_TIMEOUT=4s)") ||
		!strings.Contains(r.stderr, "(XEN)") {
		t.Errorf("want exit %d, a message and Xen's log; got %v", exitstatus.Timeout, r)
	}
	if r.elapsed > 10*time.Second {
		t.Errorf("a 4s timeout took %v", r.elapsed)
	}
	// A short sleep under a timeout that is long enough.
	r = run(t, []string{"GOXEN_TIMEOUT=1m"}, images["probe"], "sleep", "1500ms")
	if r.code != 0 || r.stdout != "sleeping 1.5s\nwoke up\n" || r.elapsed < 1500*time.Millisecond {
		t.Errorf("sleep 1.5s: %v", r)
	}
}

func TestFlood(t *testing.T) {
	setup(t)
	t.Parallel()
	const n = 5000
	r := run(t, nil, images["probe"], "flood", strconv.Itoa(n))
	var want strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&want, "%06d %s\n", i, strings.Repeat("0123456789", 10))
	}
	if r.code != 0 || r.stdout != want.String() {
		t.Errorf("%d lines: exit %d, %d bytes of %d, equal %v", n, r.code, len(r.stdout), want.Len(), r.stdout == want.String())
	}
}

func TestVerbose(t *testing.T) {
	setup(t)
	t.Parallel()
	for _, v := range []struct {
		env  []string
		args []string
	}{
		{nil, []string{"-v"}},
		{[]string{"GOXEN_VERBOSE=1"}, nil},
	} {
		r := run(t, v.env, append(v.args, images["probe"], "hello")...)
		if r.code != 0 || r.stdout != "hello from xen\n" ||
			!strings.Contains(r.stderr, "(XEN) Xen version") || !strings.Contains(r.stderr, "qemu-system-x86_64") {
			t.Errorf("%v %v: want Xen's log on stderr; got %v", v.env, v.args, r)
		}
	}
}

func TestSignal(t *testing.T) {
	setup(t)
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		cmd := exec.Command(runner, images["probe"], "sleep", "1h")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		if line != "sleeping 1h0m0s\n" {
			cmd.Process.Kill()
			t.Fatalf("probe printed %q", line)
		}
		qemu := children(cmd.Process.Pid)
		if len(qemu) != 1 {
			t.Errorf("runner has children %v, want QEMU alone", qemu)
		}
		cmd.Process.Signal(sig)
		err = cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 128+int(sig) {
			t.Errorf("after %v: %v, want exit code %d; stderr %s", sig, err, 128+int(sig), stderr.String())
		}
		for _, pid := range qemu {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
				t.Errorf("QEMU (pid %d) still there after %v to the runner", pid, sig)
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
}

// children lists the child processes of pid.
func children(pid int) []int {
	var kids []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(s)
			kids = append(kids, n)
		}
	}
	sort.Ints(kids)
	return kids
}

// TestGoCommand runs GOOS=xen go test and go run with the runner on PATH,
// as a user would.
func TestGoCommand(t *testing.T) {
	setup(t)
	t.Parallel()
	goCmd := func(dir string, env []string, args ...string) result {
		t.Helper()
		cmd := exec.Command(xenGo, args...)
		cmd.Dir = filepath.Join("testdata", dir)
		cmd.Env = append(os.Environ(), "GOOS=xen", "GOARCH=amd64", "GOTOOLCHAIN=local", "GOWORK=off",
			"GOFLAGS=-count=1", "PATH="+filepath.Dir(runner)+string(filepath.ListSeparator)+os.Getenv("PATH"))
		cmd.Env = append(cmd.Env, env...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		r := result{stdout: o.String(), stderr: e.String()}
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := goCmd("tpkg", nil, "test", "-v", ".")
	if r.code != 0 || !strings.Contains(r.stdout, "--- PASS: TestA") || !strings.Contains(r.stdout, "in A") ||
		!strings.Contains(r.stdout, "--- PASS: TestFiles") ||
		!strings.Contains(r.stdout, "--- SKIP: TestHang") || !strings.Contains(r.stdout, "ok  \ttpkg") {
		t.Errorf("go test -v: %v", r)
	}
	r = goCmd("tpkg", []string{"TPKG_FAIL=1"}, "test", ".")
	if r.code != 1 || !strings.Contains(r.stdout, "--- FAIL: TestB") || !strings.Contains(r.stdout, "B failed as asked") {
		t.Errorf("go test of a failing test: %v", r)
	}
	// The test's own -timeout reports first, with its goroutine dump.
	r = goCmd("tpkg", []string{"TPKG_HANG=1"}, "test", "-timeout=3s", "-run=Hang", ".")
	if r.code != 1 || !strings.Contains(r.stdout, "panic: test timed out after 3s") || !strings.Contains(r.stdout, "TestHang") {
		t.Errorf("go test -timeout=3s of a hanging test: %v", r)
	}
	// go run reports a failed program with exit status 1.
	r = goCmd("probe", nil, "run", ".", "exit", "3")
	if r.code != 1 || r.stdout != "exiting with 3\n" || r.stderr != "exit status 3\n" {
		t.Errorf("go run . exit 3: %v", r)
	}
}

// pvhELF writes a minimal ELF64 x86-64 file with the Xen PVH note, enough
// for the runner's image check.
func pvhELF(t *testing.T) string {
	var note bytes.Buffer
	binary.Write(&note, binary.LittleEndian, []uint32{4, 4, 18})
	note.WriteString("Xen\x00")
	binary.Write(&note, binary.LittleEndian, uint32(0x100000))
	const ehsize, phsize = 64, 56
	var b bytes.Buffer
	hdr := elf.Header64{
		Ident:     [16]byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)},
		Type:      uint16(elf.ET_EXEC),
		Machine:   uint16(elf.EM_X86_64),
		Version:   uint32(elf.EV_CURRENT),
		Phoff:     ehsize,
		Ehsize:    ehsize,
		Phentsize: phsize,
		Phnum:     1,
	}
	binary.Write(&b, binary.LittleEndian, hdr)
	binary.Write(&b, binary.LittleEndian, elf.Prog64{
		Type: uint32(elf.PT_NOTE), Off: ehsize + phsize,
		Filesz: uint64(note.Len()), Memsz: uint64(note.Len()), Align: 4,
	})
	b.Write(note.Bytes())
	p := filepath.Join(t.TempDir(), "fake.xen")
	if err := os.WriteFile(p, b.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := qemuxen.CheckImage(p); err != nil {
		t.Fatalf("the hand-made PVH ELF: %v", err)
	}
	return p
}

// TestUsageErrors checks the runner's own errors (exit 125); they need no
// QEMU, Xen or toolchain.
func TestUsageErrors(t *testing.T) {
	exe := buildRunner(t)
	fake := pvhELF(t)
	self, _ := os.Executable()
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		msg  string
	}{
		{"no binary", nil, nil, "usage: go_xen_amd64_exec"},
		{"bad flag", nil, []string{"-x", fake}, "unknown flag -x"},
		{"missing binary", nil, []string{"/nonexistent/prog"}, "no such file"},
		{"host binary", nil, []string{self}, "not a GOOS=xen image"},
		{"bad mode", []string{"GOXEN_MODE=hvm"}, []string{fake}, "GOXEN_MODE=hvm: unknown mode"},
		{"bad memory", []string{"GOXEN_MEMORY=lots"}, []string{fake}, "GOXEN_MEMORY=lots: not a memory size"},
		{"tiny memory", []string{"GOXEN_MEMORY=1"}, []string{fake}, "GOXEN_MEMORY=1: too small"},
		{"bad timeout", []string{"GOXEN_TIMEOUT=soon"}, []string{fake}, "GOXEN_TIMEOUT=soon: not a duration"},
		{"no qemu", []string{"GOXEN_QEMU=/nonexistent/qemu"}, []string{fake}, "apt-get install qemu-system-x86 xen-hypervisor-4.17-amd64"},
		{"no xen", []string{"GOXEN_XEN=/nonexistent/xen.gz", "GOXEN_QEMU=/bin/true"}, []string{fake}, "apt-get install qemu-system-x86 xen-hypervisor-4.17-amd64"},
	} {
		r := runIn(t, exe, tt.env, tt.args...)
		if r.code != exitstatus.CouldNotRun || !strings.Contains(r.stderr, tt.msg) || r.stdout != "" {
			t.Errorf("%s: want exit %d and %q on stderr; got %v", tt.name, exitstatus.CouldNotRun, tt.msg, r)
		}
	}
	if r := runIn(t, exe, nil, "-h"); r.code != 0 || !strings.Contains(r.stdout, "GOXEN_TIMEOUT") {
		t.Errorf("-h: %v", r)
	}
}

// BenchmarkHello measures a whole run of a hello world program.
func BenchmarkHello(b *testing.B) {
	if testing.Short() {
		b.Skip("-short")
	}
	var err error
	if xenGo, err = findXenGo(); err != nil {
		b.Fatal(err)
	}
	exe := buildRunner(b)
	img := filepath.Join(workDir, "hello.xen")
	cmd := exec.Command(xenGo, "build", "-o", img, ".")
	cmd.Dir = filepath.Join("testdata", "probe")
	cmd.Env = append(os.Environ(), "GOOS=xen", "GOARCH=amd64", "GOTOOLCHAIN=local", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := exec.Command(exe, img, "hello").Output()
		if err != nil || string(out) != "hello from xen\n" {
			b.Fatalf("%v %q", err, out)
		}
	}
}
