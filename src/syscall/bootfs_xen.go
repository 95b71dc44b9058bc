// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package syscall

import (
	"internal/runtime/xen"
	_ "unsafe" // for go:linkname
)

// A Xen guest's first boot module (xl's ramdisk=, or the emulated backend's
// test data), when it is a tar archive, is unpacked into / before main; then
// the program changes to the runtime option goxen.cwd if it was given. Files
// keep pointing into the module's memory until they are written past their
// end, so unpacking copies nothing.

//go:linkname runtime_bootModule
func runtime_bootModule() []byte

//go:linkname runtime_bootCwd
func runtime_bootCwd() string

// bootCmdlineMember continues the command line (see runtime/env_xen.go); it
// is not a file.
const bootCmdlineMember = ".goxen-cmdline"

func unpackBootModule() {
	if m := runtime_bootModule(); xen.IsTar(m) {
		r := xen.NewTarReader(m)
		for {
			e, ok := r.Next()
			if !ok {
				break
			}
			name := e.Name
			if e.Prefix != "" {
				name = e.Prefix + "/" + e.Name
			}
			if name == bootCmdlineMember || name == "./"+bootCmdlineMember {
				continue
			}
			if err := fsys.unpack(name, &e); err != nil {
				bootFatal("boot module: " + name + ": " + err.Error())
			}
		}
		if r.Err() != "" {
			bootFatal("boot module: bad tar archive: " + r.Err())
		}
	}
	if cwd := runtime_bootCwd(); cwd != "" {
		if err := Chdir(cwd); err != nil {
			bootFatal("goxen.cwd=" + cwd + ": " + err.Error())
		}
	}
}

func bootFatal(msg string) {
	consoleWrite(2, []byte("goxen: "+msg+"\n"))
	Exit(2)
}

// unpack adds one archive member at path (relative to /), creating missing
// parent directories; a file already there is replaced.
func (fs *fileSystem) unpack(path string, e *xen.TarEntry) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	dir := fs.root
	for {
		name, rest := nextComponent(path)
		if name == "" {
			return nil // "/" or "./"
		}
		if !hasMoreComponents(rest) {
			return fs.unpackAt(dir, name, e)
		}
		path = rest
		if name == "." {
			continue
		}
		if name == ".." {
			return EINVAL
		}
		ent, ok := dir.entries[name]
		if !ok {
			d := fs.newDir(0755, dir)
			fs.link(dir, name, d)
			dir = d
			continue
		}
		if !ent.node.isDir() {
			return ENOTDIR
		}
		dir = ent.node
	}
}

func (fs *fileSystem) unpackAt(dir *inode, name string, e *xen.TarEntry) error {
	if name == "." || name == ".." {
		return EINVAL
	}
	perm := uint32(e.Mode) & 07777
	old, exists := dir.entries[name]
	if e.Type == xen.TarDir {
		if exists && old.node.isDir() {
			old.node.mode = S_IFDIR | perm
			return nil
		}
	}
	if exists {
		if old.node.isDir() {
			return EISDIR
		}
		fs.unlink(dir, name)
	}
	var n *inode
	switch e.Type {
	case xen.TarDir:
		n = fs.newDir(perm, dir)
	case xen.TarReg:
		n = fs.newNode(S_IFREG | perm)
		n.data = e.Data[:len(e.Data):len(e.Data)]
	case xen.TarSymlink:
		n = fs.newNode(S_IFLNK | 0777)
		n.target = e.Linkname
	case xen.TarLink:
		t, err := fs.resolve(fs.root, e.Linkname, false)
		if err != nil {
			return err
		}
		if t.isDir() {
			return EPERM
		}
		n = t
	default:
		return EINVAL
	}
	fs.link(dir, name, n)
	if e.Type != xen.TarLink {
		t := e.Mtime * 1e9
		n.atime, n.mtime = t, t
	}
	return nil
}
