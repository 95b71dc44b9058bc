// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// The *at file operations on Xen are those of package syscall's in-memory
// file system (syscall/fs_xen.go), which provides these bodies by linkname.

package unix

import (
	"syscall"
	_ "unsafe" // for go:linkname
)

const (
	AT_FDCWD            = -0x64
	AT_SYMLINK_NOFOLLOW = 0x100
	AT_REMOVEDIR        = 0x200
	AT_SYMLINK_FOLLOW   = 0x400

	// UTIME_OMIT leaves a time unchanged in Utimensat; its value matches
	// syscall/fs_xen.go (and Linux).
	UTIME_OMIT = (1 << 30) - 2
)

//go:linkname Openat
func Openat(dirfd int, path string, flags int, perm uint32) (int, error)

//go:linkname Fstatat
func Fstatat(dirfd int, path string, stat *syscall.Stat_t, flags int) error

//go:linkname Mkdirat
func Mkdirat(dirfd int, path string, mode uint32) error

//go:linkname Unlinkat
func Unlinkat(dirfd int, path string, flags int) error

//go:linkname Renameat
func Renameat(olddirfd int, oldpath string, newdirfd int, newpath string) error

//go:linkname Linkat
func Linkat(olddirfd int, oldpath string, newdirfd int, newpath string, flags int) error

//go:linkname Symlinkat
func Symlinkat(oldpath string, newdirfd int, newpath string) error

//go:linkname Readlinkat
func Readlinkat(dirfd int, path string, buf []byte) (int, error)

//go:linkname Fchmodat
func Fchmodat(dirfd int, path string, mode uint32, flags int) error

//go:linkname Fchownat
func Fchownat(dirfd int, path string, uid, gid int, flags int) error

//go:linkname Utimensat
func Utimensat(dirfd int, path string, times *[2]syscall.Timespec, flags int) error
