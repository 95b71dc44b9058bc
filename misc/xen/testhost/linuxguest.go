// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// LinuxCmdline starts the command line of a Linux PVH guest on the test
// host. It keeps Linux from probing legacy ports (PIT calibration of the
// TSC, AGP aperture, 8250 UARTs): each port access is a slow VM exit under
// TCG, and Xen's SVM under QEMU TCG has been seen to triple-fault a guest
// (1 boot in 20) in the PIT calibration loop.
const LinuxCmdline = "console=hvc0 quiet clearcpuid=tsc lpj=5000000 pci=noearly 8250.nr_uarts=0"

// linuxGuestInit is the /init of LinuxGuest's guests.
const linuxGuestInit = `#!/bin/bash
# The init of a Linux PVH guest of the test host (testhost.LinuxGuest).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp /run
mount -t tmpfs tmpfs /tmp
for m in $(cat /xth-guest/modules/order); do
	insmod /xth-guest/modules/$m || echo "xth-guest: insmod $m failed"
done
# xl shutdown makes Linux run kernel.poweroff_cmd: that one sends main
# SIGTERM, as the toolstack's shutdown reaches a Go guest.
echo /xth-guest/poweroff >/proc/sys/kernel/poweroff_cmd
/xth-guest/main "$@" &
echo $! >/run/xth-main.pid
wait $!
rc=$?
echo "goxen: exit status $rc"
sync
busybox poweroff -f
`

// linuxGuestPoweroff is the guests' kernel.poweroff_cmd.
const linuxGuestPoweroff = `#!/bin/bash
kill -TERM "$(</run/xth-main.pid)"
`

// LinuxGuest makes a Linux PVH guest for the test host, for comparisons
// with Go guests on the same host: Debian's kernel (Host.GuestKernel) and
// an initramfs holding the test host's own dom0 root (bash, coreutils,
// busybox, curl, ...; Linux unpacks the two concatenated archives into one
// root), the frontend modules (loaded at boot), and main, a program of
// the build machine (a static linux/amd64 binary or a script), which /init
// runs with the words after "--" on the kernel command line as its
// arguments. When main returns, the guest prints the Go runtime's status
// line ("goxen: exit status N", for Result.ExitStatus) and powers off;
// xl shutdown sends main SIGTERM.
// Files maps more files of the build machine into the guest, by guest
// path. The initramfs goes into dir; the guest needs about 512 MiB of
// memory for its root (with 256 MiB Linux fails to unpack it: "Initramfs
// unpacking failed: write error", then no /init). Boot it with Cmdline LinuxCmdline + " -- ARGS".
func (h *Host) LinuxGuest(dir, main string, files map[string]string) (kernel, initrd string, err error) {
	initrd = filepath.Join(dir, "linux-guest.cpio")
	err = makeInitrd(initrd, h.Initrd, func(w io.Writer) error {
		cw := newCpioWriter(w)
		cw.File("init", 0o755, []byte(linuxGuestInit))
		cw.Dir("xth-guest", 0o755)
		cw.File("xth-guest/poweroff", 0o755, []byte(linuxGuestPoweroff))
		cw.Dir("xth-guest/modules", 0o755)
		if err := cw.CopyFile("xth-guest/main", 0o755, main); err != nil {
			return err
		}
		order, err := os.ReadFile(filepath.Join(h.GuestModules, "order"))
		if err != nil {
			return err
		}
		cw.File("xth-guest/modules/order", 0o644, order)
		for _, m := range strings.Fields(string(order)) {
			if err := cw.CopyFile("xth-guest/modules/"+m, 0o644, filepath.Join(h.GuestModules, m)); err != nil {
				return err
			}
		}
		for dst, src := range files {
			dst = strings.TrimPrefix(dst, "/")
			if dst == "" || strings.Contains(dst, "..") {
				return fmt.Errorf("testhost: LinuxGuest: bad guest path %q", dst)
			}
			if err := cw.CopyFile(dst, 0o755, src); err != nil {
				return err
			}
		}
		return cw.Close()
	})
	if err != nil {
		return "", "", fmt.Errorf("testhost: LinuxGuest: %v", err)
	}
	return h.GuestKernel, initrd, nil
}
