// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Advisory file locks between the program's own opens, with Linux's
// semantics (fs/locks.c), in the in-memory file system (fs_xen.go):
//
//   - Flock: whole-file locks owned by the open file description, so two
//     opens of one file conflict, and a Dup shares its original's lock; the
//     lock goes when the last descriptor of the open file closes.
//   - FcntlFlock's F_SETLK, F_SETLKW, F_GETLK: byte-range locks owned by the
//     process. There is one process, so they never conflict with each
//     other (F_GETLK reports F_UNLCK unless an OFD lock is in the way), and
//     closing any descriptor of a file drops them all, as on Linux.
//   - FcntlFlock's F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK: byte-range locks
//     owned by the open file description, conflicting between opens and
//     with the process's locks.
//
// flock and fcntl locks do not see each other, as on Linux. The tables are
// guarded by fsys.mu; a blocked F_SETLKW or Flock waits on lockChanged,
// which every release broadcasts.

package syscall

import "sync"

// Flock_t is Linux's struct flock (amd64).
type Flock_t struct {
	Type      int16
	Whence    int16
	Pad_cgo_0 [4]byte
	Start     int64
	Len       int64
	Pid       int32
	Pad_cgo_1 [4]byte
}

// offsetMax is Linux's OFFSET_MAX: a lock's end when it reaches past any
// end of file (l_len 0).
const offsetMax = int64(^uint64(0) >> 1)

// A rangeLock is a byte-range lock on [start, end]. owner is the open file
// of an OFD lock, nil for the process's.
type rangeLock struct {
	owner      *openFile
	write      bool
	start, end int64
}

type flockHold struct {
	owner     *openFile
	exclusive bool
}

type inodeLocks struct {
	flocks []flockHold
	ranges []rangeLock
}

var (
	fileLocks   map[*inode]*inodeLocks
	lockChanged = sync.Cond{L: &fsys.mu}
)

func locksOf(n *inode) *inodeLocks {
	if fileLocks == nil {
		fileLocks = make(map[*inode]*inodeLocks)
	}
	l := fileLocks[n]
	if l == nil {
		l = new(inodeLocks)
		fileLocks[n] = l
	}
	return l
}

// releaseLocks drops the locks that closing one descriptor of f ends
// (fsys.mu held, f.refs already decremented): the process's byte-range
// locks on the file, and, once no descriptor refers to f, f's own.
func releaseLocks(f *openFile) {
	l := fileLocks[f.node]
	if l == nil {
		return
	}
	last := f.refs == 0
	ranges := l.ranges[:0]
	for _, r := range l.ranges {
		if r.owner != nil && !(last && r.owner == f) {
			ranges = append(ranges, r)
		}
	}
	clear(l.ranges[len(ranges):])
	l.ranges = ranges
	if last {
		l.removeFlock(f)
	}
	if len(l.ranges) == 0 && len(l.flocks) == 0 {
		delete(fileLocks, f.node)
	}
	lockChanged.Broadcast()
}

func (l *inodeLocks) removeFlock(f *openFile) bool {
	for i, h := range l.flocks {
		if h.owner == f {
			l.flocks = append(l.flocks[:i], l.flocks[i+1:]...)
			return true
		}
	}
	return false
}

// Flock applies or removes an advisory lock on the open file fd refers to,
// as Linux's flock(2).
func Flock(fd int, how int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return err
	}
	var exclusive bool
	switch how &^ LOCK_NB {
	case LOCK_SH:
	case LOCK_EX:
		exclusive = true
	case LOCK_UN:
		if l := fileLocks[f.node]; l != nil && l.removeFlock(f) {
			lockChanged.Broadcast()
		}
		return nil
	default:
		return EINVAL
	}
	l := locksOf(f.node)
	for _, h := range l.flocks {
		if h.owner == f {
			if h.exclusive == exclusive {
				return nil
			}
			// Linux converts by dropping the old lock first: the
			// conversion is not atomic and may have to wait.
			l.removeFlock(f)
			lockChanged.Broadcast()
			break
		}
	}
	for {
		conflict := false
		for _, h := range l.flocks {
			if h.exclusive || exclusive {
				conflict = true
				break
			}
		}
		if !conflict {
			break
		}
		if how&LOCK_NB != 0 {
			return EWOULDBLOCK
		}
		lockChanged.Wait()
		if f.refs == 0 {
			return EBADF // closed while waiting
		}
		l = locksOf(f.node) // the entry may have gone and come back
	}
	l.flocks = append(l.flocks, flockHold{owner: f, exclusive: exclusive})
	return nil
}

