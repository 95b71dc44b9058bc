// End-to-end tests of the runtime: programs in testdata/ built for GOOS=xen
// and run as PVH dom0 on Xen in QEMU through go_xen_amd64_exec, the emulated
// backend the toolchain installs.
package e2e

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"goforxen.dev/test/internal/xentest"
)

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// buildOnce builds testdata/name with env into out, once per test binary;
// key tells apart builds of one directory for different targets.
func buildOnce(t *testing.T, key, name, out string, env ...string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[key]; ok {
		return p
	}
	src, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o777); err != nil {
		t.Fatal(err)
	}
	cmd := xentest.GoCmd(t, env, "build", "-o", out, ".")
	cmd.Dir = src
	xentest.Run(t, cmd)
	built[key] = out
	return out
}

// image builds testdata/name for GOOS=xen once per test binary.
func image(t *testing.T, name string) string {
	t.Helper()
	return buildOnce(t, name, name, filepath.Join(os.TempDir(), "goxen-e2e-"+name+".xen"),
		"GOOS=xen", "GOARCH=amd64", "GO111MODULE=off")
}

// hostTool builds testdata/name as a static linux/amd64 program for the
// test host's dom0 (testhost.Case.HostTools), named name there. It outlives
// the test that built it (other tests reuse it), so it is not in a
// t.TempDir.
func hostTool(t *testing.T, name string) string {
	t.Helper()
	return buildOnce(t, "linux:"+name, name, filepath.Join(os.TempDir(), "goxen-e2e-linux", name),
		"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GO111MODULE=off")
}

type run struct {
	out    string        // the program's stdout
	stderr string        // the program's stderr and the runner's own messages
	status int           //
	cpu    time.Duration // CPU time of the runner and QEMU (user + system)
	wall   time.Duration
}

// runXen runs an image under the emulated backend with the given memory (MiB),
// arguments and extra environment.
func runXen(t *testing.T, img string, memMiB int, env []string, args ...string) run {
	t.Helper()
	return runXenWith(t, img, runOpts{mem: memMiB, env: env}, args...)
}

// runXenInput is runXen with stdin as the console's input (nil: /dev/null).
func runXenInput(t *testing.T, img string, memMiB int, stdin io.Reader, env []string, args ...string) run {
	t.Helper()
	return runXenWith(t, img, runOpts{mem: memMiB, stdin: stdin, env: env}, args...)
}

type runOpts struct {
	mem   int       // MiB
	stdin io.Reader // the console's input (nil: /dev/null)
	env   []string  // more environment for the runner and the program
	dir   string    // the runner's working directory (default: the test's)
}

func runXenWith(t *testing.T, img string, o runOpts, args ...string) run {
	t.Helper()
	exe := filepath.Join(xentest.GOROOT(t), "bin", "go_xen_amd64_exec")
	cmd := exec.Command(exe, append([]string{img}, args...)...)
	cmd.Env = append(os.Environ(), append([]string{"GOXEN_MEMORY=" + strconv.Itoa(o.mem), "GOXEN_TIMEOUT=5m"}, o.env...)...)
	cmd.Dir = o.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.stdin, &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	status := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", exe, err)
	}
	r := run{out: stdout.String(), stderr: stderr.String(), status: status, wall: wall}
	if ps := cmd.ProcessState; ps != nil {
		// On Linux the rusage wait4 reports includes the children the
		// runner waited for: QEMU.
		r.cpu = ps.UserTime() + ps.SystemTime()
	}
	if testing.Verbose() {
		t.Logf("status %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.stderr)
	}
	return r
}

// expect checks the exit status, and that the output, stdout followed by
// stderr (where panics, crashes and the runtime's messages go, as on
// Linux), matches each pattern.
func expect(t *testing.T, r run, status int, patterns ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.status, status, r.out, r.stderr)
	}
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(r.out + r.stderr) {
			t.Errorf("output does not match %q:\nstdout:\n%s\nstderr:\n%s", p, r.out, r.stderr)
		}
	}
}

// 10k goroutines and a ring of 1000. The environment asks for GOMAXPROCS=4,
// which cannot be had on one vCPU: the program runs with 1 (a second P
// would need a second M).
func TestGoroutines(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "goroutines"), 256, []string{"GOMAXPROCS=4"})
	expect(t, r, 0, `(?m)^goroutines=10000 sum=100010000 ring=10000$`, `(?m)^GOMAXPROCS 1$`)
}

