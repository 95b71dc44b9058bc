// Copyright 2026 The Go for Xen Authors.

package os

import (
	"context"
	"internal/xen/xenstore"
	"syscall"
	"time"
)

// Xen's file system has no exec, so close-on-exec means nothing.
const supportsCloseOnExec = false

// hostname is the domain's name, its xenstore key "name" (what xl list
// shows; xl rename changes it). The control domain, which has no xenstore
// connection, is "xen".
func hostname() (name string, err error) {
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
