package qemuxen

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseStatus(t *testing.T) {
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
		{"goxen: crashed", Status{Crashed: true}, true, CrashExitCode},
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
		st, ok := ParseStatus(tt.line)
		if st != tt.st || ok != tt.ok {
			t.Errorf("ParseStatus(%q) = %v, %v; want %v, %v", tt.line, st, ok, tt.st, tt.ok)
		}
		if ok && st.ExitCode() != tt.code {
			t.Errorf("ParseStatus(%q).ExitCode() = %d, want %d", tt.line, st.ExitCode(), tt.code)
		}
	}
}

// serial is what Xen's serial driver makes of a console text: "\n" sent as
// "\r\n".
func serial(s string) string {
	return strings.ReplaceAll(s, "\n", "\r\n")
}

type consoleCase struct {
	name       string
	in         string // as the program and Xen print it (serial adds \r)
	out        string // the program's output
	status     string // "" for none
	tail       []string
	ending     bool
	noSerialCR bool // in is the raw serial stream
}

var consoleCases = []consoleCase{
	{
		name:   "hello",
		in:     "(XEN) Xen version 4.17\n(XEN) Freed 656kB init memory\nhello, world\ngoxen: exit status 0\n",
		out:    "hello, world\n",
		status: "goxen: exit status 0",
		tail:   []string{"(XEN) Xen version 4.17", "(XEN) Freed 656kB init memory"},
	},
	{
		name:   "empty output",
		in:     "(XEN) boot\ngoxen: exit status 3\n",
		status: "goxen: exit status 3",
		tail:   []string{"(XEN) boot"},
	},
	{
		name:   "crash",
		in:     "(XEN) boot\nunexpected trap\nrip 0x1\ngoxen: crashed\n(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds.\n",
		out:    "unexpected trap\nrip 0x1\n",
		status: "goxen: crashed",
		tail:   []string{"(XEN) boot", "(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds."},
		ending: true,
	},
	{
		name:   "program prints status-like lines",
		in:     "goxen: exit status 7\ngoxen: crashed\nmore\ngoxen: exit status 1\n",
		out:    "goxen: exit status 7\ngoxen: crashed\nmore\n",
		status: "goxen: exit status 1",
	},
	{
		name:   "status-like line followed by Xen lines only",
		in:     "goxen: exit status 7\n(XEN) something\ngoxen: exit status 0\n",
		out:    "goxen: exit status 7\n",
		status: "goxen: exit status 0",
		tail:   []string{"(XEN) something"},
	},
	{
		name: "near misses",
		in:   "(XEN\n(XE) x\ngoxen:\ngoxen: other\n(\ng\n\n(XEN is a word)\ngoxen: exit status 12345678901234567890123\n",
		out:  "(XEN\n(XE) x\ngoxen:\ngoxen: other\n(\ng\n\n(XEN is a word)\ngoxen: exit status 12345678901234567890123\n",
	},
	{
		name:   "carriage returns",
		in:     "a\r\nb\rc\n\r\rd\ngoxen: exit status 0\n",
		out:    "a\r\nb\rc\n\r\rd\n",
		status: "goxen: exit status 0",
	},
	{
		name:   "no newline at the end of the output",
		in:     "partial(XEN) not a line start\ngoxen: exit status 0",
		out:    "partial(XEN) not a line start\ngoxen: exit status 0",
		status: "",
	},
	{
		name:   "xen panic",
		in:     "(XEN) Panic on CPU 0:\n(XEN) Could not construct domain 0\n(XEN) Reboot in five seconds...\n",
		tail:   []string{"(XEN) Panic on CPU 0:", "(XEN) Could not construct domain 0", "(XEN) Reboot in five seconds..."},
		ending: true,
	},
	{
		name:   "halt",
		in:     "ok\ngoxen: exit status 0\n(XEN) Hardware Dom0 halted: halting machine\n",
		out:    "ok\n",
		status: "goxen: exit status 0",
		tail:   []string{"(XEN) Hardware Dom0 halted: halting machine"},
		ending: true,
	},
	{
		name:       "raw serial without CR",
		in:         "(XEN) x\nout\ngoxen: exit status 4\n",
		out:        "out\n",
		status:     "goxen: exit status 4",
		tail:       []string{"(XEN) x"},
		noSerialCR: true,
	},
}

