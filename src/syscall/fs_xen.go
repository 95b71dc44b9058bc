// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// The file system of a Xen guest: in memory, POSIX-like.
//
// It is what a program's files are: a tree of inodes (directories, regular
// files, symbolic links, and the console and null devices), file descriptors
// with offsets and flags, and a working directory. Semantics follow Linux's
// tmpfs where a choice was free: errors carry Linux's errno, the program runs
// as root (uid 0) so permission bits are kept and reported but do not deny
// access, directory entries are listed in creation order, and times come from
// the wall clock.
//
// The tree starts with /, /dev (console, null, stdin, stdout, stderr, and the
// domain's disks: blkdev_xen.go), /etc (hosts, passwd, group), /proc
// (proc_xen.go), /root and /tmp (mode 1777); the runtime may unpack a boot
// module into it before main.

package syscall

import (
	"internal/bytealg"
	"sync"
	"unsafe"
)

const (
	SEEK_SET = 0
	SEEK_CUR = 1
	SEEK_END = 2
)

// AT_* flags of the *at functions (internal/syscall/unix), as on Linux.
const (
	_AT_FDCWD            = -0x64
	_AT_SYMLINK_NOFOLLOW = 0x100
	_AT_REMOVEDIR        = 0x200
	_AT_SYMLINK_FOLLOW   = 0x400
	_UTIME_OMIT          = (1 << 30) - 2
)

// maxSymlinks bounds the symbolic links followed in one lookup (Linux: 40).
const maxSymlinks = 40

type devKind uint8

const (
	devNone devKind = iota
	devNull
	devConsole
	devBlock // a disk: inode.blk
)

type inode struct {
	ino   uint64
	mode  uint32 // S_IF* | permissions
	nlink uint64
	uid   uint32
	gid   uint32
	atime int64 // nanoseconds since the Unix epoch
	mtime int64
	ctime int64

	data    []byte             // regular file
	entries map[string]*dirent // directory
	parent  *inode             // directory: its parent (/ is its own)
	nextSeq uint64             // directory: order of the next entry
	target  string             // symbolic link
	dev     devKind            // character or block device
	stderr  bool               // devConsole: the program's stderr (consoleFD)
	blk     blockDevice        // block device
	pipe    *pipe              // FIFO
	proc    *procNode          // in /proc (proc_xen.go)
}

// A pipe's buffer and ends. Readers and writers wait on cond (whose lock is
// the file system's).
type pipe struct {
	buf     []byte
	readers int
	writers int
	cond    sync.Cond
}

const pipeCapacity = 64 << 10 // as Linux's default pipe size

type dirent struct {
	node *inode
	seq  uint64 // creation order, for listings
}

func (n *inode) isDir() bool  { return n.mode&S_IFMT == S_IFDIR }
func (n *inode) isLink() bool { return n.mode&S_IFMT == S_IFLNK }
func (n *inode) isReg() bool  { return n.mode&S_IFMT == S_IFREG }

// An open file description.
type openFile struct {
	node   *inode
	flags  int
	offset int64
	refs   int

	dirNames []string // directory listing snapshot, taken by the first ReadDirent
	dirPos   int

	snap []byte // a /proc file: its contents when it was opened
}

type fileSystem struct {
	mu      sync.Mutex
	root    *inode
	dev     *inode // /dev, where the disks appear
	cwd     *inode
	cwdPath string
	fds     []*openFile // index: fd; nil: free
	nextIno uint64
	umask   uint32

	procFD      *inode   // /proc/1/fd (proc_xen.go)
	procFDLinks []*inode // its links, by descriptor
}

var fsys fileSystem

