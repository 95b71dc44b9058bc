// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package syscall on Xen (GOOS=xen).
//
// A Xen guest has no kernel under it: what a system call does elsewhere is done
// here, in the program. Files live in an in-memory file system (fs_xen.go);
// stdin, stdout and stderr are the Xen console; sockets are provided by package
// net's own stack, not by this package (net_xen.go). Numbers and layouts
// follow Linux where a choice was free, so errors and modes read as they do
// there.

package syscall

import (
	errorspkg "errors"
	"internal/oserror"
	"internal/strconv"
	"sync"
	"unsafe"
)

// Errno is an error number; the values are Linux's (tables_xen.go).
type Errno uintptr

func (e Errno) Error() string {
	if 0 <= int(e) && int(e) < len(errorstr) {
		if s := errorstr[e]; s != "" {
			return s
		}
	}
	return "errno " + strconv.Itoa(int(e))
}

func (e Errno) Is(target error) bool {
	switch target {
	case oserror.ErrPermission:
		return e == EACCES || e == EPERM
	case oserror.ErrExist:
		return e == EEXIST || e == ENOTEMPTY
	case oserror.ErrNotExist:
		return e == ENOENT
	case errorspkg.ErrUnsupported:
		return e == ENOSYS || e == ENOTSUP || e == EOPNOTSUPP
	}
	return false
}

func (e Errno) Temporary() bool {
	return e == EINTR || e == EMFILE || e == ENFILE || e.Timeout()
}

func (e Errno) Timeout() bool {
	return e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT
}

// A Signal is a signal number, as on Linux. A Xen guest receives only the
// ones the runtime raises itself: SIGTERM when the toolstack asks the domain to
// shut down.
type Signal int

const (
	SIGHUP  Signal = 1
	SIGINT  Signal = 2
	SIGQUIT Signal = 3
	SIGILL  Signal = 4
	SIGTRAP Signal = 5
	SIGABRT Signal = 6
	SIGBUS  Signal = 7
	SIGFPE  Signal = 8
	SIGKILL Signal = 9
	SIGUSR1 Signal = 10
	SIGSEGV Signal = 11
	SIGUSR2 Signal = 12
	SIGPIPE Signal = 13
	SIGALRM Signal = 14
	SIGTERM Signal = 15
	SIGCHLD Signal = 17

	// Linux's too (asm-generic/signal.h), for code that names them.
	SIGIOT    Signal = 6
	SIGSTKFLT Signal = 16
	SIGCLD    Signal = 17
	SIGCONT   Signal = 18
	SIGSTOP   Signal = 19
	SIGTSTP   Signal = 20
	SIGTTIN   Signal = 21
	SIGTTOU   Signal = 22
	SIGURG    Signal = 23
	SIGXCPU   Signal = 24
	SIGXFSZ   Signal = 25
	SIGVTALRM Signal = 26
	SIGPROF   Signal = 27
	SIGWINCH  Signal = 28
	SIGIO     Signal = 29
	SIGPOLL   Signal = 29
	SIGPWR    Signal = 30
	SIGSYS    Signal = 31
	SIGUNUSED Signal = 31
)

var signals = [...]string{
	SIGHUP:    "hangup",
	SIGINT:    "interrupt",
	SIGQUIT:   "quit",
	SIGILL:    "illegal instruction",
	SIGTRAP:   "trace/breakpoint trap",
	SIGABRT:   "aborted",
	SIGBUS:    "bus error",
	SIGFPE:    "floating point exception",
	SIGKILL:   "killed",
	SIGUSR1:   "user defined signal 1",
	SIGSEGV:   "segmentation fault",
	SIGUSR2:   "user defined signal 2",
	SIGPIPE:   "broken pipe",
	SIGALRM:   "alarm clock",
	SIGTERM:   "terminated",
	SIGSTKFLT: "stack fault",
	SIGCHLD:   "child exited",
	SIGCONT:   "continued",
	SIGSTOP:   "stopped (signal)",
	SIGTSTP:   "stopped",
	SIGTTIN:   "stopped (tty input)",
	SIGTTOU:   "stopped (tty output)",
	SIGURG:    "urgent I/O condition",
	SIGXCPU:   "CPU time limit exceeded",
	SIGXFSZ:   "file size limit exceeded",
	SIGVTALRM: "virtual timer expired",
	SIGPROF:   "profiling timer expired",
	SIGWINCH:  "window changed",
	SIGIO:     "I/O possible",
	SIGPWR:    "power failure",
	SIGSYS:    "bad system call",
}

