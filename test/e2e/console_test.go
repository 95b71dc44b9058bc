package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"goforxen.dev/test/internal/xentest"
)

// The runner keeps the program's stdout and stderr apart, each complete and
// in order, in both modes; the last pieces without a newline stay so; a
// panic's message and traceback go to stderr, as on Linux.
func TestStdoutStderrApart(t *testing.T) {
	t.Parallel()
	img := image(t, "streams")
	var wantOut, wantErr strings.Builder
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&wantOut, "out %d\n", i)
		fmt.Fprintf(&wantErr, "err %d\n", i)
		if i%7 == 0 {
			fmt.Fprintf(&wantErr, "err %d again\n", i)
		}
	}
	wantOut.WriteString("out end")
	wantErr.WriteString("err end")
	// The panic's run checks both: the streams up to the panic are those of
	// a run that ends normally (one boot of the test host less).
	for _, mode := range []string{"dom0", "domu"} {
		r := runXen(t, img, 64, []string{"GOXEN_MODE=" + mode}, "panic")
		if r.status != 2 || r.out != wantOut.String() ||
			!strings.HasPrefix(r.stderr, wantErr.String()+"panic: boom\n\ngoroutine 1 [running]:\nmain.main()") {
			t.Errorf("%s: exit status %d (want 2), stdout as written: %v\nstdout:\n%s\nstderr:\n%s",
				mode, r.status, r.out == wantOut.String(), r.out, r.stderr)
		}
	}
}

// A crash's registers and traceback go to stderr, followed by the runner's
// message; stdout has only what the program printed.
func TestCrashOnStderr(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"dom0", "domu"} {
		r := runXen(t, image(t, "crash"), 64, []string{"GOXEN_MODE=" + mode})
		if r.status != 134 || r.out != "about to trap\n" ||
			!regexp.MustCompile(`(?s)^unexpected trap: #UD invalid opcode.*\nrip +0x[0-9a-f]+\n.*goroutine 1 .*main\.ud2.*go_xen_amd64_exec: .*crashed`).MatchString(r.stderr) {
			t.Errorf("%s: exit status %d (want 134)\nstdout:\n%s\nstderr:\n%s", mode, r.status, r.out, r.stderr)
		}
	}
}

// As a domU the console streams while the guest runs: a line printed
// before a sleep arrives before the guest stops.
func TestDomUConsoleStreams(t *testing.T) {
	t.Parallel()
	exe := filepath.Join(xentest.GOROOT(t), "bin", "go_xen_amd64_exec")
	cmd := exec.Command(exe, image(t, "slowprint"), "15s")
	cmd.Env = append(os.Environ(), "GOXEN_MODE=domu", "GOXEN_MEMORY=64", "GOXEN_TIMEOUT=5m")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	br := bufio.NewReader(stdout)
	first, _ := br.ReadString('\n')
	firstAt := time.Now()
	rest, _ := br.ReadString(0)
	err = cmd.Wait()
	waited := time.Since(firstAt)
	if err != nil || first != "before the sleep\n" || rest != "after the sleep\n" {
		t.Fatalf("runner: %v; first line %q, then %q\nstderr:\n%s", err, first, rest, stderr.String())
	}
	// The guest sleeps 15 s after the first line; stopping and tearing it
	// down takes more.
	if waited < 10*time.Second {
		t.Errorf("the first line came %v before the runner ended: not while the guest ran", waited.Round(time.Millisecond))
	}
}

// As a domU the runner's stdin is the program's console input, complete
// and in order, and its end is end of file.
func TestDomUStdin(t *testing.T) {
	t.Parallel()
	checkStdin(t, []string{"GOXEN_MODE=domu"})
}

// checkStdin gives the stdin program 400 lines, more than Xen's 128-byte
// serial buffer, and checks that all arrive in order and their end is end
// of file, under the runner with env.
func checkStdin(t *testing.T, env []string) {
	t.Helper()
	var in bytes.Buffer
	for i := 1; i <= 400; i++ {
		fmt.Fprintf(&in, "line %d, with some text: %q\n", i, strings.Repeat("x", i%17))
	}
	sum := sha256.Sum256(in.Bytes())
	want := fmt.Sprintf("lines 400 bytes %d sha256 %x err <nil>", in.Len(), sum)
	r := runXenInput(t, image(t, "stdin"), 64, bytes.NewReader(in.Bytes()), env)
	expect(t, r, 0, `^input\? \n`, regexp.QuoteMeta(want), `(?m)^after the end: 0 EOF$`)
}