func init() {
	fsys.root = fsys.newDir(0755, nil)
	fsys.cwd = fsys.root
	fsys.cwdPath = "/"
	fsys.umask = 022
	dev := fsys.newDir(0755, fsys.root)
	fsys.link(fsys.root, "dev", dev)
	fsys.dev = dev
	// /etc: what the standard library reads to resolve localhost and the
	// user (the program runs as root); a boot module may replace them.
	etc := fsys.newDir(0755, fsys.root)
	fsys.link(fsys.root, "etc", etc)
	for _, f := range [...]struct{ name, data string }{
		{"hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
		{"passwd", "root:x:0:0:root:/root:/bin/sh\n"},
		{"group", "root:x:0:\n"},
	} {
		n := fsys.newNode(S_IFREG | 0644)
		n.data = []byte(f.data)
		fsys.link(etc, f.name, n)
	}
	root := fsys.newDir(0700, fsys.root)
	fsys.link(fsys.root, "root", root)
	tmp := fsys.newDir(01777, fsys.root)
	fsys.link(fsys.root, "tmp", tmp)
	fsys.mkProc()
	console := fsys.newNode(S_IFCHR | 0620)
	console.dev = devConsole
	// stderr is the console too, as the program's stderr, which the
	// runtime can keep apart from stdout for the emulated backend.
	consoleErr := fsys.newNode(S_IFCHR | 0620)
	consoleErr.dev = devConsole
	consoleErr.stderr = true
	null := fsys.newNode(S_IFCHR | 0666)
	null.dev = devNull
	fsys.link(dev, "console", console)
	fsys.link(dev, "null", null)
	for fd, name := range []string{"stdin", "stdout", "stderr"} {
		n := console
		if fd == 2 {
			n = consoleErr
		}
		fsys.link(dev, name, n)
		flags := O_RDONLY
		if fd > 0 {
			flags = O_WRONLY
		}
		fsys.fds = append(fsys.fds, &openFile{node: n, flags: flags, refs: 1})
	}
	unpackBootModule()
}

func nowNano() int64 {
	sec, nsec := now()
	return sec*1e9 + int64(nsec)
}

func (fs *fileSystem) newNode(mode uint32) *inode {
	fs.nextIno++
	t := nowNano()
	return &inode{ino: fs.nextIno, mode: mode, atime: t, mtime: t, ctime: t}
}

func (fs *fileSystem) newDir(perm uint32, parent *inode) *inode {
	d := fs.newNode(S_IFDIR | perm)
	d.entries = make(map[string]*dirent)
	d.nlink = 2
	d.parent = parent
	if parent == nil {
		d.parent = d
	}
	return d
}

// link adds name -> n to directory dir.
func (fs *fileSystem) link(dir *inode, name string, n *inode) {
	dir.entries[name] = &dirent{node: n, seq: dir.nextSeq}
	dir.nextSeq++
	n.nlink++
	if n.isDir() {
		dir.nlink++ // n's ".."
		n.parent = dir
	}
	t := nowNano()
	dir.mtime, dir.ctime = t, t
	n.ctime = t
}

// unlink removes name from directory dir.
func (fs *fileSystem) unlink(dir *inode, name string) {
	e := dir.entries[name]
	delete(dir.entries, name)
	n := e.node
	n.nlink--
	if n.isDir() {
		dir.nlink--
		n.nlink-- // its "."
	}
	t := nowNano()
	dir.mtime, dir.ctime = t, t
	n.ctime = t
}

// dirAt returns the directory relative paths start from for dirfd.
func (fs *fileSystem) dirAt(dirfd int) (*inode, error) {
	if dirfd == _AT_FDCWD {
		return fs.cwd, nil
	}
	f, err := fs.file(dirfd)
	if err != nil {
		return nil, err
	}
	if !f.node.isDir() {
		return nil, ENOTDIR
	}
	return f.node, nil
}

func (fs *fileSystem) file(fd int) (*openFile, error) {
	if fd < 0 || fd >= len(fs.fds) || fs.fds[fd] == nil {
		return nil, EBADF
	}
	return fs.fds[fd], nil
}

// resolve looks path up from dir. With follow, a symbolic link in the last
// component is followed too.
func (fs *fileSystem) resolve(dir *inode, path string, follow bool) (*inode, error) {
	links := 0
	return fs.walk(dir, path, follow, &links)
}

func (fs *fileSystem) walk(dir *inode, path string, follow bool, links *int) (*inode, error) {
	if path == "" {
		return nil, ENOENT
	}
	if bytealg.IndexByteString(path, 0) >= 0 {
		return nil, EINVAL // as Linux, where a path is a C string
	}
	if len(path) > PathMax {
		return nil, ENAMETOOLONG
	}
	cur := dir
	if path[0] == '/' {
		cur = fs.root
	}
	mustDir := path[len(path)-1] == '/'
	for path != "" {
		var name string
		name, path = nextComponent(path)
		if name == "" || name == "." {
			if !cur.isDir() {
				return nil, ENOTDIR
			}
			continue
		}
		if !cur.isDir() {
			return nil, ENOTDIR
		}
		if len(name) > 255 {
			return nil, ENAMETOOLONG
		}
		if name == ".." {
			cur = cur.parent
			continue
		}
		e, ok := cur.entries[name]
		if !ok && cur == fs.dev && fs.probeDevices() {
			e, ok = cur.entries[name]
		}
		if cur == fs.procFD {
			fs.refreshProcFD()
			e, ok = cur.entries[name]
		}
		if !ok {
			return nil, ENOENT
		}
		next := e.node
		last := !hasMoreComponents(path)
		if next.isLink() && (!last || follow || mustDir) {
			*links++
			if *links > maxSymlinks {
				return nil, ELOOP
			}
			var t *inode
			var err error
			if next.proc != nil {
				t, err = fs.followFD(next) // a link of /proc/1/fd
			} else {
				t, err = fs.walk(cur, next.target, true, links)
			}
			if err != nil {
				return nil, err
			}
			next = t
		}
		cur = next
	}
	if mustDir && !cur.isDir() {
		return nil, ENOTDIR
	}
	return cur, nil
}

// nextComponent splits the first path element off path.
func nextComponent(path string) (name, rest string) {
	for len(path) > 0 && path[0] == '/' {
		path = path[1:]
	}
	i := bytealg.IndexByteString(path, '/')
	if i < 0 {
		return path, ""
	}
	return path[:i], path[i:]
}

func hasMoreComponents(path string) bool {
	for i := 0; i < len(path); i++ {
		if path[i] != '/' {
			return true
		}
	}
	return false
}

// parentOf resolves all but the last element of path from dir and returns
// that directory and the last element. A path ending in / names a directory
// (mustDir).
func (fs *fileSystem) parentOf(dir *inode, path string) (parent *inode, name string, mustDir bool, err error) {
	if path == "" {
		return nil, "", false, ENOENT
	}
	if bytealg.IndexByteString(path, 0) >= 0 {
		return nil, "", false, EINVAL
	}
	if len(path) > PathMax {
		return nil, "", false, ENAMETOOLONG
	}
	end := len(path)
	for end > 1 && path[end-1] == '/' {
		end--
	}
	mustDir = end < len(path)
	trimmed := path[:end]
	i := len(trimmed) - 1
	for i >= 0 && trimmed[i] != '/' {
		i--
	}
	name = trimmed[i+1:]
	parent = dir
	if i >= 0 {
		dirPath := trimmed[:i+1]
		parent, err = fs.resolve(dir, dirPath, true)
		if err != nil {
			return nil, "", false, err
		}
	}
	if !parent.isDir() {
		return nil, "", false, ENOTDIR
	}
	if parent == fs.dev {
		fs.probeDevices()
	}
	if parent.proc != nil {
		return nil, "", false, EACCES // /proc's names are its own
	}
	if name == "" { // path was "/"
		name = "."
	}
	if len(name) > 255 {
		return nil, "", false, ENAMETOOLONG
	}
	return parent, name, mustDir, nil
}

// openMax is the program's RLIMIT_NOFILE, soft and hard (Getrlimit): the
// descriptors are 0 to openMax-1. It is the limit Go programs get on Linux
// under systemd, whose soft limit os raises to the hard one at start.
const openMax = 1 << 16

// newFD gives f the lowest free descriptor; EMFILE when all openMax are
// taken, as Linux.
func (fs *fileSystem) newFD(f *openFile) (int, error) {
	for fd, e := range fs.fds {
		if e == nil {
			fs.fds[fd] = f
			return fd, nil
		}
	}
	if len(fs.fds) >= openMax {
		return -1, EMFILE
	}
	fs.fds = append(fs.fds, f)
	return len(fs.fds) - 1, nil
}

func (fs *fileSystem) openat(dirfd int, path string, flags int, perm uint32) (int, error) {
	dir, err := fs.dirAt(dirfd)
	if err != nil {
		return -1, err
	}
	var n *inode
	if flags&O_CREAT != 0 {
		parent, name, mustDir, err := fs.parentOf(dir, path)
		if err != nil {
			return -1, err
		}
		// Follow symbolic links in the last element; a dangling one is
		// created through, as on Linux (unless O_EXCL or O_NOFOLLOW).
		for links := 0; ; links++ {
			if name == "." || name == ".." {
				return -1, EISDIR
			}
			e, exists := parent.entries[name]
			if exists && flags&O_EXCL != 0 {
				return -1, EEXIST
			}
			if !exists {
				if mustDir {
					return -1, EISDIR
				}
				if !memoryAvailable(4096) {
					return -1, ENOSPC
				}
				n = fs.newNode(S_IFREG | (perm & 07777 &^ fs.umask))
				fs.link(parent, name, n)
				break
			}
			n = e.node
			if !n.isLink() {
				if mustDir && !n.isDir() {
					return -1, ENOTDIR
				}
				break
			}
			if flags&O_NOFOLLOW != 0 {
				return -1, ELOOP
			}
			if links == maxSymlinks {
				return -1, ELOOP
			}
			var md bool
			parent, name, md, err = fs.parentOf(parent, n.target)
			if err != nil {
				return -1, err
			}
			mustDir = mustDir || md
		}
	} else {
		n, err = fs.resolve(dir, path, flags&O_NOFOLLOW == 0)
		if err != nil {
			return -1, err
		}
		if n.isLink() {
			return -1, ELOOP // O_NOFOLLOW on a symbolic link
		}
	}
	acc := flags & O_ACCMODE
	if n.isDir() && (acc != O_RDONLY || flags&O_TRUNC != 0) {
		return -1, EISDIR
	}
	if n.dev == devBlock && acc != O_RDONLY && n.blk.ReadOnly() {
		return -1, EROFS
	}
	if flags&O_DIRECTORY != 0 && !n.isDir() {
		return -1, ENOTDIR
	}
	if flags&O_TRUNC != 0 && n.isReg() && acc != O_RDONLY {
		n.data = nil
		n.mtime = nowNano()
		n.ctime = n.mtime
	}
	f := &openFile{node: n, flags: flags, refs: 1}
	if n.proc != nil && n.proc.gen != nil {
		if acc != O_RDONLY {
			return -1, EACCES
		}
		f.snap = n.proc.gen(nil)
	}
	return fs.newFD(f)
}

func Open(path string, mode int, perm uint32) (int, error) {
	return openat(_AT_FDCWD, path, mode, perm)
}

//go:linkname openat internal/syscall/unix.Openat
func openat(dirfd int, path string, flags int, perm uint32) (int, error) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	return fsys.openat(dirfd, path, flags, perm)
}

