// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package syscall_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// openTwice creates a file of size bytes and opens it twice, read-write.
func openTwice(t *testing.T, size int) (path string, fd1, fd2 int) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	fd1, err := syscall.Open(path, syscall.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fd2, err = syscall.Open(path, syscall.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	return path, fd1, fd2
}

// waitsFor checks that do blocks until release has run: it must not finish
// before, and must finish soon after.
func waitsFor(t *testing.T, what string, do func() error, release func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- do() }()
	select {
	case err := <-done:
		t.Fatalf("%s returned (%v) while the lock was held", what, err)
	case <-time.After(100 * time.Millisecond):
	}
	release()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s after the release: %v", what, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still blocked after the release", what)
	}
}

func TestFlockBetweenOpens(t *testing.T) {
	path, fd1, fd2 := openTwice(t, 10)
	if err := syscall.Flock(fd1, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("first exclusive lock: %v", err)
	}
	if err := syscall.Flock(fd1, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("locking again through the same open: %v", err)
	}
	for _, how := range []int{syscall.LOCK_EX, syscall.LOCK_SH} {
		if err := syscall.Flock(fd2, how|syscall.LOCK_NB); err != syscall.EWOULDBLOCK {
			t.Fatalf("second open's lock %d while the first holds LOCK_EX: %v, want EWOULDBLOCK", how, err)
		}
	}
	// A duplicate shares the open file and so its lock, which lasts until
	// the last descriptor closes.
	dup, err := syscall.Dup(fd1)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(dup, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("lock through a Dup of the holder: %v", err)
	}
	syscall.Close(fd1)
	if err := syscall.Flock(fd2, syscall.LOCK_SH|syscall.LOCK_NB); err != syscall.EWOULDBLOCK {
		t.Fatalf("after closing the holder with its Dup open: %v, want EWOULDBLOCK", err)
	}
	waitsFor(t, "blocking Flock", func() error { return syscall.Flock(fd2, syscall.LOCK_EX) },
		func() { syscall.Close(dup) })

	// Shared locks share; an exclusive one waits for LOCK_UN.
	if err := syscall.Flock(fd2, syscall.LOCK_SH); err != nil {
		t.Fatalf("converting to LOCK_SH: %v", err)
	}
	fd4, err := syscall.Open(path, syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(fd4, syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		t.Fatalf("second shared lock: %v", err)
	}
	if err := syscall.Flock(fd4, syscall.LOCK_EX|syscall.LOCK_NB); err != syscall.EWOULDBLOCK {
		t.Fatalf("exclusive while another open holds LOCK_SH: %v, want EWOULDBLOCK", err)
	}
	waitsFor(t, "blocking Flock(LOCK_EX)", func() error { return syscall.Flock(fd4, syscall.LOCK_EX) },
		func() { syscall.Flock(fd2, syscall.LOCK_UN) })

	if err := syscall.Flock(fd2, 0); err != syscall.EINVAL {
		t.Errorf("Flock(fd, 0): %v, want EINVAL", err)
	}
	syscall.Close(fd2)
	syscall.Close(fd4)
	if err := syscall.Flock(fd4, syscall.LOCK_SH); err != syscall.EBADF {
		t.Errorf("Flock of a closed descriptor: %v, want EBADF", err)
	}
}

func setlk(fd, cmd int, typ int16, start, length int64) error {
	return syscall.FcntlFlock(uintptr(fd), cmd, &syscall.Flock_t{Type: typ, Whence: syscall.SEEK_SET, Start: start, Len: length})
}

func TestFcntlOFDLocks(t *testing.T) {
	path, fd1, fd2 := openTwice(t, 1000)
	if err := setlk(fd1, syscall.F_OFD_SETLK, syscall.F_WRLCK, 0, 100); err != nil {
		t.Fatalf("write lock on [0,100): %v", err)
	}
	if err := setlk(fd2, syscall.F_OFD_SETLK, syscall.F_RDLCK, 50, 10); err != syscall.EAGAIN {
		t.Fatalf("second open's read lock inside it: %v, want EAGAIN", err)
	}
	if err := setlk(fd2, syscall.F_OFD_SETLK, syscall.F_WRLCK, 100, 0); err != nil {
		t.Fatalf("write lock from 100 to the end, beside the first: %v", err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: syscall.SEEK_SET, Start: 90, Len: 20}
	if err := syscall.FcntlFlock(uintptr(fd2), syscall.F_OFD_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	if lk.Type != syscall.F_WRLCK || lk.Start != 0 || lk.Len != 100 || lk.Pid != -1 {
		t.Fatalf("F_OFD_GETLK reports %+v, want the write lock on [0,100) with pid -1", lk)
	}
	// Unlocking part of a lock splits it.
	if err := setlk(fd1, syscall.F_OFD_SETLK, syscall.F_UNLCK, 0, 50); err != nil {
		t.Fatal(err)
	}
	if err := setlk(fd2, syscall.F_OFD_SETLK, syscall.F_WRLCK, 0, 50); err != nil {
		t.Fatalf("lock on the released [0,50): %v", err)
	}
	if err := setlk(fd2, syscall.F_OFD_SETLK, syscall.F_WRLCK, 50, 1); err != syscall.EAGAIN {
		t.Fatalf("lock on [50,51), still held: %v, want EAGAIN", err)
	}
	// The process's own locks conflict with OFD locks, not with each other.
	if err := setlk(fd1, syscall.F_SETLK, syscall.F_WRLCK, 0, 10); err != syscall.EAGAIN {
		t.Fatalf("process lock over the second open's OFD lock: %v, want EAGAIN", err)
	}
	if err := setlk(fd1, syscall.F_SETLK, syscall.F_WRLCK, 500, 10); err != syscall.EAGAIN {
		t.Fatalf("process lock over the second open's OFD lock from 100 on: %v, want EAGAIN", err)
	}
	if err := setlk(fd1, syscall.F_OFD_SETLK, syscall.F_UNLCK, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := setlk(fd2, syscall.F_OFD_SETLK, syscall.F_UNLCK, 0, 0); err != nil {
		t.Fatal(err)
	}
	for _, fd := range []int{fd1, fd2} {
		if err := setlk(fd, syscall.F_SETLK, syscall.F_WRLCK, 200, 10); err != nil {
			t.Fatalf("process lock through fd %d: %v (one process's locks never conflict)", fd, err)
		}
	}
	lk = syscall.Flock_t{Type: syscall.F_WRLCK, Whence: syscall.SEEK_SET, Start: 200, Len: 10}
	if err := syscall.FcntlFlock(uintptr(fd1), syscall.F_GETLK, &lk); err != nil || lk.Type != syscall.F_UNLCK {
		t.Fatalf("F_GETLK over the process's own lock: %+v, %v; want F_UNLCK", lk, err)
	}
	if err := setlk(fd2, syscall.F_OFD_SETLK, syscall.F_RDLCK, 205, 1); err != syscall.EAGAIN {
		t.Fatalf("OFD lock over the process's lock: %v, want EAGAIN", err)
	}
	lk = syscall.Flock_t{Type: syscall.F_RDLCK, Whence: syscall.SEEK_SET, Start: 205, Len: 1}
	if err := syscall.FcntlFlock(uintptr(fd2), syscall.F_OFD_GETLK, &lk); err != nil || lk.Type != syscall.F_WRLCK || lk.Start != 200 || lk.Len != 10 || int(lk.Pid) != syscall.Getpid() {
		t.Fatalf("F_OFD_GETLK over the process's lock: %+v, %v; want [200,210) of pid %d", lk, err, syscall.Getpid())
	}
	// Closing any descriptor of the file drops the process's locks.
	waitsFor(t, "F_OFD_SETLKW", func() error { return setlk(fd2, syscall.F_OFD_SETLKW, syscall.F_RDLCK, 205, 1) },
		func() { syscall.Close(fd1) })

	// Closing the last descriptor drops its OFD locks.
	fd3, err := syscall.Open(path, syscall.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := setlk(fd3, syscall.F_OFD_SETLK, syscall.F_WRLCK, 0, 0); err != syscall.EAGAIN {
		t.Fatalf("write lock over the read lock: %v, want EAGAIN", err)
	}
	waitsFor(t, "F_OFD_SETLKW", func() error { return setlk(fd3, syscall.F_OFD_SETLKW, syscall.F_WRLCK, 0, 0) },
		func() { syscall.Close(fd2) })
	syscall.Close(fd3)
}

func TestFcntlFlockErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	rd, err := syscall.Open(path, syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(rd)
	for _, c := range []struct {
		name string
		cmd  int
		lk   syscall.Flock_t
		want error
	}{
		{"write lock on a read-only open", syscall.F_SETLK, syscall.Flock_t{Type: syscall.F_WRLCK}, syscall.EBADF},
		{"bad type", syscall.F_SETLK, syscall.Flock_t{Type: 7}, syscall.EINVAL},
		{"bad whence", syscall.F_SETLK, syscall.Flock_t{Type: syscall.F_RDLCK, Whence: 9}, syscall.EINVAL},
		{"negative start", syscall.F_SETLK, syscall.Flock_t{Type: syscall.F_RDLCK, Start: -1}, syscall.EINVAL},
		{"OFD lock with a pid", syscall.F_OFD_SETLK, syscall.Flock_t{Type: syscall.F_RDLCK, Pid: 1}, syscall.EINVAL},
		{"F_GETLK of F_UNLCK", syscall.F_GETLK, syscall.Flock_t{Type: syscall.F_UNLCK}, syscall.EINVAL},
		{"newlib's F_RSETLK", syscall.F_RSETLK, syscall.Flock_t{Type: syscall.F_RDLCK}, syscall.EINVAL},
	} {
		if err := syscall.FcntlFlock(uintptr(rd), c.cmd, &c.lk); err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if err := setlk(1000, syscall.F_SETLK, syscall.F_RDLCK, 0, 0); err != syscall.EBADF {
		t.Errorf("closed descriptor: %v, want EBADF", err)
	}
	if err := setlk(rd, syscall.F_SETLK, syscall.F_RDLCK, 0, 0); err != nil {
		t.Errorf("read lock on a read-only open: %v", err)
	}
}

func TestStatfs(t *testing.T) {
	const tmpfsMagic = 0x01021994
	var before syscall.Statfs_t
	if err := syscall.Statfs(os.TempDir(), &before); err != nil {
		t.Fatal(err)
	}
	if before.Type != tmpfsMagic || before.Bsize != 4096 || before.Namelen != 255 {
		t.Fatalf("Statfs: %+v, want tmpfs's magic, 4096-byte blocks, 255-byte names", before)
	}
	if before.Blocks == 0 || before.Bfree == 0 || before.Bfree > before.Blocks || before.Bavail != before.Bfree {
		t.Fatalf("Statfs: %+v, want 0 < Bavail = Bfree <= Blocks", before)
	}
	const size = 16 << 20
	if before.Bfree*4096 < 2*size {
		t.Fatalf("only %d free bytes: the test needs %d", before.Bfree*4096, 2*size)
	}
	path := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(bytes.Repeat([]byte{1}, size)); err != nil {
		t.Fatal(err)
	}
	runtime.GC() // the written copy's source is garbage now
	var after syscall.Statfs_t
	if err := syscall.Fstatfs(int(f.Fd()), &after); err != nil {
		t.Fatal(err)
	}
	if after.Blocks != before.Blocks {
		t.Errorf("Blocks changed from %d to %d", before.Blocks, after.Blocks)
	}
	if used := int64(before.Bfree) - int64(after.Bfree); used < size/2/4096 {
		t.Errorf("writing %d bytes took %d free blocks (%d to %d), want about %d", size, used, before.Bfree, after.Bfree, size/4096)
	}
	f.Close()
	os.Remove(path)
	runtime.GC()
	var freed syscall.Statfs_t
	if err := syscall.Statfs("/", &freed); err != nil {
		t.Fatal(err)
	}
	if back := int64(freed.Bfree) - int64(after.Bfree); back < size/2/4096 {
		t.Errorf("removing the file gave back %d blocks (%d to %d), want about %d", back, after.Bfree, freed.Bfree, size/4096)
	}
	if err := syscall.Statfs("/no/such/dir", &freed); err != syscall.ENOENT {
		t.Errorf("Statfs of a missing path: %v, want ENOENT", err)
	}
	if err := syscall.Fstatfs(1000, &freed); err != syscall.EBADF {
		t.Errorf("Fstatfs of a closed descriptor: %v, want EBADF", err)
	}
}

func TestSendfile(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 200<<10) // more than one of Sendfile's chunks
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(filepath.Join(dir, "src"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := syscall.Open(filepath.Join(dir, "src"), syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(in)
	out, err := syscall.Open(filepath.Join(dir, "dst"), syscall.O_WRONLY|syscall.O_CREAT, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(out)

	// From an offset: it advances, the file's does not.
	off := int64(1000)
	n, err := syscall.Sendfile(out, in, &off, 150<<10)
	if err != nil || n != 150<<10 || off != 1000+150<<10 {
		t.Fatalf("Sendfile from offset 1000: %d, %v, offset %d", n, err, off)
	}
	if pos, _ := syscall.Seek(in, 0, syscall.SEEK_CUR); pos != 0 {
		t.Fatalf("infd's offset moved to %d", pos)
	}
	// From the file's offset, asking past the end: what there is.
	syscall.Seek(in, 100<<10, syscall.SEEK_SET)
	n, err = syscall.Sendfile(out, in, nil, 1<<20)
	if err != nil || n != 100<<10 {
		t.Fatalf("Sendfile of the last 100 KiB: %d, %v", n, err)
	}
	if pos, _ := syscall.Seek(in, 0, syscall.SEEK_CUR); pos != 200<<10 {
		t.Fatalf("infd's offset is %d, want the end", pos)
	}
	got, err := os.ReadFile(filepath.Join(dir, "dst"))
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte(nil), data[1000:1000+150<<10]...), data[100<<10:]...)
	if !bytes.Equal(got, want) {
		t.Fatalf("the copy differs (%d bytes, want %d)", len(got), len(want))
	}
	if n, err := syscall.Sendfile(out, in, nil, 10); n != 0 || err != nil {
		t.Errorf("Sendfile at the end: %d, %v, want 0, nil", n, err)
	}
	if _, err := syscall.Sendfile(in, out, nil, 10); err != syscall.EBADF {
		t.Errorf("Sendfile from a write-only descriptor: %v, want EBADF", err)
	}
}

func TestOpenatAndSysctl(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	dfd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(dfd)
	fd, err := syscall.Openat(dfd, "f", syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	n, _ := syscall.Read(fd, buf)
	syscall.Close(fd)
	if string(buf[:n]) != "hi" {
		t.Errorf("Openat read %q", buf[:n])
	}
	if _, err := syscall.Sysctl("kern.hostname"); err != syscall.ENOSYS {
		t.Errorf("Sysctl: %v, want ENOSYS", err)
	}
}

// Dup2 onto an open descriptor closes it first, as Linux's dup2: the pipe
// end it held goes away (the reader sees the end of the input) and so do
// its locks; a descriptor outside RLIMIT_NOFILE is EBADF.
func TestDup2ClosesNewfd(t *testing.T) {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	null, err := syscall.Open("/dev/null", syscall.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(null)
	if err := syscall.Dup2(null, p[1]); err != nil {
		t.Fatalf("Dup2 onto the pipe's write end: %v", err)
	}
	if n, err := syscall.Write(p[1], []byte("x")); n != 1 || err != nil {
		t.Errorf("write to the new p[1] (/dev/null): %d, %v", n, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var b [1]byte
		if n, err := syscall.Read(p[0], b[:]); n != 0 || err != nil {
			t.Errorf("read from the pipe whose only writer was replaced: %d, %v; want 0, nil (EOF)", n, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the pipe's reader still waits: Dup2 did not close the write end")
	}
	syscall.Close(p[1])

	_, fd1, fd2 := openTwice(t, 10)
	defer syscall.Close(fd2)
	if err := syscall.Flock(fd1, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup2(null, fd1); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd1)
	if err := syscall.Flock(fd2, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Errorf("lock after Dup2 replaced the holder's descriptor: %v, want the lock released", err)
	}

	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == 0 || lim.Cur != lim.Max {
		t.Fatalf("Getrlimit(RLIMIT_NOFILE) = %+v, %v", lim, err)
	}
	for _, fd := range []int{-1, int(lim.Cur), 1 << 40} {
		if err := syscall.Dup2(null, fd); err != syscall.EBADF {
			t.Errorf("Dup2(null, %d): %v, want EBADF", fd, err)
		}
	}
	top := int(lim.Cur) - 1
	if err := syscall.Dup2(null, top); err != nil {
		t.Errorf("Dup2(null, RLIMIT_NOFILE-1 = %d): %v", top, err)
	}
	syscall.Close(top)
}