// FcntlFlock performs fcntl's locking commands, as Linux's fcntl(2):
// F_GETLK, F_SETLK and F_SETLKW, and the open file description locks'
// F_OFD_GETLK, F_OFD_SETLK and F_OFD_SETLKW.
func FcntlFlock(fd uintptr, cmd int, lk *Flock_t) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	if fd > uintptr(maxInt) {
		return EBADF
	}
	f, err := fsys.file(int(fd))
	if err != nil {
		return err
	}
	var owner *openFile
	switch cmd {
	case F_GETLK, F_SETLK, F_SETLKW:
	case F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW:
		if lk.Pid != 0 {
			return EINVAL
		}
		owner = f
	default:
		return EINVAL
	}
	start, end, err := lockRange(f, lk)
	if err != nil {
		return err
	}
	if cmd == F_GETLK || cmd == F_OFD_GETLK {
		if lk.Type != F_RDLCK && lk.Type != F_WRLCK {
			return EINVAL
		}
		var c *rangeLock
		if l := fileLocks[f.node]; l != nil {
			c = l.rangeConflict(owner, lk.Type == F_WRLCK, start, end)
		}
		if c == nil {
			lk.Type = F_UNLCK
			return nil
		}
		lk.Type, lk.Whence, lk.Start, lk.Len = F_RDLCK, SEEK_SET, c.start, 0
		if c.write {
			lk.Type = F_WRLCK
		}
		if c.end != offsetMax {
			lk.Len = c.end - c.start + 1
		}
		lk.Pid = -1 // an OFD lock has no process
		if c.owner == nil {
			lk.Pid = int32(Getpid())
		}
		return nil
	}
	acc := f.flags & O_ACCMODE
	switch lk.Type {
	case F_RDLCK:
		if acc == O_WRONLY {
			return EBADF
		}
	case F_WRLCK:
		if acc == O_RDONLY {
			return EBADF
		}
	case F_UNLCK:
		if l := fileLocks[f.node]; l != nil {
			l.setRange(owner, F_UNLCK, start, end)
			lockChanged.Broadcast()
		}
		return nil
	default:
		return EINVAL
	}
	write := lk.Type == F_WRLCK
	for {
		l := locksOf(f.node)
		if l.rangeConflict(owner, write, start, end) == nil {
			l.setRange(owner, int(lk.Type), start, end)
			return nil
		}
		if cmd == F_SETLK || cmd == F_OFD_SETLK {
			return EAGAIN
		}
		lockChanged.Wait()
		if f.refs == 0 {
			return EBADF // closed while waiting
		}
	}
}

// lockRange turns lk's whence, start and len into an inclusive byte range,
// as Linux's flock_to_posix_lock.
func lockRange(f *openFile, lk *Flock_t) (start, end int64, err error) {
	start, err = f.whenceBase(int(lk.Whence))
	if err != nil {
		return 0, 0, err
	}
	if lk.Start > offsetMax-start {
		return 0, 0, EOVERFLOW
	}
	start += lk.Start
	if start < 0 {
		return 0, 0, EINVAL
	}
	switch {
	case lk.Len > 0:
		if lk.Len-1 > offsetMax-start {
			return 0, 0, EOVERFLOW
		}
		end = start + lk.Len - 1
	case lk.Len < 0:
		end = start - 1
		start += lk.Len
		if start < 0 {
			return 0, 0, EINVAL
		}
	default:
		end = offsetMax
	}
	return start, end, nil
}

// rangeConflict returns the lock (of lowest start) of another owner that a
// lock of owner on [start, end] would conflict with, or nil.
func (l *inodeLocks) rangeConflict(owner *openFile, write bool, start, end int64) *rangeLock {
	var c *rangeLock
	for i := range l.ranges {
		r := &l.ranges[i]
		if r.owner == owner || r.end < start || r.start > end || !(r.write || write) {
			continue
		}
		if c == nil || r.start < c.start {
			c = r
		}
	}
	return c
}

// setRange makes owner's lock on [start, end] typ (F_UNLCK: none),
// splitting and merging owner's other locks as POSIX requires.
func (l *inodeLocks) setRange(owner *openFile, typ int, start, end int64) {
	var out []rangeLock
	for _, r := range l.ranges {
		if r.owner != owner || r.end < start || r.start > end {
			out = append(out, r)
			continue
		}
		// Keep the parts of r outside [start, end].
		if r.start < start {
			out = append(out, rangeLock{owner, r.write, r.start, start - 1})
		}
		if r.end > end {
			out = append(out, rangeLock{owner, r.write, end + 1, r.end})
		}
	}
	if typ != F_UNLCK {
		n := rangeLock{owner, typ == F_WRLCK, start, end}
		// Absorb owner's adjacent locks of the same type.
		merged := out[:0]
		for _, r := range out {
			if r.owner == owner && r.write == n.write &&
				(r.end != offsetMax && r.end+1 == n.start || n.end != offsetMax && n.end+1 == r.start) {
				n.start, n.end = min(n.start, r.start), max(n.end, r.end)
				continue
			}
			merged = append(merged, r)
		}
		out = append(merged, n)
	}
	l.ranges = out
}