func Close(fd int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return err
	}
	fsys.closeFD(fd, f)
	return nil
}

// closeFD frees descriptor fd, which refers to f: the last descriptor of
// an open file releases its locks and its end of a pipe.
func (fs *fileSystem) closeFD(fd int, f *openFile) {
	fs.fds[fd] = nil
	f.refs--
	releaseLocks(f) // locks_xen.go
	if p := f.node.pipe; p != nil && f.refs == 0 {
		if f.flags&O_ACCMODE == O_RDONLY {
			p.readers--
		} else {
			p.writers--
		}
		p.cond.Broadcast()
	}
}

func CloseOnExec(fd int) {}

func Dup(fd int) (int, error) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return -1, err
	}
	nfd, err := fsys.newFD(f)
	if err == nil {
		f.refs++
	}
	return nfd, err
}

// Dup2 makes newfd refer to fd's open file, as Linux's dup2: a newfd that
// is open is closed first (its locks and pipe end released as by Close),
// and one outside 0 to RLIMIT_NOFILE-1 is EBADF.
func Dup2(fd, newfd int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return err
	}
	if newfd < 0 || newfd >= openMax {
		return EBADF
	}
	if fd == newfd {
		return nil
	}
	for len(fsys.fds) <= newfd {
		fsys.fds = append(fsys.fds, nil)
	}
	if old := fsys.fds[newfd]; old != nil {
		fsys.closeFD(newfd, old)
	}
	f.refs++
	fsys.fds[newfd] = f
	return nil
}

