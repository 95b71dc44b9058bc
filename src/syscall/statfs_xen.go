// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Statfs and Fstatfs, as Linux's statfs(2): the in-memory file system
// reports itself as Linux's tmpfs does, sized by the domain's memory; a disk
// in /dev reports the disk.

package syscall

import _ "unsafe" // for go:linkname

// Statfs_t is Linux's struct statfs (amd64).
type Statfs_t struct {
	Type    int64
	Bsize   int64
	Blocks  uint64
	Bfree   uint64
	Bavail  uint64
	Files   uint64
	Ffree   uint64
	Fsid    Fsid
	Namelen int64
	Frsize  int64
	Flags   int64
	Spare   [4]int64
}

type Fsid struct {
	X__val [2]int32
}

const (
	// File system magic numbers: Linux's include/uapi/linux/magic.h.
	tmpfsMagic = 0x01021994 // TMPFS_MAGIC
	bdevMagic  = 0x62646576 // BDEVFS_MAGIC: the file system of block device inodes

	// Statfs_t.Flags: Linux's include/linux/statfs.h.
	stRdonly = 0x0001 // ST_RDONLY
	stValid  = 0x0020 // ST_VALID: Flags is filled in

	statfsBlock = 4096
)

// memoryStats reports the domain's RAM and how many more bytes file data
// may take; provided by the runtime.
//
//go:linkname memoryStats
func memoryStats() (total, available uint64)

func Statfs(path string, st *Statfs_t) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	n, err := fsys.resolve(fsys.cwd, path, true)
	if err != nil {
		return err
	}
	n.statfs(st)
	return nil
}

func Fstatfs(fd int, st *Statfs_t) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	f, err := fsys.file(fd)
	if err != nil {
		return err
	}
	f.node.statfs(st)
	return nil
}

// statfs describes the file system n is on. For the in-memory one, Blocks
// is the domain's RAM and Bfree what files may still take of it; each new
// file or directory needs a page (openat, mkdir), so Files and Ffree count
// pages too. A disk has no file system this package knows of: Linux would
// report devtmpfs, where the node lives, but a program asking here wants
// the disk, so it reports the disk's blocks, all free unless it is
// read-only.
func (n *inode) statfs(st *Statfs_t) {
	*st = Statfs_t{
		Type:    tmpfsMagic,
		Bsize:   statfsBlock,
		Frsize:  statfsBlock,
		Namelen: 255,
		Flags:   stValid,
	}
	if n.proc != nil {
		st.Type, st.Bsize, st.Frsize = procSuperMagic, 4096, 4096 // no blocks, as Linux's /proc
		return
	}
	if n.dev == devBlock {
		bs := int64(n.blk.BlockSize())
		if bs <= 0 {
			bs = 512
		}
		st.Type, st.Bsize, st.Frsize = bdevMagic, bs, bs
		st.Blocks = uint64(n.blk.Size() / bs)
		if n.blk.ReadOnly() {
			st.Flags |= stRdonly
		} else {
			st.Bfree, st.Bavail = st.Blocks, st.Blocks
		}
		return
	}
	total, avail := memoryStats()
	st.Blocks = total / statfsBlock
	st.Bfree = avail / statfsBlock
	st.Bavail = st.Bfree
	st.Files, st.Ffree = st.Blocks, st.Bfree
}
