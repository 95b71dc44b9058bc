// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Command xentesthost builds and drives the Go for Xen level-2 test host:
// Xen 4.17 with a Linux dom0 (xl, xenstored, xenconsoled, netback, blkback,
// a bridge), all from Debian packages, booted under QEMU TCG. Guests run
// on it as PVH domUs. See package goforxen.dev/misc/xen/testhost.
//
// Usage:
//
//	xentesthost build [-cache DIR] [-mirror URL] [-v]
//	xentesthost run [flags] IMAGE [ARG...]
//	xentesthost shell [-v] [FILE...]
//	xentesthost prune [-cache DIR]
//
// build builds the test host, or finds it in the cache, and prints its
// directory (stdout) and the time it took (stderr). Building needs root.
//
// run boots the test host and runs IMAGE (a PVH ELF, e.g. a GOOS=xen
// program) as a domU with the command line ARG... (xl extra=). The guest
// console goes to stdout. The exit status is the one go_xen_amd64_exec
// reports: the guest's, from its final status line "goxen: exit status N";
// 124 if it timed out; 125 if it could not run (usage, the test host or xl
// create failed); 134 if it printed "goxen: crashed" or stopped without a
// status line; 128+n if signal n (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
// SIGPIPE) stopped it first; with a message on stderr for all but the
// first. Flags:
//
//	-mem MiB          guest memory (64)
//	-timeout D        guest run time limit (60s)
//	-vif              give the guest a vif on xenbr0 (dom0 is 10.0.0.1 and
//	                  serves DHCP; the default MAC gets 10.0.0.2)
//	-mac MAC          the vif's MAC
//	-disk FILE        attach a raw disk image (copied; see -disk-out)
//	-disk-size MiB    attach an empty disk of this size
//	-disk-out FILE    write the disk image after the run to FILE
//	-ramdisk FILE     pass FILE as the guest's ramdisk (boot module)
//	-host CMD         run CMD (bash) in dom0 while the guest runs; repeatable
//	-after CMD        run CMD in dom0 after the guest stopped; repeatable
//	-shutdown         xl shutdown the guest once the -host commands are done
//	-xl LINE          extra xl configuration line; repeatable
//	-v                copy the serial console (Xen, dom0) to stderr
//	-times            print the test host's timings to stderr
//
// shell boots the test host with a root shell on the console (the terminal),
// with FILEs copied to /xth/files; exit powers off. prune removes cached
// test hosts other than the current one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"goforxen.dev/misc/xen/internal/exitstatus"
	"goforxen.dev/misc/xen/internal/qemuxen"
	"goforxen.dev/misc/xen/testhost"
)

func usage() {
	fmt.Fprintf(os.Stderr, `usage:
	xentesthost build [-cache DIR] [-mirror URL] [-v]
	xentesthost run [-mem MiB] [-timeout D] [-vif] [...] IMAGE [ARG...]
	xentesthost shell [-v] [FILE...]
	xentesthost prune [-cache DIR]
Run "xentesthost CMD -h" for a command's flags.
`)
	os.Exit(2)
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, "; ") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func buildFlags(fs *flag.FlagSet) *testhost.BuildConfig {
	bc := &testhost.BuildConfig{}
	fs.StringVar(&bc.CacheDir, "cache", "", "cache `directory` (default $XDG_CACHE_HOME/goforxen/testhost or ~/.cache/goforxen/testhost)")
	fs.StringVar(&bc.Mirror, "mirror", "", "Debian mirror `URL` (default: the one in the apt sources)")
	fs.BoolVar(&bc.KeepWork, "keep-work", false, "keep the work directory of a failed build")
	return bc
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	// The signals go_xen_amd64_exec stops on, reported as it reports them
	// (128+n, exitstatus).
	ctx := qemuxen.SignalContext()
	cmd, args := os.Args[1], os.Args[2:]
	switch cmd {
	case "build":
		os.Exit(build(ctx, args))
	case "run":
		os.Exit(run(ctx, args))
	case "shell":
		os.Exit(shell(ctx, args))
	case "prune":
		os.Exit(prune(ctx, args))
	default:
		usage()
	}
}

func build(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	bc := buildFlags(fs)
	verbose := fs.Bool("v", false, "show the build's progress and command output")
	fs.Parse(args)
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	if *verbose {
		bc.Log = os.Stderr
	}
	h, err := testhost.Build(ctx, *bc)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(h.Dir)
	how := "built"
	if h.Cached {
		how = "found in the cache"
	}
	fmt.Fprintf(os.Stderr, "test host %s %s in %v (kernel %s, root %d MiB)\n",
		h.Key, how, h.BuildTime.Round(time.Microsecond), h.KernelVersion, h.RootBytes>>20)
	return 0
}