func Read(fd int, b []byte) (int, error) {
	fsys.mu.Lock()
	f, err := fsys.file(fd)
	if err != nil {
		fsys.mu.Unlock()
		return 0, err
	}
	if f.node.dev == devConsole {
		fsys.mu.Unlock()
		return consoleRead(b)
	}
	if f.node.dev == devBlock {
		return blockRead(f, b) // unlocks
	}
	defer fsys.mu.Unlock()
	if p := f.node.pipe; p != nil {
		return p.read(f, b)
	}
	n, err := fsys.pread(f, b, f.offset)
	f.offset += int64(n)
	return n, err
}

func Pread(fd int, b []byte, offset int64) (int, error) {
	fsys.mu.Lock()
	f, err := fsys.file(fd)
	if err == nil && offset < 0 {
		err = EINVAL
	}
	if err == nil && f.node.dev == devBlock {
		return blockPread(f, b, offset) // unlocks
	}
	defer fsys.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if f.node.dev != devNone || f.node.pipe != nil {
		return 0, ESPIPE
	}
	return fsys.pread(f, b, offset)
}

func (fs *fileSystem) pread(f *openFile, b []byte, offset int64) (int, error) {
	if f.flags&O_ACCMODE == O_WRONLY {
		return 0, EBADF
	}
	n := f.node
	switch {
	case n.isDir():
		return 0, EISDIR
	case n.dev == devNull:
		return 0, nil
	}
	data := n.data
	if n.proc != nil {
		data = f.snap
	}
	if offset >= int64(len(data)) {
		return 0, nil
	}
	k := copy(b, data[offset:])
	n.atime = nowNano()
	return k, nil
}

func Write(fd int, b []byte) (int, error) {
	fsys.mu.Lock()
	f, err := fsys.file(fd)
	if err != nil {
		fsys.mu.Unlock()
		return 0, err
	}
	if f.node.dev == devConsole {
		fsys.mu.Unlock()
		if f.flags&O_ACCMODE == O_RDONLY {
			return 0, EBADF
		}
		consoleWrite(f.node.consoleFD(), b)
		return len(b), nil
	}
	if f.node.dev == devBlock {
		return blockWrite(f, b) // unlocks
	}
	defer fsys.mu.Unlock()
	if p := f.node.pipe; p != nil {
		return p.write(f, b)
	}
	off := f.offset
	if f.flags&O_APPEND != 0 {
		off = int64(len(f.node.data))
	}
	n, err := fsys.pwrite(f, b, off)
	f.offset = off + int64(n)
	return n, err
}

func Pwrite(fd int, b []byte, offset int64) (int, error) {
	fsys.mu.Lock()
	f, err := fsys.file(fd)
	if err == nil && offset < 0 {
		err = EINVAL
	}
	if err == nil && f.node.dev == devBlock {
		return blockPwrite(f, b, offset) // unlocks
	}
	defer fsys.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if f.node.dev != devNone || f.node.pipe != nil {
		return 0, ESPIPE
	}
	return fsys.pwrite(f, b, offset)
}

func (fs *fileSystem) pwrite(f *openFile, b []byte, offset int64) (int, error) {
	if f.flags&O_ACCMODE == O_RDONLY {
		return 0, EBADF
	}
	n := f.node
	switch {
	case n.isDir():
		return 0, EISDIR
	case n.dev == devNull:
		return len(b), nil
	case n.dev == devConsole:
		consoleWrite(n.consoleFD(), b)
		return len(b), nil
	}
	if len(b) == 0 {
		return 0, nil
	}
	end := offset + int64(len(b))
	if end < offset {
		return 0, EFBIG
	}
	if err := fs.grow(n, end); err != nil {
		return 0, err
	}
	copy(n.data[offset:], b)
	n.mtime = nowNano()
	n.ctime = n.mtime
	return len(b), nil
}

// grow makes n.data at least size bytes long, zero-filling.
func (fs *fileSystem) grow(n *inode, size int64) error {
	if size <= int64(len(n.data)) {
		return nil
	}
	if size > int64(maxInt) {
		return EFBIG
	}
	if size <= int64(cap(n.data)) {
		n.data = n.data[:size]
		return nil
	}
	newCap := int64(cap(n.data)) * 2
	if newCap < size {
		newCap = size
	}
	if !memoryAvailable(uint64(newCap)) {
		if newCap = size; !memoryAvailable(uint64(newCap)) {
			return ENOSPC
		}
	}
	data := make([]byte, size, newCap)
	copy(data, n.data)
	n.data = data
	return nil
}

