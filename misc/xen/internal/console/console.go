// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package console reads the console of a GOOS=xen program as the host
// tools receive it: the program's output, the runtime's marks and its final
// status line, and on dom0's serial port also Xen's own log lines.
//
// The runtime writes everything to one stream, the Xen console (console_io
// as dom0, the console ring as a domU). Besides the program's bytes it
// writes:
//
//   - marks, OSC escape sequences "ESC ]goxen:BODY BEL" that a terminal
//     ignores and Demux removes: "input:N" (goxen.inputack=1) when the
//     program first reads console input and each time it has taken input
//     from Xen, N being the bytes taken since boot; with goxen.streams=1,
//     "stdout" first thing at boot and whenever the bytes that follow are
//     stdout's after others, "stderr" before bytes written to stderr (the
//     runtime's own messages, panics and crashes included), and "status"
//     before the status line;
//   - the status line, the last line it prints (package exitstatus).
//
// The console stays one stream for a reader that ignores the marks (xl
// console, a log file): without goxen.streams=1 there are none, and the
// status line starts a line of its own.
//
// On dom0's serial port Xen's log lines, which start with "(XEN)", share
// the stream, and Xen's serial driver sends "\n" as "\r\n".
package console

import (
	"io"
	"strconv"
	"strings"

	"goforxen.dev/misc/xen/internal/exitstatus"
)

// MarkPrefix starts every mark; BEL ends it.
const MarkPrefix = "\x1b]goxen:"

// InputAckPrefix starts the input acknowledgement mark, "ESC ]goxen:input:N
// BEL".
const InputAckPrefix = MarkPrefix + "input:"

// The stream marks (goxen.streams=1).
const (
	StdoutMark = MarkPrefix + "stdout\a"
	StderrMark = MarkPrefix + "stderr\a"
	StatusMark = MarkPrefix + "status\a"
)

// The console's streams.
const (
	stdout = iota
	stderr
	status
)

const (
	// maxMarkBody bounds the body of a mark: "input:" and 20 digits.
	maxMarkBody = len("input:") + 20
	xenPrefix   = "(XEN)"
	// maxXenLine bounds a Xen log line passed to XenLine.
	maxXenLine = 4096
)

type lineState int

const (
	lineStart lineState = iota // undecided: head holds the line's first bytes
	inProgram                  // the program's output, passed through
	inXen                      // a Xen log line
	inStatus                   // a line that may be the status line
)

// Demux splits a console stream into the program's output (stdout and
// stderr apart when the runtime marks them), the runtime's marks and its
// status line, and (if XenLine is set) Xen's log lines.
//
// With stream marks the status line is the line after the "status" mark,
// and every other byte is stdout's or stderr's as the marks say. Without
// them, a line that is a status line is held back: if more program output
// follows, it was the program's own and is passed on; the last one, with
// nothing but Xen lines after it, is the status. The program's bytes are
// written out as soon as they are known not to start a Xen line, a status
// line or a mark, so that output streams (go test -v). "\r\n" becomes
// "\n" (Xen's serial driver adds the "\r"), so a program's own "\r\n"
// arrives as "\r\n" only on dom0's serial port.
//
// Limits: a Xen line printed while the program is in the middle of a line
// (Xen does not know where dom0's lines end) stays in the program's output;
// without stream marks, the runtime prints a newline before the status
// line when the program's output did not end with one, and that newline
// stays too.
type Demux struct {
	Out io.Writer // the program's output (stdout)
	// Err receives what the program wrote to stderr when the runtime marks
	// it (goxen.streams=1); nil: Out.
	Err io.Writer

	// XenLine, if set, receives each line that starts with "(XEN)" at a
	// line start (without its newline, at most 4 KiB of it): dom0's
	// serial port. If nil, such lines are program output.
	XenLine func(line string)

	// InputAck, if set, is called with N for each input mark.
	InputAck func(taken uint64)

	mark []byte // the start of what may be a mark

	state  lineState
	cr     bool   // a '\r' waiting for the next byte
	head   []byte // the undecided start of the line (lineStart, inStatus)
	xen    []byte // the Xen line so far
	stream int    // where the program's bytes go now (the last stream mark)
	marked bool   // a stream mark has been seen
	out    []byte // program output of the current Write, for outTo
	outTo  int    // the stream of out
	line   []byte // the line after a status mark

	pending       []byte // the last status line seen (unmarked), with its newline
	pendingStream int
	status        exitstatus.Status
	haveStatus    bool
	err           error // the first error writing Out or Err
}

