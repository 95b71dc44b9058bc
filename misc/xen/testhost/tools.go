// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"goforxen.dev/misc/xen/internal/qemu"
)

type hostTool struct{ cmd, pkg string }

var buildTools = []hostTool{
	{"debootstrap", "debootstrap"},
	{"depmod", "kmod"},
	{"xz", "xz-utils"},
	{"dpkg-deb", "dpkg"},
	{"chroot", "coreutils"},
	{"qemu-system-x86_64", "qemu-system-x86"},
}

var runTools = []hostTool{
	{"qemu-system-x86_64", "qemu-system-x86"},
}

// hostPackages makes sure the build machine has the tools, installing
// missing packages with apt-get when it may.
func (b *builder) hostPackages(ctx context.Context, tools []hostTool) error {
	var missing []string
	for _, t := range tools {
		if _, err := lookPath(t.cmd); err != nil && !contains(missing, t.pkg) {
			missing = append(missing, t.pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if b.cfg.NoInstall || os.Geteuid() != 0 {
		return fmt.Errorf("testhost: the build machine lacks package(s) %s; install them with: apt-get install --no-install-recommends %s",
			strings.Join(missing, ", "), strings.Join(missing, " "))
	}
	b.logf("installing %s with apt-get", strings.Join(missing, " "))
	args := append([]string{"install", "-y", "--no-install-recommends"}, missing...)
	out, err := b.cmdOutput(ctx, "", "apt-get", args...)
	if err != nil {
		if out2, err2 := b.cmdOutput(ctx, "", "apt-get", "update"); err2 != nil {
			return &StepError{Step: "build machine packages", Cmd: "apt-get update", Err: err2, Tail: tail(out2, 20)}
		}
		out, err = b.cmdOutput(ctx, "", "apt-get", args...)
	}
	if err != nil {
		return &StepError{Step: "build machine packages", Cmd: "apt-get " + strings.Join(args, " "), Err: fmt.Errorf("%v (could not install %s)", err, strings.Join(missing, ", ")), Tail: tail(out, 20)}
	}
	for _, t := range tools {
		if _, err := lookPath(t.cmd); err != nil {
			return fmt.Errorf("testhost: %s still missing after installing package %s", t.cmd, t.pkg)
		}
	}
	return nil
}

// lookPath finds a command in PATH or the sbin directories.
func lookPath(cmd string) (string, error) { return qemu.LookPath(cmd) }

// cmdOutput runs a command, returning its combined output; the output also
// goes to the build log.
func (b *builder) cmdOutput(ctx context.Context, dir string, name string, args ...string) ([]byte, error) {
	path, err := lookPath(name)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"LC_ALL=C", "DEBIAN_FRONTEND=noninteractive")
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(&buf, b.log)
	cmd.Stderr = cmd.Stdout
	cmd.Stdin = nil
	err = cmd.Run()
	return buf.Bytes(), err
}

// tail returns the last n lines of out.
func tail(out []byte, n int) string {
	s := strings.TrimRight(string(out), "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