func (s Signal) Signal() {}

func (s Signal) String() string {
	if 0 <= s && int(s) < len(signals) {
		if str := signals[s]; str != "" {
			return str
		}
	}
	return "signal " + strconv.Itoa(int(s))
}

const (
	Stdin  = 0
	Stdout = 1
	Stderr = 2
)

// Open flags, with Linux's values.
const (
	O_RDONLY    = 0x0
	O_WRONLY    = 0x1
	O_RDWR      = 0x2
	O_ACCMODE   = 0x3
	O_CREAT     = 0x40
	O_CREATE    = O_CREAT
	O_EXCL      = 0x80
	O_NOCTTY    = 0x100
	O_TRUNC     = 0x200
	O_APPEND    = 0x400
	O_NONBLOCK  = 0x800
	O_SYNC      = 0x101000
	O_DIRECTORY = 0x10000
	O_NOFOLLOW  = 0x20000
	O_CLOEXEC   = 0x80000
)

const (
	F_DUPFD = 0
	F_GETFD = 1
	F_SETFD = 2
	F_GETFL = 3
	F_SETFL = 4

	FD_CLOEXEC = 1
)

// File types and permission bits (Linux's).
const (
	S_IFMT   = 0xf000
	S_IFSOCK = 0xc000
	S_IFLNK  = 0xa000
	S_IFREG  = 0x8000
	S_IFBLK  = 0x6000
	S_IFDIR  = 0x4000
	S_IFCHR  = 0x2000
	S_IFIFO  = 0x1000

	S_ISUID = 0x800
	S_ISGID = 0x400
	S_ISVTX = 0x200

	S_IRWXU = 0700
	S_IRUSR = 0400
	S_IWUSR = 0200
	S_IXUSR = 0100
	S_IRWXG = 070
	S_IRGRP = 040
	S_IWGRP = 020
	S_IXGRP = 010
	S_IRWXO = 07
	S_IROTH = 04
	S_IWOTH = 02
	S_IXOTH = 01
)

// Stat_t describes a file (fs_xen.go fills it in).
type Stat_t struct {
	Dev       uint64
	Ino       uint64
	Nlink     uint64
	Mode      uint32
	Uid       uint32
	Gid       uint32
	Rdev      uint64
	Size      int64
	Blksize   int64
	Blocks    int64
	Atime     int64
	AtimeNsec int64
	Mtime     int64
	MtimeNsec int64
	Ctime     int64
	CtimeNsec int64
}

// Dirent is one directory entry in ReadDirent's buffer: Reclen covers the
// header and the name (Namlen bytes, not NUL-terminated), rounded up to 8.
type Dirent struct {
	Ino    uint64
	Reclen uint16
	Namlen uint16
	Type   uint8
	Name   [256]byte
}

// Directory entry types in Dirent.Type (Linux's DT_*).
const (
	DT_UNKNOWN = 0
	DT_FIFO    = 1
	DT_CHR     = 2
	DT_DIR     = 4
	DT_BLK     = 6
	DT_REG     = 8
	DT_LNK     = 10
	DT_SOCK    = 12
)

const direntHeaderSize = unsafe.Offsetof(Dirent{}.Name)

func direntIno(buf []byte) (uint64, bool) {
	return readInt(buf, unsafe.Offsetof(Dirent{}.Ino), unsafe.Sizeof(Dirent{}.Ino))
}

func direntReclen(buf []byte) (uint64, bool) {
	return readInt(buf, unsafe.Offsetof(Dirent{}.Reclen), unsafe.Sizeof(Dirent{}.Reclen))
}

