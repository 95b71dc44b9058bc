// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package os

import (
	"context"
	"internal/stringslite"
	"internal/xen/xenstore"
	"syscall"
	"time"
)

// Xen's file system has no exec, so close-on-exec means nothing.
const supportsCloseOnExec = false

// hostname is the first line of /etc/hostname when that file exists and
// the line is not empty: the network stack writes it from DHCP's host name
// option (12) or GOXEN_NET's hostname= (internal/xen/netstack), and a
// program may write it too. Otherwise it is the domain's name, its xenstore
// key "name" (what xl list shows; xl rename changes it). The control
// domain, which has no xenstore connection, is "xen".
func hostname() (name string, err error) {
	if b, err := ReadFile("/etc/hostname"); err == nil {
		line, _, _ := stringslite.Cut(string(b), "\n")
		for line != "" && (line[0] == ' ' || line[0] == '\t') {
			line = line[1:]
		}
		for line != "" && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t' || line[len(line)-1] == '\r') {
			line = line[:len(line)-1]
		}
		if line != "" {
			return line, nil
		}
	}
	c, err := xenstore.Local()
	if err != nil {
		return "xen", nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.Read(ctx, "name")
}

// Pipe returns a connected pair of Files; reads from r return bytes written
// to w. Xen's pipes live in the program (syscall/fs_xen.go).
func Pipe() (r *File, w *File, err error) {
	var p [2]int
	if e := syscall.Pipe(p[0:]); e != nil {
		return nil, nil, NewSyscallError("pipe", e)
	}
	return newFile(p[0], "|0", kindPipe, false), newFile(p[1], "|1", kindPipe, false), nil
}
