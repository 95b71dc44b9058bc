package os

import "syscall"

// Xen's file system has no exec, so close-on-exec means nothing.
const supportsCloseOnExec = false

// hostname is the domain's name once the Xen store is read (a later
// addition); until then it is "xen".
func hostname() (name string, err error) {
	return "xen", nil
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
