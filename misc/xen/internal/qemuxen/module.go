// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Boot module 0 of the guest is a tar archive that the runtime unpacks into
// its file system before main (src/syscall/bootfs_xen.go). Its member
// .goxen-cmdline, if any, continues the command line (goxen.cmdline=module)
// and is not unpacked. A plain-text module would do for the command line
// too, but the runtime tells the two apart by the "ustar" magic at byte 257,
// which a text could hold by chance: an archive is never ambiguous.

// CmdlineMember is the archive member that continues the command line.
const CmdlineMember = ".goxen-cmdline"

// MaxWorkFiles bounds the files a test binary gets of its working
// directory: they live in the domain's memory.
const MaxWorkFiles = 64 << 20

// WorkFiles lists what a test binary gets of its working directory dir (cmd/go
// runs a test in its package's directory): the regular files and symbolic
// links in dir itself and the whole testdata tree below it, as cmd/go's own
// notion of a package's test files (and, for a package of a GOROOT, that
// GOROOT's time zone database and src/testdata). Other subdirectories are
// other packages: they are there, but empty, so that listing dir shows
// them. It returns absolute paths (directories included, parents before
// children) and the size of the files.
func WorkFiles(dir string) (paths []string, size int64, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, 0, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	paths = append(paths, dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0:
			if info, err := e.Info(); err == nil && e.Type().IsRegular() {
				size += info.Size()
			}
			paths = append(paths, p)
		case e.IsDir() && e.Name() == "testdata":
			err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() || d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0 {
					paths = append(paths, path)
				}
				if d.Type().IsRegular() {
					if info, err := d.Info(); err == nil {
						size += info.Size()
					}
				}
				return nil
			})
			if err != nil {
				return nil, 0, err
			}
		case e.IsDir():
			paths = append(paths, p)
		}
	}
	// A test of the standard library also reads files of its GOROOT: the
	// time zone database (time opens ../../lib/time/zoneinfo.zip), the
	// shared src/testdata (compress/flate opens ../../testdata/...) and
	// the testdata of the directories above the package's (compress/lzw
	// opens ../testdata/e.txt, image/gif ../testdata/...) and of those
	// below it (internal/trace globs internal/tracev1/testdata), and the
	// files of the packages above it (math/big/internal/asmgen compares
	// its output with ../../arith_*.s). js and wasip1 see the host's
	// files; the guest gets these.
	for d := filepath.Dir(dir); d != filepath.Dir(d); d = filepath.Dir(d) {
		if !strings.HasPrefix(dir, filepath.Join(d, "src")+string(filepath.Separator)) {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "VERSION")); err != nil {
			continue
		}
		extras := []string{filepath.Join(d, "lib", "time", "zoneinfo.zip"), filepath.Join(d, "src", "testdata")}
		for a := filepath.Dir(dir); strings.HasPrefix(a, filepath.Join(d, "src")+string(filepath.Separator)); a = filepath.Dir(a) {
			extras = append(extras, filepath.Join(a, "testdata"))
			files, err := os.ReadDir(a)
			if err != nil {
				return nil, 0, err
			}
			for _, f := range files {
				if f.Type().IsRegular() {
					extras = append(extras, filepath.Join(a, f.Name()))
				}
			}
		}
		for _, e := range entries {
			if !e.IsDir() || e.Name() == "testdata" {
				continue
			}
			filepath.WalkDir(filepath.Join(dir, e.Name()), func(path string, d fs.DirEntry, err error) error {
				if err == nil && d.IsDir() && d.Name() == "testdata" {
					extras = append(extras, path)
					return fs.SkipDir
				}
				return nil
			})
		}
		for _, extra := range extras {
			err := filepath.WalkDir(extra, func(path string, e fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if e.IsDir() || e.Type().IsRegular() {
					paths = append(paths, path)
				}
				if e.Type().IsRegular() {
					if info, err := e.Info(); err == nil {
						size += info.Size()
					}
				}
				return nil
			})
			if err != nil && !os.IsNotExist(err) {
				return nil, 0, err
			}
		}
		break
	}
	return paths, size, nil
}

// WriteModule writes boot module 0 to w: the command line's continuation
// cont (if not nil) and the files at paths (absolute; directories, regular
// files and symbolic links), which the guest gets at the same paths.
func WriteModule(w io.Writer, cont []byte, paths []string) error {
	tw := tar.NewWriter(w)
	if cont != nil {
		err := tw.WriteHeader(&tar.Header{
			Typeflag: tar.TypeReg,
			Name:     CmdlineMember,
			Mode:     0o444,
			Size:     int64(len(cont)),
			ModTime:  time.Unix(0, 0),
			Format:   tar.FormatUSTAR,
		})
		if err != nil {
			return err
		}
		if _, err := tw.Write(cont); err != nil {
			return err
		}
	}
	for _, p := range paths {
		if err := addFile(tw, p); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, path string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	link := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	}
	h, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	// Names relative to /; no owners (the guest has none) and no times
	// beyond the modification time.
	h.Name = strings.TrimPrefix(filepath.ToSlash(path), "/")
	if info.IsDir() {
		h.Name += "/"
	}
	h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
	h.AccessTime, h.ChangeTime = time.Time{}, time.Time{}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if n, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	} else if n != info.Size() {
		return fmt.Errorf("%s: changed size while being read", path)
	}
	return nil
}
