// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Disk is a PV disk for a case's guest. Its backend is a file in dom0 (on a
// loop device through blkback), which lives in dom0's RAM.
type Disk struct {
	// Image is a raw disk image on the build machine, copied into dom0.
	Image string
	// SizeMiB, without Image, makes an empty (zero) image of this size in
	// dom0.
	SizeMiB int
	// Vdev is the guest's device name. Default "xvda".
	Vdev string
	// ReadOnly attaches the disk read-only.
	ReadOnly bool
	// Return brings the image back after the case (Result.DiskImage).
	Return bool
	// Shared names a disk image in dom0 that outlives the case: later
	// cases of the run with the same Shared name get the same file (to
	// read back in a second guest what a first one wrote, or to compare
	// two guests on one file). The first case to use it creates it from
	// Image, or empty of SizeMiB.
	Shared string
}

// Case is one guest run on the test host.
type Case struct {
	// Name identifies the case in results and logs. Default "case-N".
	Name string
	// Kernel is the guest image on the build machine: an ELF with a PVH
	// entry point (optionally gzip'd), e.g. a GOOS=xen program.
	Kernel string
	// Ramdisk, if set, is passed as the guest's first module (xl ramdisk=).
	Ramdisk string
	// MemoryMiB is the guest's memory. Default 64.
	MemoryMiB int
	// Cmdline is the guest command line (xl extra=).
	Cmdline string
	// VIF gives the guest a network interface on dom0's bridge xenbr0
	// (dom0 is 10.0.0.1/24 and serves DHCP).
	VIF bool
	// MAC is the vif's MAC address. Default 00:16:3e:00:00:02. DHCP in
	// dom0 gives 00:16:3e:00:00:NN the address 10.0.0.NN (NN hexadecimal
	// in the MAC, decimal in the address, 2 to 99 and 200 to 253; other
	// MACs get one of 10.0.0.100-199); 00:16:3e:00:00:fe gets no answer.
	// See Result.GuestIP.
	MAC string
	// Disk, if set, gives the guest a PV disk.
	Disk *Disk
	// Disks are more PV disks, after Disk. Their default Vdevs follow
	// Disk's by position (xvdb, xvdc, ...); host commands find their
	// images as DISK2, DISK3, ...
	Disks []Disk
	// BeforeCommands are bash command strings run in dom0 after xl
	// create has built the domain and before it starts (it is created
	// paused and unpaused after them): to write xenstore keys the guest
	// finds at boot, for example. Same environment as HostCommands.
	BeforeCommands []string
	// HostCommands are bash command strings run in dom0, one after
	// another, as soon as the domain runs (while the guest runs). Their
	// environment has DOMNAME, DOMID, GUEST_IP, GUEST_MAC, CONSOLE (the
	// guest's console log file), DISK (the disk image) and OUT (a
	// directory whose files come back in Result.Files), and PATH has
	// xth-wait-console TEXT [SECONDS], which waits until the console shows
	// TEXT.
	HostCommands []string
	// HostTools are files on the build machine, typically static
	// linux/amd64 programs the host commands run against the guest, put
	// into a directory on the host commands' PATH under their base names.
	HostTools []string
	// AfterCommands run in dom0 after the guest has shut down (or timed
	// out), before the domain is destroyed; same environment.
	AfterCommands []string
	// ShutdownAfterCommands asks the guest to shut down (xl shutdown) once
	// HostCommands have finished.
	ShutdownAfterCommands bool
	// CommandTimeout limits each host command. Default 60 s.
	CommandTimeout time.Duration
	// Timeout limits the guest's run, from the domain's start (after xl
	// create has built it and attached its devices) to its shutdown.
	// Default 60 s.
	Timeout time.Duration
	// CreateTimeout limits xl create, until the domain runs. Default 2
	// minutes (creation takes a few seconds under TCG, device hotplug
	// scripts several more; see the package documentation).
	CreateTimeout time.Duration
	// XLConfig holds extra lines for the xl domain configuration.
	XLConfig []string

	// LiveOutput, if set, receives the guest's console while the guest
	// runs: each byte once, in order, complete (what dom0 streamed, then
	// at the end whatever the stream missed of the console log). At most
	// one case of a run may be live (LiveOutput or LiveInput), and a run
	// with one is not booted again after a test host failure (Restarts).
	LiveOutput io.Writer
	// LiveInput, if set, is the guest's console input: its bytes reach the
	// domain's console ring in order, as fast as the guest takes them
	// (through xenconsoled's pty for the domain). Its end is not passed on:
	// a GOOS=xen guest needs an EOT (^D) to see end of file.
	LiveInput io.Reader
}