const maxInt = int(^uint(0) >> 1)

func Seek(fd int, offset int64, whence int) (int64, error) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return 0, err
	}
	if f.node.dev == devConsole || f.node.pipe != nil {
		return 0, ESPIPE
	}
	base, err := f.whenceBase(whence)
	if err != nil {
		return 0, err
	}
	off := base + offset
	if off < 0 || f.node.dev == devBlock && off > f.node.blk.Size() {
		// Linux's block devices cannot seek past their end either
		// (fixed_size_llseek).
		return 0, EINVAL
	}
	f.offset = off
	if f.node.isDir() && off == 0 {
		f.dirNames, f.dirPos = nil, 0 // rewinddir
	}
	return off, nil
}

// whenceBase is the offset a whence of Seek (or of a lock's range) counts
// from.
func (f *openFile) whenceBase(whence int) (int64, error) {
	switch whence {
	case SEEK_SET:
		return 0, nil
	case SEEK_CUR:
		return f.offset, nil
	case SEEK_END:
		if f.node.dev == devBlock {
			return f.node.blk.Size(), nil
		}
		return int64(len(f.node.data)), nil
	}
	return 0, EINVAL
}

func Fsync(fd int) error {
	fsys.mu.Lock()
	f, err := fsys.file(fd)
	fsys.mu.Unlock()
	if err == nil && f.node.dev == devBlock {
		return blockErrno(f.node.blk.Flush())
	}
	return err
}

func (n *inode) stat(st *Stat_t) {
	*st = Stat_t{
		Dev:       1,
		Ino:       n.ino,
		Nlink:     n.nlink,
		Mode:      n.mode,
		Uid:       n.uid,
		Gid:       n.gid,
		Size:      int64(len(n.data)),
		Blksize:   4096,
		Blocks:    (int64(len(n.data)) + 511) / 512,
		Atime:     n.atime / 1e9,
		AtimeNsec: n.atime % 1e9,
		Mtime:     n.mtime / 1e9,
		MtimeNsec: n.mtime % 1e9,
		Ctime:     n.ctime / 1e9,
		CtimeNsec: n.ctime % 1e9,
	}
	switch {
	case n == fsys.procFD:
		fsys.refreshProcFD()
		st.Size = int64(len(n.entries)) // as Linux 6.2's
	case n.isDir():
		st.Size = 4096
	case n.isLink():
		st.Size = int64(len(n.target))
	case n.dev == devConsole:
		st.Rdev = 5<<8 | 1 // as Linux's /dev/console
	case n.dev == devNull:
		st.Rdev = 1<<8 | 3
	case n.dev == devBlock:
		// Size is the disk's (Linux's stat says 0 for a block device;
		// programs here find the size either way, from Stat or from
		// Seek(0, io.SeekEnd)).
		st.Size, st.Blocks = n.blk.Size(), 0
		st.Rdev = n.blk.Rdev()
		st.Blksize = int64(n.blk.BlockSize())
	}
}

func Stat(path string, st *Stat_t) error {
	return fstatat(_AT_FDCWD, path, st, 0)
}

func Lstat(path string, st *Stat_t) error {
	return fstatat(_AT_FDCWD, path, st, _AT_SYMLINK_NOFOLLOW)
}

func Fstat(fd int, st *Stat_t) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return err
	}
	f.node.stat(st)
	return nil
}

//go:linkname fstatat internal/syscall/unix.Fstatat
func fstatat(dirfd int, path string, st *Stat_t, flags int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	dir, err := fsys.dirAt(dirfd)
	if err != nil {
		return err
	}
	n, err := fsys.resolve(dir, path, flags&_AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return err
	}
	n.stat(st)
	return nil
}

func Mkdir(path string, perm uint32) error {
	return mkdirat(_AT_FDCWD, path, perm)
}

//go:linkname mkdirat internal/syscall/unix.Mkdirat
func mkdirat(dirfd int, path string, perm uint32) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	dir, err := fsys.dirAt(dirfd)
	if err != nil {
		return err
	}
	return fsys.mkdir(dir, path, perm, 0)
}

// mkdir makes the directory path from dir. As on Linux, "link/" where link
// is a symbolic link to nothing makes the directory the link points to.
func (fs *fileSystem) mkdir(dir *inode, path string, perm uint32, links int) error {
	parent, name, mustDir, err := fs.parentOf(dir, path)
	if err != nil {
		return err
	}
	if e, ok := parent.entries[name]; ok || name == "." || name == ".." {
		if ok && mustDir && e.node.isLink() && links < maxSymlinks {
			if _, err := fs.resolve(parent, e.node.target, true); err == ENOENT {
				return fs.mkdir(parent, e.node.target+"/", perm, links+1)
			}
		}
		return EEXIST
	}
	if !memoryAvailable(4096) {
		return ENOSPC
	}
	fs.link(parent, name, fs.newDir(perm&07777&^fs.umask, parent))
	return nil
}

