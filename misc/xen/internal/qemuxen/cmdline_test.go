// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// The decoder below is written from the grammar (not copied from the
// runtime, which this module may not import): the runtime's
// internal/runtime/xen/cmdline.go and runtime.goenvs in env_xen.go.

// splitWords splits a command line into unquoted words.
func splitWords(s string) ([]string, error) {
	var words []string
	i := 0
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return words, nil
		}
		var w strings.Builder
		for i < len(s) && !isSpace(s[i]) {
			switch s[i] {
			case '\'':
				j := strings.IndexByte(s[i+1:], '\'')
				if j < 0 {
					return nil, errors.New("unterminated '")
				}
				w.WriteString(s[i+1 : i+1+j])
				i += j + 2
			case '"':
				i++
				for {
					if i == len(s) {
						return nil, errors.New("unterminated \"")
					}
					if s[i] == '"' {
						i++
						break
					}
					if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
						i++
					}
					w.WriteByte(s[i])
					i++
				}
			case '\\':
				if i+1 == len(s) {
					return nil, errors.New("trailing backslash")
				}
				w.WriteByte(s[i+1])
				i += 2
			default:
				w.WriteByte(s[i])
				i++
			}
		}
		words = append(words, w.String())
	}
}

// bootOptions is what the runtime's xenReadOptions sees at boot: raw words
// up to the first one that is not an option.
func bootOptions(line string) map[string]bool {
	opts := map[string]bool{}
	for _, w := range strings.Fields(line) {
		if !strings.HasPrefix(w, "goxen.") {
			break
		}
		opts[w] = true
	}
	return opts
}

type decoded struct {
	Options []string
	Env     []string
	Args    []string
}

// decodeGuest reads a guest command line and its module as runtime.goenvs
// does.
func decodeGuest(line string, module []byte) (decoded, error) {
	var d decoded
	words, err := splitWords(line)
	if err != nil {
		return d, err
	}
	phase := 0
	useModule := false
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			if !useModule {
				break
			}
			if module == nil {
				return d, errors.New("goxen.cmdline=module without a module")
			}
			if words, err = splitWords(string(module)); err != nil {
				return d, err
			}
			if phase == 0 {
				phase = 1
			}
		}
		for _, w := range words {
			if phase == 0 && strings.HasPrefix(w, "goxen.") {
				d.Options = append(d.Options, w)
				if w == "goxen.cmdline=module" {
					useModule = true
				}
				continue
			}
			if phase <= 1 {
				if w == "--" {
					phase = 2
					continue
				}
				if name, _, ok := strings.Cut(w, "="); ok && IsEnvName(name) {
					d.Env = append(d.Env, w)
					phase = 1
					continue
				}
			}
			phase = 2
			d.Args = append(d.Args, w)
		}
	}
	return d, nil
}

// qemuModules splits QEMU's -initrd value into module strings as QEMU's
// get_opt_value does: "," separates, ",," is a comma.
func qemuModules(s string) []string {
	var mods []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			if i+1 < len(s) && s[i+1] == ',' {
				cur.WriteByte(',')
				i++
				continue
			}
			mods = append(mods, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(s[i])
	}
	return append(mods, cur.String())
}

// xenCook strips the image name from a module string, as Xen's
// cmdline_cook does for QEMU's loader.
func xenCook(s string) string {
	s = strings.TrimLeft(s, " ")
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return strings.TrimLeft(s[i:], " ")
	}
	return ""
}