func TestGCChurn(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "gcchurn"), 128, nil)
	expect(t, r, 0, `(?m)^allocated=\d+MiB gcs>=100:true heap<64MiB:true kept=100$`)
}

func TestFinalizers(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "finalizers"), 128, nil)
	expect(t, r, 0, `(?m)^finalized=100 cleaned=100$`)
}

func TestTimers(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "timers"), 128, nil)
	expect(t, r, 0, `(?m)^sleep ok$`, `(?m)^ticker ok$`, `(?m)^select ok$`, `(?m)^context ok$`,
		`(?m)^afterfunc ok$`, `(?m)^reset ok$`, `(?m)^clocks ok$`)
	if strings.Contains(r.out, " took ") || strings.Contains(r.out, "disagree") || strings.Contains(r.out, "wall clock says") {
		t.Errorf("timing out of bounds:\n%s", r.out)
	}
}

func TestPanicsRecover(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "panics"), 128, nil)
	expect(t, r, 0,
		`(?m)^nil: runtime.Error: runtime error: invalid memory address or nil pointer dereference$`,
		`(?m)^nilfield: runtime.Error: runtime error: invalid memory address or nil pointer dereference$`,
		`(?m)^divide: runtime.Error: runtime error: integer divide by zero$`,
		`(?m)^bounds: runtime.Error: runtime error: index out of range \[5\] with length 3$`,
		`(?m)^nilmap: runtime.Error: assignment to entry in nil map$`,
		`(?m)^nilfunc: runtime.Error: runtime error: invalid memory address or nil pointer dereference$`,
		`(?m)^custom: value: custom value$`,
		`(?m)^still running$`)
}

func TestDeepRecursion(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "recursion"), 512, nil)
	expect(t, r, 0, `(?m)^main: 500000$`, `(?m)^goroutine: 100000$`)
}

// A program in a 512 MiB domain holds a 400 MiB live heap.
func TestLargeHeap(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "largeheap"), 512, nil)
	expect(t, r, 0, `(?m)^live=400MiB heap>=400MiB:true$`)
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	img := image(t, "exitcode")
	for _, tc := range []struct {
		arg    string
		status int
		out    string
	}{
		{"0", 0, ""},
		{"3", 3, ""},
		{"255", 255, ""},
		{"return", 0, ""},
		{"panic", 2, `panic: boom\n`}, // on stderr
	} {
		r := runXen(t, img, 64, nil, tc.arg)
		if tc.out == "" {
			expect(t, r, tc.status, `(?m)^before exit$`)
		} else {
			expect(t, r, tc.status, `(?m)^before exit`, tc.out)
		}
	}
}

// Arguments and environment values with awkward characters arrive exactly.
func TestArgsAndEnv(t *testing.T) {
	t.Parallel()
	args := []string{"plain", "two words", `quote"s`, "it's", "comma,separated", "a=b", `back\slash`, "日本語 ü", "", "--", "-flag=x y"}
	env := []string{"GOXENTEST_A=x y z", `GOXENTEST_B='"q"'`, "GOXENTEST_C=a,b,,c"}
	r := runXen(t, image(t, "argsenv"), 64, env, args...)
	var want []string
	for i, a := range args {
		want = append(want, "arg"+strconv.Itoa(i+1)+"="+strconv.Quote(a))
	}
	for _, kv := range env {
		want = append(want, "env "+strconv.Quote(kv))
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(r.out), "\n") {
		if strings.HasPrefix(l, "arg") || strings.HasPrefix(l, "env ") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || r.status != 0 {
		t.Errorf("status %d; got:\n%s\nwant:\n%s", r.status, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// An unknown runtime option is a malformed command line: a clear message and
// status 2, before main runs. (Quoting errors: TestCommandLineFromXl.)
func TestUnknownRuntimeOption(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "argsenv"), 64, []string{"GOXEN_OPTIONS=goxen.bogus=1"}, "x")
	expect(t, r, 2, `(?m)^goxen: malformed command line: unknown runtime option goxen.bogus=1$`)
	if strings.Contains(r.out, "arg1=") {
		t.Error("main ran despite the malformed command line")
	}
}

// A long argument list (more than Xen's 1023-byte command line) arrives too.
func TestLongArgs(t *testing.T) {
	t.Parallel()
	var args []string
	for i := 0; i < 300; i++ {
		args = append(args, "argument-"+strconv.Itoa(i))
	}
	r := runXen(t, image(t, "argsenv"), 64, nil, args...)
	expect(t, r, 0, `(?m)^arg1="argument-0"$`, `(?m)^arg300="argument-299"$`)
}

func TestIdleBlocksUntilTimer(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "idle"), 64, nil, "3")
	expect(t, r, 0, `(?m)^woke after 3(\.\d)?s$`) // not before the timer; a little after under load
	if r.wall < 3*time.Second {
		t.Errorf("the run took %v, less than the program's timer", r.wall)
	}
}

