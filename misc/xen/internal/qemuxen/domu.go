// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"goforxen.dev/misc/xen/internal/console"
	"goforxen.dev/misc/xen/internal/exitstatus"
	"goforxen.dev/misc/xen/testhost"
)

// RunDomU runs binary as a PVH domU on the level-2 test host (package
// testhost: Xen with a Linux dom0 and xl, in QEMU) instead of as dom0: the
// same command line, files and exit codes as Run. The console is the domU's
// console ring, which xenconsoled logs and the test host streams while the
// guest runs (Case.LiveOutput); the runner's stdin, then an EOT, is its
// console input (Case.LiveInput).
func (r *Runner) RunDomU(ctx context.Context, binary string, cmdline *Cmdline, paths []string) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: GOXEN_MODE=domu: "+format+"\n", args...)
		return exitstatus.CouldNotRun
	}
	cl := *cmdline
	cl.DebugExit = false // a domU has no isa-debug-exit: it stops through xl
	cl.InputAck = false
	line, cont, err := cl.Encode()
	if err != nil {
		return fail("%v", err)
	}
	tmp, err := os.MkdirTemp("", "goxen-domu")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(tmp)
	ramdisk := ""
	if cont != nil || len(paths) > 0 {
		ramdisk = filepath.Join(tmp, "module.tar")
		f, err := os.Create(ramdisk)
		if err != nil {
			return fail("%v", err)
		}
		err = WriteModule(f, cont, paths)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fail("writing the boot module: %v", err)
		}
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 24 * time.Hour
	}
	// The console streams through the demultiplexer as it comes.
	con := &console.Demux{Out: r.Stdout, Err: r.Stderr}
	eot := bytes.NewReader([]byte{consoleEOT})
	input := io.Reader(eot)
	if r.Stdin != nil {
		input = io.MultiReader(r.Stdin, eot)
	}
	c := testhost.Case{
		Name:       strings.TrimSuffix(filepath.Base(binary), filepath.Ext(binary)),
		Kernel:     binary,
		Ramdisk:    ramdisk,
		MemoryMiB:  r.MemoryMiB,
		Cmdline:    line,
		Timeout:    timeout,
		LiveOutput: con,
		LiveInput:  input,
	}
	cfg := testhost.Config{QEMU: r.QEMU, WorkDir: tmp}
	if r.Verbose {
		cfg.Log = r.Stderr
		cfg.Build.Log = r.Stderr
	}
	results, err := testhost.Run(ctx, cfg, []testhost.Case{c})
	con.Close()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: %v: stopped the test host\n", context.Cause(ctx))
			return exitstatus.Outcome{Signal: signalOf(ctx)}.Code()
		}
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: GOXEN_MODE=domu: the test host: %v\n", err)
		return exitstatus.CouldNotRun
	}
	res := results[0]
	if r.Verbose {
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: domU timings: xl create to running %v, to first console output %v; running %v; teardown %v\n",
			res.Create.Round(time.Millisecond), res.CreateToConsole.Round(time.Millisecond), res.Running.Round(time.Millisecond), res.Teardown.Round(time.Millisecond))
	}
	code := res.ExitCode()
	if msg := res.Failure(); msg != "" {
		if code == exitstatus.Timeout {
			msg = fmt.Sprintf("timed out after %v (%s): destroyed the domain\n%s", timeout, r.TimeoutWhy, res.Details())
		}
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		fmt.Fprintf(r.Stderr, "go_xen_amd64_exec: GOXEN_MODE=domu: %s", msg)
	}
	return code
}