// Write implements io.Writer for the console stream.
func (d *Demux) Write(p []byte) (int, error) {
	for _, b := range p {
		if d.cr {
			d.cr = false
			if b != '\n' {
				d.markByte('\r')
			}
		}
		if b == '\r' {
			d.cr = true
			continue
		}
		d.markByte(b)
	}
	d.flush()
	return len(p), nil
}

// Close ends the stream: an incomplete line is the program's output. It
// returns the first error writing Out.
func (d *Demux) Close() error {
	d.flushMark()
	if d.cr {
		d.cr = false
		d.byte('\r')
	}
	switch d.state {
	case lineStart, inStatus:
		if len(d.head) > 0 {
			d.emit(d.head)
		}
	case inXen:
		d.endXenLine()
	}
	d.head = d.head[:0]
	d.state = lineStart
	d.flush()
	return d.err
}

// Status returns the program's final status line, if the console has shown
// one (so far).
func (d *Demux) Status() (exitstatus.Status, bool) {
	return d.status, d.haveStatus
}

// markByte takes the runtime's marks out of the stream and passes on other
// bytes.
func (d *Demux) markByte(b byte) {
	n := len(d.mark)
	switch {
	case n < len(MarkPrefix) && b == MarkPrefix[n],
		n >= len(MarkPrefix) && n < len(MarkPrefix)+maxMarkBody && isMarkByte(b):
		d.mark = append(d.mark, b)
		return
	case n > len(MarkPrefix) && b == '\a':
		if d.takeMark(string(d.mark[len(MarkPrefix):])) {
			d.mark = d.mark[:0]
			return
		}
		d.mark = append(d.mark, b)
		d.flushMark()
		return
	}
	if n > 0 {
		// Not a mark after all: its bytes were output. A mark's first byte
		// occurs in it only at its start, so b may begin a new one.
		d.flushMark()
		d.markByte(b)
		return
	}
	d.byte(b)
}

func isMarkByte(b byte) bool {
	return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == ':'
}

// takeMark acts on a mark's body and reports whether it is one.
func (d *Demux) takeMark(body string) bool {
	switch body {
	case "stdout":
		d.switchTo(stdout)
		return true
	case "stderr":
		d.switchTo(stderr)
		return true
	case "status":
		d.switchTo(status)
		return true
	}
	if num, ok := strings.CutPrefix(body, "input:"); ok && num != "" {
		taken, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			return false
		}
		if d.InputAck != nil {
			d.InputAck(taken)
		}
		return true
	}
	return false
}

// switchTo makes the bytes that follow stream s's. The line so far, if
// undecided, was the previous stream's: neither a Xen line nor a status line
// has a mark inside.
func (d *Demux) switchTo(s int) {
	d.marked = true
	if s == d.stream {
		return
	}
	switch d.state {
	case lineStart, inStatus:
		if len(d.head) > 0 {
			d.emit(d.head)
			d.head = d.head[:0]
			d.state = inProgram
		}
	}
	d.stream = s
	d.line = d.line[:0]
}

// flushMark passes on the bytes held as a possible mark.
func (d *Demux) flushMark() {
	for _, m := range d.mark {
		d.byte(m)
	}
	d.mark = d.mark[:0]
}

