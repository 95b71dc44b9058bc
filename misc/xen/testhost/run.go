// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"goforxen.dev/misc/xen/internal/qemu"
)

// Config says how to run the test host.
type Config struct {
	// Host is the test host to boot; nil: Run calls Build(Build).
	Host  *Host
	Build BuildConfig
	// Log receives the serial console (Xen, dom0 and progress lines
	// starting "xth: ") as it arrives. Nil: discarded (Report.Serial still
	// has it).
	Log io.Writer
	// QEMU is the emulator. Default qemu-system-x86_64.
	QEMU string
	// MachineMiB is the memory of QEMU's machine: Xen, dom0's 1024 MiB
	// and the guests. Default 2048 (guests of up to about 900 MiB).
	MachineMiB int
	// BootTimeout limits QEMU start to dom0's toolstack being ready.
	// Default 3 minutes.
	BootTimeout time.Duration
	// XenCmdline and Dom0Cmdline are appended to the hypervisor's and to
	// dom0 Linux's command lines.
	XenCmdline  string
	Dom0Cmdline string
	// Verbose keeps dom0's kernel messages and Xen's full log on the
	// console.
	Verbose bool
	// Dom0Vmlinuz boots dom0 from Debian's vmlinuz as it is. By default
	// dom0 boots Host.GuestKernel, the ELF inside that vmlinuz (gzip'd):
	// the same kernel, but Xen's xz decompression of the bzImage costs
	// 2 to 8 s under TCG, gunzip a fraction of that.
	Dom0Vmlinuz bool
	// WorkDir holds the run's files (initrd, results disk). Default: a new
	// temporary directory, removed after the run unless KeepWorkDir.
	WorkDir     string
	KeepWorkDir bool
	// ResultDir receives returned disk images. Default: a new temporary
	// directory that the caller owns.
	ResultDir string
	// ResultsMiB is the size of the results disk. Default 256 plus the
	// sizes of returned disk images.
	ResultsMiB int
	// Restarts is how often RunReport boots the test host again after it
	// failed mid-run. Default 1; negative: never.
	Restarts int
}

// Report is the outcome of a run: the results and the test host's figures.
type Report struct {
	Results []Result
	Host    *Host
	// Ready is the time from QEMU's start to dom0's "ready" line (toolstack
	// up); Dom0Uptime is dom0's own uptime then.
	Ready      time.Duration
	Dom0Uptime time.Duration
	// Total is QEMU's run time; PowerOff the time from the last case's end
	// to QEMU's exit.
	Total    time.Duration
	PowerOff time.Duration
	// Dom0 memory (from /proc/meminfo at ready) and the root's size in RAM.
	Dom0MemTotalKiB, Dom0MemAvailableKiB, RootfsUsedKiB int64
	XLInfo                                              string
	Serial                                              string // the whole serial console (of every boot)
	QEMUArgs                                            []string
	// Restarts counts the boots after the first (see RunReport).
	Restarts int
}

// Run boots the test host once, runs the cases one after another and
// returns their results, in order. The error is about the test host (build,
// boot, results missing); each case's own outcome is in its Result, and a
// case the host could not run has Result.Err set.
func Run(ctx context.Context, cfg Config, cases []Case) ([]Result, error) {
	r, err := RunReport(ctx, cfg, cases)
	if r == nil {
		return nil, err
	}
	return r.Results, err
}

