// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// The domain's disks as block device files, /dev/xvda, /dev/xvdb, ...: the
// driver (internal/xen/blkfront, which sits above syscall) registers a
// probe with internal/xen/devfs, and the file system runs it the first time
// a program lists /dev or looks there for a name it does not have. The
// I/O itself runs without the file system's lock, so that goroutines
// reading and writing disks (or other files) at once do not wait for each
// other.

package syscall

import "internal/xen/devfs"

type blockDevice = devfs.BlockDevice

// probeDevices adds the disks the probes find to /dev (fsys.mu held; the
// probe, which talks to the backends, blocks other file system calls
// meanwhile). It reports whether a probe ran.
func (fs *fileSystem) probeDevices() bool {
	if !devfs.Pending() {
		return false
	}
	for _, d := range devfs.Devices() {
		if _, ok := fs.dev.entries[d.Name()]; ok {
			continue
		}
		n := fs.newNode(S_IFBLK | 0660) // as udev makes Linux's disks
		n.dev = devBlock
		n.blk = d
		fs.link(fs.dev, d.Name(), n)
	}
	return true
}

// blockErrno is the errno of a driver's error: the driver returns Errno
// values; anything else is an I/O error.
func blockErrno(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(Errno); ok {
		return e
	}
	return EIO
}

// blockRead, blockWrite, blockPread and blockPwrite are called with
// fsys.mu held and release it.

func blockRead(f *openFile, b []byte) (int, error) {
	if f.flags&O_ACCMODE == O_WRONLY {
		fsys.mu.Unlock()
		return 0, EBADF
	}
	off := f.offset
	fsys.mu.Unlock()
	n, err := f.node.blk.ReadAt(b, off)
	if n > 0 {
		fsys.mu.Lock()
		f.offset = off + int64(n)
		fsys.mu.Unlock()
	}
	return n, blockErrno(err)
}

func blockPread(f *openFile, b []byte, off int64) (int, error) {
	wrOnly := f.flags&O_ACCMODE == O_WRONLY
	fsys.mu.Unlock()
	if wrOnly {
		return 0, EBADF
	}
	n, err := f.node.blk.ReadAt(b, off)
	return n, blockErrno(err)
}

func blockWrite(f *openFile, b []byte) (int, error) {
	if f.flags&O_ACCMODE == O_RDONLY {
		fsys.mu.Unlock()
		return 0, EBADF
	}
	off := f.offset // Linux's block devices ignore O_APPEND too
	fsys.mu.Unlock()
	n, err := f.node.blk.WriteAt(b, off)
	if n > 0 {
		fsys.mu.Lock()
		f.offset = off + int64(n)
		fsys.mu.Unlock()
	}
	return n, blockErrno(err)
}

func blockPwrite(f *openFile, b []byte, off int64) (int, error) {
	rdOnly := f.flags&O_ACCMODE == O_RDONLY
	fsys.mu.Unlock()
	if rdOnly {
		return 0, EBADF
	}
	n, err := f.node.blk.WriteAt(b, off)
	return n, blockErrno(err)
}
