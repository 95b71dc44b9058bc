package qemuxen

import (
	"bytes"
	"io"
	"strconv"
	"strings"
)

// Status is how a program ended, from its final status line.
type Status struct {
	Crashed bool // "goxen: crashed"
	Code    int  // N of "goxen: exit status N"
}

// ExitCode is the runner's exit code for s: N modulo 256 as a Unix process
// would report os.Exit(N), and CrashExitCode for a crash.
func (s Status) ExitCode() int {
	if s.Crashed {
		return CrashExitCode
	}
	return s.Code & 0xff
}

func (s Status) String() string {
	if s.Crashed {
		return "goxen: crashed"
	}
	return "goxen: exit status " + strconv.Itoa(s.Code)
}

// ParseStatus parses a final status line (without its newline):
// "goxen: exit status N" (N a decimal int32, maybe negative) or
// "goxen: crashed".
func ParseStatus(line string) (Status, bool) {
	line = strings.TrimSuffix(line, "\r")
	if line == "goxen: crashed" {
		return Status{Crashed: true}, true
	}
	num, ok := strings.CutPrefix(line, "goxen: exit status ")
	if !ok || num == "" || num[0] == '+' {
		return Status{}, false
	}
	n, err := strconv.ParseInt(num, 10, 32)
	if err != nil {
		return Status{}, false
	}
	return Status{Code: int(n)}, true
}

const (
	xenPrefix    = "(XEN)"
	statusPrefix = "goxen: "
	// maxStatusLine bounds a line held back as a possible status line.
	maxStatusLine = len("goxen: exit status -2147483648")
	// maxXenLine bounds a Xen log line kept in the tail.
	maxXenLine = 4096
)

type lineState int

const (
	lineStart lineState = iota // undecided: head holds the line's first bytes
	inProgram                  // the program's output, passed through
	inXen                      // a Xen log line
	inStatus                   // a line that may be the status line
)

// Console splits the serial output of a Xen machine running a GOOS=xen dom0
// into the program's output and Xen's log. Lines starting with "(XEN)" are
// Xen's; a line that is a status line is held back until the end, and only
// the last one is the status (a status line that the program printed itself
// and that more output follows is passed on as output); every other byte is
// the program's, written to Out as soon as it is known not to start a Xen or
// status line. Xen's serial driver writes "\n" as "\r\n", which becomes "\n"
// again, so a program's own "\r\n" comes out as "\r\n".
//
// Limits: a Xen line printed while the program is in the middle of a line
// (Xen does not know where dom0's lines end) stays in the program's output;
// the runtime prints a newline before the status line when the program's
// output did not end with one, and that newline stays too.
type Console struct {
	Out io.Writer // the program's output
	Log io.Writer // if set, a copy of Xen's log, line by line

	// TailLines is the number of Xen log lines Tail keeps (default 40).
	TailLines int

	// InputAck, if set, is called with N each time the runtime writes
	// InputAckPrefix N "\a" (goxen.inputack=1): the program reads console
	// input and has taken N bytes of it from Xen. The mark is not part of
	// the program's output.
	InputAck func(taken uint64)
	mark     []byte // the start of what may be a mark

	state   lineState
	cr      bool   // a '\r' waiting for the next byte
	head    []byte // the undecided start of the line (lineStart, inStatus)
	xenLine []byte
	out     []byte // program output of the current Write

	pending    []byte // the last status line seen, with its newline
	status     Status
	haveStatus bool
	ending     bool // Xen said the machine is stopping
	tail       []string
	err        error // the first error writing Out
}

// Write implements io.Writer for QEMU's serial output.
func (c *Console) Write(p []byte) (int, error) {
	for _, b := range p {
		if c.cr {
			c.cr = false
			if b != '\n' {
				c.markByte('\r')
			}
		}
		if b == '\r' {
			c.cr = true
			continue
		}
		c.markByte(b)
	}
	c.flush()
	return len(p), nil
}

// maxAckMark bounds a mark: the prefix, 20 digits and the BEL.
const maxAckMark = len(InputAckPrefix) + 21

// markByte takes the runtime's input marks out of the stream and passes on
// other bytes.
func (c *Console) markByte(b byte) {
	n := len(c.mark)
	switch {
	case n < len(InputAckPrefix) && b == InputAckPrefix[n],
		n >= len(InputAckPrefix) && '0' <= b && b <= '9' && n < maxAckMark-1:
		c.mark = append(c.mark, b)
		return
	case n > len(InputAckPrefix) && b == '\a':
		taken, err := strconv.ParseUint(string(c.mark[len(InputAckPrefix):]), 10, 64)
		c.mark = c.mark[:0]
		if err == nil && c.InputAck != nil {
			c.InputAck(taken)
		}
		return
	}
	if n > 0 {
		// Not a mark after all: its bytes were output. A mark's first byte
		// occurs in it only at its start, so b may begin a new one.
		c.flushMark()
		c.markByte(b)
		return
	}
	c.byte(b)
}

