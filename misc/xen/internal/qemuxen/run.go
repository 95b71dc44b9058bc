// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"goforxen.dev/misc/xen/internal/console"
	"goforxen.dev/misc/xen/internal/exitstatus"
	"goforxen.dev/misc/xen/internal/qemu"
)

// Runner runs one GOOS=xen program under the emulated backend.
type Runner struct {
	QEMU       string        // qemu-system-x86_64
	Xen        *os.File      // the uncompressed Xen image
	MemoryMiB  int           // the domain's memory
	CPU        string        // QEMU's CPU model (default DefaultCPU)
	Timeout    time.Duration // 0: none
	TimeoutWhy string        // where Timeout comes from, for the message
	Verbose    bool          // copy Xen's log and QEMU's messages to Stderr
	TailLines  int           // Xen log lines shown after a failure (default 40)

	Stdin  io.Reader // the console's input (nil: none); its end is sent as EOT
	Stdout io.Writer // the program's output
	Stderr io.Writer // the runner's messages (and Xen's log when Verbose)
}

func (r *Runner) failf(format string, args ...any) int {
	fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: "+format+"\n", args...)
	return exitstatus.CouldNotRun
}

// dom0Machine is what QEMU boots for a dom0 run: the files it inherits
// (/dev/fd/3: the program, 4: Xen, 5: boot module 0 if any) and its
// arguments.
type dom0Machine struct {
	files  []*os.File
	args   []string
	cont   []byte // the command line's continuation in the module, if any
	module *os.File
}

func (m *dom0Machine) close() {
	for _, f := range m.files {
		if f != nil {
			f.Close()
		}
	}
}

