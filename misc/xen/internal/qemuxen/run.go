package qemuxen

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Exit codes of the runner besides the program's own status.
const (
	TimeoutExitCode = 124 // the run took longer than its limit (timeout(1)'s code)
	UsageExitCode   = 125 // the runner could not run the program (usage, setup)
	CrashExitCode   = 134 // the domain crashed, or the machine stopped with no status line
)

// DefaultMemory is the domain's memory in MiB without GOXEN_MEMORY.
const DefaultMemory = 512

// Memory limits for GOXEN_MEMORY, in MiB. Below MinMemory Xen cannot
// build a dom0 with the runtime in it.
const (
	MinMemory = 4
	MaxMemory = 1 << 20
)

// XenOverhead is the memory QEMU's machine needs beyond the domain's, in MiB:
// Xen itself, its frame table (32 bytes per 4 KiB page), the dom0's paging
// and IOMMU page tables (about 4 and 2 KiB per MiB), with room to spare. Xen
// panics ("Could not construct domain 0") or silently gives dom0 less than
// dom0_mem asks when the machine has too little; measured: 512 MiB needs 16
// MiB more, 4 GiB needs 80. The boot modules (the image and the files) take
// machine memory of their own while Xen builds the domain: MachineMemory
// adds them.
func XenOverhead(domainMiB int) int {
	return 32 + domainMiB/32
}

// MachineMemory is the memory of QEMU's machine, in MiB, for a domain of
// domainMiB and boot modules of moduleBytes in all.
func MachineMemory(domainMiB int, moduleBytes int64) int {
	return domainMiB + XenOverhead(domainMiB) + int((moduleBytes+(1<<20)-1)>>20)
}