const defaultMAC = "00:16:3e:00:00:02"

var macRE = regexp.MustCompile(`^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$`)

// normalize fills in defaults and checks a case.
func normalize(i int, c Case) (Case, error) {
	if c.Name == "" {
		c.Name = fmt.Sprintf("case-%d", i+1)
	}
	if c.Kernel == "" {
		return c, fmt.Errorf("testhost: case %s: no Kernel", c.Name)
	}
	seen := map[string]bool{}
	for _, tool := range c.HostTools {
		if b := filepath.Base(tool); seen[b] {
			return c, fmt.Errorf("testhost: case %s: two HostTools named %s", c.Name, b)
		} else {
			seen[b] = true
		}
	}
	for _, f := range append([]string{c.Kernel, c.Ramdisk}, c.HostTools...) {
		if f == "" {
			continue
		}
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() {
			return c, fmt.Errorf("testhost: case %s: %s is not a readable file", c.Name, f)
		}
	}
	if c.MemoryMiB == 0 {
		c.MemoryMiB = 64
	}
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	if c.CreateTimeout == 0 {
		c.CreateTimeout = 2 * time.Minute
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = 60 * time.Second
	}
	if c.MAC == "" {
		c.MAC = defaultMAC
	}
	if !macRE.MatchString(c.MAC) {
		return c, fmt.Errorf("testhost: case %s: bad MAC %q", c.Name, c.MAC)
	}
	c.MAC = strings.ToLower(c.MAC)
	// All disks in c.Disks, Disk first.
	var disks []Disk
	if c.Disk != nil {
		disks = append(disks, *c.Disk)
	}
	disks = append(disks, c.Disks...)
	for k := range disks {
		d := &disks[k]
		if d.Vdev == "" {
			d.Vdev = "xvd" + string(rune('a'+k))
		}
		if d.Image == "" && d.SizeMiB <= 0 && d.Shared == "" {
			return c, fmt.Errorf("testhost: case %s: a Disk needs Image or SizeMiB", c.Name)
		}
		if d.Shared != "" && !sharedRE.MatchString(d.Shared) {
			return c, fmt.Errorf("testhost: case %s: bad Shared disk name %q", c.Name, d.Shared)
		}
		if d.Image != "" {
			if st, err := os.Stat(d.Image); err != nil || !st.Mode().IsRegular() {
				return c, fmt.Errorf("testhost: case %s: disk image %s is not a readable file", c.Name, d.Image)
			}
		}
	}
	c.Disk, c.Disks = nil, disks
	if len(disks) > 0 {
		c.Disk = &c.Disks[0]
	}
	if strings.ContainsAny(c.Cmdline, "\n\x00") {
		return c, fmt.Errorf("testhost: case %s: newline or NUL in the command line", c.Name)
	}
	return c, nil
}

// live reports whether the case streams its console.
func (c *Case) live() bool { return c.LiveOutput != nil || c.LiveInput != nil }

// caseBudget is the longest a case may take in dom0: its limits, plus
// slack for destroying the domain and saving results.
func caseBudget(c Case) time.Duration {
	return c.CreateTimeout + c.Timeout + 90*time.Second +
		time.Duration(len(c.HostCommands)+len(c.AfterCommands))*(c.CommandTimeout+5*time.Second)
}

// guestIP returns the address dom0's DHCP server gives mac, if fixed.
func guestIP(mac string) string {
	var n int
	if _, err := fmt.Sscanf(mac, "00:16:3e:00:00:%02x", &n); err == nil && n >= 2 && n <= 253 && (n < 100 || n > 199) {
		return fmt.Sprintf("10.0.0.%d", n)
	}
	return ""
}

// shellQuote quotes s for the shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// xlQuote quotes s as an xl configuration string.
func xlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func caseDir(i int) string { return fmt.Sprintf("%03d", i+1) }