// roundTrip encodes c, passes it through QEMU's and Xen's handling and
// decodes it as the runtime does.
func roundTrip(t *testing.T, c *Cmdline) (decoded, string, []byte) {
	t.Helper()
	line, module, err := c.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if len(line) > MaxCmdline {
		t.Fatalf("line is %d bytes, more than %d", len(line), MaxCmdline)
	}
	initrd := "/dev/fd/3 " + EscapeInitrd(line)
	if module != nil {
		initrd += ",/dev/fd/5"
	}
	mods := qemuModules(initrd)
	if want := 1 + btoi(module != nil); len(mods) != want {
		t.Fatalf("QEMU sees %d modules in %q, want %d", len(mods), initrd, want)
	}
	guest := xenCook(mods[0])
	if guest != line {
		t.Fatalf("guest sees %q, want %q", guest, line)
	}
	if c.DebugExit && !bootOptions(guest)["goxen.debugexit=1"] {
		t.Errorf("goxen.debugexit=1 not seen at boot in %q", guest)
	}
	if c.Streams && !bootOptions(guest)["goxen.streams=1"] {
		t.Errorf("goxen.streams=1 not seen at boot in %q", guest)
	}
	if c.InputAck && !bootOptions(guest)["goxen.inputack=1"] {
		t.Errorf("goxen.inputack=1 not seen at boot in %q", guest)
	}
	if module != nil && !bootOptions(guest)["goxen.cmdline=module"] {
		t.Errorf("goxen.cmdline=module not seen at boot in %q", guest)
	}
	d, err := decodeGuest(guest, module)
	if err != nil {
		t.Fatalf("decoding %q (module %q): %v", guest, module, err)
	}
	return d, line, module
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func checkRoundTrip(t *testing.T, c *Cmdline) (string, []byte) {
	t.Helper()
	d, line, module := roundTrip(t, c)
	var argv0 string
	for _, o := range d.Options {
		if v, ok := strings.CutPrefix(o, "goxen.argv0="); ok {
			argv0 = v
		}
	}
	if argv0 != c.Argv0 {
		t.Errorf("argv0 = %q, want %q", argv0, c.Argv0)
	}
	if !reflect.DeepEqual(d.Env, nilIfEmpty(c.Env)) {
		t.Errorf("env = %q, want %q\nline %q\nmodule %q", d.Env, c.Env, line, module)
	}
	if !reflect.DeepEqual(d.Args, nilIfEmpty(c.Args)) {
		t.Errorf("args = %q, want %q\nline %q\nmodule %q", d.Args, c.Args, line, module)
	}
	return line, module
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestQuote(t *testing.T) {
	for _, tt := range []struct{ in, out string }{
		{"abc", "abc"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{`a"b`, `'a"b'`},
		{`a\b`, `'a\b'`},
		{"a,b=c", "a,b=c"},
		{"ü世界", "ü世界"},
		{"tab\there", "'tab\there'"},
		{"'", `''\'''`},
	} {
		if got := Quote(tt.in); got != tt.out {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.out)
		}
		if w, err := splitWords(Quote(tt.in)); err != nil || len(w) != 1 || w[0] != tt.in {
			t.Errorf("Quote(%q) decodes to %q, %v", tt.in, w, err)
		}
	}
}

func TestEncodeAwkward(t *testing.T) {
	awkward := []string{
		"", " ", "a b", "  lead", "trail  ", "it's", `"dq"`, `back\slash`, `\`, `\\`,
		"comma,here", ",", ",,", "a=b", "=", "--", "-", "goxen.debugexit=1", "goxen.argv0=x",
		"FOO=bar", "ü", "日本語", "tab\tx", "nl\nx", "cr\rx", "$HOME", "`cmd`", "*", "#",
		"'\"'\"", `'\''`, "\x01\x7f\xff",
	}
	checkRoundTrip(t, &Cmdline{Argv0: "prog.test", DebugExit: true, Args: awkward})
	checkRoundTrip(t, &Cmdline{Argv0: "a b,c'd", DebugExit: true,
		Env:  []string{"A=1", "B=", "C=x y", "D=it's", `E="q"\`, "F=a,b", "G==", "H_1=ü", "_=u"},
		Args: awkward})
	// Arguments that look like environment words or options stay arguments.
	checkRoundTrip(t, &Cmdline{Args: []string{"A=B", "goxen.cmdline=module", "--"}})
	// An environment alone, and nothing at all.
	checkRoundTrip(t, &Cmdline{Env: []string{"X=1"}})
	checkRoundTrip(t, &Cmdline{DebugExit: true})
}

func TestEncodeRandom(t *testing.T) {
	alphabet := []string{"a", "Z", "0", " ", "\t", "\n", "\r", "'", `"`, `\`, ",", "=", "-", ".", "ü", "世", "$", "\x01", "\xff"}
	r := rand.New(rand.NewSource(1))
	word := func(max int) string {
		var b strings.Builder
		for n := r.Intn(max); n > 0; n-- {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		return b.String()
	}
	for i := 0; i < 2000; i++ {
		c := &Cmdline{Argv0: "p" + word(8), DebugExit: r.Intn(2) == 0, Streams: r.Intn(2) == 0, InputAck: r.Intn(2) == 0}
		for n := r.Intn(5); n > 0; n-- {
			c.Env = append(c.Env, "V"+strings.Repeat("_", r.Intn(2))+string(rune('A'+r.Intn(26)))+"="+word(20))
		}
		for n := r.Intn(8); n > 0; n-- {
			c.Args = append(c.Args, word(1+r.Intn(200)))
		}
		checkRoundTrip(t, c)
		if t.Failed() {
			t.Fatalf("failed on %#v", c)
		}
	}
}

func TestEncodeModule(t *testing.T) {
	// Up to MaxCmdline bytes the line carries everything.
	base := &Cmdline{Argv0: "x", DebugExit: true, Args: []string{""}}
	line, _, _ := base.Encode()
	fill := MaxCmdline - len(line) + len("''")
	c := &Cmdline{Argv0: "x", DebugExit: true, Args: []string{strings.Repeat("a", fill)}}
	line, module := checkRoundTrip(t, c)
	if len(line) != MaxCmdline || module != nil {
		t.Errorf("a %d-byte line: module %v, want the line alone", len(line), module != nil)
	}
	// One more byte moves the environment and arguments into the module.
	c.Args[0] += "a"
	line, module = checkRoundTrip(t, c)
	if module == nil {
		t.Fatalf("a %d-byte line does not use a module", MaxCmdline+1)
	}
	if line != "goxen.debugexit=1 goxen.cmdline=module goxen.argv0=x" {
		t.Errorf("line with a module = %q", line)
	}
	// Commas are doubled only for QEMU; the module file has them as they are.
	c = &Cmdline{DebugExit: true, Args: []string{strings.Repeat("a,b ", 400)}}
	_, module = checkRoundTrip(t, c)
	if !strings.Contains(string(module), "a,b a,b") {
		t.Errorf("module %q...: commas changed", module[:40])
	}
	// A long list of arguments.
	c = &Cmdline{Argv0: "prog", DebugExit: true, Env: []string{"A=1"}}
	for i := 0; i < 500; i++ {
		c.Args = append(c.Args, "arg number "+strings.Repeat("x", i%7))
	}
	checkRoundTrip(t, c)
}

func TestEncodeErrors(t *testing.T) {
	for _, c := range []*Cmdline{
		{Env: []string{"NOEQUALS"}},
		{Env: []string{"1A=x"}},
		{Env: []string{"A.B=x"}},
		{Env: []string{"A=x\x00y"}},
		{Args: []string{"nul\x00"}},
		{Argv0: "a\x00"},
		{Argv0: strings.Repeat("'", 300)},
	} {
		if _, _, err := c.Encode(); err == nil {
			t.Errorf("Encode(%+v) succeeded, want an error", *c)
		}
	}
}

func TestEscapeInitrd(t *testing.T) {
	for _, s := range []string{"", "a", ",", ",,", "a,b", "x,,y,", "no commas"} {
		e := EscapeInitrd(s)
		if mods := qemuModules(e); len(mods) != 1 || mods[0] != s {
			t.Errorf("EscapeInitrd(%q) = %q, which QEMU reads as %q", s, e, mods)
		}
	}
	if got := qemuModules(EscapeInitrd("p a,b") + ",m"); !reflect.DeepEqual(got, []string{"p a,b", "m"}) {
		t.Errorf("two modules read as %q", got)
	}
}

func TestIsEnvName(t *testing.T) {
	for name, want := range map[string]bool{
		"A": true, "_": true, "a_1": true, "PATH": true, "": false, "1A": false,
		"A-B": false, "A.B": false, "BASH_FUNC_f%%": false, "ü": false,
	} {
		if got := IsEnvName(name); got != want {
			t.Errorf("IsEnvName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestGuestEnv(t *testing.T) {
	in := []string{
		"PATH=/bin", "HOME=/root", "GODEBUG=x=1", "TMPDIR=/tmp/host", "PWD=/src", "OLDPWD=/",
		"GOXEN_TIMEOUT=1m", "GOXEN_MEMORY=64", "DISPLAY=:0", "SSH_AUTH_SOCK=/run/x",
		"XDG_SESSION_ID=3", "LS_COLORS=rs=0", "_=/usr/bin/go", "BASH_FUNC_f%%=() { :; }",
		"1BAD=x", "EMPTY=", "WITH SPACE=x", "GOFLAGS=-count=1", "MY_VAR=a b",
	}
	want := []string{"PATH=/bin", "HOME=/root", "GODEBUG=x=1", "EMPTY=", "GOFLAGS=-count=1", "MY_VAR=a b"}
	if got := GuestEnv(in); !reflect.DeepEqual(got, want) {
		t.Errorf("GuestEnv = %q, want %q", got, want)
	}
	// Whatever GuestEnv keeps can be encoded.
	if _, _, err := (&Cmdline{Env: GuestEnv(in)}).Encode(); err != nil {
		t.Error(err)
	}
}
