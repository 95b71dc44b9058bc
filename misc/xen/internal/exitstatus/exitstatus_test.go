// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package exitstatus

import (
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		line string
		st   Status
		ok   bool
		code int
	}{
		{"goxen: exit status 0", Status{Code: 0}, true, 0},
		{"goxen: exit status 3", Status{Code: 3}, true, 3},
		{"goxen: exit status 2\r", Status{Code: 2}, true, 2},
		{"goxen: exit status 256", Status{Code: 256}, true, 0},
		{"goxen: exit status -1", Status{Code: -1}, true, 255},
		{"goxen: exit status 2147483647", Status{Code: 2147483647}, true, 255},
		{"goxen: crashed", Status{Crashed: true}, true, Crash},
		{"goxen: exit status", Status{}, false, 0},
		{"goxen: exit status ", Status{}, false, 0},
		{"goxen: exit status +1", Status{}, false, 0},
		{"goxen: exit status 1x", Status{}, false, 0},
		{"goxen: exit status 99999999999", Status{}, false, 0},
		{"goxen: exit status 1 ", Status{}, false, 0},
		{" goxen: exit status 1", Status{}, false, 0},
		{"goxen: crashed!", Status{}, false, 0},
		{"goxen: malformed command line: x", Status{}, false, 0},
	} {
		st, ok := Parse(tt.line)
		if st != tt.st || ok != tt.ok {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", tt.line, st, ok, tt.st, tt.ok)
		}
		if ok && st.ExitCode() != tt.code {
			t.Errorf("Parse(%q).ExitCode() = %d, want %d", tt.line, st.ExitCode(), tt.code)
		}
	}
}

func TestLast(t *testing.T) {
	for _, tt := range []struct {
		console string
		line    string
	}{
		{"", ""},
		{"hello\n", ""},
		{"goxen: exit status 1\r\nmore\r\n", "goxen: exit status 1"},
		{"goxen: exit status 1\ngoxen: crashed\nKernel panic - not syncing\n", "goxen: crashed"},
		{"  goxen: exit status 42\n", ""},
		{"x goxen: crashed\n", ""},
		{"goxen: exit status 7", "goxen: exit status 7"},
	} {
		_, line, ok := Last(tt.console)
		if line != tt.line || ok != (tt.line != "") {
			t.Errorf("Last(%q) = %q, %v; want %q", tt.console, line, ok, tt.line)
		}
	}
}

// The exit code of each way a run can end, in every combination that can
// happen together.
func TestOutcomeCode(t *testing.T) {
	exit3 := Status{Code: 3}
	crashed := Status{Crashed: true}
	for _, tt := range []struct {
		name string
		o    Outcome
		code int
	}{
		{"exit 0", Outcome{HaveStatus: true}, 0},
		{"exit 3", Outcome{HaveStatus: true, Status: exit3}, 3},
		{"exit -1", Outcome{HaveStatus: true, Status: Status{Code: -1}}, 255},
		{"exit 3, then a signal", Outcome{HaveStatus: true, Status: exit3, Signal: syscall.SIGINT}, 3},
		{"exit 3, then the time limit", Outcome{HaveStatus: true, Status: exit3, TimedOut: true}, 3},
		{"crash", Outcome{HaveStatus: true, Status: crashed}, Crash},
		{"crash and a signal", Outcome{HaveStatus: true, Status: crashed, Signal: syscall.SIGTERM}, 128 + 15},
		{"crash and the time limit", Outcome{HaveStatus: true, Status: crashed, TimedOut: true}, Crash},
		{"signal", Outcome{Signal: syscall.SIGINT}, 130},
		{"signal and the time limit", Outcome{Signal: syscall.SIGQUIT, TimedOut: true}, 131},
		{"time limit", Outcome{TimedOut: true}, Timeout},
		{"not run", Outcome{NotRun: true}, CouldNotRun},
		{"no status line", Outcome{}, Crash},
	} {
		if c := tt.o.Code(); c != tt.code {
			t.Errorf("%s: %+v.Code() = %d, want %d", tt.name, tt.o, c, tt.code)
		}
	}
}