func Unlink(path string) error {
	return unlinkat(_AT_FDCWD, path, 0)
}

func Rmdir(path string) error {
	return unlinkat(_AT_FDCWD, path, _AT_REMOVEDIR)
}

//go:linkname unlinkat internal/syscall/unix.Unlinkat
func unlinkat(dirfd int, path string, flags int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	dir, err := fsys.dirAt(dirfd)
	if err != nil {
		return err
	}
	parent, name, mustDir, err := fsys.parentOf(dir, path)
	if err != nil {
		return err
	}
	if name == "." || name == ".." {
		if flags&_AT_REMOVEDIR != 0 {
			if name == "." {
				return EINVAL
			}
			return ENOTEMPTY
		}
		return EISDIR
	}
	e, ok := parent.entries[name]
	if !ok {
		return ENOENT
	}
	n := e.node
	if flags&_AT_REMOVEDIR != 0 {
		if !n.isDir() {
			return ENOTDIR
		}
		if len(n.entries) > 0 {
			return ENOTEMPTY
		}
		if n == fsys.root {
			return EBUSY
		}
	} else {
		if n.isDir() {
			return EISDIR
		}
		if mustDir {
			return ENOTDIR
		}
	}
	fsys.unlink(parent, name)
	return nil
}

func Rename(from, to string) error {
	return renameat(_AT_FDCWD, from, _AT_FDCWD, to)
}

//go:linkname renameat internal/syscall/unix.Renameat
func renameat(olddirfd int, oldpath string, newdirfd int, newpath string) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	odir, err := fsys.dirAt(olddirfd)
	if err != nil {
		return err
	}
	ndir, err := fsys.dirAt(newdirfd)
	if err != nil {
		return err
	}
	op, oname, omustDir, err := fsys.parentOf(odir, oldpath)
	if err != nil {
		return err
	}
	np, nname, nmustDir, err := fsys.parentOf(ndir, newpath)
	if err != nil {
		return err
	}
	if oname == "." || oname == ".." || nname == "." || nname == ".." {
		return EBUSY
	}
	oe, ok := op.entries[oname]
	if !ok {
		return ENOENT
	}
	n := oe.node
	if (omustDir || nmustDir) && !n.isDir() {
		return ENOTDIR
	}
	if n.isDir() {
		// A directory cannot move below itself.
		for d := np; ; d = d.parent {
			if d == n {
				return EINVAL
			}
			if d == fsys.root {
				break
			}
		}
	}
	if ne, ok := np.entries[nname]; ok {
		t := ne.node
		if t == n {
			return nil
		}
		switch {
		case n.isDir() && !t.isDir():
			return ENOTDIR
		case !n.isDir() && t.isDir():
			return EISDIR
		case t.isDir() && len(t.entries) > 0:
			return ENOTEMPTY
		}
		fsys.unlink(np, nname)
	}
	fsys.unlink(op, oname)
	fsys.link(np, nname, n)
	return nil
}

func Link(path, link string) error {
	return linkat(_AT_FDCWD, path, _AT_FDCWD, link, 0)
}

//go:linkname linkat internal/syscall/unix.Linkat
func linkat(olddirfd int, oldpath string, newdirfd int, newpath string, flags int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	odir, err := fsys.dirAt(olddirfd)
	if err != nil {
		return err
	}
	ndir, err := fsys.dirAt(newdirfd)
	if err != nil {
		return err
	}
	n, err := fsys.resolve(odir, oldpath, flags&_AT_SYMLINK_FOLLOW != 0)
	if err != nil {
		return err
	}
	if n.isDir() {
		return EPERM
	}
	parent, name, mustDir, err := fsys.parentOf(ndir, newpath)
	if err != nil {
		return err
	}
	if _, ok := parent.entries[name]; ok || name == "." || name == ".." {
		return EEXIST
	}
	if mustDir {
		return ENOENT // as Linux: a new non-directory cannot end in a slash
	}
	fsys.link(parent, name, n)
	return nil
}

func Symlink(path, link string) error {
	return symlinkat(path, _AT_FDCWD, link)
}

//go:linkname symlinkat internal/syscall/unix.Symlinkat
func symlinkat(target string, newdirfd int, newpath string) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	if target == "" {
		return ENOENT
	}
	if bytealg.IndexByteString(target, 0) >= 0 {
		return EINVAL
	}
	dir, err := fsys.dirAt(newdirfd)
	if err != nil {
		return err
	}
	parent, name, _, err := fsys.parentOf(dir, newpath)
	if err != nil {
		return err
	}
	if _, ok := parent.entries[name]; ok || name == "." || name == ".." {
		return EEXIST
	}
	n := fsys.newNode(S_IFLNK | 0777)
	n.target = target
	fsys.link(parent, name, n)
	return nil
}

func Readlink(path string, buf []byte) (int, error) {
	return readlinkat(_AT_FDCWD, path, buf)
}

//go:linkname readlinkat internal/syscall/unix.Readlinkat
func readlinkat(dirfd int, path string, buf []byte) (int, error) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	dir, err := fsys.dirAt(dirfd)
	if err != nil {
		return 0, err
	}
	n, err := fsys.resolve(dir, path, false)
	if err != nil {
		return 0, err
	}
	if !n.isLink() {
		return 0, EINVAL
	}
	if n.proc != nil {
		return copy(buf, fsys.fdPath(n)), nil
	}
	return copy(buf, n.target), nil
}

