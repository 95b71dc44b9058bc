// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests that boot the test host are skipped only with -short; without
// it, a missing prerequisite (QEMU, debootstrap, root for the first build)
// fails them with the reason.

func needHost(t *testing.T) *Host {
	t.Helper()
	if testing.Short() {
		t.Skip("boots Xen under QEMU (minutes); skipped with -short")
	}
	h, err := sharedHost()
	if err != nil {
		t.Fatalf("building the test host: %v", err)
	}
	return h
}

var (
	hostOnce sync.Once
	host     *Host
	hostErr  error
)

func sharedHost() (*Host, error) {
	hostOnce.Do(func() {
		var log io.Writer = io.Discard
		if testing.Verbose() {
			log = os.Stderr
		}
		host, hostErr = Build(context.Background(), BuildConfig{Log: log})
	})
	return host, hostErr
}

// goTool finds the go command that runs these tests.
func goTool(t *testing.T) string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to build the Linux test guest: %v", err)
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// linuxGuest returns a Linux PVH guest: Debian's kernel (Host.GuestKernel)
// and an initramfs with testdata/guestinit as /init and the frontend
// modules.
func linuxGuest(t *testing.T, h *Host) (kernel, initrd string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "init")
	cmd := exec.Command(goTool(t), "build", "-o", bin, "./testdata/guestinit")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the guest init: %v\n%s", err, out)
	}
	initrd = filepath.Join(dir, "initrd.cpio")
	f, err := os.Create(initrd)
	if err != nil {
		t.Fatal(err)
	}
	cw := newCpioWriter(f)
	for _, d := range []string{"dev", "proc", "sys", "modules"} {
		cw.Dir(d, 0o755)
	}
	if err := cw.CopyFile("init", 0o755, bin); err != nil {
		t.Fatal(err)
	}
	mods, err := os.ReadFile(filepath.Join(h.GuestModules, "order"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range strings.Fields(string(mods)) {
		if err := cw.CopyFile("modules/"+m, 0o644, filepath.Join(h.GuestModules, m)); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return h.GuestKernel, initrd
}

// TestLinuxGuests boots the test host once and runs a batch of Linux PVH
// guests through it: status lines, shutdown reasons, a timeout, a failed
// create, host commands, a vif and disks.
func TestLinuxGuests(t *testing.T) {
	h := needHost(t)
	kernel, initrd := linuxGuest(t, h)

	dir := t.TempDir()
	img := filepath.Join(dir, "disk.img")
	data := make([]byte, 1<<20)
	copy(data, "hello from the build machine")
	if err := os.WriteFile(img, data, 0o644); err != nil {
		t.Fatal(err)
	}
	notKernel := filepath.Join(dir, "not-a-kernel")
	if err := os.WriteFile(notKernel, []byte("this is not an ELF\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Linux guests boot in 5 to 30 s under TCG, depending on the load of
	// the build machine: give them room. The command line keeps Linux from
	// probing legacy ports (PIT calibration of the TSC, AGP aperture, 8250
	// UARTs): each port access is a slow VM exit under TCG, and Xen's SVM
	// under QEMU TCG has been seen to triple-fault the guest (1 boot in 20)
	// in the PIT calibration loop.
	const linux = "console=hvc0 quiet clearcpuid=tsc lpj=5000000 pci=noearly 8250.nr_uarts=0 "
	const slow = 3 * time.Minute
	cases := []Case{{
		Name: "exit3", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128, Timeout: slow,
		Cmdline:       linux + "xth.chatty=3 xth.exit=3",
		HostCommands:  []string{`xl list "$DOMNAME"`, `echo "id $DOMID" > "$OUT/id.txt"; echo to-stderr >&2; exit 7`},
		AfterCommands: []string{`xl list -v "$DOMNAME"`},
	}, {
		Name: "crash", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128, Timeout: slow,
		Cmdline: linux + "xth.crash",
	}, {
		Name: "reboot", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128, Timeout: slow,
		Cmdline: linux + "xth.reboot",
	}, {
		Name: "hang", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128,
		Cmdline: linux + "xth.sleep", Timeout: 20 * time.Second,
	}, {
		Name: "bad-kernel", Kernel: notKernel,
	}, {
		Name: "net", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128, VIF: true, Timeout: slow,
		Cmdline:        linux + "xth.net=10.0.0.2",
		CommandTimeout: slow,
		HostCommands: []string{
			`xth-wait-console "listening on" 170`,
			`ping -c 2 -W 5 "$GUEST_IP"`,
			`curl -sS -m 30 "http://$GUEST_IP:8080/hello"`,
		},
	}, {
		Name: "disk", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128, Timeout: slow,
		Cmdline:       linux + "xth.disk",
		Disk:          &Disk{Image: img, Return: true},
		AfterCommands: []string{`dd if="$DISK" bs=512 skip=1 count=1 status=none | tr -d '\0'`},
	}, {
		Name: "empty-disk", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128, Timeout: slow,
		Cmdline: linux + "xth.disk",
		Disk:    &Disk{SizeMiB: 8},
	}}

	var log io.Writer = io.Discard
	if testing.Verbose() {
		log = os.Stderr
	}
	rep, err := RunReport(context.Background(), Config{Host: h, Log: log, ResultDir: dir}, cases)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test host: ready %v after QEMU start (dom0 uptime %v), QEMU total %v, power-off %v; dom0 MemTotal %d KiB, MemAvailable %d KiB, root in RAM %d KiB",
		rep.Ready.Round(time.Millisecond), rep.Dom0Uptime, rep.Total.Round(time.Millisecond), rep.PowerOff.Round(time.Millisecond),
		rep.Dom0MemTotalKiB, rep.Dom0MemAvailableKiB, rep.RootfsUsedKiB)
	res := map[string]*Result{}
	for i := range rep.Results {
		r := &rep.Results[i]
		res[r.Name] = r
		t.Logf("%s (overhead %v)", r.Summary(), r.Overhead.Round(time.Millisecond))
	}
	fail := func(r *Result, format string, args ...any) {
		t.Helper()
		var outs strings.Builder
		for _, o := range r.HostOutputs {
			fmt.Fprintf(&outs, "%s: %s: status %d\n%s%s", o.Phase, o.Command, o.ExitStatus, o.Stdout, o.Stderr)
		}
		t.Errorf("case %s: %s\n--- console ---\n%s\n--- create log ---\n%s\n--- host commands ---\n%s--- processes ---\n%s",
			r.Name, fmt.Sprintf(format, args...), r.Console, r.CreateLog, outs.String(), r.Processes)
	}

	if r := res["exit3"]; r.ShutdownReason != "poweroff" || r.ExitStatus != 3 || r.Crashed || r.StatusLine != "goxen: exit status 3" {
		fail(r, "got reason %q, status %d, crashed %v, line %q; want poweroff, 3", r.ShutdownReason, r.ExitStatus, r.Crashed, r.StatusLine)
	} else {
		if !strings.Contains(r.Console, "guestinit: line 3 of 3\n") {
			fail(r, "console lacks the guest's lines")
		}
		if r.CreateToConsole <= 0 || r.Create <= 0 || r.Running <= 0 {
			fail(r, "timings missing: %+v", r)
		}
		if len(r.HostOutputs) != 3 {
			fail(r, "got %d host outputs, want 3", len(r.HostOutputs))
		} else {
			if o := r.HostOutputs[0]; o.ExitStatus != 0 || !strings.Contains(o.Stdout, "xth-001") {
				fail(r, "xl list: status %d, stdout %q, stderr %q", o.ExitStatus, o.Stdout, o.Stderr)
			}
			if o := r.HostOutputs[1]; o.ExitStatus != 7 || o.Stderr != "to-stderr\n" {
				fail(r, "second command: status %d, stderr %q; want 7, to-stderr", o.ExitStatus, o.Stderr)
			}
			if o := r.HostOutputs[2]; o.Phase != "after" || !strings.Contains(o.Stdout, "xth-001") {
				fail(r, "after command: %+v", o)
			}
		}
		if got, want := string(r.Files["id.txt"]), fmt.Sprintf("id %d\n", r.DomID); got != want || r.DomID <= 0 {
			fail(r, "file from $OUT: %q, want %q", got, want)
		}
	}
	if r := res["crash"]; r.ShutdownReason != "crash" || !r.Crashed || r.ExitStatus != -1 || !strings.Contains(r.Console, "Attempted to kill init") {
		fail(r, "got reason %q, crashed %v, status %d; want crash", r.ShutdownReason, r.Crashed, r.ExitStatus)
	}
	if r := res["reboot"]; r.ShutdownReason != "reboot" || r.StatusLine != "" || !strings.Contains(r.Console, "guestinit: rebooting") {
		fail(r, "got reason %q, line %q; want reboot and no status line", r.ShutdownReason, r.StatusLine)
	}
	if r := res["hang"]; !r.TimedOut || r.CreateTimedOut || r.ShutdownReason != "" || !strings.Contains(r.XLList, "xth-004") ||
		!strings.Contains(r.VCPU, "rip:") {
		fail(r, "got timed out %v, reason %q, xl list %q, vcpu %q", r.TimedOut, r.ShutdownReason, r.XLList, r.VCPU)
	}
	if r := res["bad-kernel"]; r.CreateStatus == 0 || r.ShutdownReason != "" || r.TimedOut {
		fail(r, "got create status %d, reason %q, timed out %v; want a failed create", r.CreateStatus, r.ShutdownReason, r.TimedOut)
	}
	if r := res["net"]; r.ExitStatus != 0 || r.ShutdownReason != "poweroff" || len(r.HostOutputs) != 3 {
		fail(r, "got status %d, reason %q, %d outputs", r.ExitStatus, r.ShutdownReason, len(r.HostOutputs))
	} else {
		for _, o := range r.HostOutputs {
			if o.ExitStatus != 0 {
				fail(r, "command %q: status %d\n%s%s", o.Command, o.ExitStatus, o.Stdout, o.Stderr)
			}
		}
		if got := r.HostOutputs[2].Stdout; got != "hello from the guest, /hello\n" {
			fail(r, "curl got %q", got)
		}
	}
	if r := res["disk"]; r.ExitStatus != 0 || !strings.Contains(r.Console, `sector 0: "hello from the build machine"`) {
		fail(r, "got status %d", r.ExitStatus)
	} else {
		if len(r.HostOutputs) != 1 || r.HostOutputs[0].Stdout != "written by the guest" {
			fail(r, "dom0 read back %+v", r.HostOutputs)
		}
		back, err := os.ReadFile(r.DiskImage)
		if err != nil || len(back) != len(data) || !bytes.HasPrefix(back[512:], []byte("written by the guest\x00")) {
			fail(r, "returned disk image %s: %v, %d bytes", r.DiskImage, err, len(back))
		}
	}
	if r := res["empty-disk"]; r.ExitStatus != 0 || !strings.Contains(r.Console, `sector 0: ""`) {
		fail(r, "got status %d", r.ExitStatus)
	}
}

// TestBuildCached checks that a second Build reuses the entry.
func TestBuildCached(t *testing.T) {
	h := needHost(t)
	t0 := time.Now()
	h2, err := Build(context.Background(), BuildConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if !h2.Cached || h2.Dir != h.Dir || h2.Key != h.Key {
		t.Fatalf("second Build: cached %v, dir %s (first %s)", h2.Cached, h2.Dir, h.Dir)
	}
	t.Logf("cached Build took %v (first: %v, cached %v)", time.Since(t0), h.BuildTime, h.Cached)
}

// TestBuildFailure makes a build fail at debootstrap (an unreachable
// mirror, which also changes the key) and checks the error names the step
// and that no cache entry, complete-looking or not, is left.
func TestBuildFailure(t *testing.T) {
	needHost(t) // root, tools, apt lists
	cache := t.TempDir()
	_, err := Build(context.Background(), BuildConfig{CacheDir: cache, Mirror: "http://127.0.0.1:9/debian"})
	var se *StepError
	if !errors.As(err, &se) || se.Step != "debootstrap" {
		t.Fatalf("got %v, want a StepError in step debootstrap", err)
	}
	if !strings.Contains(err.Error(), "output tail") {
		t.Errorf("error has no output tail: %v", err)
	}
	ents, _ := os.ReadDir(cache)
	for _, e := range ents {
		if e.IsDir() {
			t.Errorf("left %s in the cache", e.Name())
		}
	}
}