// ParseMemory parses GOXEN_MEMORY: a number of MiB, optionally followed by
// M, MiB, G or GiB.
func ParseMemory(s string) (int, error) {
	bad := func() (int, error) {
		return 0, fmt.Errorf("GOXEN_MEMORY=%s: not a memory size; want MiB from %d to %d, such as 512 or 1G", s, MinMemory, MaxMemory)
	}
	num, mul := strings.TrimSpace(s), 1
	for _, suf := range []struct {
		s string
		m int
	}{{"GiB", 1024}, {"G", 1024}, {"MiB", 1}, {"M", 1}} {
		if n, ok := strings.CutSuffix(num, suf.s); ok {
			num, mul = n, suf.m
			break
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > MaxMemory/mul {
		return bad()
	}
	n *= mul
	if n < MinMemory {
		return 0, fmt.Errorf("GOXEN_MEMORY=%s: too small; the domain needs at least %d MiB", s, MinMemory)
	}
	return n, nil
}

// Runner runs one GOOS=xen program as dom0 of Xen in QEMU.
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

// XenCmdline is Xen's own command line for a domain of mem MiB: the console
// on the first serial port, the program as a PVH dom0 (PVH dom0 needs an
// IOMMU), all log levels so that a failure can be explained. There is no
// noreboot: a crash or panic of Xen then "reboots", which ends QEMU
// (-no-reboot).
func XenCmdline(mem int) string {
	return fmt.Sprintf("console=com1 dom0=pvh iommu=1 dom0_mem=%dM loglvl=all guest_loglvl=all", mem)
}

// DefaultCPU is QEMU's CPU model for the emulated machine: every feature TCG
// has (XSAVE, AVX, RDRAND, RDSEED, ...), so Go's fast paths run.
const DefaultCPU = "max"

// QEMUArgs are the arguments of qemu-system-x86_64 for a domain of mem MiB
// on a machine of machineMem MiB with CPU model cpu (empty: DefaultCPU),
// Xen's image xen and the modules initrd.
func QEMUArgs(mem, machineMem int, cpu, xen, initrd string) []string {
	if cpu == "" {
		cpu = DefaultCPU
	}
	return []string{
		"-accel", "tcg", "-cpu", cpu, "-M", "q35", "-device", "amd-iommu",
		"-m", strconv.Itoa(machineMem), "-smp", "1",
		"-nodefaults", "-no-user-config", "-display", "none",
		"-serial", "stdio", "-monitor", "none", "-no-reboot",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
		"-kernel", xen,
		"-append", XenCmdline(mem),
		"-initrd", initrd,
	}
}

// Run runs binary with cmdline and the files at paths (absolute, see
// WriteModule) and returns the runner's exit code. ctx ends the run early (a
// signal to the runner); context.Cause(ctx) may be a SignalError.
func (r *Runner) Run(ctx context.Context, binary string, cmdline *Cmdline, paths []string) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: "+format+"\n", args...)
		return UsageExitCode
	}
	// Console input goes at the pace of the runtime's acknowledgements
	// (sendConsoleInput).
	withInput := *cmdline
	withInput.InputAck = r.Stdin != nil
	line, cont, err := withInput.Encode()
	if err != nil {
		return fail("%v", err)
	}
	// QEMU gets every file as an inherited descriptor named /dev/fd/N: its
	// multiboot loader takes a module's file name up to the first space and
	// a comma ends it, the kernel's path lands in Xen's command line, and
	// nothing is left behind on disk if the runner is killed.
	prog, err := os.Open(binary)
	if err != nil {
		return fail("%v", err)
	}
	defer prog.Close()
	files := []*os.File{prog, r.Xen}
	initrd := "/dev/fd/3 " + EscapeInitrd(line)
	if cont != nil || len(paths) > 0 {
		m, err := os.CreateTemp("", "goxen-module-")
		if err != nil {
			return fail("%v", err)
		}
		os.Remove(m.Name())
		defer m.Close()
		if err := WriteModule(m, cont, paths); err != nil {
			return fail("writing the boot module: %v", err)
		}
		files = append(files, m)
		initrd += ",/dev/fd/5"
	}

	// The image, the module and (to be generous) Xen's own image.
	var moduleBytes int64
	for _, f := range files {
		if st, err := f.Stat(); err == nil {
			moduleBytes += st.Size()
		}
	}
	qemuArgs := QEMUArgs(r.MemoryMiB, MachineMemory(r.MemoryMiB, moduleBytes), r.CPU, "/dev/fd/4", initrd)
	cmd := exec.Command(r.QEMU, qemuArgs...)
	cmd.ExtraFiles = files
	// Its own process group: a ^C on the terminal reaches the runner only,
	// which then stops QEMU; and QEMU dies with the runner.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if r.Verbose {
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: %s 3<%s 4<%s\n", shellJoin(append([]string{r.QEMU}, qemuArgs...)), shellJoin([]string{binary}), shellJoin([]string{r.Xen.Name()}))
		if cont != nil {
			fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: boot module %s: %s", CmdlineMember, cont)
		}
		if len(paths) > 0 {
			fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: boot module files: %d, from %s\n", len(paths), paths[0])
		}
	}

	outR, outW, err := os.Pipe()
	if err != nil {
		return fail("%v", err)
	}
	defer outR.Close()
	cmd.Stdout = outW
	// Never QEMU's stdin the terminal: -serial stdio would put it in raw mode
	// and leave it so if QEMU is killed. A pipe carries our input instead.
	inR, inW, err := os.Pipe()
	if err != nil {
		return fail("%v", err)
	}
	cmd.Stdin = inR
	qemuErr := &tailBuffer{max: 8 << 10}
	if r.Verbose {
		cmd.Stderr = io.MultiWriter(qemuErr, r.Stderr)
	} else {
		cmd.Stderr = qemuErr
	}

	if err := cmd.Start(); err != nil {
		outW.Close()
		inR.Close()
		inW.Close()
		return fail("starting QEMU: %v", err)
	}
	outW.Close()
	inR.Close()
	input := newConsoleInput()
	runDone := make(chan struct{})
	defer close(runDone)
	if r.Stdin != nil {
		go func() {
			defer inW.Close()
			input.send(inW, r.Stdin, runDone)
		}()
	} else {
		defer inW.Close()
	}

	con := &Console{Out: r.Stdout, TailLines: r.TailLines, InputAck: input.ack}
	if r.Verbose {
		con.Log = r.Stderr
	}
	var mu sync.Mutex
	events := make(chan struct{}, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		buf := make([]byte, 32<<10)
		for {
			n, err := outR.Read(buf)
			mu.Lock()
			con.Write(buf[:n])
			mu.Unlock()
			select {
			case events <- struct{}{}:
			default:
			}
			if err != nil {
				break
			}
		}
		mu.Lock()
		con.Close()
		mu.Unlock()
	}()

	var timeoutC, endC <-chan time.Time
	if r.Timeout > 0 {
		t := time.NewTimer(r.Timeout)
		defer t.Stop()
		timeoutC = t.C
	}
	ctxDone := ctx.Done()
	var timedOut, interrupted, stoppedByXen, endArmed bool
	kill := func() { cmd.Process.Kill() }