func Chmod(path string, mode uint32) error {
	return fchmodat(_AT_FDCWD, path, mode, 0)
}

//go:linkname fchmodat internal/syscall/unix.Fchmodat
func fchmodat(dirfd int, path string, mode uint32, flags int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	dir, err := fsys.dirAt(dirfd)
	if err != nil {
		return err
	}
	n, err := fsys.resolve(dir, path, flags&_AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return err
	}
	if n.isLink() {
		return EOPNOTSUPP // as Linux: the mode of a link cannot change
	}
	n.chmod(mode)
	return nil
}

func (n *inode) chmod(mode uint32) {
	n.mode = n.mode&S_IFMT | mode&07777
	n.ctime = nowNano()
}

func Fchmod(fd int, mode uint32) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return err
	}
	f.node.chmod(mode)
	return nil
}

func Chown(path string, uid, gid int) error {
	return fchownat(_AT_FDCWD, path, uid, gid, 0)
}

func Lchown(path string, uid, gid int) error {
	return fchownat(_AT_FDCWD, path, uid, gid, _AT_SYMLINK_NOFOLLOW)
}

//go:linkname fchownat internal/syscall/unix.Fchownat
func fchownat(dirfd int, path string, uid, gid int, flags int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	dir, err := fsys.dirAt(dirfd)
	if err != nil {
		return err
	}
	n, err := fsys.resolve(dir, path, flags&_AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return err
	}
	n.chown(uid, gid)
	return nil
}

func (n *inode) chown(uid, gid int) {
	if uid != -1 {
		n.uid = uint32(uid)
	}
	if gid != -1 {
		n.gid = uint32(gid)
	}
	n.ctime = nowNano()
}

func Fchown(fd int, uid, gid int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return err
	}
	f.node.chown(uid, gid)
	return nil
}

func UtimesNano(path string, ts []Timespec) error {
	if len(ts) != 2 {
		return EINVAL
	}
	return utimensat(_AT_FDCWD, path, (*[2]Timespec)(ts), 0)
}

//go:linkname utimensat internal/syscall/unix.Utimensat
func utimensat(dirfd int, path string, ts *[2]Timespec, flags int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	dir, err := fsys.dirAt(dirfd)
	if err != nil {
		return err
	}
	n, err := fsys.resolve(dir, path, flags&_AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return err
	}
	if ts[0].Nsec != _UTIME_OMIT {
		n.atime = TimespecToNsec(ts[0])
	}
	if ts[1].Nsec != _UTIME_OMIT {
		n.mtime = TimespecToNsec(ts[1])
	}
	n.ctime = nowNano()
	return nil
}

func Truncate(path string, length int64) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	n, err := fsys.resolve(fsys.cwd, path, true)
	if err != nil {
		return err
	}
	return fsys.truncate(n, length)
}

func Ftruncate(fd int, length int64) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return err
	}
	if f.flags&O_ACCMODE == O_RDONLY {
		return EINVAL
	}
	return fsys.truncate(f.node, length)
}

func (fs *fileSystem) truncate(n *inode, length int64) error {
	if n.isDir() {
		return EISDIR
	}
	if !n.isReg() {
		return EINVAL
	}
	if length < 0 {
		return EINVAL
	}
	if length < int64(len(n.data)) {
		clear(n.data[length:])
		n.data = n.data[:length]
	} else if err := fs.grow(n, length); err != nil {
		return err
	}
	n.mtime = nowNano()
	n.ctime = n.mtime
	return nil
}

// ReadDirent writes directory entries of fd (without . and ..) to buf as
// Dirent records.
func ReadDirent(fd int, buf []byte) (int, error) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return 0, err
	}
	d := f.node
	if !d.isDir() {
		return 0, ENOTDIR
	}
	if f.dirNames == nil {
		if d == fsys.dev {
			fsys.probeDevices()
		}
		if d == fsys.procFD {
			fsys.refreshProcFD()
		}
		f.dirNames = sortedNames(d)
	}
	n := 0
	for f.dirPos < len(f.dirNames) {
		name := f.dirNames[f.dirPos]
		e, ok := d.entries[name]
		if !ok { // removed since the snapshot
			f.dirPos++
			continue
		}
		reclen := (int(direntHeaderSize) + len(name) + 7) &^ 7
		if n+reclen > len(buf) {
			if n == 0 {
				return 0, EINVAL
			}
			break
		}
		rec := buf[n : n+reclen]
		clear(rec)
		*(*uint64)(unsafe.Pointer(&rec[unsafe.Offsetof(Dirent{}.Ino)])) = e.node.ino
		*(*uint16)(unsafe.Pointer(&rec[unsafe.Offsetof(Dirent{}.Reclen)])) = uint16(reclen)
		*(*uint16)(unsafe.Pointer(&rec[unsafe.Offsetof(Dirent{}.Namlen)])) = uint16(len(name))
		rec[unsafe.Offsetof(Dirent{}.Type)] = direntTypeOf(e.node)
		copy(rec[direntHeaderSize:], name)
		n += reclen
		f.dirPos++
	}
	d.atime = nowNano()
	return n, nil
}

