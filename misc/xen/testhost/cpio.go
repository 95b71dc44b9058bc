// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// cpioWriter writes a cpio archive in the "newc" format (the one the Linux
// initramfs unpacker reads). It handles directories, regular files, symbolic
// links and device nodes; hard links are written as independent files.
type cpioWriter struct {
	w   *bufio.Writer
	n   int64 // bytes written so far
	ino uint32
	err error
}

func newCpioWriter(w io.Writer) *cpioWriter {
	return &cpioWriter{w: bufio.NewWriterSize(w, 1<<20), ino: 1}
}

const (
	cpioModeDir  = 0o040000
	cpioModeReg  = 0o100000
	cpioModeLink = 0o120000
	cpioModeChr  = 0o020000
	cpioModeBlk  = 0o060000
	cpioModeFifo = 0o010000
)

type cpioHeader struct {
	name                 string
	mode                 uint32 // type and permission bits
	uid, gid             uint32
	mtime                int64
	size                 int64
	rdevMajor, rdevMinor uint32
}

func (c *cpioWriter) write(p []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
}

func (c *cpioWriter) pad() {
	if r := c.n % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}

func (c *cpioWriter) header(h cpioHeader) {
	nlink := 1
	if h.mode&0o170000 == cpioModeDir {
		nlink = 2
	}
	c.ino++
	hdr := fmt.Sprintf("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		c.ino, h.mode, h.uid, h.gid, nlink, uint32(h.mtime), uint32(h.size),
		0, 0, h.rdevMajor, h.rdevMinor, len(h.name)+1, 0)
	c.write([]byte(hdr))
	c.write([]byte(h.name))
	c.write([]byte{0})
	c.pad()
}

// Dir adds a directory.
func (c *cpioWriter) Dir(name string, perm uint32) {
	c.header(cpioHeader{name: name, mode: cpioModeDir | perm&0o7777})
}

// File adds a regular file with the given contents.
func (c *cpioWriter) File(name string, perm uint32, data []byte) {
	c.header(cpioHeader{name: name, mode: cpioModeReg | perm&0o7777, size: int64(len(data))})
	c.write(data)
	c.pad()
}

// Symlink adds a symbolic link.
func (c *cpioWriter) Symlink(name, target string) {
	c.header(cpioHeader{name: name, mode: cpioModeLink | 0o777, size: int64(len(target))})
	c.write([]byte(target))
	c.pad()
}

// CopyFile adds the host file src as name, streaming its contents.
func (c *cpioWriter) CopyFile(name string, perm uint32, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", src)
	}
	c.header(cpioHeader{name: name, mode: cpioModeReg | perm&0o7777, size: st.Size()})
	if c.err != nil {
		return c.err
	}
	n, err := io.Copy(c.w, io.LimitReader(f, st.Size()))
	c.n += n
	if err != nil {
		c.err = err
		return err
	}
	if n != st.Size() {
		c.err = fmt.Errorf("%s: file changed size while archiving", src)
		return c.err
	}
	c.pad()
	return nil
}

// AddTree adds every file under dir (not dir itself) with names relative to
// dir, prefixed by prefix (which may be ""). Ownership, permissions and
// modification times are kept. skip, if not nil, is called with each
// relative slash-separated path; returning true leaves the entry out (and,
// for a directory, its contents).
func (c *cpioWriter) AddTree(dir, prefix string, skip func(rel string, d fs.DirEntry) bool) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if skip != nil && skip(rel, d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		st, _ := info.Sys().(*syscall.Stat_t)
		h := cpioHeader{name: strings.TrimPrefix(prefix+"/"+rel, "/"), mtime: info.ModTime().Unix()}
		perm := uint32(info.Mode().Perm())
		if info.Mode()&fs.ModeSetuid != 0 {
			perm |= 0o4000
		}
		if info.Mode()&fs.ModeSetgid != 0 {
			perm |= 0o2000
		}
		if info.Mode()&fs.ModeSticky != 0 {
			perm |= 0o1000
		}
		if st != nil {
			h.uid, h.gid = st.Uid, st.Gid
		}
		switch m := info.Mode(); {
		case m.IsDir():
			h.mode = cpioModeDir | perm
			c.header(h)
		case m.IsRegular():
			h.mode = cpioModeReg | perm
			h.size = info.Size()
			c.header(h)
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			n, err := io.Copy(c.w, io.LimitReader(f, h.size))
			f.Close()
			c.n += n
			if err != nil {
				return err
			}
			if n != h.size {
				return fmt.Errorf("%s: file changed size while archiving", path)
			}
			c.pad()
		case m&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			h.mode = cpioModeLink | 0o777
			h.size = int64(len(target))
			c.header(h)
			c.write([]byte(target))
			c.pad()
		case m&fs.ModeDevice != 0 && st != nil:
			h.mode = cpioModeBlk | perm
			if m&fs.ModeCharDevice != 0 {
				h.mode = cpioModeChr | perm
			}
			rdev := uint64(st.Rdev)
			h.rdevMajor = uint32((rdev>>8)&0xfff | (rdev>>32)&^0xfff)
			h.rdevMinor = uint32(rdev&0xff | (rdev>>12)&^0xff)
			c.header(h)
		case m&fs.ModeNamedPipe != 0:
			h.mode = cpioModeFifo | perm
			c.header(h)
		default:
			// Sockets and anything else have no place in an initramfs.
		}
		return c.err
	})
}

// Close writes the trailer and flushes. It does not close the underlying
// writer.
func (c *cpioWriter) Close() error {
	c.header(cpioHeader{name: "TRAILER!!!"})
	if c.err != nil {
		return c.err
	}
	return c.w.Flush()
}
