// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen_test

import (
	"internal/runtime/xen"
	"slices"
	"testing"
)

func words(t *testing.T, line string) ([]string, string) {
	t.Helper()
	sc := xen.NewCmdlineScanner(line)
	buf := make([]byte, len(line))
	var ws []string
	for {
		n, ok, err := sc.Next(buf)
		if err != "" {
			return ws, err
		}
		if !ok {
			return ws, ""
		}
		ws = append(ws, string(buf[:n]))
	}
}

func TestCmdlineWords(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"", nil},
		{"   \t\n ", nil},
		{"a b  c", []string{"a", "b", "c"}},
		{`'a b' "c d"`, []string{"a b", "c d"}},
		{`a='b c'd`, []string{"a=b cd"}},
		{`'it'\''s'`, []string{"it's"}},
		{`"say \"hi\" \\ \n"`, []string{`say "hi" \ \n`}},
		{`a\ b \\ \'`, []string{"a b", `\`, "'"}},
		{`''`, []string{""}},
		{`x,y=1,2 'é ü' "日本"`, []string{"x,y=1,2", "é ü", "日本"}},
		{"goxen.argv0=p HOME=/ -- -v", []string{"goxen.argv0=p", "HOME=/", "--", "-v"}},
	} {
		got, err := words(t, tc.line)
		if err != "" {
			t.Errorf("%q: unexpected error %q", tc.line, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestCmdlineErrors(t *testing.T) {
	for _, tc := range []struct{ line, err string }{
		{`a 'b`, "unterminated ' quote"},
		{`"b`, `unterminated " quote`},
		{`b\`, "trailing backslash"},
	} {
		if _, err := words(t, tc.line); err != tc.err {
			t.Errorf("%q: error %q, want %q", tc.line, err, tc.err)
		}
	}
}

func TestIsEnvWord(t *testing.T) {
	for w, want := range map[string]bool{
		"HOME=/root": true, "_X=1": true, "A1=": true, "a=b=c": true,
		"=x": false, "1A=x": false, "-flag=x": false, "A-B=x": false, "plain": false, "": false,
	} {
		if got := xen.IsEnvWord([]byte(w)); got != want {
			t.Errorf("IsEnvWord(%q) = %v, want %v", w, got, want)
		}
	}
}

// The pvclock conversion multiplies a 64-bit TSC delta by a 32-bit fraction
// in 96 bits: deltas beyond 2^32 cycles must not overflow.
func TestPvclockNanos(t *testing.T) {
	// mul = 2^31 is a factor of 0.5 (a 2 GHz TSC with shift 0).
	const mul = 1 << 31
	for _, tc := range []struct {
		delta uint64
		shift int8
		want  uint64
	}{
		{0, 0, 1000},
		{2, 0, 1001},
		{1 << 40, 0, 1000 + 1<<39},  // would overflow a 64-bit product
		{1 << 62, 0, 1000 + 1<<61},  // ~73 years at 2 GHz
		{1 << 20, 1, 1000 + 1<<20},  // shifted left
		{1 << 20, -2, 1000 + 1<<17}, // shifted right
		{3 << 40, 0, 1000 + 3<<39},
	} {
		got := xen.PvclockNanos(5000+tc.delta, 5000, 1000, mul, tc.shift)
		if got != tc.want {
			t.Errorf("delta %#x shift %d: got %d, want %d", tc.delta, tc.shift, got, tc.want)
		}
	}
}

func TestCmdlineWordTooLong(t *testing.T) {
	sc := xen.NewCmdlineScanner(`short 'a long word'`)
	buf := make([]byte, 6)
	if n, ok, err := sc.Next(buf); !ok || err != "" || string(buf[:n]) != "short" {
		t.Fatalf("first word: %q %v %q", buf[:n], ok, err)
	}
	if _, _, err := sc.Next(buf); err != "word too long" {
		t.Fatalf("second word: error %q, want \"word too long\"", err)
	}
}