func run(ctx context.Context, args []string) int {
	// Usage errors are 125, as for go_xen_amd64_exec.
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	bc := buildFlags(fs)
	var c testhost.Case
	var hostCmds, afterCmds, xlLines multi
	fs.IntVar(&c.MemoryMiB, "mem", 64, "guest memory in `MiB`")
	fs.DurationVar(&c.Timeout, "timeout", 60*time.Second, "guest run time limit")
	fs.BoolVar(&c.VIF, "vif", false, "give the guest a vif on dom0's bridge xenbr0")
	fs.StringVar(&c.MAC, "mac", "", "the vif's `MAC` (default 00:16:3e:00:00:02, DHCP address 10.0.0.2)")
	diskImage := fs.String("disk", "", "attach the raw disk image `FILE`")
	diskSize := fs.Int("disk-size", 0, "attach an empty disk of this many `MiB`")
	diskOut := fs.String("disk-out", "", "write the disk image after the run to `FILE`")
	fs.StringVar(&c.Ramdisk, "ramdisk", "", "pass `FILE` as the guest's ramdisk")
	fs.Var(&hostCmds, "host", "bash `command` run in dom0 while the guest runs (repeatable)")
	fs.Var(&afterCmds, "after", "bash `command` run in dom0 after the guest stopped (repeatable)")
	fs.BoolVar(&c.ShutdownAfterCommands, "shutdown", false, "xl shutdown the guest once the -host commands are done")
	fs.Var(&xlLines, "xl", "extra xl configuration `line` (repeatable)")
	verbose := fs.Bool("v", false, "copy the serial console (Xen and dom0) to stderr")
	times := fs.Bool("times", false, "print the test host's timings to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 125
	}
	if fs.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: xentesthost run [flags] IMAGE [ARG...]")
		fs.PrintDefaults()
		return 125
	}
	c.Name = "run"
	c.Kernel = fs.Arg(0)
	c.Cmdline = strings.Join(fs.Args()[1:], " ")
	c.HostCommands, c.AfterCommands, c.XLConfig = hostCmds, afterCmds, xlLines
	if *diskImage != "" || *diskSize > 0 {
		c.Disk = &testhost.Disk{Image: *diskImage, SizeMiB: *diskSize, Return: *diskOut != ""}
	}
	cfg := testhost.Config{Build: *bc}
	if *verbose {
		cfg.Log = os.Stderr
		cfg.Build.Log = os.Stderr
	}
	resDir, err := os.MkdirTemp("", "xentesthost-out-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 125
	}
	defer os.RemoveAll(resDir)
	cfg.ResultDir = resDir

	rep, err := testhost.RunReport(ctx, cfg, []testhost.Case{c})
	if rep == nil || len(rep.Results) == 0 {
		fmt.Fprintf(os.Stderr, "xentesthost: %v\n", err)
		if sig := qemuxen.Signal(ctx); sig != 0 {
			return exitstatus.Outcome{Signal: sig}.Code()
		}
		return exitstatus.CouldNotRun
	}
	r := rep.Results[0]
	io.WriteString(os.Stdout, r.Console)
	for _, o := range r.HostOutputs {
		fmt.Fprintf(os.Stderr, "--- dom0 (%s): %s: exit status %d\n%s%s", o.Phase, o.Command, o.ExitStatus, o.Stdout, o.Stderr)
	}
	if *diskOut != "" && r.DiskImage != "" {
		if err := copyFile(r.DiskImage, *diskOut); err != nil {
			fmt.Fprintf(os.Stderr, "xentesthost: %v\n", err)
		}
	}
	if *times {
		fmt.Fprintf(os.Stderr, "xentesthost: ready %v after QEMU start; xl create %v, to first console output %v, running %v, teardown %v; QEMU total %v\n",
			rep.Ready.Round(time.Millisecond), r.Create.Round(time.Millisecond), r.CreateToConsole.Round(time.Millisecond),
			r.Running.Round(time.Millisecond), r.Teardown.Round(time.Millisecond), rep.Total.Round(time.Millisecond))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "xentesthost: %v\n", err)
	}
	if msg := r.Failure(); msg != "" {
		fmt.Fprintf(os.Stderr, "xentesthost: %s", msg)
		if !strings.HasSuffix(msg, "\n") {
			fmt.Fprintln(os.Stderr)
		}
	}
	if sig := qemuxen.Signal(ctx); sig != 0 && r.Failure() != "" {
		return exitstatus.Outcome{Signal: sig}.Code() // the program did not finish: the signal stopped it
	}
	return r.ExitCode()
}

func shell(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("shell", flag.ExitOnError)
	bc := buildFlags(fs)
	verbose := fs.Bool("v", false, "keep dom0's kernel messages on the console")
	fs.Parse(args)
	cfg := testhost.Config{Build: *bc, Verbose: *verbose}
	fmt.Fprintln(os.Stderr, "xentesthost: booting the test host (Xen under QEMU TCG); 'exit' in the shell powers off")
	if err := testhost.Shell(ctx, cfg, fs.Args()); err != nil {
		var ee interface{ ExitCode() int }
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func prune(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("prune", flag.ExitOnError)
	bc := buildFlags(fs)
	fs.Parse(args)
	removed, err := testhost.Prune(ctx, *bc)
	for _, r := range removed {
		fmt.Println("removed", r)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