func (d *Demux) byte(b byte) {
	if d.stream == status {
		d.statusByte(b)
		return
	}
	switch d.state {
	case lineStart:
		d.head = append(d.head, b)
		switch {
		case d.XenLine != nil && string(d.head) == xenPrefix:
			d.state = inXen
			d.xen = append(d.xen[:0], d.head...)
			d.head = d.head[:0]
		case string(d.head) == exitstatus.Prefix && !d.marked:
			d.state = inStatus
		case b == '\n' || !d.mayStartXen() && (d.marked || !strings.HasPrefix(exitstatus.Prefix, string(d.head))):
			d.emit(d.head)
			d.head = d.head[:0]
			if b != '\n' {
				d.state = inProgram
			}
		}
	case inProgram:
		d.put(d.stream, []byte{b})
		if b == '\n' {
			d.state = lineStart
		}
	case inXen:
		if b == '\n' {
			d.endXenLine()
			d.state = lineStart
		} else if len(d.xen) < maxXenLine {
			d.xen = append(d.xen, b)
		}
	case inStatus:
		d.head = append(d.head, b)
		if b == '\n' {
			if st, ok := exitstatus.Parse(string(d.head[:len(d.head)-1])); ok {
				d.releasePending()
				d.pending = append(d.pending[:0], d.head...)
				d.pendingStream = d.stream
				d.status, d.haveStatus = st, true
			} else {
				d.emit(d.head)
			}
			d.head = d.head[:0]
			d.state = lineStart
		} else if len(d.head) > exitstatus.MaxLine {
			d.emit(d.head)
			d.head = d.head[:0]
			d.state = inProgram
		}
	}
}

// statusByte takes a byte after a status mark: the status line, which
// ends with a newline. Anything else there is shown on stderr.
func (d *Demux) statusByte(b byte) {
	if b != '\n' {
		if len(d.line) <= exitstatus.MaxLine {
			d.line = append(d.line, b)
		}
		return
	}
	// What follows is Xen's, if anything (or the program's, as stdout).
	d.state, d.stream = lineStart, stdout
	if st, ok := exitstatus.Parse(string(d.line)); ok {
		d.releasePending()
		d.status, d.haveStatus = st, true
	} else {
		d.put(stderr, append(d.line, b))
	}
	d.line = d.line[:0]
}

// mayStartXen reports whether the line so far may be the start of a Xen
// line.
func (d *Demux) mayStartXen() bool {
	return d.XenLine != nil && strings.HasPrefix(xenPrefix, string(d.head))
}

// emit adds program output. Output after a status line means that line was
// the program's own.
func (d *Demux) emit(b []byte) {
	d.releasePending()
	d.put(d.stream, b)
}

// releasePending passes on a held-back status line as the program's
// output, or forgets the status of a status mark's line: more output has
// come.
func (d *Demux) releasePending() {
	if d.haveStatus {
		d.put(d.pendingStream, d.pending)
		d.pending = d.pending[:0]
		d.haveStatus = false
		d.status = exitstatus.Status{}
	}
}

// put adds b to the output of stream s.
func (d *Demux) put(s int, b []byte) {
	if len(b) == 0 {
		return
	}
	if s != d.outTo {
		d.flush()
		d.outTo = s
	}
	d.out = append(d.out, b...)
}

func (d *Demux) flush() {
	if len(d.out) == 0 {
		return
	}
	w := d.Out
	if d.outTo == stderr && d.Err != nil {
		w = d.Err
	}
	if d.err == nil && w != nil {
		_, d.err = w.Write(d.out)
	}
	d.out = d.out[:0]
}

func (d *Demux) endXenLine() {
	line := string(d.xen)
	d.xen = d.xen[:0]
	d.XenLine(line)
}

// Final returns the status line of a whole console text: the line after the
// last status mark if the runtime marked its streams, else the last line
// that is a status line (exitstatus.Last, whatever follows it: a Linux guest
// goes on printing after its init has written one).
func Final(text string) (st exitstatus.Status, line string, ok bool) {
	if i := strings.LastIndex(text, StatusMark); i >= 0 {
		line, _, _ = strings.Cut(text[i+len(StatusMark):], "\n")
		line = strings.TrimSuffix(line, "\r")
		st, ok = exitstatus.Parse(line)
		if !ok {
			line = ""
		}
		return st, line, ok
	}
	return exitstatus.Last(text)
}