func runConsole(tc consoleCase, chunks func(string) []string) (out, log string, c *Console) {
	var o, l bytes.Buffer
	c = &Console{Out: &o, Log: &l}
	in := tc.in
	if !tc.noSerialCR {
		in = serial(in)
	}
	for _, p := range chunks(in) {
		c.Write([]byte(p))
	}
	c.Close()
	return o.String(), l.String(), c
}

func TestConsole(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	splitters := map[string]func(string) []string{
		"whole": func(s string) []string { return []string{s} },
		"bytes": func(s string) []string { return strings.Split(s, "") },
		"random": func(s string) []string {
			var parts []string
			for len(s) > 0 {
				n := 1 + r.Intn(7)
				if n > len(s) {
					n = len(s)
				}
				parts = append(parts, s[:n])
				s = s[n:]
			}
			return parts
		},
	}
	for _, tc := range consoleCases {
		for sname, split := range splitters {
			out, log, c := runConsole(tc, split)
			if out != tc.out {
				t.Errorf("%s/%s: output %q, want %q", tc.name, sname, out, tc.out)
			}
			st, ok := c.Status()
			if got := map[bool]string{true: st.String()}[ok]; got != tc.status {
				t.Errorf("%s/%s: status %q, want %q", tc.name, sname, got, tc.status)
			}
			if got := strings.Join(c.Tail(), "|"); got != strings.Join(tc.tail, "|") {
				t.Errorf("%s/%s: tail %q, want %q", tc.name, sname, c.Tail(), tc.tail)
			}
			if want := strings.Join(tc.tail, "\n") + map[bool]string{true: "\n"}[len(tc.tail) > 0]; log != want {
				t.Errorf("%s/%s: log %q, want %q", tc.name, sname, log, want)
			}
			if c.Ending() != tc.ending {
				t.Errorf("%s/%s: ending %v, want %v", tc.name, sname, c.Ending(), tc.ending)
			}
		}
	}
}

// The program's output leaves as soon as it is known not to be Xen's or the
// status line: go test -v streams.
func TestConsoleStreams(t *testing.T) {
	var o bytes.Buffer
	c := &Console{Out: &o}
	for _, step := range []struct{ in, out string }{
		{"(XEN) boot\r\n", ""},
		{"=== RUN", "=== RUN"},
		{"   TestA\r\n", "=== RUN   TestA\n"},
		{"(", "=== RUN   TestA\n"},
		{"p", "=== RUN   TestA\n(p"},
		{"\r", "=== RUN   TestA\n(p"},
		{"\n", "=== RUN   TestA\n(p\n"},
		{"go", "=== RUN   TestA\n(p\n"},
		{"!", "=== RUN   TestA\n(p\ngo!"},
		{"\r\ngoxen: exit status 0\r\n", "=== RUN   TestA\n(p\ngo!\n"},
	} {
		c.Write([]byte(step.in))
		if o.String() != step.out {
			t.Fatalf("after %q: output %q, want %q", step.in, o.String(), step.out)
		}
	}
	c.Close()
	if st, ok := c.Status(); !ok || st != (Status{}) {
		t.Errorf("status %v %v", st, ok)
	}
}