// size returns the size of f, or 0.
func size(f *os.File) int64 {
	if f == nil {
		return 0
	}
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

// machine prepares the files and QEMU's arguments to run binary with
// cmdline and the files at paths as dom0.
//
// QEMU gets every file as an inherited descriptor named /dev/fd/N: its
// multiboot loader takes a module's file name up to the first space and a
// comma ends it, the kernel's path lands in Xen's command line, and
// nothing is left behind on disk if the runner is killed.
func (r *Runner) machine(binary string, cmdline *Cmdline, paths []string) (*dom0Machine, error) {
	// Console input goes at the pace of the runtime's acknowledgements
	// (consoleInput.send).
	withInput := *cmdline
	withInput.InputAck = r.Stdin != nil
	line, cont, err := withInput.Encode()
	if err != nil {
		return nil, err
	}
	prog, err := os.Open(binary)
	if err != nil {
		return nil, err
	}
	m := &dom0Machine{files: []*os.File{prog, r.Xen}, cont: cont}
	initrd := "/dev/fd/3 " + EscapeInitrd(line)
	if cont != nil || len(paths) > 0 {
		f, err := os.CreateTemp("", "goxen-module-")
		if err != nil {
			m.close()
			return nil, err
		}
		os.Remove(f.Name())
		m.files = append(m.files, f)
		m.module = f
		if err := WriteModule(f, cont, paths); err != nil {
			m.close()
			return nil, fmt.Errorf("writing the boot module: %v", err)
		}
		initrd += ",/dev/fd/5"
	}
	// The image, the module and (to be generous) Xen's own image.
	var moduleBytes int64
	for _, f := range m.files {
		moduleBytes += size(f)
	}
	m.args = QEMUArgs(r.MemoryMiB, MachineMemory(r.MemoryMiB, moduleBytes), r.CPU, "/dev/fd/4", initrd)
	return m, nil
}

// Run runs binary with cmdline and the files at paths (absolute, see
// WriteModule) as dom0 and returns the runner's exit code. ctx ends the
// run early (a signal to the runner); context.Cause(ctx) may be a
// SignalError.
func (r *Runner) Run(ctx context.Context, binary string, cmdline *Cmdline, paths []string) int {
	m, err := r.machine(binary, cmdline, paths)
	if err != nil {
		return r.failf("%v", err)
	}
	defer m.close()
	if r.Verbose {
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: %s 3<%s 4<%s\n", shellJoin(append([]string{r.QEMU}, m.args...)), shellJoin([]string{binary}), shellJoin([]string{r.Xen.Name()}))
		if m.cont != nil {
			fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: boot module %s: %s", CmdlineMember, m.cont)
		}
		if len(paths) > 0 {
			fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: boot module files: %d, from %s\n", len(paths), paths[0])
		}
	}

	input := newConsoleInput()
	xl := &xenLog{max: r.TailLines}
	if r.Verbose {
		xl.copyTo = r.Stderr
	}
	con := &serialConsole{
		demux:  console.Demux{Out: r.Stdout, Err: r.Stderr, XenLine: xl.line, InputAck: input.ack},
		xen:    xl,
		events: make(chan struct{}, 1),
	}
	cfg := qemu.Config{Path: r.QEMU, Args: m.args, Files: m.files, Serial: con}
	if r.Verbose {
		cfg.Stderr = r.Stderr
	}
	p, err := qemu.Start(cfg)
	if err != nil {
		return r.failf("%v", err)
	}
	runDone := make(chan struct{})
	defer close(runDone)
	if r.Stdin != nil {
		go input.send(p.Input(), r.Stdin, runDone)
	}
	end := r.watch(ctx, p, con)
	con.close()
	return r.report(ctx, end, p, con, m)
}

// serialConsole is QEMU's serial output as the runner reads it: Xen's log
// and the program's console, split by console.Demux. Writes come from
// package qemu's reading goroutine; events says something has arrived.
type serialConsole struct {
	mu     sync.Mutex
	demux  console.Demux
	xen    *xenLog
	events chan struct{}
}

func (s *serialConsole) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.demux.Write(p)
	s.mu.Unlock()
	select {
	case s.events <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (s *serialConsole) close() {
	s.mu.Lock()
	s.demux.Close()
	s.mu.Unlock()
}

// ending reports whether Xen has said the machine stops.
func (s *serialConsole) ending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.xen.ending
}

// runEnd is how the watch over QEMU ended.
type runEnd struct {
	timedOut     bool // the time limit passed: QEMU killed
	interrupted  bool // ctx ended: QEMU killed
	stoppedByXen bool // Xen said the machine stops: QEMU ended a second later
}

// watch waits for QEMU to end, killing it at the time limit, when ctx
// ends, or a second after Xen has said the machine halts or reboots (a
// halted Xen never ends QEMU).
func (r *Runner) watch(ctx context.Context, p *qemu.Process, con *serialConsole) runEnd {
	var end runEnd
	var timeoutC, endC <-chan time.Time
	if r.Timeout > 0 {
		t := time.NewTimer(r.Timeout)
		defer t.Stop()
		timeoutC = t.C
	}
	ctxDone := ctx.Done()
	endArmed := false
	for {
		select {
		case <-p.Done():
			return end
		case <-con.events:
			if !endArmed && con.ending() {
				// Take the rest of Xen's last words, then end QEMU.
				endArmed = true
				endC = time.After(time.Second)
			}
		case <-endC:
			endC = nil
			end.stoppedByXen = true
			p.Kill()
		case <-timeoutC:
			timeoutC = nil
			end.timedOut = true
			p.Kill()
		case <-ctxDone:
			ctxDone = nil
			end.interrupted = true
			p.Kill()
		}
	}
}

// report says how the run ended and returns the exit code.
func (r *Runner) report(ctx context.Context, end runEnd, p *qemu.Process, con *serialConsole, m *dom0Machine) int {
	waitErr := p.Wait()
	con.mu.Lock()
	st, haveStatus := con.demux.Status()
	tail := append([]string(nil), con.xen.tail...)
	con.mu.Unlock()

	out := exitstatus.Outcome{Status: st, HaveStatus: haveStatus, TimedOut: end.timedOut}
	if end.interrupted {
		out.Signal = signalOf(ctx)
	}
	code := out.Code()
	switch {
	case haveStatus && !st.Crashed:
	case end.interrupted:
		if out.Signal != syscall.SIGPIPE {
			fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: %v: stopped QEMU\n", context.Cause(ctx))
		}
		if out.Signal == syscall.SIGQUIT {
			// cmd/go's way of ending a test binary that ran too long.
			r.printTail(tail, p.Stderr())
		}
	case haveStatus: // crashed
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: the program crashed (%q; registers and traceback above)\n", st.String())
		r.printTail(tail, p.Stderr())
	case end.timedOut:
		r.printTail(tail, p.Stderr())
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: timed out after %v (%s): killed QEMU\n", r.Timeout, r.TimeoutWhy)
	default:
		how := "QEMU exited"
		switch {
		case end.stoppedByXen:
			how = "Xen stopped the machine"
		case waitErr != nil:
			how = "QEMU ended (" + waitErr.Error() + ")"
		}
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: %s before the program printed its status line: the domain or Xen crashed\n", how)
		r.printTail(tail, p.Stderr())
		for _, l := range tail {
			if strings.Contains(l, "Could not construct domain 0") {
				var img int64
				if f, err := elf.NewFile(m.files[0]); err == nil {
					img = loadedSize(f) // what Xen populates, bss included
				}
				fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: Xen could not build the domain: is GOXEN_MEMORY=%d (MiB) too small for an image that takes %.1f MiB of memory and a %.1f MiB boot module?\n",
					r.MemoryMiB, float64(img)/(1<<20), float64(size(m.module))/(1<<20))
				break
			}
		}
	}
	return code
}