// An idle program uses no CPU: the vCPU halts, Xen idles, and QEMU sleeps.
// Two runs differ only in 10 more seconds of idling; the CPU time they cost
// must differ by far less than those 10 seconds (busy waiting would cost all
// of them).
func TestIdleUsesNoCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 20 seconds")
	}
	img := image(t, "idle")
	short := runXen(t, img, 64, nil, "1")
	long := runXen(t, img, 64, nil, "11")
	expect(t, short, 0, `woke after 1(\.\d)?s`)
	expect(t, long, 0, `woke after 11(\.\d)?s`)
	extraWall := long.wall - short.wall
	extraCPU := long.cpu - short.cpu
	t.Logf("10 s more idling took %v more wall time and %v more CPU time (%.1f%% of a core)",
		extraWall.Round(time.Millisecond), extraCPU.Round(time.Millisecond), 100*extraCPU.Seconds()/extraWall.Seconds())
	if extraWall < 9*time.Second {
		t.Fatalf("the long run was only %v longer", extraWall)
	}
	if extraCPU > extraWall/5 {
		t.Errorf("idling used %v of CPU in %v: the vCPU is not halting", extraCPU, extraWall)
	}
}

// An unexpected trap prints the registers and a traceback, and the domain is
// reported as crashed, distinct from exit status 2.
func TestCrash(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "crash"), 64, nil)
	expect(t, r, 134, `(?m)^about to trap$`, `unexpected trap: #UD invalid opcode`, `(?m)^rip +0x[0-9a-f]+$`,
		`(?m)^goroutine 1 .*\[running\]:$`, `main\.ud2`, `main\.main\(\)`)
	if strings.Contains(r.out, "not reached") {
		t.Error("execution continued after the trap")
	}

	// A page fault's report names the faulting address, not the last one
	// the runtime's own demand faults left in CR2 on the way to it.
	r = runXen(t, image(t, "crash"), 64, nil, "wild")
	expect(t, r, 134, `(?m)^unexpected fault address 0x7f0000000000$`,
		`(?m)^unexpected trap: #PF page fault \(vector 14, error code 0x[0-9a-f]+\) at address 0x7f0000000000$`,
		`(?m)^fatal error: fault$`, `main\.main\(\)`)
	if strings.Contains(r.out, "not reached") {
		t.Error("execution continued after the fault")
	}
}

// Running out of memory is Go's fatal error, not a hang or a triple fault.
func TestOutOfMemory(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "oom"), 128, nil)
	expect(t, r, 2, `fatal error: (runtime: )?out of memory`)
}

// Runtime options are read at boot, before the heap exists: long ones must
// not make that code allocate (an early crash here once triple-faulted).
func TestLongRuntimeOption(t *testing.T) {
	t.Parallel()
	name := strings.Repeat("a-long-program-name-", 5)
	r := runXen(t, image(t, "argsenv"), 64, []string{"GOXEN_OPTIONS=goxen.boottime=1 goxen.argv0=" + name}, "x")
	expect(t, r, 0, `(?m)^arg1="x"$`, `(?m)^goxen: boottime PVH entry`)
}

// The start-of-day code enables SSE and, where the CPU has XSAVE, the AVX
// state, so that Go's vector code paths (and AVX instructions) work.
func TestVectorStateEnabled(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "cpu"), 64, nil)
	expect(t, r, 0, `(?m)^cpu has AVX: true, OSXSAVE: true$`, `(?m)^XCR0 has SSE: true, AVX: true$`, `(?m)^vpxor: \[0 3 2 5\]$`)
}

// The console's input is the program's stdin: lines arrive complete and in
// order, more than Xen's 128-byte serial buffer of them, the end of the
// runner's stdin is end of file (and stays so), and no stdin reads as empty.
func TestStdin(t *testing.T) {
	t.Parallel()
	checkStdin(t, nil)
	r := runXenInput(t, image(t, "stdin"), 64, nil, nil)
	expect(t, r, 0, `(?m)^lines 0 bytes 0 `, `(?m)^after the end: 0 EOF$`)
}

