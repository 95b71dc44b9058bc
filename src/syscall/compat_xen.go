// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Names other ports' syscall packages have, so that code written for them
// compiles for GOOS=xen too: at least everything GOOS=js and GOOS=wasip1
// export, with Linux's values (amd64) wherever Linux has the name.
//
// Left out on purpose: the names of the WASI ABI, which are not Unix API and
// mean nothing without a WASI host — the RIGHT_*, FILETYPE_*, OFLAG_*,
// FDFLAG_*, FILESTAT_SET_*, LOOKUP_* and WHENCE_* constants, the Dircookie
// and Filetype types, the function-shaped calls RandomGet, ProcExit and
// ReadDir, the errno ENOTCAPABLE, and the signal names SIGNONE and
// SIGVTARLM (WASI's spelling; Linux's SIGVTALRM is in syscall_xen.go).

package syscall

// fcntl commands and lock types: Linux's include/uapi/asm-generic/fcntl.h.
// FcntlFlock (locks_xen.go) implements the locking commands; the others are
// internal/syscall/unix.Fcntl's, which fails with ENOSYS.
const (
	F_GETLK  = 5
	F_SETLK  = 6
	F_SETLKW = 7
	F_SETOWN = 8
	F_GETOWN = 9

	// Open file description locks (Linux 3.15): byte-range locks owned by
	// the open file, so that they conflict between two opens of one file
	// in one process, as F_SETLK's locks (owned by the process) cannot.
	F_OFD_GETLK  = 36
	F_OFD_SETLK  = 37
	F_OFD_SETLKW = 38

	F_RDLCK = 0
	F_WRLCK = 1
	F_UNLCK = 2
)

// flock operations: Linux's include/uapi/asm-generic/fcntl.h.
const (
	LOCK_SH = 1
	LOCK_EX = 2
	LOCK_NB = 4
	LOCK_UN = 8
)

// Old names of the owner's permission bits: Linux's (glibc's
// sys/stat.h).
const (
	S_IREAD  = S_IRUSR
	S_IWRITE = S_IWUSR
	S_IEXEC  = S_IXUSR
)

// Names GOOS=js and GOOS=wasip1 inherited from Native Client's newlib:
// Linux has none of them, this package never returns or reports them
// (fcntl rejects the commands with EINVAL; no file has these types), and
// they keep js's values.
const (
	F_RGETLK  = 10
	F_RSETLK  = 11
	F_CNVT    = 12
	F_RSETLKW = 13
	F_UNLKSYS = 4

	S_IFSHM_SYSV  = 0000300000
	S_IFSEMA      = 0000270000
	S_IFCOND      = 0000260000
	S_IFMUTEX     = 0000250000
	S_IFSHM       = 0000240000
	S_IFBOUNDSOCK = 0000230000
	S_IFSOCKADDR  = 0000220000
	S_IFDSOCK     = 0000210000
	S_UNSUP       = 0000370000
)

const (
	ELBIN      Errno = 2048
	EFTYPE     Errno = 2049
	ENMFILE    Errno = 2050
	EPROCLIM   Errno = 2051
	ENOSHARE   Errno = 2052
	ECASECLASH Errno = 2053
)

// shutdown's how and socket's type flags: Linux's include/linux/net.h
// (enum sock_shutdown_cmd; SOCK_NONBLOCK is O_NONBLOCK and SOCK_CLOEXEC is
// O_CLOEXEC). Sockets are package net's (net_xen.go); these are for code
// that names them.
const (
	SHUT_RD   = 0
	SHUT_WR   = 1
	SHUT_RDWR = 2

	SOCK_NONBLOCK = O_NONBLOCK
	SOCK_CLOEXEC  = O_CLOEXEC
)

// Openat opens path relative to the directory dirfd (or the working
// directory, for AT_FDCWD), as Linux's openat(2).
func Openat(dirfd int, path string, flags int, perm uint32) (int, error) {
	return openat(dirfd, path, flags, perm)
}

// Sysctl is BSD's; Linux has no sysctl(2) any more, and ENOSYS is what it
// answered.
func Sysctl(key string) (string, error) {
	return "", ENOSYS
}

// sendfileChunk is how much Sendfile copies at a time.
const sendfileChunk = 64 << 10

// Sendfile copies count bytes from infd to outfd, as Linux's sendfile(2):
// from *offset when offset is not nil (then *offset advances and infd's
// offset does not), else from infd's offset. It returns the bytes copied,
// and an error only when it copied none.
func Sendfile(outfd int, infd int, offset *int64, count int) (written int, err error) {
	if count < 0 {
		return 0, EINVAL
	}
	if offset != nil && *offset < 0 {
		return 0, EINVAL
	}
	buf := make([]byte, min(count, sendfileChunk))
	for written < count {
		chunk := buf[:min(len(buf), count-written)]
		var n int
		if offset != nil {
			n, err = Pread(infd, chunk, *offset)
		} else {
			n, err = Read(infd, chunk)
		}
		if n <= 0 {
			break
		}
		m, werr := Write(outfd, chunk[:n])
		if m < 0 {
			m = 0
		}
		written += m
		if offset != nil {
			*offset += int64(m)
		} else if m < n {
			// Give infd back what was read and not written.
			Seek(infd, int64(m-n), SEEK_CUR)
		}
		if werr != nil {
			err = werr
			break
		}
		if err != nil {
			break
		}
	}
	if written > 0 {
		err = nil
	}
	return written, err
}