func domName(i int) string { return "xth-" + caseDir(i) }

// xlConfig is the domain configuration of case i.
func xlConfig(i int, c Case, f caseFiles) string {
	dir := "/xth/cases/" + caseDir(i)
	var b strings.Builder
	fmt.Fprintf(&b, "name = %s\n", xlQuote(domName(i)))
	b.WriteString("type = \"pvh\"\n")
	fmt.Fprintf(&b, "kernel = %s\n", xlQuote(f.kernel))
	if f.ramdisk != "" {
		fmt.Fprintf(&b, "ramdisk = %s\n", xlQuote(f.ramdisk))
	}
	fmt.Fprintf(&b, "memory = %d\n", c.MemoryMiB)
	b.WriteString("vcpus = 1\n")
	// RDTSCP faults under TCG's SVM (misc/xen/README.md, "Three traps").
	b.WriteString("tsc_mode = \"native\"\n")
	// Keep the stopped domain so that its shutdown reason can be read.
	for _, ev := range []string{"on_poweroff", "on_reboot", "on_crash", "on_watchdog"} {
		fmt.Fprintf(&b, "%s = \"preserve\"\n", ev)
	}
	if c.Cmdline != "" {
		fmt.Fprintf(&b, "extra = %s\n", xlQuote(c.Cmdline))
	}
	if c.VIF {
		fmt.Fprintf(&b, "vif = [ %s ]\n", xlQuote("bridge=xenbr0,mac="+c.MAC))
	}
	if len(c.Disks) > 0 {
		var specs []string
		for k, d := range c.Disks {
			access := "rw"
			if d.ReadOnly {
				access = "ro"
			}
			target := dir + "/" + diskFile(k)
			if d.Shared != "" {
				target = sharedDisk(d.Shared)
			}
			specs = append(specs, xlQuote(fmt.Sprintf("format=raw,vdev=%s,access=%s,script=/xth/bin/xth-block,target=%s", d.Vdev, access, target)))
		}
		fmt.Fprintf(&b, "disk = [ %s ]\n", strings.Join(specs, ", "))
	}
	for _, l := range c.XLConfig {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// caseVars is the case's vars.sh, read by agent.sh.
func caseVars(i int, c Case) string {
	var b strings.Builder
	v := func(k string, val any) { fmt.Fprintf(&b, "%s=%s\n", k, shellQuote(fmt.Sprint(val))) }
	v("NAME", domName(i))
	v("CASE_NAME", c.Name)
	v("TIMEOUT_US", c.Timeout.Microseconds())
	v("CREATE_TIMEOUT_US", c.CreateTimeout.Microseconds())
	v("CMD_TIMEOUT_S", max(1, int(c.CommandTimeout.Seconds())))
	// One "FILE MODE SIZE_MIB RETURN [SHARED]" line a disk.
	var specs strings.Builder
	for k, d := range c.Disks {
		mode, size, ret := "image", 0, 0
		if d.Image == "" {
			mode, size = "empty", d.SizeMiB
		}
		if d.Return {
			ret = 1
		}
		fmt.Fprintf(&specs, "%s %s %d %d", diskFile(k), mode, size, ret)
		if d.Shared != "" {
			fmt.Fprintf(&specs, " %s", sharedDisk(d.Shared))
		}
		specs.WriteByte('\n')
	}
	v("DISK_SPECS", specs.String())
	shut := 0
	if c.ShutdownAfterCommands {
		shut = 1
	}
	v("SHUTDOWN_AFTER", shut)
	ip := ""
	if c.VIF {
		ip = guestIP(c.MAC)
	}
	v("GUEST_IP", ip)
	v("GUEST_MAC", c.MAC)
	live := 0
	if c.live() {
		live = 1
	}
	v("LIVE", live)
	return b.String()
}

// diskFile is the name of disk k's image in the case's directories in
// dom0: disk.img, disk2.img, ...
func diskFile(k int) string {
	if k == 0 {
		return "disk.img"
	}
	return fmt.Sprintf("disk%d.img", k+1)
}

var sharedRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// sharedDisk is the dom0 path of a Shared disk.
func sharedDisk(name string) string { return "/xth/shared/" + name + ".img" }
