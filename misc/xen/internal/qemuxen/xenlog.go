// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"io"
	"strings"
)

// xenLog keeps what Xen prints on dom0's serial port (its lines start with
// "(XEN)"): the last lines, for the message after a failure, a copy for
// GOXEN_VERBOSE, and whether Xen has said that the machine stops.
type xenLog struct {
	max    int       // lines kept (default 40)
	copyTo io.Writer // if set, every line
	tail   []string
	ending bool
}

// line takes one Xen line (console.Demux.XenLine).
func (x *xenLog) line(l string) {
	n := x.max
	if n <= 0 {
		n = 40
	}
	if len(x.tail) >= n {
		copy(x.tail, x.tail[len(x.tail)-n+1:])
		x.tail = x.tail[:n-1]
	}
	x.tail = append(x.tail, l)
	if x.copyTo != nil {
		io.WriteString(x.copyTo, l+"\n")
	}
	if isEndLine(l) {
		x.ending = true
	}
}

// isEndLine reports whether a Xen log line says that the machine is about to
// stop, halt or reboot (xen/common/shutdown.c, xen/drivers/char/console.c).
func isEndLine(line string) bool {
	msg := strings.TrimSpace(strings.TrimPrefix(line, "(XEN)"))
	return strings.HasPrefix(msg, "Hardware Dom0 ") ||
		strings.HasPrefix(msg, "Hardware domain ") ||
		strings.HasPrefix(msg, "Reboot in five seconds") ||
		strings.HasPrefix(msg, "Manual reset required")
}