// loadedSize is the memory an image's PT_LOAD segments take once loaded.
func loadedSize(f *elf.File) int64 {
	var n int64
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			n += int64(p.Memsz)
		}
	}
	return n
}

func (r *Runner) printTail(tail []string, qemuStderr string) {
	if !r.Verbose && len(tail) > 0 {
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: the last %d lines of Xen's log:\n", len(tail))
		for _, l := range tail {
			fmt.Fprintf(r.Stderr, "\t%s\n", l)
		}
	}
	var said []string
	for _, l := range strings.Split(qemuStderr, "\n") {
		if strings.TrimSpace(l) != "" && !strings.Contains(l, invariantTSCWarning) {
			said = append(said, l)
		}
	}
	if qemuStderr = strings.Join(said, "\n"); qemuStderr != "" && !r.Verbose {
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: QEMU said:\n\t%s\n", strings.ReplaceAll(qemuStderr, "\n", "\n\t"))
	}
}

// SignalError is the cause of a run interrupted by a signal.
type SignalError struct {
	Signal syscall.Signal
}

func (e SignalError) Error() string {
	return "interrupted by " + e.Signal.String()
}

// SignalContext is the context of a command that runs a program: the
// first of the signals the commands stop on cancels it, with a
// SignalError as its cause, which they report as 128+n. SIGQUIT is how
// cmd/go stops a test that outlived -timeout; SIGPIPE (a reader of the
// output gone) stops the run too instead of killing the command outright.
func SignalContext() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGPIPE)
	go func() {
		sig := <-sigs
		cancel(SignalError{Signal: sig.(syscall.Signal)})
	}()
	return ctx
}

// Signal is the signal that cancelled ctx (SignalContext), 0 if none did.
func Signal(ctx context.Context) syscall.Signal {
	var se SignalError
	if errors.As(context.Cause(ctx), &se) {
		return se.Signal
	}
	return 0
}

// signalOf is the signal that stopped the run (Signal), or SIGTERM when it
// was stopped for another reason.
func signalOf(ctx context.Context) syscall.Signal {
	if sig := Signal(ctx); sig != 0 {
		return sig
	}
	return syscall.SIGTERM
}

// shellJoin quotes args for a POSIX shell, for the verbose log.
func shellJoin(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:+@%") == "" {
			b.WriteString(a)
			continue
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}
