// Copyright 2026 The Go for Xen Authors.

package unix

import "syscall"

// Fcntl is not supported on Xen's in-memory files.
func Fcntl(fd int, cmd int, arg int) (int, error) {
	return 0, syscall.ENOSYS
}
