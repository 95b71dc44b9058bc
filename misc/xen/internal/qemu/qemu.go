// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package qemu starts and stops the QEMU process of the emulated backend,
// for the runner (go_xen_amd64_exec, Xen with the program as dom0) and for
// the level-2 test host (Xen with a Linux dom0), and reads its serial port.
//
// Every QEMU it starts dies with the process that started it (Pdeathsig),
// so that a runner or test killed outright leaves no emulator behind, and
// runs in a process group of its own, so that a ^C on the terminal reaches
// the runner, which then stops QEMU itself; only an interactive QEMU
// (Config.Terminal) stays in the terminal's foreground group. QEMU's stdin
// is never the terminal unless asked for: -serial stdio puts a terminal in
// raw mode and leaves it so if QEMU is killed.
package qemu

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
)

// Binary is QEMU's command, looked up in PATH.
const Binary = "qemu-system-x86_64"

// Config says how to start QEMU.
type Config struct {
	// Path is the QEMU binary; a name without a slash is looked up in PATH
	// (and the sbin directories). Default Binary.
	Path string
	Args []string
	// Files are inherited as descriptors 3, 4, ... (/dev/fd/N in Args).
	Files []*os.File
	// Serial receives QEMU's standard output, where -serial stdio puts the
	// first serial port, as it arrives, from one goroutine. Nil: discarded.
	Serial io.Writer
	// Stderr, if set, receives a copy of QEMU's own messages; the last 8
	// KiB are kept for Process.Stderr either way.
	Stderr io.Writer
	// Terminal runs QEMU in the caller's terminal: stdin and stdout are the
	// caller's os.Stdin and os.Stdout, and QEMU stays in the foreground
	// process group (xentesthost shell). Serial and Process.Input are then
	// unused.
	Terminal bool
}

// Process is a running QEMU.
type Process struct {
	cmd      *exec.Cmd
	input    *os.File // the serial port's input (QEMU's stdin pipe)
	stderr   *tailBuffer
	ownGroup bool // QEMU leads a process group of its own
	done     chan struct{}
	err      error
}

// LookPath finds a command in PATH or, failing that, in the sbin and bin
// directories (a non-login root shell may lack them in PATH).
func LookPath(cmd string) (string, error) {
	if p, err := exec.LookPath(cmd); err == nil {
		return p, nil
	}
	if filepath.Base(cmd) == cmd {
		for _, d := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
			p := filepath.Join(d, cmd)
			if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s: %w", cmd, exec.ErrNotFound)
}

// Start starts QEMU.
func Start(cfg Config) (*Process, error) {
	name := cfg.Path
	if name == "" {
		name = Binary
	}
	path, err := LookPath(name)
	if err != nil {
		return nil, err
	}
	p := &Process{stderr: &tailBuffer{max: 8 << 10}, done: make(chan struct{})}
	cmd := exec.Command(path, cfg.Args...)
	cmd.ExtraFiles = cfg.Files
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: !cfg.Terminal}
	if cfg.Stderr != nil {
		cmd.Stderr = io.MultiWriter(p.stderr, cfg.Stderr)
	} else {
		cmd.Stderr = p.stderr
	}
	p.cmd = cmd
	p.ownGroup = !cfg.Terminal

	if cfg.Terminal {
		cmd.Stdin, cmd.Stdout = os.Stdin, os.Stdout
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("starting QEMU: %v", err)
		}
		go func() {
			p.err = cmd.Wait()
			close(p.done)
		}()
		return p, nil
	}

	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout = inR, outW
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("starting QEMU: %v", err)
	}
	p.input = inW
	serial := cfg.Serial
	if serial == nil {
		serial = io.Discard
	}
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := outR.Read(buf)
			if n > 0 {
				serial.Write(buf[:n])
			}
			if err != nil {
				break
			}
		}
		outR.Close()
		p.err = cmd.Wait()
		inW.Close()
		close(p.done)
	}()
	return p, nil
}

// Input is the serial port's input (QEMU's stdin); nil for a Terminal
// QEMU. It is closed when QEMU has exited.
func (p *Process) Input() io.Writer {
	if p.input == nil {
		return nil
	}
	return p.input
}

// Kill stops QEMU at once, with its process group (anything it started).
func (p *Process) Kill() {
	if p.ownGroup {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	p.cmd.Process.Kill()
}

// Pid is QEMU's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when QEMU has exited and its serial output has all been
// passed to Config.Serial.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait waits for Done and returns how QEMU exited (an *exec.ExitError for a
// nonzero status or a signal).
func (p *Process) Wait() error {
	<-p.done
	return p.err
}

// ExitCode is QEMU's exit status after Done, or -1 if it was killed.
func (p *Process) ExitCode() int {
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		return -1
	}
	return 0
}

// Stderr returns the last 8 KiB of QEMU's messages.
func (p *Process) Stderr() string { return p.stderr.String() }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
