// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemu

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A fake QEMU: a shell script that echoes its serial input, writes to
// stderr and can be told to sleep or exit.
const fakeQEMU = `#!/bin/sh
echo "args: $*"
echo "to stderr" >&2
echo "fd3: $(cat /dev/fd/3)"
echo "pgid: $(ps -o pgid= -p $$ | tr -d ' ') pid: $$"
while read -r line; do
	echo "serial in: $line"
	case "$line" in
	exit*) exit ${line#exit } ;;
	sleep) sleep 1000 ;;
	esac
done
`

func fake(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "fake-qemu")
	if err := os.WriteFile(p, []byte(fakeQEMU), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until f is true or fails the test after 10 s.
func waitFor(t *testing.T, what string, f func() bool) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if f() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestStartSerialAndExit(t *testing.T) {
	tmp, err := os.CreateTemp(t.TempDir(), "file")
	if err != nil {
		t.Fatal(err)
	}
	tmp.WriteString("inherited")
	tmp.Seek(0, 0)
	var serial syncBuffer
	p, err := Start(Config{Path: fake(t), Args: []string{"-a", "b c"}, Files: []*os.File{tmp}, Serial: &serial})
	if err != nil {
		t.Fatal(err)
	}
	p.Input().Write([]byte("hello\nexit 3\n"))
	if err := p.Wait(); err == nil || p.ExitCode() != 3 {
		t.Errorf("Wait: %v, exit code %d; want status 3", err, p.ExitCode())
	}
	out := serial.String()
	for _, want := range []string{"args: -a b c\n", "fd3: inherited\n", "serial in: hello\n", "serial in: exit 3\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("serial output lacks %q:\n%s", want, out)
		}
	}
	if p.Stderr() != "to stderr\n" {
		t.Errorf("stderr %q", p.Stderr())
	}
	// QEMU runs in a process group of its own.
	var pgid, pid int
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "pgid: ") {
			f := strings.Fields(l)
			pgid, _ = strconv.Atoi(f[1])
			pid, _ = strconv.Atoi(f[3])
		}
	}
	if pid == 0 || pgid != pid {
		t.Errorf("QEMU's process group %d, its pid %d: want its own group", pgid, pid)
	}
	if _, err := p.Input().Write([]byte("late\n")); err == nil {
		t.Error("writing the serial input after the exit did not fail")
	}
}

func TestKill(t *testing.T) {
	var serial syncBuffer
	p, err := Start(Config{Path: fake(t), Serial: &serial})
	if err != nil {
		t.Fatal(err)
	}
	p.Input().Write([]byte("sleep\n"))
	waitFor(t, "the sleep", func() bool { return strings.Contains(serial.String(), "serial in: sleep") })
	p.Kill()
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Kill did not end QEMU")
	}
	if p.ExitCode() != -1 {
		t.Errorf("exit code %d after Kill, want -1", p.ExitCode())
	}
}

// QEMU dies with the process that started it: a helper process (this test
// binary) starts the fake QEMU and is killed outright.
func TestDiesWithParent(t *testing.T) {
	if os.Getenv("QEMU_TEST_PARENT") != "" {
		p, err := Start(Config{Path: os.Getenv("QEMU_TEST_FAKE")})
		if err != nil {
			os.Exit(1)
		}
		p.Input().Write([]byte("sleep\n"))
		os.Stdout.WriteString(strconv.Itoa(p.Pid()) + "\n")
		select {}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDiesWithParent$")
	cmd.Env = append(os.Environ(), "QEMU_TEST_PARENT=1", "QEMU_TEST_FAKE="+fake(t))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	n, _ := out.Read(buf)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("helper printed %q", buf[:n])
	}
	cmd.Process.Kill()
	cmd.Wait()
	waitFor(t, "QEMU to die with its parent", func() bool {
		// Gone, or a zombie waiting for init.
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		return err != nil || strings.Contains(string(b), ") Z ")
	})
	syscall.Kill(pid, syscall.SIGKILL)
}

func TestStartMissing(t *testing.T) {
	if _, err := Start(Config{Path: "/nonexistent/qemu"}); err == nil {
		t.Error("Start of a missing binary did not fail")
	}
}
