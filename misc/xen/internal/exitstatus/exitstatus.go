// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package exitstatus defines how a GOOS=xen program's run ends, as the
// host tools see it: the runtime's final status line on the console, and
// the exit codes every command that runs a program reports
// (go_xen_amd64_exec in both modes, xentesthost run).
//
// The status line is the last thing the runtime prints before the domain
// shuts down:
//
//	goxen: exit status N    os.Exit(N); 0 when main returns; 2 after a panic or fatal error
//	goxen: crashed          an unexpected trap (registers and traceback above it)
//
// The exit codes:
//
//	N      the program's exit status, modulo 256 as a Unix process's
//	124    timed out (Timeout; timeout(1)'s code)
//	125    could not run the program (CouldNotRun): usage, setup, no emulator
//	134    the domain crashed, or stopped without a status line (Crash;
//	       128 + SIGABRT, as a shell reports an aborted process)
//	128+n  the runner itself got signal n
package exitstatus

import (
	"strconv"
	"strings"
	"syscall"
)

// The runner's exit codes besides the program's own status.
const (
	Timeout     = 124
	CouldNotRun = 125
	Crash       = 134
)

// Status is a parsed status line.
type Status struct {
	Crashed bool // "goxen: crashed"
	Code    int  // N of "goxen: exit status N"
}

// ExitCode is the exit code that reports s: N modulo 256, as a Unix process
// reports os.Exit(N), and Crash for a crash.
func (s Status) ExitCode() int {
	if s.Crashed {
		return Crash
	}
	return s.Code & 0xff
}

// String is the status line (without its newline).
func (s Status) String() string {
	if s.Crashed {
		return crashedLine
	}
	return exitPrefix + strconv.Itoa(s.Code)
}

const (
	// Prefix starts every status line.
	Prefix      = "goxen: "
	exitPrefix  = "goxen: exit status "
	crashedLine = "goxen: crashed"
	// MaxLine is the length of the longest status line.
	MaxLine = len(exitPrefix + "-2147483648")
)

// Parse parses a status line without its newline (a final "\r" is
// ignored): exactly "goxen: exit status N", N a decimal int32 (maybe
// negative, no sign otherwise, no spaces), or "goxen: crashed".
func Parse(line string) (Status, bool) {
	line = strings.TrimSuffix(line, "\r")
	if line == crashedLine {
		return Status{Crashed: true}, true
	}
	num, ok := strings.CutPrefix(line, exitPrefix)
	if !ok || num == "" || num[0] == '+' {
		return Status{}, false
	}
	n, err := strconv.ParseInt(num, 10, 32)
	if err != nil {
		return Status{}, false
	}
	return Status{Code: int(n)}, true
}

// Last finds the last line of a whole console text that is a status line
// (Parse), with whatever follows it: a Linux guest, for one, goes on
// printing after its init has written one. The runners, which read the
// console as it comes, use package console instead, where program output
// after a status line means that line was the program's own.
func Last(console string) (st Status, line string, ok bool) {
	for _, l := range strings.Split(console, "\n") {
		if s, good := Parse(l); good {
			st, line, ok = s, strings.TrimSuffix(l, "\r"), true
		}
	}
	return st, line, ok
}

// Outcome is how a run ended, as far as the host saw it; Code turns it
// into the exit code, the same for every command.
type Outcome struct {
	Status     Status // the status line, if HaveStatus
	HaveStatus bool
	// NotRun: the program could not be run (a usage or setup error, an
	// emulator or test host that could not start, a domain that could not
	// be created).
	NotRun bool
	// Signal, if not zero, is the signal that stopped the runner.
	Signal syscall.Signal
	// TimedOut: the run exceeded its time limit and was stopped.
	TimedOut bool
}

// Code is the exit code for o. A status line that is not a crash wins
// (the program finished, whatever happened to the machine afterwards);
// then a signal to the runner, a crash, a timeout, a failure to run; a run
// that ended in none of these ways stopped without its status line, which
// is a crash.
func (o Outcome) Code() int {
	switch {
	case o.HaveStatus && !o.Status.Crashed:
		return o.Status.ExitCode()
	case o.Signal != 0:
		return 128 + int(o.Signal)
	case o.HaveStatus:
		return Crash
	case o.TimedOut:
		return Timeout
	case o.NotRun:
		return CouldNotRun
	}
	return Crash
}