// flushMark passes on the bytes held as a possible mark.
func (c *Console) flushMark() {
	for _, m := range c.mark {
		c.byte(m)
	}
	c.mark = c.mark[:0]
}

// Close ends the stream: an incomplete line is the program's output.
func (c *Console) Close() error {
	c.flushMark()
	if c.cr {
		c.cr = false
		c.byte('\r')
	}
	switch c.state {
	case lineStart, inStatus:
		if len(c.head) > 0 {
			c.emit(c.head)
		}
	case inXen:
		c.endXenLine()
	}
	c.head = c.head[:0]
	c.state = lineStart
	c.flush()
	return c.err
}

// Status returns the program's final status line, if the console has shown
// one (so far).
func (c *Console) Status() (Status, bool) {
	return c.status, c.haveStatus
}

// Ending reports whether Xen has said that the machine stops (dom0 shut
// down or crashed, Xen panicked): QEMU may then be ended.
func (c *Console) Ending() bool {
	return c.ending
}

// Tail returns the last lines of Xen's log.
func (c *Console) Tail() []string {
	return append([]string(nil), c.tail...)
}

func (c *Console) byte(b byte) {
	switch c.state {
	case lineStart:
		c.head = append(c.head, b)
		switch {
		case bytes.HasPrefix(c.head, []byte(xenPrefix)):
			c.state = inXen
			c.xenLine = append(c.xenLine[:0], c.head...)
			c.head = c.head[:0]
		case bytes.HasPrefix(c.head, []byte(statusPrefix)):
			c.state = inStatus
		case b == '\n' || !isPrefixOf(c.head, xenPrefix) && !isPrefixOf(c.head, statusPrefix):
			c.emit(c.head)
			c.head = c.head[:0]
			if b != '\n' {
				c.state = inProgram
			}
		}
	case inProgram:
		c.out = append(c.out, b)
		if b == '\n' {
			c.state = lineStart
		}
	case inXen:
		if b == '\n' {
			c.endXenLine()
			c.state = lineStart
		} else if len(c.xenLine) < maxXenLine {
			c.xenLine = append(c.xenLine, b)
		}
	case inStatus:
		c.head = append(c.head, b)
		if b == '\n' {
			if st, ok := ParseStatus(string(c.head[:len(c.head)-1])); ok {
				c.releasePending()
				c.pending = append(c.pending[:0], c.head...)
				c.status, c.haveStatus = st, true
			} else {
				c.emit(c.head)
			}
			c.head = c.head[:0]
			c.state = lineStart
		} else if len(c.head) > maxStatusLine {
			c.emit(c.head)
			c.head = c.head[:0]
			c.state = inProgram
		}
	}
}

// isPrefixOf reports whether b is a prefix of s.
func isPrefixOf(b []byte, s string) bool {
	return len(b) <= len(s) && string(b) == s[:len(b)]
}

// emit adds program output. Output after a status line means that line was
// the program's own.
func (c *Console) emit(b []byte) {
	c.releasePending()
	c.out = append(c.out, b...)
}

func (c *Console) releasePending() {
	if c.haveStatus {
		c.out = append(c.out, c.pending...)
		c.pending = c.pending[:0]
		c.haveStatus = false
		c.status = Status{}
	}
}

func (c *Console) flush() {
	if len(c.out) == 0 {
		return
	}
	if c.err == nil && c.Out != nil {
		_, c.err = c.Out.Write(c.out)
	}
	c.out = c.out[:0]
}

func (c *Console) endXenLine() {
	line := string(c.xenLine)
	c.xenLine = c.xenLine[:0]
	n := c.TailLines
	if n <= 0 {
		n = 40
	}
	if len(c.tail) >= n {
		copy(c.tail, c.tail[len(c.tail)-n+1:])
		c.tail = c.tail[:n-1]
	}
	c.tail = append(c.tail, line)
	if c.Log != nil {
		io.WriteString(c.Log, line+"\n")
	}
	if isEndLine(line) {
		c.ending = true
	}

}

// InputAckPrefix starts the mark the runtime writes for goxen.inputack=1
// (src/runtime/console_xen.go): "\x1b]goxen:input:N\a", an OSC escape
// sequence that a terminal would ignore, N the bytes of input taken so far.
const InputAckPrefix = "\x1b]goxen:input:"

// isEndLine reports whether a Xen log line says that the machine is about to
// stop, halt or reboot (xen/common/shutdown.c, xen/drivers/char/console.c).
func isEndLine(line string) bool {
	msg := strings.TrimSpace(strings.TrimPrefix(line, xenPrefix))
	return strings.HasPrefix(msg, "Hardware Dom0 ") ||
		strings.HasPrefix(msg, "Hardware domain ") ||
		strings.HasPrefix(msg, "Reboot in five seconds") ||
		strings.HasPrefix(msg, "Manual reset required")
}