func TestConsoleTail(t *testing.T) {
	var in strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&in, "(XEN) line %d\r\n", i)
	}
	in.WriteString("(XEN) " + strings.Repeat("x", 10000) + "\r\n")
	c := &Console{TailLines: 5}
	c.Write([]byte(in.String()))
	c.Close()
	tail := c.Tail()
	if len(tail) != 5 || tail[0] != "(XEN) line 96" || len(tail[4]) != maxXenLine {
		t.Errorf("tail: %d lines, first %q, last %d bytes", len(tail), tail[0], len(tail[4]))
	}
}

func TestConsoleInputAckMark(t *testing.T) {
	for _, tc := range []struct {
		name   string
		chunks []string
		out    string
		acks   []uint64
	}{
		{"at boot", []string{InputAckPrefix + "0\ahello\n"}, "hello\n", []uint64{0}},
		{"mid line, split", []string{"name? \x1b]go", "xen:in", "put:1", "2\aAnn\n"}, "name? Ann\n", []uint64{12}},
		{"several", []string{InputAckPrefix + "5\a" + "x" + InputAckPrefix + "105\a\n"}, "x\n", []uint64{5, 105}},
		{"absent", []string{"plain\n"}, "plain\n", nil},
		{"escape that is not the mark", []string{"\x1b[1mbold\x1b]goxen:x\n"}, "\x1b[1mbold\x1b]goxen:x\n", nil},
		{"no number", []string{"a" + InputAckPrefix + "\ab\n"}, "a" + InputAckPrefix + "\ab\n", nil},
		{"not a digit", []string{InputAckPrefix + "1x\a\n"}, InputAckPrefix + "1x\a\n", nil},
		{"too long", []string{InputAckPrefix + strings.Repeat("9", 25) + "\a"}, InputAckPrefix + strings.Repeat("9", 25) + "\a", nil},
		{"restart after a partial mark", []string{"\x1b]go" + InputAckPrefix + "7\a!\n"}, "\x1b]go!\n", []uint64{7}},
		{"partial mark at the end", []string{"end\x1b]goxen:input:3"}, "end\x1b]goxen:input:3", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			var acks []uint64
			c := &Console{Out: &out, InputAck: func(n uint64) { acks = append(acks, n) }}
			for _, ch := range tc.chunks {
				c.Write([]byte(ch))
			}
			c.Close()
			if out.String() != tc.out {
				t.Errorf("output %q, want %q", out.String(), tc.out)
			}
			if fmt.Sprint(acks) != fmt.Sprint(tc.acks) {
				t.Errorf("acknowledgements %v, want %v", acks, tc.acks)
			}
		})
	}
}

// flowWriter is the serial line in TestConsoleInputFlow: it checks the
// window on each write, and a guest goroutine takes what was written.
type flowWriter struct {
	mu      sync.Mutex
	data    []byte
	taken   int
	maxLead int
}

func (w *flowWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.data = append(w.data, p...)
	w.maxLead = max(w.maxLead, len(w.data)-w.taken)
	return len(p), nil
}

// The runner never has more than consoleInputWindow bytes sent but not
// taken, sends everything in order, and ends with EOT.
func TestConsoleInputFlow(t *testing.T) {
	in := make([]byte, 5000)
	for i := range in {
		in[i] = 'a' + byte(i%26)
	}
	ci := newConsoleInput()
	w := &flowWriter{}
	done := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		ci.send(w, bytes.NewReader(in), done)
		close(sent)
	}()
	ci.ack(0) // the program reads
	for {
		select {
		case <-sent:
			close(done)
			if w.maxLead > consoleInputWindow {
				t.Errorf("%d bytes in flight, more than the window of %d", w.maxLead, consoleInputWindow)
			}
			if string(w.data) != string(in)+"\x04" {
				t.Errorf("sent %d bytes, not the input and EOT", len(w.data))
			}
			return
		case <-time.After(time.Millisecond):
			// The guest takes some of what arrived, not always all.
			w.mu.Lock()
			w.taken += (len(w.data) - w.taken + 1) / 2
			taken := w.taken
			w.mu.Unlock()
			ci.ack(uint64(taken))
		}
	}
}
