// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package console

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"goforxen.dev/misc/xen/internal/exitstatus"
)

// serial is what Xen's serial driver makes of a console text: "\n" sent as
// "\r\n".
func serial(s string) string {
	return strings.ReplaceAll(s, "\n", "\r\n")
}

type consoleCase struct {
	name       string
	in         string   // as the program and Xen print it (serial adds \r)
	out        string   // the program's output
	status     string   // "" for none
	xen        []string // Xen's lines
	noSerialCR bool     // in is the raw serial stream
}

var consoleCases = []consoleCase{
	{
		name:   "hello",
		in:     "(XEN) Xen version 4.17\n(XEN) Freed 656kB init memory\nhello, world\ngoxen: exit status 0\n",
		out:    "hello, world\n",
		status: "goxen: exit status 0",
		xen:    []string{"(XEN) Xen version 4.17", "(XEN) Freed 656kB init memory"},
	},
	{
		name:   "empty output",
		in:     "(XEN) boot\ngoxen: exit status 3\n",
		status: "goxen: exit status 3",
		xen:    []string{"(XEN) boot"},
	},
	{
		name:   "crash",
		in:     "(XEN) boot\nunexpected trap\nrip 0x1\ngoxen: crashed\n(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds.\n",
		out:    "unexpected trap\nrip 0x1\n",
		status: "goxen: crashed",
		xen:    []string{"(XEN) boot", "(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds."},
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
		xen:    []string{"(XEN) something"},
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
		name: "xen panic",
		in:   "(XEN) Panic on CPU 0:\n(XEN) Could not construct domain 0\n(XEN) Reboot in five seconds...\n",
		xen:  []string{"(XEN) Panic on CPU 0:", "(XEN) Could not construct domain 0", "(XEN) Reboot in five seconds..."},
	},
	{
		name:   "halt",
		in:     "ok\ngoxen: exit status 0\n(XEN) Hardware Dom0 halted: halting machine\n",
		out:    "ok\n",
		status: "goxen: exit status 0",
		xen:    []string{"(XEN) Hardware Dom0 halted: halting machine"},
	},
	{
		name:       "raw serial without CR",
		in:         "(XEN) x\nout\ngoxen: exit status 4\n",
		out:        "out\n",
		status:     "goxen: exit status 4",
		xen:        []string{"(XEN) x"},
		noSerialCR: true,
	},
}

func runConsole(tc consoleCase, chunks func(string) []string) (out string, xen []string, d *Demux) {
	var o bytes.Buffer
	d = &Demux{Out: &o, XenLine: func(l string) { xen = append(xen, l) }}
	in := tc.in
	if !tc.noSerialCR {
		in = serial(in)
	}
	for _, p := range chunks(in) {
		d.Write([]byte(p))
	}
	d.Close()
	return o.String(), xen, d
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
			out, xen, c := runConsole(tc, split)
			if out != tc.out {
				t.Errorf("%s/%s: output %q, want %q", tc.name, sname, out, tc.out)
			}
			st, ok := c.Status()
			if got := map[bool]string{true: st.String()}[ok]; got != tc.status {
				t.Errorf("%s/%s: status %q, want %q", tc.name, sname, got, tc.status)
			}
			if got := strings.Join(xen, "|"); got != strings.Join(tc.xen, "|") {
				t.Errorf("%s/%s: Xen lines %q, want %q", tc.name, sname, xen, tc.xen)
			}
		}
	}
}

