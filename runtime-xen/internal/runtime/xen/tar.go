// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

import "unsafe"

// A boot module (xl's ramdisk=, or the emulated backend's test data) is a tar
// archive that is unpacked into the file system before main. TarReader walks
// one in place, without allocating: the runtime reads the command-line member
// from it at boot and package syscall unpacks it.
//
// It reads the POSIX ustar format with pax extended headers (path, linkpath,
// size) and GNU long names, which is what archive/tar and GNU tar write.

// TarEntry is one member; its strings and Data point into the archive.
type TarEntry struct {
	Prefix   string // when set, the member's name is Prefix + "/" + Name
	Name     string
	Linkname string
	Type     byte  // TarReg, TarDir, ...
	Mode     int64 // permission bits
	Mtime    int64 // seconds since the Unix epoch
	Data     []byte
}

// Member types (ustar typeflag).
const (
	TarReg     = '0'
	TarLink    = '1' // hard link to Linkname
	TarSymlink = '2'
	TarDir     = '5'
)

// IsTar reports whether b starts with a ustar (or GNU tar) header.
func IsTar(b []byte) bool {
	return len(b) >= 512 && string(b[257:262]) == "ustar"
}

// TarReader iterates over the members of an archive.
type TarReader struct {
	b   []byte
	off int
	err string
}

// NewTarReader returns a reader of archive b.
func NewTarReader(b []byte) TarReader {
	return TarReader{b: b}
}

// Err reports why Next stopped early ("" at a clean end of the archive).
func (r *TarReader) Err() string {
	return r.err
}

func (r *TarReader) fail(msg string) (TarEntry, bool) {
	r.err = msg
	return TarEntry{}, false
}

// Next returns the next regular file, directory, hard or symbolic link. It
// returns ok == false at the end of the archive or on an error (see Err).
// Members of other types (devices, FIFOs) are skipped.
func (r *TarReader) Next() (e TarEntry, ok bool) {
	var longName, longLink string
	var size int64 = -1
	for {
		if r.off+512 > len(r.b) {
			if r.off == len(r.b) {
				return TarEntry{}, false // an archive without the end blocks
			}
			return r.fail("truncated header")
		}
		h := r.b[r.off : r.off+512]
		if allZero(h) {
			return TarEntry{}, false
		}
		if !tarChecksumOK(h) {
			return r.fail("bad header checksum")
		}
		n, ok := parseOctal(h[124:136])
		if !ok || n < 0 {
			return r.fail("bad size")
		}
		if size >= 0 {
			n, size = size, -1
		}
		typ := h[156]
		start := r.off + 512
		end := start + int(n)
		if n > int64(len(r.b)) || end > len(r.b) || end < start {
			return r.fail("member runs past the end of the archive")
		}
		data := r.b[start:end]
		r.off = start + (int(n)+511)&^511
		if r.off > len(r.b) {
			r.off = len(r.b)
		}
		switch typ {
		case 'x': // pax extended header for the next member
			var perr string
			longName, longLink, size, perr = parsePax(data, longName, longLink)
			if perr != "" {
				return r.fail(perr)
			}
			continue
		case 'g': // pax global header: nothing we use
			continue
		case 'L': // GNU long name for the next member
			longName = cString(data)
			continue
		case 'K': // GNU long link name
			longLink = cString(data)
			continue
		}
		e = TarEntry{
			Name:     cString(h[0:100]),
			Linkname: cString(h[157:257]),
			Type:     typ,
		}
		if string(h[257:263]) == "ustar\x00" { // POSIX ustar has a prefix field
			e.Prefix = cString(h[345:500])
		}
		if longName != "" {
			e.Prefix, e.Name = "", longName
		}
		if longLink != "" {
			e.Linkname = longLink
		}
		e.Mode, _ = parseOctal(h[100:108])
		e.Mtime, _ = parseOctal(h[136:148])
		switch typ {
		case 0, '7':
			e.Type = TarReg
		case TarReg, TarDir, TarSymlink, TarLink:
		default:
			longName, longLink = "", ""
			continue
		}
		if e.Type == TarReg {
			e.Data = data
		}
		return e, true
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// tarChecksumOK checks the header checksum: the sum of the header's bytes
// with the checksum field read as spaces (unsigned, as POSIX says; some old
// writers used signed bytes, which is accepted too).
func tarChecksumOK(h []byte) bool {
	want, ok := parseOctal(h[148:156])
	if !ok {
		return false
	}
	var u, s int64
	for i, c := range h {
		if 148 <= i && i < 156 {
			c = ' '
		}
		u += int64(c)
		s += int64(int8(c))
	}
	return want == u || want == s
}

// parseOctal parses a NUL- or space-terminated octal field (or GNU's base-256
// form for large numbers).
func parseOctal(b []byte) (int64, bool) {
	if len(b) > 0 && b[0]&0x80 != 0 {
		var v int64
		for i, c := range b {
			if i == 0 {
				c &= 0x7f
			}
			if v > (1<<55)-1 {
				return 0, false
			}
			v = v<<8 | int64(c)
		}
		return v, true
	}
	var v int64
	seen := false
	for _, c := range b {
		if c == 0 || c == ' ' {
			if seen {
				break
			}
			continue
		}
		if c < '0' || c > '7' || v > (1<<60) {
			return 0, false
		}
		v = v*8 + int64(c-'0')
		seen = true
	}
	return v, true
}

// parsePax reads the records "len key=value\n" of a pax header, keeping the
// path, linkpath and size keys.
func parsePax(b []byte, name, link string) (string, string, int64, string) {
	size := int64(-1)
	for len(b) > 0 {
		n := 0
		i := 0
		for i < len(b) && b[i] != ' ' {
			if b[i] < '0' || b[i] > '9' || n > 1<<24 {
				return "", "", 0, "bad pax record length"
			}
			n = n*10 + int(b[i]-'0')
			i++
		}
		if i == len(b) || n <= i+1 || n > len(b) || b[n-1] != '\n' {
			return "", "", 0, "bad pax record"
		}
		rec := b[i+1 : n-1]
		b = b[n:]
		eq := 0
		for eq < len(rec) && rec[eq] != '=' {
			eq++
		}
		if eq == len(rec) {
			return "", "", 0, "bad pax record"
		}
		key, val := unsafeString(rec[:eq]), rec[eq+1:]
		switch key {
		case "path":
			name = unsafeString(val)
		case "linkpath":
			link = unsafeString(val)
		case "size":
			v, ok := parseDecimal(val)
			if !ok {
				return "", "", 0, "bad pax size"
			}
			size = v
		}
	}
	return name, link, size, ""
}

func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' || v > 1<<58 {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// cString is b up to its first NUL, as a string sharing b's memory.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return unsafeString(b[:i])
		}
	}
	return unsafeString(b)
}

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