func direntNamlen(buf []byte) (uint64, bool) {
	return readInt(buf, unsafe.Offsetof(Dirent{}.Namlen), unsafe.Sizeof(Dirent{}.Namlen))
}

const PathMax = 4096

const ImplementsGetwd = true

func Getwd() (string, error) {
	return fsGetwd()
}

func Getcwd(buf []byte) (int, error) {
	wd, err := fsGetwd()
	if err != nil {
		return 0, err
	}
	if len(buf) < len(wd) {
		return 0, ERANGE
	}
	return copy(buf, wd), nil
}

// There is one process with one user: the program runs as root, pid 1.
func Getuid() int                  { return 0 }
func Getgid() int                  { return 0 }
func Geteuid() int                 { return 0 }
func Getegid() int                 { return 0 }
func Getgroups() ([]int, error)    { return []int{0}, nil }
func Getpid() int                  { return 1 }
func Getppid() int                 { return 0 }
func Umask(mask int) (oldmask int) { return fsUmask(mask) }

func Kill(pid int, signum Signal) error {
	return ENOSYS
}

var ForkLock sync.RWMutex

type WaitStatus uint32

func (w WaitStatus) Exited() bool       { return false }
func (w WaitStatus) ExitStatus() int    { return 0 }
func (w WaitStatus) Signaled() bool     { return false }
func (w WaitStatus) Signal() Signal     { return 0 }
func (w WaitStatus) CoreDump() bool     { return false }
func (w WaitStatus) Stopped() bool      { return false }
func (w WaitStatus) Continued() bool    { return false }
func (w WaitStatus) StopSignal() Signal { return 0 }
func (w WaitStatus) TrapCause() int     { return 0 }

type Rusage struct {
	Utime Timeval
	Stime Timeval
}

type ProcAttr struct {
	Dir   string
	Env   []string
	Files []uintptr
	Sys   *SysProcAttr
}

type SysProcAttr struct{}

// A unikernel is one program: there are no other processes to start.
func StartProcess(argv0 string, argv []string, attr *ProcAttr) (pid int, handle uintptr, err error) {
	return 0, 0, ENOSYS
}

func Wait4(pid int, wstatus *WaitStatus, options int, rusage *Rusage) (wpid int, err error) {
	return 0, ENOSYS
}

func Syscall(trap, a1, a2, a3 uintptr) (r1, r2 uintptr, err Errno) {
	return 0, 0, ENOSYS
}

func Syscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err Errno) {
	return 0, 0, ENOSYS
}

func RawSyscall(trap, a1, a2, a3 uintptr) (r1, r2 uintptr, err Errno) {
	return 0, 0, ENOSYS
}

func RawSyscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err Errno) {
	return 0, 0, ENOSYS
}

type Timespec struct {
	Sec  int64
	Nsec int64
}

type Timeval struct {
	Sec  int64
	Usec int64
}

func setTimespec(sec, nsec int64) Timespec {
	return Timespec{Sec: sec, Nsec: nsec}
}

func setTimeval(sec, usec int64) Timeval {
	return Timeval{Sec: sec, Usec: usec}
}

// now is provided by the runtime (walltime).
func now() (sec int64, nsec int32)

func Gettimeofday(tv *Timeval) error {
	sec, nsec := now()
	*tv = NsecToTimeval(sec*1e9 + int64(nsec))
	return nil
}

const (
	RLIMIT_NOFILE = 7
	RLIM_INFINITY = ^uint64(0)
)

type Rlimit struct {
	Cur uint64
	Max uint64
}

// Getrlimit reports RLIMIT_NOFILE, the one limit the domain has of those
// syscall names: the file system's descriptor table (openMax), soft and
// hard. Other resources are EINVAL, as Linux answers a resource it does
// not know.
func Getrlimit(resource int, rlim *Rlimit) error {
	if resource != RLIMIT_NOFILE {
		return EINVAL
	}
	*rlim = Rlimit{Cur: openMax, Max: openMax}
	return nil
}

func Setrlimit(resource int, rlim *Rlimit) error {
	return ENOSYS
}

// Iovec is only named by code shared with other ports (internal/poll's
// writev, which xen does not use).
type Iovec struct{}
