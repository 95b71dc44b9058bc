// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"goforxen.dev/misc/xen/internal/exitstatus"
)

// Usage is the runner's usage message.
const Usage = `usage: go_xen_amd64_exec [-v] binary [args...]

Runs a GOOS=xen program as the control domain (dom0) of the Xen hypervisor
booted in QEMU, the way cmd/go runs it for GOOS=xen go run and go test, with
the runner's environment (less host-only variables) and args. Prints the
program's output and exits with:

	N      the program's exit status (os.Exit(N) modulo 256; 2 for a panic)
	124    the run timed out (Xen's last log lines on stderr)
	125    the runner could not run the program (usage, setup, not a GOOS=xen image)
	134    the domain crashed, or the machine stopped without the program's status line
	128+n  the runner got signal n (QEMU is stopped)

Flags:
	-v  copy Xen's log and QEMU's messages to stderr (also GOXEN_VERBOSE=1)

Environment:
	GOXEN_TIMEOUT  limit of a run (Go duration; 0: none); default 20m, or
	               -test.timeout among the args plus 30s
	GOXEN_MEMORY   the domain's memory in MiB (default 512)
	GOXEN_XEN      the Xen hypervisor, ELF or gzip'd (default /boot/xen-4.17-amd64.gz)
	GOXEN_QEMU     the QEMU binary (default qemu-system-x86_64 from PATH)
	GOXEN_CPU      QEMU's CPU model (default max), e.g. max,rdrand=off,rdseed=off
	               to see a program on a CPU without them; the runner adds
	               invtsc=on,x-force-features=on (an invariant TSC, which
	               Xen needs to let a PVH dom0 read the TSC without a trap)
	               unless the model mentions invtsc
	GOXEN_MODE     dom0 (default): the program is Xen's dom0 in QEMU; domu: a
	               PVH domU created by xl on the level-2 test host (Linux
	               dom0, built from Debian packages and cached on first
	               use)
	GOXEN_OPTIONS  more runtime options for the guest, goxen.NAME=VALUE separated
	               by spaces (e.g. goxen.boottime=1)
	GOXEN_FILES    auto (default): a test binary (NAME.test) starts in a copy of
	               its working directory with the files in it and its testdata
	               tree (other subdirectories are there but empty; up to
	               64 MiB); cwd: any binary does; none: no files, the
	               program starts in /
`

// Main is go_xen_amd64_exec: args are its arguments (without the command
// name), environ its environment. It returns the exit code.
func Main(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	getenv := func(name string) (string, bool) {
		for i := len(environ) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(environ[i], name+"="); ok {
				return v, true
			}
		}
		return "", false
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "go_xen_amd64_exec: "+format+"\n", a...)
		return exitstatus.CouldNotRun
	}

	verbose := false
	if v, _ := getenv("GOXEN_VERBOSE"); v != "" && v != "0" {
		verbose = true
	}
flags:
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-v", "--v", "-v=true", "--v=true":
			verbose = true
		case "-v=false", "--v=false":
			verbose = false
		case "--":
			args = args[1:]
			break flags
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, Usage)
			return 0
		default:
			fmt.Fprint(stderr, Usage)
			return fail("unknown flag %s", args[0])
		}
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, Usage)
		return exitstatus.CouldNotRun
	}
	binary, progArgs := args[0], args[1:]

	domU := false
	switch mode, _ := getenv("GOXEN_MODE"); mode {
	case "", "dom0":
	case "domu":
		domU = true
	default:
		return fail("GOXEN_MODE=%s: unknown mode; want dom0 (the default) or domu", mode)
	}

	if err := CheckImage(binary); err != nil {
		return fail("%v", err)
	}

	mem := DefaultMemory
	if s, ok := getenv("GOXEN_MEMORY"); ok && s != "" {
		var err error
		if mem, err = ParseMemory(s); err != nil {
			return fail("%v", err)
		}
	}
	ts, tset := getenv("GOXEN_TIMEOUT")
	limit, why, err := Timeout(ts, tset && ts != "", progArgs)
	if err != nil {
		return fail("%v", err)
	}

	qemu, _ := getenv("GOXEN_QEMU")
	if qemu == "" {
		qemu = "qemu-system-x86_64"
	}
	qemuPath, err := exec.LookPath(qemu)
	if err != nil {
		return fail("QEMU (%s) %v; %s", qemu, ErrNotFound, InstallHint)
	}

	cpu, _ := getenv("GOXEN_CPU")
	if cpu == "" {
		cpu = DefaultCPU
	} else if strings.ContainsAny(cpu, " \t\n") {
		return fail("GOXEN_CPU=%q: a QEMU CPU model has no spaces", cpu)
	}

	xenPath, _ := getenv("GOXEN_XEN")
	cacheDir := ""
	if d, err := os.UserCacheDir(); err == nil {
		cacheDir = filepath.Join(d, "goxen")
	}
	xen, err := XenELF(xenPath, cacheDir)
	if err != nil {
		return fail("%v", err)
	}
	defer xen.Close()

	// Files: a test binary gets its package's files and testdata.
	var paths []string
	cwd := ""
	files, _ := getenv("GOXEN_FILES")
	switch files {
	case "", "auto", "cwd":
		if files == "cwd" || strings.HasSuffix(filepath.Base(binary), ".test") {
			dir, err := os.Getwd()
			if err != nil {
				return fail("%v", err)
			}
			p, size, err := WorkFiles(dir)
			switch {
			case err != nil:
				fmt.Fprintf(stderr, "go_xen_amd64_exec: not giving the program the files of %s: %v\n", dir, err)
			case size > MaxWorkFiles:
				fmt.Fprintf(stderr, "go_xen_amd64_exec: not giving the program the files of %s: %d MiB, more than %d\n", dir, size>>20, MaxWorkFiles>>20)
			default:
				paths, cwd = p, dir
			}
		}
	case "none":
	default:
		return fail("GOXEN_FILES=%s: want auto (the default: a test binary gets its working directory's files and testdata), cwd (any binary does) or none", files)
	}

	r := &Runner{
		QEMU:       qemuPath,
		Xen:        xen,
		MemoryMiB:  mem,
		CPU:        cpu,
		Timeout:    limit,
		TimeoutWhy: why,
		Verbose:    verbose,
		Stdin:      stdin,
		Stdout:     stdout,
		Stderr:     stderr,
	}
	options, _ := getenv("GOXEN_OPTIONS")
	cl := &Cmdline{
		Argv0:     filepath.Base(binary),
		Cwd:       cwd,
		DebugExit: true,
		Streams:   true,
		Options:   strings.Fields(options),
		Env:       GuestEnv(environ),
		Args:      progArgs,
	}
	if domU {
		return r.RunDomU(ctx, binary, cl, paths)
	}
	return r.Run(ctx, binary, cl, paths)
}
