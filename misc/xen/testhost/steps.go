// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runFunc runs a command of a build step in a directory ("": the current
// one).
type runFunc func(dir, name string, args ...string) error

func (b *builder) step(ctx context.Context, name string, f func(run runFunc) error) error {
	b.logf("step %s", name)
	t0 := time.Now()
	if err := ctx.Err(); err != nil {
		return &StepError{Step: name, Err: err}
	}
	var outputs bytes.Buffer
	run := func(dir, cmd string, args ...string) error {
		out, err := b.cmdOutput(ctx, dir, cmd, args...)
		outputs.Write(out)
		if err != nil {
			return &StepError{Step: name, Cmd: cmd + " " + strings.Join(args, " "), Err: err, Tail: tail(outputs.Bytes(), 30)}
		}
		return nil
	}
	if err := f(run); err != nil {
		var se *StepError
		if errors.As(err, &se) {
			return err
		}
		return &StepError{Step: name, Err: err, Tail: tail(outputs.Bytes(), 30)}
	}
	b.logf("step %s done in %v", name, time.Since(t0).Round(time.Millisecond))
	return nil
}

func (b *builder) build(ctx context.Context, in *inputs, work string) (*Host, error) {
	out := filepath.Join(work, "out")
	debs := filepath.Join(work, "debs")
	kdir := filepath.Join(work, "kernel")
	root := filepath.Join(work, "root")
	for _, d := range []string{out, debs, kdir, filepath.Join(out, "guest", "modules")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	h := &Host{Key: in.key, Inputs: in.text}

	// 1. The hypervisor and the kernel packages, at the versions in the key.
	err := b.step(ctx, "download packages", func(run runFunc) error {
		return run(debs, "apt-get", "download", "-o", "APT::Sandbox::User=root",
			hypervisorPackage+"="+in.versions[hypervisorPackage],
			in.kernelPackage+"="+in.versions[in.kernelPackage])
	})
	if err != nil {
		return nil, err
	}

	// 2. Xen: QEMU's multiboot loader wants the ELF, not the .gz.
	err = b.step(ctx, "hypervisor", func(run runFunc) error {
		deb, err := onlyGlob(filepath.Join(debs, hypervisorPackage+"_*.deb"))
		if err != nil {
			return err
		}
		x := filepath.Join(work, "xenpkg")
		if err := run("", "dpkg-deb", "-x", deb, x); err != nil {
			return err
		}
		gz, err := onlyGlob(filepath.Join(x, "boot", "xen-*-amd64.gz"))
		if err != nil {
			return err
		}
		return gunzipFile(gz, filepath.Join(out, "xen"))
	})
	if err != nil {
		return nil, err
	}

	// 3. The kernel: vmlinuz for dom0, vmlinux.gz and frontends for domUs.
	var kver string
	err = b.step(ctx, "kernel", func(run runFunc) error {
		deb, err := onlyGlob(filepath.Join(debs, in.kernelPackage+"_*.deb"))
		if err != nil {
			return err
		}
		if err := run("", "dpkg-deb", "-x", deb, kdir); err != nil {
			return err
		}
		vmlinuz, err := onlyGlob(filepath.Join(kdir, "boot", "vmlinuz-*"))
		if err != nil {
			return err
		}
		kver = strings.TrimPrefix(filepath.Base(vmlinuz), "vmlinuz-")
		if err := copyFile(vmlinuz, filepath.Join(out, "vmlinuz"), 0o644); err != nil {
			return err
		}
		if err := run("", "depmod", "-b", kdir, kver); err != nil {
			return err
		}
		if err := guestKernel(ctx, vmlinuz, filepath.Join(out, "guest", "vmlinux.gz")); err != nil {
			return err
		}
		mods, err := moduleClosure(filepath.Join(kdir, "lib", "modules", kver), guestModules)
		if err != nil {
			return err
		}
		var order strings.Builder
		for _, m := range mods {
			if err := copyFile(filepath.Join(kdir, "lib", "modules", kver, m), filepath.Join(out, "guest", "modules", filepath.Base(m)), 0o644); err != nil {
				return err
			}
			fmt.Fprintln(&order, filepath.Base(m))
		}
		return os.WriteFile(filepath.Join(out, "guest", "modules", "order"), []byte(order.String()), 0o644)
	})
	if err != nil {
		return nil, err
	}
	h.KernelVersion = kver

	// 4. The root.
	err = b.step(ctx, "debootstrap", func(run runFunc) error {
		return run("", "debootstrap", "--variant=minbase", "--components=main", "bookworm", root, in.mirror)
	})
	if err != nil {
		return nil, err
	}
	err = b.step(ctx, "root packages", func(run runFunc) error {
		var sl strings.Builder
		for _, s := range in.suites {
			fmt.Fprintf(&sl, "deb %s %s main\n", in.mirror, s)
		}
		if in.securityMirror != "" {
			fmt.Fprintf(&sl, "deb %s bookworm-security main\n", in.securityMirror)
		}
		if err := os.WriteFile(filepath.Join(root, "etc/apt/sources.list"), []byte(sl.String()), 0o644); err != nil {
			return err
		}
		// Keep package scripts from starting services in the chroot.
		if err := os.WriteFile(filepath.Join(root, "usr/sbin/policy-rc.d"), []byte("#!/bin/sh\nexit 101\n"), 0o755); err != nil {
			return err
		}
		if err := run("", "chroot", root, "apt-get", "update"); err != nil {
			return err
		}
		args := []string{root, "apt-get", "install", "-y", "--no-install-recommends"}
		for _, p := range rootPackages {
			args = append(args, p+"="+in.versions[p])
		}
		if err := run("", "chroot", args...); err != nil {
			if se, ok := err.(*StepError); ok {
				se.Err = fmt.Errorf("%v (the versions come from the build machine's apt lists; if the mirror has moved on, run apt-get update)", se.Err)
			}
			return err
		}
		return run("", "chroot", root, "apt-get", "clean")
	})
	if err != nil {
		return nil, err
	}

	// 5. Dom0's modules, our /init, and trimming.
	err = b.step(ctx, "configure root", func(run runFunc) error {
		src := filepath.Join(kdir, "lib", "modules", kver)
		dst := filepath.Join(root, "lib", "modules", kver)
		mods, err := moduleClosure(src, dom0Modules)
		if err != nil {
			return err
		}
		for _, m := range mods {
			if err := copyFile(filepath.Join(src, m), filepath.Join(dst, m), 0o644); err != nil {
				return err
			}
		}
		for _, f := range []string{"modules.order", "modules.builtin", "modules.builtin.modinfo"} {
			if err := copyFile(filepath.Join(src, f), filepath.Join(dst, f), 0o644); err != nil {
				return err
			}
		}
		if err := run("", "depmod", "-b", root, kver); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(root, "init"), []byte(initScript), 0o755); err != nil {
			return err
		}
		for _, p := range trimPaths {
			if dir, ok := strings.CutSuffix(p, "/*"); ok {
				ents, _ := os.ReadDir(filepath.Join(root, dir))
				for _, e := range ents {
					if err := os.RemoveAll(filepath.Join(root, dir, e.Name())); err != nil {
						return err
					}
				}
				continue
			}
			matches, _ := filepath.Glob(filepath.Join(root, p))
			for _, m := range matches {
				if err := os.RemoveAll(m); err != nil {
					return err
				}
			}
		}
		// The tools the init script needs must all be there.
		for _, t := range []string{"usr/lib/xen-4.17/bin/xl", "usr/lib/xen-4.17/bin/xenstored",
			"usr/lib/xen-4.17/bin/xenconsoled", "usr/lib/xen-4.17/bin/xen-init-dom0",
			"usr/bin/xenstore-read", "bin/busybox", "sbin/modprobe", "sbin/ip", "usr/bin/timeout",
			"bin/bash", "bin/tar"} {
			if _, err := os.Lstat(filepath.Join(root, t)); err != nil {
				return fmt.Errorf("the root lacks /%s", t)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// 6. Pack.
	err = b.step(ctx, "pack initramfs", func(run runFunc) error {
		n, err := packRoot(root, filepath.Join(out, "dom0.cpio.gz"))
		h.RootBytes = n
		return err
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

func onlyGlob(pattern string) (string, error) {
	m, err := filepath.Glob(pattern)
	if err != nil {
		return "", err
	}
	if len(m) != 1 {
		return "", fmt.Errorf("expected one file matching %s, found %d", pattern, len(m))
	}
	return m[0], nil
}

func copyFile(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func gunzipFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return fmt.Errorf("%s: %v", src, err)
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return fmt.Errorf("%s: %v", src, err)
	}
	return out.Close()
}

// packRoot writes the root as a gzip'd newc cpio archive and returns the
// number of bytes of file contents.
func packRoot(root, dst string) (int64, error) {
	f, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	cw := newCpioWriter(zw)
	var total int64
	err = cw.AddTree(root, "", func(rel string, d fs.DirEntry) bool {
		// Mount points are packed empty; devtmpfs provides /dev.
		for _, p := range []string{"dev/", "proc/", "sys/", "run/", "tmp/"} {
			if strings.HasPrefix(rel, p) {
				return true
			}
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return false
	})
	if err != nil {
		return 0, err
	}
	if err := cw.Close(); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return total, f.Close()
}