// RunReport is Run with the test host's figures.
//
// If the test host itself fails during the run (QEMU or Xen crashes, dom0
// stops making progress: QEMU 7.2's TCG has been seen to stop delivering
// interrupts to a vCPU, which freezes dom0), RunReport boots it again, up
// to Config.Restarts times, and runs the cases that have no result yet,
// starting with the one that was running (Result.Restarted says so).
func RunReport(ctx context.Context, cfg Config, cases []Case) (*Report, error) {
	norm := make([]Case, len(cases))
	for i, c := range cases {
		var err error
		if norm[i], err = normalize(i, c); err != nil {
			return nil, err
		}
	}
	cases = norm
	if cfg.BootTimeout == 0 {
		cfg.BootTimeout = 3 * time.Minute
	}
	if cfg.Restarts == 0 {
		cfg.Restarts = 1
	}
	live := -1
	for i := range cases {
		if cases[i].live() {
			if live >= 0 {
				return nil, fmt.Errorf("testhost: cases %s and %s both have a live console; one run has one", cases[live].Name, cases[i].Name)
			}
			live = i
		}
	}
	if live >= 0 {
		// Its console was shown as it ran: it cannot run again.
		cfg.Restarts = -1
	}
	dir, h, cleanup, err := cfg.prepare(ctx)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	rep := &Report{Host: h, Results: make([]Result, len(cases))}
	resultDir := cfg.ResultDir
	mkResultDir := func() (string, error) {
		if resultDir == "" {
			d, err := os.MkdirTemp("", "xentesthost-results-")
			if err != nil {
				return "", err
			}
			resultDir = d
		}
		return resultDir, os.MkdirAll(resultDir, 0o755)
	}

	base := 0
	for attempt := 0; ; attempt++ {
		a, failure := cfg.boot(ctx, dir, h, cases[base:], base, mkResultDir)
		if a == nil {
			return nil, failure
		}
		if attempt == 0 {
			rep.Ready, rep.Dom0Uptime = a.Ready, a.Dom0Uptime
			rep.Dom0MemTotalKiB, rep.Dom0MemAvailableKiB, rep.RootfsUsedKiB = a.Dom0MemTotalKiB, a.Dom0MemAvailableKiB, a.RootfsUsedKiB
			rep.XLInfo, rep.QEMUArgs = a.XLInfo, a.QEMUArgs
		} else {
			rep.Serial += fmt.Sprintf("\n===== xentesthost: test host restarted (attempt %d) =====\n", attempt+1)
		}
		rep.Serial += a.Serial
		rep.Total += a.Total
		rep.PowerOff = a.PowerOff
		next := -1
		for i, r := range a.Results {
			r.Restarted = attempt > 0
			rep.Results[base+i] = r
			if r.Err != nil && next < 0 {
				next = base + i
			}
		}
		if a.Results == nil {
			// No results at all: dom0 never got to its agent.
			for i := base; i < len(cases); i++ {
				rep.Results[i] = Result{Name: cases[i].Name, ExitStatus: -1, DomID: -1,
					Err: errors.New("the test host did not run the case"), Restarted: attempt > 0}
			}
			next = base
		}
		if failure == nil && next >= 0 {
			failure = fmt.Errorf("case %s: %v", rep.Results[next].Name, rep.Results[next].Err)
		}
		if failure == nil {
			return rep, nil
		}
		if next < 0 || attempt >= cfg.Restarts || ctx.Err() != nil {
			return rep, fmt.Errorf("testhost: %v\n--- serial console tail ---\n%s", failure, tail([]byte(a.Serial), 40))
		}
		rep.Restarts++
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "xentesthost: the test host failed (%v); booting it again for the remaining cases, from %s\n",
				failure, rep.Results[next].Name)
		}
		base = next
	}
}

