// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"errors"
	"fmt"
	"strings"
)

// MaxCmdline is the longest command line Xen hands a domain: the dom0 command
// line is a 1024-byte buffer (MAX_GUEST_CMDLINE) holding a C string, and a
// longer one is cut silently.
const MaxCmdline = 1023

// Runtime options (src/runtime/env_xen.go).
const (
	optDebugExit = "goxen.debugexit=1"
	optInputAck  = "goxen.inputack=1"
	optStreams   = "goxen.streams=1"
	optModule    = "goxen.cmdline=module"
	optArgv0     = "goxen.argv0="
	optCwd       = "goxen.cwd="
)

// Quote returns w as one word of the guest command line grammar: unchanged
// when it has no space, tab, newline, carriage return, quote or backslash and
// is not empty, otherwise in single quotes, where each ' of w closes the
// quotes, adds \' and opens them again.
func Quote(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t\n\r'\"\\") {
		return w
	}
	var b strings.Builder
	b.Grow(len(w) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(w); i++ {
		if w[i] == '\'' {
			b.WriteString(`'\''`)
		} else {
			b.WriteByte(w[i])
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// IsEnvName reports whether name can name an environment variable on the
// guest command line: letters, digits and _, not starting with a digit (the
// runtime reads any other NAME=VALUE word as an argument).
func IsEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Cmdline is what a guest is started with.
type Cmdline struct {
	Argv0     string // os.Args[0]; empty: the runtime's default
	Cwd       string // the working directory (absolute); empty: /
	DebugExit bool   // end QEMU after the status line
	// InputAck asks the runtime to write the input mark when the program
	// first reads console input and after it takes some (input.go).
	InputAck bool
	// Streams asks the runtime to mark stdout, stderr and the status line
	// on the console (package console), so that they can be kept apart.
	Streams bool
	Options []string // more runtime options, goxen.NAME=VALUE (GOXEN_OPTIONS)
	Env     []string // NAME=VALUE; NAME must satisfy IsEnvName
	Args    []string // os.Args[1:]
}

// Encode returns the guest command line, and, when it would be longer than
// MaxCmdline, its continuation cont, which carries the environment and
// arguments instead and goes in boot module 0 as CmdlineMember (the line
// then holds only the options, goxen.cmdline=module among them). The line is
// what the guest sees, without the image name that Xen strips from dom0's
// module line, and before any comma doubling for QEMU.
func (c *Cmdline) Encode() (line string, cont []byte, err error) {
	var opts []string
	// xenReadOptions reads the options the exit path needs at boot, without
	// unquoting and up to the first word that is not an option, so these
	// come first and argv0 and cwd, which may need quotes, last.
	if c.DebugExit {
		opts = append(opts, optDebugExit)
	}
	if c.InputAck {
		opts = append(opts, optInputAck)
	}
	if c.Streams {
		opts = append(opts, optStreams)
	}
	for _, o := range c.Options {
		name, _, ok := strings.Cut(o, "=")
		if !ok || !strings.HasPrefix(name, "goxen.") || !IsEnvName(strings.TrimPrefix(name, "goxen.")) {
			return "", nil, fmt.Errorf("runtime option %q is not goxen.NAME=VALUE", o)
		}
		opts = append(opts, Quote(o))
	}
	var quoted []string
	if c.Argv0 != "" {
		if strings.IndexByte(c.Argv0, 0) >= 0 {
			return "", nil, errors.New("argv0 contains a NUL byte")
		}
		quoted = append(quoted, optArgv0+Quote(c.Argv0))
	}
	if c.Cwd != "" {
		if !strings.HasPrefix(c.Cwd, "/") || strings.IndexByte(c.Cwd, 0) >= 0 {
			return "", nil, fmt.Errorf("working directory %q is not an absolute path", c.Cwd)
		}
		quoted = append(quoted, optCwd+Quote(c.Cwd))
	}

	var rest []string
	for _, kv := range c.Env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !IsEnvName(name) {
			return "", nil, fmt.Errorf("environment entry %q is not NAME=VALUE with a NAME of letters, digits and _", kv)
		}
		if strings.IndexByte(value, 0) >= 0 {
			return "", nil, fmt.Errorf("environment variable %s contains a NUL byte", name)
		}
		rest = append(rest, name+"="+Quote(value))
	}
	if len(c.Args) > 0 {
		// "--" ends the environment, so that arguments of the form
		// NAME=VALUE, "--" itself or goxen.* stay arguments.
		rest = append(rest, "--")
		for _, a := range c.Args {
			if strings.IndexByte(a, 0) >= 0 {
				return "", nil, fmt.Errorf("argument %q contains a NUL byte", a)
			}
			rest = append(rest, Quote(a))
		}
	}

	words := append(append(append([]string(nil), opts...), quoted...), rest...)
	line = strings.Join(words, " ")
	if len(line) <= MaxCmdline {
		return line, nil, nil
	}

	words = append(append(opts, optModule), quoted...)
	line = strings.Join(words, " ")
	if len(line) > MaxCmdline {
		return "", nil, fmt.Errorf("the runtime options alone are %d bytes, more than Xen's %d (argv0 or working directory too long?)", len(line), MaxCmdline)
	}
	return line, []byte(strings.Join(rest, " ") + "\n"), nil
}

// EscapeInitrd doubles the commas of s for QEMU's -initrd option, where a
// single comma separates boot modules and ",," stands for a comma.
func EscapeInitrd(s string) string {
	return strings.ReplaceAll(s, ",", ",,")
}