// The program's output leaves as soon as it is known not to be Xen's or the
// status line: go test -v streams.
func TestConsoleStreams(t *testing.T) {
	var o bytes.Buffer
	c := &Demux{Out: &o, XenLine: func(string) {}}
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
	if st, ok := c.Status(); !ok || st != (exitstatus.Status{}) {
		t.Errorf("status %v %v", st, ok)
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
			c := &Demux{Out: &out, InputAck: func(n uint64) { acks = append(acks, n) }}
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

// A domU's console has no Xen lines: without XenLine, "(XEN)" is output.
func TestConsoleWithoutXenLines(t *testing.T) {
	var o bytes.Buffer
	d := &Demux{Out: &o}
	d.Write([]byte("(XEN) not Xen's\ngoxen: exit status 0\n"))
	d.Close()
	if o.String() != "(XEN) not Xen's\n" {
		t.Errorf("output %q", o.String())
	}
	if st, ok := d.Status(); !ok || st != (exitstatus.Status{}) {
		t.Errorf("status %v %v", st, ok)
	}
}

// With stream marks (goxen.streams=1) stdout and stderr go apart, each in
// order, partial lines stay partial, the status line comes after its mark
// with no newline before it, and lines that look like status lines are
// output.
func TestConsoleStreamMarks(t *testing.T) {
	in := serial("(XEN) boot\n"+StdoutMark+"out 1\n"+StderrMark+"err 1\n"+StdoutMark+"goxen: exit status 7\nout") +
		"\x1b]goxen:input:3\a" + serial(" 2\n"+StderrMark+"err 2 (XEN) mid-line\nerr"+StdoutMark+" end"+StatusMark+"goxen: exit status 3\n(XEN) Hardware Dom0 halted\n")
	splitters := map[string]func(string) []string{
		"whole": func(s string) []string { return []string{s} },
		"bytes": func(s string) []string { return strings.Split(s, "") },
	}
	for name, split := range splitters {
		var out, errs strings.Builder
		var xen []string
		d := &Demux{Out: &out, Err: &errs, XenLine: func(l string) { xen = append(xen, l) }}
		for _, p := range split(in) {
			d.Write([]byte(p))
		}
		d.Close()
		if want := "out 1\ngoxen: exit status 7\nout 2\n end"; out.String() != want {
			t.Errorf("%s: stdout %q, want %q", name, out.String(), want)
		}
		if want := "err 1\nerr 2 (XEN) mid-line\nerr"; errs.String() != want {
			t.Errorf("%s: stderr %q, want %q", name, errs.String(), want)
		}
		if st, ok := d.Status(); !ok || st != (exitstatus.Status{Code: 3}) {
			t.Errorf("%s: status %v %v, want exit status 3", name, st, ok)
		}
		if strings.Join(xen, "|") != "(XEN) boot|(XEN) Hardware Dom0 halted" {
			t.Errorf("%s: Xen lines %q", name, xen)
		}
	}
}

// A mark between the first bytes of a line decides them: the line so far
// was the previous stream's output, not the start of a Xen or status line.
func TestConsoleStreamSwitchMidLine(t *testing.T) {
	var out, errs strings.Builder
	d := &Demux{Out: &out, Err: &errs, XenLine: func(string) { t.Error("a Xen line") }}
	d.Write([]byte("(XE" + StderrMark + "N) x\n" + StdoutMark + "goxe" + StderrMark + "n: crashed\n"))
	d.Close()
	if out.String() != "(XEgoxe" || errs.String() != "N) x\nn: crashed\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errs.String())
	}
	if _, ok := d.Status(); ok {
		t.Error("a status")
	}
}

// A broken status line after the mark is shown on stderr, and no status.
func TestConsoleBadStatusAfterMark(t *testing.T) {
	var out, errs strings.Builder
	d := &Demux{Out: &out, Err: &errs}
	d.Write([]byte(StdoutMark + "x\n" + StatusMark + "goxen: exit status x\n"))
	d.Close()
	if _, ok := d.Status(); ok || out.String() != "x\n" || errs.String() != "goxen: exit status x\n" {
		t.Errorf("stdout %q, stderr %q, status %v", out.String(), errs.String(), ok)
	}
}

func TestFinal(t *testing.T) {
	for _, tt := range []struct{ text, line string }{
		{"out\ngoxen: exit status 3\n", "goxen: exit status 3"},
		{"goxen: crashed\nKernel panic\n", "goxen: crashed"},
		{StdoutMark + "out" + StderrMark + "goxen: exit status 1\n" + StatusMark + "goxen: exit status 4\n", "goxen: exit status 4"},
		{StdoutMark + "no newline" + StatusMark + "goxen: crashed\r\n", "goxen: crashed"},
		{StdoutMark + "goxen: exit status 1\n" + StatusMark + "goxen: exit", ""},
		{"nothing\n", ""},
	} {
		_, line, ok := Final(tt.text)
		if line != tt.line || ok != (tt.line != "") {
			t.Errorf("Final(%q) = %q, %v; want %q", tt.text, line, ok, tt.line)
		}
	}
}