// boot runs cases (numbered from base) in one boot of the test host. A nil
// Report comes with an error that happened before QEMU ran; otherwise the
// error says what went wrong with the test host, and the Report has what
// results there are.
func (cfg *Config) boot(ctx context.Context, dir string, h *Host, cases []Case, base int, resultDir func() (string, error)) (*Report, error) {
	rep := &Report{Host: h}
	if err := makeInitrd(filepath.Join(dir, "initrd"), h.Initrd, func(w io.Writer) error { return writeCases(w, cases, base) }); err != nil {
		return nil, fmt.Errorf("testhost: writing the initrd: %v", err)
	}
	resMiB := cfg.ResultsMiB
	if resMiB == 0 {
		resMiB = 256
		for _, c := range cases {
			for _, d := range c.Disks {
				if !d.Return {
					continue
				}
				if d.Image != "" {
					st, _ := os.Stat(d.Image)
					resMiB += int(st.Size()>>20) + 1
				} else {
					resMiB += d.SizeMiB
				}
			}
		}
	}
	resPath := filepath.Join(dir, "results.img")
	os.Remove(resPath)
	if err := os.WriteFile(resPath, nil, 0o644); err != nil {
		return nil, err
	}
	if err := os.Truncate(resPath, int64(resMiB)<<20); err != nil {
		return nil, err
	}

	// The budget after ready: every case's limits plus slack for creation
	// and destruction. And a watchdog: dom0 prints a progress line at each
	// case's start and end, so a silence longer than the largest case
	// budget means dom0 (or the emulator) hangs.
	budget, stall := time.Minute, time.Minute
	for _, c := range cases {
		b := caseBudget(c)
		budget += b
		stall = max(stall, b)
	}

	qemuPath := cfg.QEMU
	if qemuPath == "" {
		qemuPath = qemu.Binary
	}
	rep.QEMUArgs = append([]string{qemuPath}, cfg.qemuArgs(dir, "", true)...)
	var live *liveConsole
	liveIndex := -1
	for i := range cases {
		if cases[i].live() {
			liveIndex = i
			var err error
			if live, err = startLive(dir, &cases[i]); err != nil {
				return nil, err
			}
			rep.QEMUArgs = append(rep.QEMUArgs, liveQEMUArgs(dir)...)
		}
	}
	mon, err := startQEMU(rep.QEMUArgs, cfg.Log)
	if err != nil {
		if live != nil {
			live.stop()
		}
		return nil, err
	}
	var failure error
	select {
	case <-mon.ready:
		rep.Ready = mon.readyAt.Sub(mon.start)
		over := time.After(budget)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
	wait:
		for {
			select {
			case <-mon.exited():
				break wait
			case <-tick.C:
				if last := mon.lastProgress(); time.Since(last) > stall {
					failure = fmt.Errorf("dom0 printed no progress for %v (longer than any case may take); QEMU killed", time.Since(last).Round(time.Second))
					mon.kill()
					break wait
				}
			case <-over:
				failure = fmt.Errorf("the run exceeded its budget of %v after dom0 was ready; QEMU killed", budget)
				mon.kill()
				break wait
			case <-ctx.Done():
				failure = ctx.Err()
				mon.kill()
				break wait
			}
		}
	case <-mon.exited():
	case <-time.After(cfg.BootTimeout):
		failure = fmt.Errorf("dom0 was not ready after %v; QEMU killed", cfg.BootTimeout)
		mon.kill()
	case <-ctx.Done():
		failure = ctx.Err()
		mon.kill()
	}
	qemuErr := mon.proc.Wait()
	end := time.Now()
	mon.mu.Lock()
	rep.Total = end.Sub(mon.start)
	if !mon.doneAt.IsZero() {
		rep.PowerOff = end.Sub(mon.doneAt)
	}
	ready := mon.readySeen
	mon.mu.Unlock()
	rep.Serial = mon.serial()
	if failure == nil && qemuErr != nil {
		failure = fmt.Errorf("QEMU: %v", qemuErr)
	}
	if failure == nil && !ready {
		failure = errors.New("QEMU exited before dom0 was ready")
	}
	if perr := rep.parseResults(resPath, cases, base, resultDir); failure == nil && perr != nil {
		failure = perr
	}
	if live != nil {
		live.stop()
		var raw []byte
		if liveIndex < len(rep.Results) {
			raw = rep.Results[liveIndex].rawConsole
		}
		log := cfg.Log
		if log == nil {
			log = io.Discard
		}
		live.finish(raw, log)
	}
	return rep, failure
}

// prepare makes the run directory with the host's files linked in.
func (cfg *Config) prepare(ctx context.Context) (dir string, h *Host, cleanup func(), err error) {
	h = cfg.Host
	if h == nil {
		if h, err = Build(ctx, cfg.Build); err != nil {
			return "", nil, nil, err
		}
	}
	b := &builder{cfg: cfg.Build, log: io.Discard}
	if cfg.QEMU == "" {
		if err := b.hostPackages(ctx, runTools); err != nil {
			return "", nil, nil, err
		}
	}
	dir = cfg.WorkDir
	cleanup = func() {}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "xentesthost-"); err != nil {
			return "", nil, nil, err
		}
		if !cfg.KeepWorkDir {
			cleanup = func() { os.RemoveAll(dir) }
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, nil, err
	}
	if strings.ContainsAny(dir, ", ") {
		cleanup()
		return "", nil, nil, fmt.Errorf("testhost: work directory %q has a comma or space (QEMU's -initrd syntax)", dir)
	}
	kernel := h.GuestKernel
	if cfg.Dom0Vmlinuz {
		kernel = h.Kernel
	}
	for name, target := range map[string]string{"xen": h.Xen, "vmlinuz": kernel} {
		p := filepath.Join(dir, name)
		os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			cleanup()
			return "", nil, nil, err
		}
	}
	return dir, h, cleanup, nil
}

