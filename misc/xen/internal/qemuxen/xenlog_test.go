// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"fmt"
	"strings"
	"testing"

	"goforxen.dev/misc/xen/internal/console"
)

// Xen's lines on the serial port: the last ones are kept (long ones cut by
// console.Demux), a copy goes to the verbose log, and the lines that say
// the machine stops are recognised.
func TestXenLog(t *testing.T) {
	var in strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&in, "(XEN) line %d\r\n", i)
	}
	in.WriteString("(XEN) " + strings.Repeat("x", 10000) + "\r\n")
	var copied strings.Builder
	x := &xenLog{max: 5, copyTo: &copied}
	d := &console.Demux{XenLine: x.line}
	d.Write([]byte(in.String()))
	d.Close()
	if len(x.tail) != 5 || x.tail[0] != "(XEN) line 96" || len(x.tail[4]) != 4096 {
		t.Errorf("tail: %d lines, first %q, last %d bytes", len(x.tail), x.tail[0], len(x.tail[4]))
	}
	if n := strings.Count(copied.String(), "\n"); n != 101 || !strings.HasPrefix(copied.String(), "(XEN) line 0\n") {
		t.Errorf("copied %d lines: %.40q...", n, copied.String())
	}
	if x.ending {
		t.Error("ending without an end line")
	}
	for _, tt := range []struct {
		line string
		end  bool
	}{
		{"(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds.", true},
		{"(XEN) Hardware Dom0 halted: halting machine", true},
		{"(XEN) Hardware domain 0 shut down: rebooting machine", true},
		{"(XEN) Reboot in five seconds...", true},
		{"(XEN) Manual reset required ('noreboot' specified)", true},
		{"(XEN) Freed 656kB init memory", false},
		{"(XEN) Panic on CPU 0:", false},
	} {
		if got := isEndLine(tt.line); got != tt.end {
			t.Errorf("isEndLine(%q) = %v, want %v", tt.line, got, tt.end)
		}
	}
}