loop:
	for {
		select {
		case <-readDone:
			break loop
		case <-events:
			mu.Lock()
			ending := con.Ending()
			mu.Unlock()
			if ending && !endArmed {
				endArmed = true
				// Xen is halting or rebooting the machine: take the rest of
				// its last words, then end QEMU (a halted Xen never does).
				endC = time.After(time.Second)
			}
		case <-endC:
			endC = nil
			stoppedByXen = true
			kill()
		case <-timeoutC:
			timeoutC = nil
			timedOut = true
			kill()
		case <-ctxDone:
			ctxDone = nil
			interrupted = true
			kill()
		}
	}
	waitErr := cmd.Wait()

	mu.Lock()
	st, haveStatus := con.Status()
	tail := con.Tail()
	mu.Unlock()

	switch {
	case haveStatus && !st.Crashed:
		return st.ExitCode()
	case interrupted:
		cause := context.Cause(ctx)
		var se SignalError
		isSig := errors.As(cause, &se)
		if !isSig || se.Signal != syscall.SIGPIPE {
			fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: %v: stopped QEMU\n", cause)
		}
		if isSig && se.Signal == syscall.SIGQUIT {
			// cmd/go's way of ending a test binary that ran too long.
			r.printTail(tail, qemuErr.String())
		}
		return signalExitCode(cause)
	case haveStatus: // crashed
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: the program crashed (%q; registers and traceback above)\n", st.String())
		r.printTail(tail, qemuErr.String())
		return CrashExitCode
	case timedOut:
		r.printTail(tail, qemuErr.String())
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: timed out after %v (%s): killed QEMU\n", r.Timeout, r.TimeoutWhy)
		return TimeoutExitCode
	default:
		how := "QEMU exited"
		switch {
		case stoppedByXen:
			how = "Xen stopped the machine"
		case waitErr != nil:
			how = "QEMU ended (" + waitErr.Error() + ")"
		}
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: %s before the program printed its status line: the domain or Xen crashed\n", how)
		r.printTail(tail, qemuErr.String())
		for _, l := range tail {
			if strings.Contains(l, "Could not construct domain 0") {
				var size, mod int64
				if f, err := elf.NewFile(prog); err == nil {
					size = loadedSize(f) // what Xen populates, bss included
				}
				if len(files) > 2 {
					if st, err := files[2].Stat(); err == nil {
						mod = st.Size()
					}
				}
				fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: Xen could not build the domain: is GOXEN_MEMORY=%d (MiB) too small for an image that takes %.1f MiB of memory and a %.1f MiB boot module?\n",
					r.MemoryMiB, float64(size)/(1<<20), float64(mod)/(1<<20))
				break
			}
		}
		return CrashExitCode
	}
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
	if qemuStderr = strings.TrimSpace(qemuStderr); qemuStderr != "" && !r.Verbose {
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

// Console input flow control. Xen keeps serial input for dom0 in a 128-byte
// ring and drops what does not fit (SERIAL_RX_SIZE,
// xen/drivers/char/console.c). The runtime acknowledges (goxen.inputack=1,
// Console.InputAck) when the program first reads input and each time it has
// taken input from that ring, with the count taken so far; the runner keeps
// what it has sent but not seen taken within consoleInputWindow.
const (
	consoleInputWindow = 96   // bytes; under Xen's 128
	consoleEOT         = 0x04 // ^D: the end of the input, as at a terminal
	consoleEOTRepeat   = time.Second
)

// consoleInput is the runner's side of the flow control.
type consoleInput struct {
	mu      sync.Mutex
	started bool   // the program has read
	taken   uint64 // the bytes it has taken, as last acknowledged
	changed chan struct{}
}

func newConsoleInput() *consoleInput {
	return &consoleInput{changed: make(chan struct{}, 1)}
}

// ack records an acknowledgement.
func (ci *consoleInput) ack(taken uint64) {
	ci.mu.Lock()
	ci.started = true
	if taken > ci.taken {
		ci.taken = taken
	}
	ci.mu.Unlock()
	select {
	case ci.changed <- struct{}{}:
	default:
	}
}

// waitFor waits until the program reads and has taken at least n bytes, or
// timeout passes (nil: no timeout); it reports false when done is closed.
func (ci *consoleInput) waitFor(n uint64, timeout <-chan time.Time, done <-chan struct{}) (ok, timedOut bool) {
	for {
		ci.mu.Lock()
		ready := ci.started && ci.taken >= n
		ci.mu.Unlock()
		if ready {
			return true, false
		}
		select {
		case <-ci.changed:
		case <-timeout:
			return false, true
		case <-done:
			return false, false
		}
	}
}

// send copies in to the serial line w within the window, then ends the input
// with EOT: the console has no end of input of its own, and the runtime reads
// EOT as one, for good (src/runtime/console_xen.go). It returns when done is
// closed or w fails.
func (ci *consoleInput) send(w io.Writer, in io.Reader, done <-chan struct{}) {
	var sent uint64
	buf := make([]byte, consoleInputWindow/2)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			// Room for these n bytes: at most the window in flight.
			if ok, _ := ci.waitFor(sent+uint64(n)-min(sent+uint64(n), consoleInputWindow), nil, done); !ok {
				return
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			sent += uint64(n)
		}
		if err != nil {
			break
		}
	}
	if ok, _ := ci.waitFor(sent+1-min(sent+1, consoleInputWindow), nil, done); !ok {
		return
	}
	for {
		if _, err := w.Write([]byte{consoleEOT}); err != nil {
			return
		}
		t := time.NewTimer(consoleEOTRepeat)
		ok, timedOut := ci.waitFor(sent+1, t.C, done)
		t.Stop()
		if ok || !timedOut {
			return
		}
		// Resent EOTs add to sent only if taken; a second EOT changes
		// nothing (the input has ended).
	}
}

// signalExitCode is the runner's exit code when cause (a SignalError, or
// another reason to stop) ended the run: 128 plus the signal, as a shell
// reports a process killed by it; SIGTERM's when there was no signal.
func signalExitCode(cause error) int {
	var se SignalError
	if errors.As(cause, &se) {
		return 128 + int(se.Signal)
	}
	return 128 + int(syscall.SIGTERM)
}