// qemuArgs is QEMU's command line for a run in dir.
func (cfg *Config) qemuArgs(dir string, dom0Extra string, results bool) []string {
	// hostCPU is every feature TCG has but XSAVE. With XSAVE, Xen saves
	// and restores vector state with XSAVE/XRSTOR at each vCPU switch,
	// and under QEMU 7.2's TCG that state comes back wrong now and then:
	// a Go program in dom0 hashing the same 16 MiB on four goroutines got
	// 14 wrong SHA-256s in 72 (also with -xsaves,-xsavec,-xsaveopt, also
	// with -accel tcg,thread=single), and 16 MiB transfers between dom0
	// and a guest arrived corrupted past TCP's checksums in 10 of 22.
	// Without XSAVE (so no AVX: Xen and its guests fall back to FXSAVE
	// and SSE): 0 wrong in 88 and 0 in 29 (misc/xen/README.md, "When the
	// emulator fails").
	const hostCPU = "max,-xsave"
	machine := cfg.MachineMiB
	if machine == 0 {
		machine = 2048
	}
	xen := "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 smap=0 smep=0 serial_tx_buffer=256k"
	dom0 := "console=hvc0 earlyprintk=xen"
	if cfg.Verbose {
		xen += " loglvl=all guest_loglvl=all"
	} else {
		dom0 += " quiet"
	}
	if cfg.XenCmdline != "" {
		xen += " " + cfg.XenCmdline
	}
	if dom0Extra != "" {
		dom0 += " " + dom0Extra
	}
	if cfg.Dom0Cmdline != "" {
		dom0 += " " + cfg.Dom0Cmdline
	}
	args := []string{
		"-accel", "tcg", "-cpu", hostCPU, "-m", strconv.Itoa(machine), "-smp", "2",
		"-nodefaults", "-no-user-config", "-display", "none",
		"-serial", "stdio", "-no-reboot",
		"-kernel", filepath.Join(dir, "xen"),
		"-append", xen,
		// A comma separates modules: double the ones in dom0's command line.
		"-initrd", filepath.Join(dir, "vmlinuz") + " " + strings.ReplaceAll(dom0, ",", ",,") + "," + filepath.Join(dir, "initrd"),
	}
	// QEMU's monitor, for looking into a hung run (socat - UNIX:monitor.sock;
	// info registers -a). Unix socket paths are limited to 107 bytes.
	if mon := filepath.Join(dir, "monitor.sock"); len(mon) < 100 && results {
		args = append(args, "-monitor", "unix:"+mon+",server=on,wait=off")
	} else {
		args = append(args, "-monitor", "none")
	}
	if results {
		args = append(args,
			"-drive", "if=none,id=xthres,format=raw,file="+filepath.Join(dir, "results.img"),
			"-device", "virtio-blk-pci,drive=xthres,serial=xthresults")
	}
	return args
}

// Shell boots the test host with an interactive shell on the serial
// console, connected to the terminal (os.Stdin and os.Stdout), with files
// copied into
// /xth/files. It returns when QEMU exits (exit from the shell powers off).
func Shell(ctx context.Context, cfg Config, files []string) error {
	dir, h, cleanup, err := cfg.prepare(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("testhost: %s is not a readable file", f)
		}
	}
	if err := makeInitrd(filepath.Join(dir, "initrd"), h.Initrd, func(w io.Writer) error { return writeFiles(w, files) }); err != nil {
		return fmt.Errorf("testhost: writing the initrd: %v", err)
	}
	p, err := qemu.Start(qemu.Config{Path: cfg.QEMU, Args: cfg.qemuArgs(dir, "xth.shell", false), Terminal: true})
	if err != nil {
		return err
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		p.Kill()
	}
	return p.Wait()
}