// A full file system is ENOSPC, not a crash, and removing a file frees it.
func TestFileSystemFull(t *testing.T) {
	t.Parallel()
	r := runXen(t, image(t, "fsfull"), 64, nil)
	expect(t, r, 0, `(?m)^wrote [1-6]?\d MiB, then: write /tmp/big: no space left on device$`, `(?m)^ENOSPC: true$`, `(?m)^space back after remove$`)
}

// Time zones: UTC without TZ; TZ names a zone from the embedded time/tzdata;
// TZ=/path reads a zone file that a boot module brought.
func TestTimeZones(t *testing.T) {
	t.Parallel()
	img := image(t, "tz")
	r := runXen(t, img, 64, []string{"TZ="})
	expect(t, r, 0, `(?m)^local UTC 12:00 UTC$`, `(?m)^tokyo 21:00 JST$`)
	r = runXen(t, img, 64, []string{"TZ=America/New_York"})
	expect(t, r, 0, `(?m)^local America/New_York 08:00 EDT$`)

	// A zone file in the working directory, which the runner carries in.
	dir := t.TempDir()
	zr, err := zip.OpenReader(filepath.Join(xentest.GOROOT(t), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	zf, err := zr.Open("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Paris"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runXenWith(t, img, runOpts{mem: 64, dir: dir, env: []string{"GOXEN_FILES=cwd", "TZ=" + filepath.Join(dir, "Paris")}})
	expect(t, r, 0, `(?m)^local \S*Paris 14:00 CEST$`)
}

// crypto/rand reads RDSEED/RDRAND; two runs differ, and a CPU with neither
// stops the program at boot with a clear fatal error.
func TestRandomness(t *testing.T) {
	t.Parallel()
	img := image(t, "rand")
	re := regexp.MustCompile(`(?m)^random ([0-9a-f]{32})$`)
	seen := map[string]bool{}
	for i := 0; i < 2; i++ {
		r := runXen(t, img, 64, nil)
		expect(t, r, 0)
		m := re.FindStringSubmatch(r.out)
		if m == nil {
			t.Fatalf("no random bytes in:\n%s", r.out)
		}
		seen[m[1]] = true
	}
	if len(seen) != 2 {
		t.Errorf("two runs printed the same random bytes")
	}
	r := runXen(t, img, 64, []string{"GOXEN_CPU=max,rdrand=off,rdseed=off"})
	expect(t, r, 2, `fatal error: xen: the CPU has neither RDSEED nor RDRAND: no source of randomness`)
	if strings.Contains(r.out, "random ") {
		t.Errorf("the program ran without a source of randomness:\n%s", r.out)
	}
}

// The same programs run as PVH domUs that xl creates on the level-2 test
// host (GOXEN_MODE=domu): output and arguments arrive, exit statuses 0 and
// 3 are told apart, and a crash is a crash.
func TestDomU(t *testing.T) {
	t.Parallel()
	domu := []string{"GOXEN_MODE=domu"}
	r := runXen(t, image(t, "exitcode"), 64, domu, "0")
	expect(t, r, 0, `^before exit\n?$`)
	r = runXen(t, image(t, "exitcode"), 64, domu, "3")
	expect(t, r, 3, `^before exit\n?$`)
	args := []string{"two words", "it's", "a=b"}
	r = runXen(t, image(t, "argsenv"), 64, append(domu, "GOXENTEST_A=x y"), args...)
	expect(t, r, 0, `(?m)^arg1="two words"$`, `(?m)^arg2="it's"$`, `(?m)^arg3="a=b"$`, `(?m)^env "GOXENTEST_A=x y"$`)
	r = runXen(t, image(t, "crash"), 64, domu)
	expect(t, r, 134, `(?m)^goroutine 1 `)
}

// TestRuntimeUpcall runs the runtime's own xen tests (upcall_xen_test.go) under
// the emulated backend: the event-channel upcall ends a halt by returning from
// it, also when it is delivered again at its first instruction.
func TestRuntimeUpcall(t *testing.T) {
	cmd := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "test", "-count=1", "-v", "-run", "^TestXen", "runtime")
	out := string(xentest.Run(t, cmd))
	for _, name := range []string{"TestXenUpcallRepeatedInHalt", "TestXenUpcallOutsideHalt", "TestXenHaltWakes", "TestXenHotPathsMakeNoHypercall"} {
		if !strings.Contains(out, "--- PASS: "+name) {
			t.Errorf("%s did not pass:\n%s", name, out)
		}
	}
}
