// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package testhost is Go for Xen's level-2 test host: Xen 4.17 with a Linux
// dom0 that has the real toolstack (xl, xenstored, xenconsoled), netback,
// blkback and a bridge, booted under QEMU TCG, on which test programs run
// as PVH domUs with a console, a vif and a disk. Everything comes from
// Debian 12 packages; no Xen or Linux is built here.
//
// # Using it
//
// Tests declare cases and get results:
//
//	results, err := testhost.Run(ctx, testhost.Config{}, []testhost.Case{{
//		Name:    "hello",
//		Kernel:  "hello.xen", // GOOS=xen go build -o hello.xen
//		Cmdline: "-v",
//		VIF:     true,        // 10.0.0.2 by DHCP; dom0 is 10.0.0.1
//		HostCommands: []string{`xth-wait-console "listening" 60 && curl -s http://$GUEST_IP:8080/`},
//		Timeout: time.Minute,
//	}})
//	// results[0].ExitStatus, .Console, .ShutdownReason, .HostOutputs ...
//
// A case can also bring dom0 tools of its own (HostTools: static
// linux/amd64 programs, put on the host commands' PATH), run commands
// before the domain starts (BeforeCommands: it is created paused, e.g. to
// write xenstore keys the guest reads at boot) and after it has stopped
// (AfterCommands).
//
// Disks (Disk, Disks) are files in dom0's RAM, attached through a loop
// device and blkback by a hotplug script of our own (dom0/block.sh, a few
// forks where Xen's block script makes hundreds); a disk can be Shared by
// name between the cases of a run (write in one guest, read in the next).
// LinuxGuest makes a Linux PVH domU (Debian's kernel over dom0's own root)
// for comparisons with Go guests on the same host.
//
// Run boots the test host once for all cases, runs them one after another
// (each case gets a fresh domain; a case that hangs is destroyed at its
// timeout and the next one runs), powers off and returns one Result per
// case. A Result carries the console, the shutdown reason (poweroff,
// crash, reboot, ...), the Go runtime's final status line ("goxen: exit
// status N" or "goxen: crashed") with the status parsed from it, the
// outputs of the dom0 commands, and timings. Build, called by Run, builds
// the test host or finds it in the cache. The command xentesthost
// (misc/xen/cmd/xentesthost) wraps both for use by hand.
//
// # Building (Build)
//
// The build runs on a Debian 12 machine, as root, in steps, each reported
// by name if it fails, with the tail of its output:
//
//   - the build machine's tools (debootstrap, kmod, xz-utils,
//     qemu-system-x86) are installed with apt-get if missing;
//   - apt-get download fetches xen-hypervisor-4.17-amd64 and the kernel
//     package linux-image-amd64 points to, at the versions in the cache
//     key; /boot/xen-4.17-amd64.gz is gunzipped (QEMU's multiboot loader
//     wants the ELF);
//   - the kernel package is unpacked with dpkg-deb -x; its vmlinuz is kept,
//     and its ELF payload (unpacked with xz) gzip'd as vmlinux.gz, which
//     boots faster under TCG than the xz bzImage, as dom0 and as a Linux
//     domU;
//   - debootstrap --variant=minbase bookworm makes the root, apt-get in a
//     chroot adds xen-utils-4.17, xen-utils-common, xenstore-utils,
//     iproute2, bridge-utils, busybox, procps, kmod, curl, iputils-ping,
//     dosfstools, mtools, dnsmasq-base, wrk, iperf3, and libvirt-daemon,
//     libvirt-daemon-driver-xen and libvirt-clients (libvirtd is started
//     only by the cases that use it) (--no-install-recommends), with the same
//     suites as the build machine (bookworm, -updates, -security) so that
//     tools and hypervisor match;
//   - the modules dom0 needs (Xen backends, bridge, loop, tun, virtio),
//     with their dependencies from modules.dep, go into the root, and our
//     /init (dom0/init.sh); documentation, locales, python, perl, apt and
//     udev's hardware database are removed (the root is about 100 MiB);
//   - the root is packed as a gzip'd cpio archive (our own newc writer).
//
// The result is cached in $XDG_CACHE_HOME/goforxen/testhost/KEY (default
// ~/.cache/goforxen/testhost/KEY). KEY is a hash of the inputs: the
// candidate versions of every package above (apt-cache policy, or the
// build machine's dpkg database for debootstrap), the mirrors and suites,
// the init script, the module, package and trim lists, and BuilderVersion.
// A changed input gives a new key and a new build; the apt-cache answers
// are themselves remembered until apt's lists change, so that finding a
// cached host takes about a millisecond. A build works in KEY.tmpNNN and
// renames its finished output to KEY in one step, with host.json written
// before the rename: an interrupted or failed build never leaves anything
// that looks complete, and its leftovers are removed by the next build. A
// lock file serializes builds of the same key. Prune removes other keys.
//
// # Booting
//
// QEMU runs with -accel tcg -cpu max,-xsave -m 2048 -smp 2 (KVM on these
// machines cannot run Xen; no XSAVE: see "When the emulator fails") and boots Xen with console=com1 dom0_mem=1024M,max:1024M
// dom0_max_vcpus=2 smap=0 smep=0 (smap=0: dom0 otherwise crashes at hand
// over; misc/xen/README.md, "Three traps"). Dom0 is a PV dom0 running Debian's
// kernel. Its /init mounts the usual file systems, makes /dev/fd and
// /dev/stdin (trap 2: the block hotplug script hangs without them), loads
// the modules, mounts xenfs, starts xenstored, waits for it, runs
// xen-init-dom0, starts xenconsoled (logging each guest's console to
// /var/log/xen/console/guest-NAME.log), makes the bridge xenbr0 with
// 10.0.0.1/24 and fd00::1/64 (stp off, forward delay 0) and dnsmasq on it
// (DHCPv4: MAC 00:16:3e:00:00:NN gets 10.0.0.NN for NN from 2 to 99 and
// 200 to 253, other MACs one of 10.0.0.100-199, router and DNS server
// 10.0.0.1, domain test; DNS: dom0.test is 10.0.0.1 and fd00::1; IPv6
// router advertisements for fd00::/64; MAC 00:16:3e:00:00:fe gets no DHCP
// answer) and busybox httpd serving http://10.0.0.1:8000/hello.txt, prints
// "xth: ready" and
// runs the agent. The agent ends; init powers off with busybox poweroff
// -f; Xen enters ACPI S5 and QEMU exits.
//
// # Running cases
//
// For each case the agent (dom0/agent.sh) runs xl create -F on a
// configuration with type="pvh", vcpus=1, tsc_mode="native" (trap 3: PVH
// guests otherwise die on RDTSCP under TCG's SVM) and on_poweroff,
// on_reboot, on_crash and on_watchdog "preserve", so that the stopped
// domain stays for inspection. xl create -F returns when the domain shuts
// down and logs the shutdown reason code, which becomes
// Result.ShutdownReason. While it waits, the agent polls (every 50 ms) for
// the domain running (the end of domain building and device hotplug), for
// the first console output, and for the case's timeout. Host commands run
// in dom0 as bash scripts with a per-command timeout. Then it captures xl
// list, destroys every domain but dom0, and moves on.
//
// # Transport
//
// Into the VM: the cases travel in the initrd. QEMU's -initrd gives Xen two
// modules, the dom0 kernel and one initrd; the initrd is the cached root
// archive followed (at a 512-byte boundary) by a second, uncompressed cpio
// archive made for the run: the agent, and per case vars.sh (shell
// variables), xl.cfg, the host commands and the disk image; kernels and
// ramdisks are stored once by content in /xth/blobs. Linux unpacks
// concatenated archives into one rootfs. This needs no device, no network
// and nothing in dom0 but the initramfs it already has. The cost is RAM:
// dom0's rootfs is a tmpfs of half its memory, so Run refuses runs whose
// files exceed 280 MiB.
//
// Out of the VM: a raw virtio disk (virtio-blk-pci, serial "xthresults",
// a sparse file on the build machine). After booting and after each state
// change of a case the agent writes the whole /xth/results tree to it as a
// tar archive and syncs; Run reads the file with archive/tar once QEMU has
// exited. Virtio works under a PV dom0 (Linux's virtio uses the DMA API
// under Xen, which translates to machine addresses). This is exact for
// binary data and any size, unlike the serial console, where Xen drops
// characters when its transmit buffer fills and interleaves its own
// messages with dom0's. It also survives a dom0 that hangs mid-run: the
// cases finished so far are on the disk, and the case in progress is
// marked "started". The serial console still carries progress lines
// ("xth: case 2/5 NAME: poweroff in 9000 ms") for people and for
// Report.Ready, and everything else Xen and dom0 print (Config.Log,
// Report.Serial).
//
// # When the emulator fails
//
// QEMU 7.2's TCG running Xen is not flawless, and this package works
// around what was seen:
//
//   - A vCPU occasionally stops taking interrupts: the local APIC has the
//     timer vector pending (IRR) while the vCPU runs with interrupts
//     enabled, so Xen never preempts it and dom0 freezes. The run then
//     prints no progress; a watchdog kills QEMU after the longest case
//     budget, and RunReport boots the test host again (Config.Restarts,
//     default 1) and reruns the cases without results.
//   - Rarely a dom0 process dies of heap corruption ("corrupted
//     double-linked list", a few in thousands of processes, while guests
//     are being built) or ld.so's "Inconsistency detected"; the agent keeps
//     its own work small and reports a dead host command runner.
//   - With XSAVE in the CPU model, vector registers come back wrong now
//     and then after Xen switched vCPUs (XSAVE/XRSTOR under TCG): Go
//     programs in dom0 computed wrong SHA-256s of the same 16 MiB (14 in
//     72) or panicked with absurd slice bounds, 16 MiB transfers between
//     dom0 and a guest arrived corrupted past TCP's checksums (10 in 22),
//     and a Go domU took #UD on AVX2 instructions after finding AVX2
//     usable. The machine therefore has no XSAVE (-cpu max,-xsave; Xen
//     and its guests use FXSAVE and SSE): 0 wrong hashes in 88, 0 bad
//     transfers in 29.
//   - A Linux PVH guest that calibrates its TSC with the PIT (thousands of
//     port I/O exits) has triple-faulted with Xen's own state in its vCPU
//     (1 boot in 20); Linux test guests avoid it with clearcpuid=tsc.
//
// # Diagnostics
//
// When a case times out, the agent records xl list -v (Result.XLList),
// dom0's processes (Result.Processes) and the guest's registers and code
// bytes at RIP from xenctx (Result.VCPU); for a Go guest, go tool
// addr2line turns RIP into a function. Failed builds keep their work
// directory with BuildConfig.KeepWork; xentesthost shell gives a root
// shell in dom0 with files of one's choosing in /xth/files.
//
// # Figures
//
// Measured on the 2-core build machine under TCG while other builds ran
// (times vary by a factor of 2 to 3 with the load): a cold build takes 40
// to 90 s (debootstrap 23 to 54 s of it, apt-get in the root 6 to 20 s,
// the kernel 4 to 6 s, packing 1 to 2 s); a cached one about a
// millisecond. The root is 74 MiB of files, 36 MiB packed. QEMU start to
// "ready" takes 10 s on a quiet machine and 18 to 40 s on a busy one (Xen 2
// s, dom0 kernel and initramfs 6 to 12 s, modules and daemons 2 to 5 s);
// power-off under 1 s. A small Go guest (hello world, 64 MiB, no devices)
// is running 0.3 to 3 s after xl create starts, prints within 0.1 s and is
// destroyed in 0.5 s: a whole case costs 1.3 s on a quiet machine, 13 s
// from QEMU start to exit for a one-case run. With a vif or a disk, xl
// create takes 4 to 13 s (the hotplug scripts, which fork a lot, and
// forking is slow in a PV dom0 under TCG) and teardown 2 to 5 s. Dom0 has
// 912 MiB, of which about 770 MiB are available after boot; the root uses
// about 100 MiB of it.
package testhost
