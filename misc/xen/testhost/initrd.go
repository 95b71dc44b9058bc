// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"crypto/sha256"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

//go:embed dom0/agent.sh
var agentScript string

//go:embed dom0/wait-console.sh
var waitConsoleScript string

//go:embed dom0/run-cmds.sh
var runCmdsScript string

//go:embed dom0/block.sh
var blockScript string

// maxInitrdFiles bounds what the cases may bring into dom0: dom0's root is
// a tmpfs of half its memory (about 450 MiB), and the root itself uses
// about 130 MiB of that.
const maxInitrdFiles = 280 << 20

// blobs assigns dom0 paths to the files of a run, storing each distinct
// content once (cases usually share their kernel and ramdisk).
type blobs struct {
	byHash map[[32]byte]string
	list   []blob
	size   int64
}

func (b *blobs) add(src string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", err
	}
	var sum [32]byte
	h.Sum(sum[:0])
	if dst, ok := b.byHash[sum]; ok {
		return dst, nil
	}
	if b.byHash == nil {
		b.byHash = map[[32]byte]string{}
	}
	dst := fmt.Sprintf("/xth/blobs/%d", len(b.list))
	b.byHash[sum] = dst
	b.list = append(b.list, blob{src, dst})
	b.size += n
	return dst, nil
}

type blob struct{ src, dst string }

// caseFiles are the dom0 paths of a case's kernel and ramdisk.
type caseFiles struct {
	kernel, ramdisk string
	tools           []string
}

// writeCases writes the run's part of the initrd: /xth with the agent, the
// cases and their files.
func writeCases(w io.Writer, cases []Case, base int) error {
	var bl blobs
	files := make([]caseFiles, len(cases))
	var disks int64
	for i, c := range cases {
		var err error
		if files[i].kernel, err = bl.add(c.Kernel); err != nil {
			return err
		}
		if c.Ramdisk != "" {
			if files[i].ramdisk, err = bl.add(c.Ramdisk); err != nil {
				return err
			}
		}
		for _, tool := range c.HostTools {
			dst, err := bl.add(tool)
			if err != nil {
				return err
			}
			files[i].tools = append(files[i].tools, dst)
		}
		for _, d := range c.Disks {
			if d.Image != "" {
				st, err := os.Stat(d.Image)
				if err != nil {
					return err
				}
				disks += st.Size()
			}
		}
	}
	if total := bl.size + disks; total > maxInitrdFiles {
		return fmt.Errorf("the cases' kernels, ramdisks and disk images take %d MiB, more than the %d MiB dom0's root has room for; split the run",
			total>>20, maxInitrdFiles>>20)
	}

	cw := newCpioWriter(w)
	cw.Dir("xth", 0o755)
	cw.Dir("xth/bin", 0o755)
	cw.File("xth/agent", 0o755, []byte(agentScript))
	cw.File("xth/bin/xth-wait-console", 0o755, []byte(waitConsoleScript))
	cw.File("xth/bin/xth-run-cmds", 0o755, []byte(runCmdsScript))
	cw.File("xth/bin/xth-block", 0o755, []byte(blockScript))
	cw.Dir("xth/files", 0o755)
	cw.Dir("xth/blobs", 0o755)
	for _, b := range bl.list {
		// Executable: a blob may be one of the cases' HostTools.
		if err := cw.CopyFile(strings.TrimPrefix(b.dst, "/"), 0o755, b.src); err != nil {
			return err
		}
	}
	cw.Dir("xth/cases", 0o755)
	for i, c := range cases {
		d := "xth/cases/" + caseDir(base+i)
		cw.Dir(d, 0o755)
		cw.File(d+"/vars.sh", 0o644, []byte(caseVars(base+i, c)))
		cw.File(d+"/xl.cfg", 0o644, []byte(xlConfig(base+i, c, files[i])))
		cw.Dir(d+"/bin", 0o755)
		for k, tool := range c.HostTools {
			cw.Symlink(d+"/bin/"+filepath.Base(tool), files[i].tools[k])
		}
		for k, disk := range c.Disks {
			if disk.Image != "" {
				if err := cw.CopyFile(d+"/"+diskFile(k), 0o644, disk.Image); err != nil {
					return err
				}
			}
		}
		for k, cmd := range c.HostCommands {
			cw.File(fmt.Sprintf("%s/during-%d.sh", d, k+1), 0o644, []byte(cmd+"\n"))
		}
		for k, cmd := range c.BeforeCommands {
			cw.File(fmt.Sprintf("%s/before-%d.sh", d, k+1), 0o644, []byte(cmd+"\n"))
		}
		for k, cmd := range c.AfterCommands {
			cw.File(fmt.Sprintf("%s/after-%d.sh", d, k+1), 0o644, []byte(cmd+"\n"))
		}
	}
	return cw.Close()
}

// writeFiles writes an initrd part with files under /xth/files (for Shell).
func writeFiles(w io.Writer, files []string) error {
	cw := newCpioWriter(w)
	cw.Dir("xth", 0o755)
	cw.Dir("xth/bin", 0o755)
	cw.File("xth/bin/xth-wait-console", 0o755, []byte(waitConsoleScript))
	cw.Dir("xth/files", 0o755)
	for _, f := range files {
		if err := cw.CopyFile("xth/files/"+filepath.Base(f), 0o755, f); err != nil {
			return err
		}
	}
	return cw.Close()
}

// makeInitrd writes dom0's initrd: the cached root followed by a second
// (uncompressed) cpio archive. Linux unpacks concatenated archives; each
// must start at a 4-byte aligned offset, zero padding between is skipped.
func makeInitrd(dst, root string, part func(io.Writer) error) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	in, err := os.Open(root)
	if err != nil {
		out.Close()
		return err
	}
	n, err := io.Copy(out, in)
	in.Close()
	if err == nil {
		if r := n % 512; r != 0 {
			_, err = out.Write(make([]byte, 512-r))
		}
	}
	if err == nil {
		err = part(out)
	}
	if err2 := out.Close(); err == nil {
		err = err2
	}
	return err
}
