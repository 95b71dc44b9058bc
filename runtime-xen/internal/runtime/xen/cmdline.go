// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// The command line grammar of GOOS=xen programs.
//
// Xen hands a guest one string (xl's extra=, or what follows the image name in
// a dom0's module line). It is split into words at spaces, tabs and newlines,
// with shell-like quoting and no expansions:
//
//	'...'   everything up to the next ' is literal
//	"..."   literal except \" and \\, which stand for " and \
//	\c      outside quotes, the character c itself (\ followed by a space
//	        keeps the space in the word)
//
// Quotes may sit inside a word (a='b c' is the word a=b c). An unterminated
// quote or a trailing backslash is an error.
//
// The words are then read in order as:
//
//	goxen.NAME=VALUE ...   options for the runtime (not passed on)
//	NAME=VALUE ...         the environment (NAME: letters, digits and _, not
//	                       starting with a digit)
//	--                     optional: ends the environment
//	ARG ...                os.Args[1:]

// CmdlineScanner splits a command line into words without allocating.
type CmdlineScanner struct {
	s   string
	pos int
}

// NewCmdlineScanner returns a scanner of s.
func NewCmdlineScanner(s string) CmdlineScanner {
	return CmdlineScanner{s: s}
}

func isCmdlineSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// Next unquotes the next word into buf and returns its length. It returns
// ok == false at the end of the line, and a non-empty err for a malformed one
// or a word longer than buf. A word is never longer than the line, so a buf
// of len(s) always suffices.
func (c *CmdlineScanner) Next(buf []byte) (n int, ok bool, err string) {
	s := c.s
	i := c.pos
	for i < len(s) && isCmdlineSpace(s[i]) {
		i++
	}
	if i == len(s) {
		c.pos = i
		return 0, false, ""
	}
	for i < len(s) && !isCmdlineSpace(s[i]) {
		switch ch := s[i]; ch {
		case '\'':
			i++
			for i < len(s) && s[i] != '\'' {
				if n == len(buf) {
					return 0, false, "word too long"
				}
				buf[n] = s[i]
				n++
				i++
			}
			if i == len(s) {
				c.pos = i
				return 0, false, "unterminated ' quote"
			}
			i++
		case '"':
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				if n == len(buf) {
					return 0, false, "word too long"
				}
				buf[n] = s[i]
				n++
				i++
			}
			if i == len(s) {
				c.pos = i
				return 0, false, "unterminated \" quote"
			}
			i++
		case '\\':
			if i+1 == len(s) {
				c.pos = i + 1
				return 0, false, "trailing backslash"
			}
			if n == len(buf) {
				return 0, false, "word too long"
			}
			buf[n] = s[i+1]
			n++
			i += 2
		default:
			if n == len(buf) {
				return 0, false, "word too long"
			}
			buf[n] = ch
			n++
			i++
		}
	}
	c.pos = i
	return n, true, ""
}

// IsEnvWord reports whether w has the form NAME=VALUE of an environment
// variable.
func IsEnvWord(w []byte) bool {
	for i, ch := range w {
		switch {
		case ch == '=':
			return i > 0
		case ch == '_' || 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z':
		case '0' <= ch && ch <= '9' && i > 0:
		default:
			return false
		}
	}
	return false
}

// CmdlineOptionPrefix starts the words that are options for the runtime.
const CmdlineOptionPrefix = "goxen."