// sortedNames lists directory d's entries in creation order.
func sortedNames(d *inode) []string {
	names := make([]string, 0, len(d.entries))
	seqs := make([]uint64, 0, len(d.entries))
	for name, e := range d.entries {
		// Insertion into the sorted prefix; directories are small, and
		// syscall may not import sort.
		i := len(seqs)
		names = append(names, name)
		seqs = append(seqs, e.seq)
		for i > 0 && seqs[i-1] > e.seq {
			names[i], seqs[i] = names[i-1], seqs[i-1]
			i--
		}
		names[i], seqs[i] = name, e.seq
	}
	return names
}

func direntTypeOf(n *inode) uint8 {
	switch n.mode & S_IFMT {
	case S_IFDIR:
		return DT_DIR
	case S_IFREG:
		return DT_REG
	case S_IFLNK:
		return DT_LNK
	case S_IFCHR:
		return DT_CHR
	case S_IFBLK:
		return DT_BLK
	case S_IFIFO:
		return DT_FIFO
	}
	return DT_UNKNOWN
}

func Chdir(path string) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	n, err := fsys.resolve(fsys.cwd, path, true)
	if err != nil {
		return err
	}
	if !n.isDir() {
		return ENOTDIR
	}
	fsys.cwd = n
	fsys.cwdPath = ""
	return nil
}

func Fchdir(fd int) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return err
	}
	if !f.node.isDir() {
		return ENOTDIR
	}
	fsys.cwd = f.node
	fsys.cwdPath = ""
	return nil
}

// fsGetwd returns the path of the working directory, found by walking up
// the tree (the directory may have been renamed since Chdir).
func fsGetwd() (string, error) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	var parts []string
	for d := fsys.cwd; d != fsys.root; d = d.parent {
		p := d.parent
		name := ""
		for n, e := range p.entries {
			if e.node == d {
				name = n
				break
			}
		}
		if name == "" {
			return "", ENOENT // removed
		}
		parts = append(parts, name)
	}
	if len(parts) == 0 {
		return "/", nil
	}
	var b []byte
	for i := len(parts) - 1; i >= 0; i-- {
		b = append(b, '/')
		b = append(b, parts[i]...)
	}
	return string(b), nil
}

func fsUmask(mask int) int {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	old := fsys.umask
	fsys.umask = uint32(mask) & 0777
	return int(old)
}

// Pipe makes a pipe: fd[0] reads what fd[1] writes. Reads block while it is
// empty and writes while it is full, parking the goroutine.
func Pipe(fd []int) error {
	if len(fd) != 2 {
		return EINVAL
	}
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	n := fsys.newNode(S_IFIFO | 0600)
	n.nlink = 1
	n.pipe = &pipe{readers: 1, writers: 1}
	n.pipe.cond.L = &fsys.mu
	r, err := fsys.newFD(&openFile{node: n, flags: O_RDONLY, refs: 1})
	if err != nil {
		return err
	}
	w, err := fsys.newFD(&openFile{node: n, flags: O_WRONLY, refs: 1})
	if err != nil {
		fsys.closeFD(r, fsys.fds[r])
		return err
	}
	fd[0], fd[1] = r, w
	return nil
}

// read and write run with fsys.mu held; cond.Wait releases it while blocked.
func (p *pipe) read(f *openFile, b []byte) (int, error) {
	if f.flags&O_ACCMODE != O_RDONLY {
		return 0, EBADF
	}
	for len(p.buf) == 0 && p.writers > 0 {
		p.cond.Wait()
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	if len(p.buf) == 0 {
		p.buf = nil
	}
	p.cond.Broadcast()
	return n, nil
}

func (p *pipe) write(f *openFile, b []byte) (int, error) {
	if f.flags&O_ACCMODE == O_RDONLY {
		return 0, EBADF
	}
	written := 0
	for written < len(b) {
		for len(p.buf) >= pipeCapacity && p.readers > 0 {
			p.cond.Wait()
		}
		if p.readers == 0 {
			return written, EPIPE
		}
		k := min(len(b)-written, pipeCapacity-len(p.buf))
		p.buf = append(p.buf, b[written:written+k]...)
		written += k
		p.cond.Broadcast()
	}
	return written, nil
}

// The console, provided by the runtime, which keeps no reference to the
// buffers (noescape).

// consoleWrite writes b to the console as fd's output (1: stdout, 2:
// stderr).
//
//go:linkname consoleWrite
//go:noescape
func consoleWrite(fd int, b []byte)

// consoleFD is the console stream a write to n is: 2 for stderr, else 1.
func (n *inode) consoleFD() int {
	if n.stderr {
		return 2
	}
	return 1
}

func consoleRead(b []byte) (int, error) {
	n, errno := runtime_consoleRead(b)
	if errno != 0 {
		return 0, Errno(errno)
	}
	return n, nil
}

// runtime_consoleRead blocks until console input arrives; an EOT (^D) ends the
// input as at a terminal.
//
//go:linkname runtime_consoleRead
//go:noescape
func runtime_consoleRead(b []byte) (n int, errno uintptr)

// memoryAvailable reports whether n more bytes may be allocated for file
// data without exhausting the domain's memory; provided by the runtime.
//
//go:linkname memoryAvailable
func memoryAvailable(n uint64) bool
