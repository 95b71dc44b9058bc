package e2e

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"goforxen.dev/misc/xen/testhost"
)

// moduleImage builds testdata/name, a module of its own with third-party
// dependencies (go.mod and go.sum there), for GOOS=xen.
func moduleImage(t *testing.T, name string) string {
	t.Helper()
	return buildOnce(t, "mod:"+name, name, filepath.Join(os.TempDir(), "goxen-e2e-mod-"+name+".xen"),
		"GOOS=xen", "GOARCH=amd64")
}

// PV disks as files, against Linux's blkback on the test host, in one
// boot:
//   - write: patterns at aligned and unaligned offsets, Sync, then xl
//     destroy (no clean shutdown); dom0 checks the image byte for byte;
//   - verify: a second domU reads the same image back;
//   - semantics, on a writable and a read-only disk, in a GOOS=xen domU
//     and in a Linux PVH domU: the "same:" lines (errors at the end of
//     the disk, EROFS, seeks, modes, device numbers) must be Linux's;
//   - concurrent: 32 goroutines on each of two disks;
//   - large: a 6 GiB sparse disk written past 4 GiB and at its end, checked
//     in dom0;
//   - fat: dom0 formats a disk with mkfs.vfat and puts a file and a
//     directory on it with mtools; the domU reads the file and writes files
//     into the directory through go-diskfs's FAT32;
//     dom0's fsck.vfat -n finds the file system clean and mtools reads
//     the files back.
func TestDisks(t *testing.T) {
	t.Parallel()
	img := image(t, "disk")
	checker := hostTool(t, "disk")
	fat := moduleImage(t, "fatfs")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute) // a cold build of the test host included
	defer cancel()
	h, err := testhost.Build(ctx, testhost.BuildConfig{})
	if err != nil {
		t.Fatal(err)
	}
	linux, initrd, err := h.LinuxGuest(t.TempDir(), checker, nil)
	if err != nil {
		t.Fatal(err)
	}
	semanticsDisks := []testhost.Disk{{SizeMiB: 16}, {SizeMiB: 8, ReadOnly: true}}
	const slow = 5 * time.Minute
	mtools := "MTOOLS_SKIP_CHECK=1 "
	cases := []testhost.Case{{
		Name: "write", Kernel: img, Cmdline: "write /dev/xvda", MemoryMiB: 128,
		Disk:           &testhost.Disk{SizeMiB: 64, Shared: "durable"},
		HostTools:      []string{checker},
		HostCommands:   []string{`xth-wait-console synced 170 && xl destroy "$DOMNAME" && disk check "$DISK"`},
		CommandTimeout: 4 * time.Minute, Timeout: slow,
	}, {
		Name: "verify", Kernel: img, Cmdline: "verify /dev/xvda", MemoryMiB: 128,
		Disk: &testhost.Disk{Shared: "durable"}, Timeout: slow,
	}, {
		Name: "semantics-xen", Kernel: img, Cmdline: "semantics /dev/xvda /dev/xvdb", MemoryMiB: 64,
		Disks: semanticsDisks, Timeout: slow,
	}, {
		Name: "semantics-linux", Kernel: linux, Ramdisk: initrd, MemoryMiB: 512,
		Cmdline: testhost.LinuxCmdline + " -- semantics /dev/xvda /dev/xvdb",
		Disks:   semanticsDisks, Timeout: slow,
	}, {
		Name: "concurrent", Kernel: img, Cmdline: "concurrent /dev/xvda /dev/xvdb", MemoryMiB: 128,
		Disks: []testhost.Disk{{SizeMiB: 40}, {SizeMiB: 40}}, Timeout: slow,
	}, {
		Name: "large", Kernel: img, Cmdline: "large /dev/xvda", MemoryMiB: 64,
		Disk:          &testhost.Disk{SizeMiB: 6 << 10},
		HostTools:     []string{checker},
		AfterCommands: []string{`disk check-large "$DISK"`},
		Timeout:       slow,
	}, {
		Name: "fat", Kernel: fat, MemoryMiB: 128,
		Disk: &testhost.Disk{SizeMiB: 64},
		// mkfs.vfat puts the FSInfo sector at sector 1; its free
		// cluster count (at byte 488) becomes "unknown", which go-diskfs
		// leaves alone (testdata/fatfs says why).
		BeforeCommands: []string{`mkfs.vfat -F 32 -n GOXEN "$DISK" >/dev/null && ` +
			`printf '\xff\xff\xff\xff' | dd of="$DISK" bs=1 seek=$((512 + 488)) conv=notrunc status=none && ` +
			`printf 'hello from dom0\n' >/tmp/hello.txt && ` +
			mtools + `mcopy -i "$DISK" /tmp/hello.txt ::/HELLO.TXT && ` + mtools + `mmd -i "$DISK" ::/GODIR`},
		AfterCommands: []string{
			`fsck.vfat -n "$DISK"`,
			mtools + `mdir -b -i "$DISK" ::/GODIR`,
			mtools + `mtype -i "$DISK" ::/GODIR/FROMGO.TXT`,
			mtools + `mcopy -i "$DISK" ::/GODIR/BIG.BIN - | sha256sum`,
		},
		Timeout: slow,
	}}
	var log io.Writer
	if testing.Verbose() {
		log = os.Stderr
	}
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer rcancel()
	results, err := testhost.Run(rctx, testhost.Config{Host: h, Log: log}, cases)
	if err != nil {
		t.Fatalf("test host: %v", err)
	}
	res := map[string]testhost.Result{}
	for _, r := range results {
		res[r.Name] = r
		t.Logf("%s", r.Summary())
	}
	show := func(r testhost.Result) string {
		var b strings.Builder
		b.WriteString(r.Summary() + "\n--- console:\n" + r.Console)
		for _, o := range r.HostOutputs {
			b.WriteString("--- " + o.Phase + ": " + o.Command + "\n" + o.Stdout + o.Stderr)
		}
		return b.String() + r.Details()
	}
	ok := func(r testhost.Result, patterns ...string) bool {
		t.Helper()
		if r.Err != nil || r.ExitStatus != 0 || r.Crashed {
			t.Errorf("%s: want exit status 0\n%s", r.Name, show(r))
			return false
		}
		for _, p := range patterns {
			if !regexp.MustCompile(p).MatchString(r.Console) {
				t.Errorf("%s: console does not match %q\n%s", r.Name, p, show(r))
				return false
			}
		}
		return true
	}

	// Durable after Sync, with no clean shutdown.
	if r := res["write"]; r.Err != nil || len(r.HostOutputs) == 0 || r.HostOutputs[0].ExitStatus != 0 ||
		!strings.Contains(r.HostOutputs[0].Stdout, "verified 67108864 bytes\nok\n") || r.ShutdownReason != "" {
		t.Errorf("write, xl destroy, check in dom0: want the check to pass on a destroyed domain\n%s", show(r))
	}
	ok(res["verify"], `(?m)^verified 67108864 bytes$`, `(?m)^ok$`)

	// Linux's semantics, line for line.
	x, l := res["semantics-xen"], res["semantics-linux"]
	if ok(x, `(?m)^ok$`) && ok(l, `(?m)^ok$`) {
		sameLines := func(s string) []string { return regexp.MustCompile(`(?m)^same: .*$`).FindAllString(s, -1) }
		xs, ls := sameLines(x.Console), sameLines(l.Console)
		if len(xs) < 20 || strings.Join(xs, "\n") != strings.Join(ls, "\n") {
			t.Errorf("block device semantics differ from Linux's:\n--- xen:\n%s\n--- linux:\n%s", strings.Join(xs, "\n"), strings.Join(ls, "\n"))
		}
		t.Logf("Linux's own answers where GOOS=xen differs on purpose:\n%s",
			strings.Join(regexp.MustCompile(`(?m)^(ro: .*|/dev/xvd.* stat size .*)$`).FindAllString(l.Console, -1), "\n"))
		for _, want := range []string{`(?m)^/dev/xvda stat size 16777216 mode Drw-rw----$`, `(?m)^/dev/xvdb stat size 8388608 mode Drw-rw----$`,
			`(?m)^ro: open read-only disk O_RDWR: read-only file system$`, `(?m)^ro: open read-only disk O_WRONLY: read-only file system$`} {
			if !regexp.MustCompile(want).MatchString(x.Console) {
				t.Errorf("semantics-xen: console does not match %q\n%s", want, x.Console)
			}
		}
	}
	ok(res["concurrent"], `(?m)^concurrent: 64 goroutines on 2 disks`, `(?m)^ok$`)
	if r := res["large"]; ok(r, `(?m)^size 6442450944$`, `(?m)^large synced$`) {
		if len(r.HostOutputs) == 0 || r.HostOutputs[len(r.HostOutputs)-1].ExitStatus != 0 ||
			!strings.Contains(r.HostOutputs[len(r.HostOutputs)-1].Stdout, "checked 6442450944 bytes") {
			t.Errorf("large: dom0's check failed\n%s", show(r))
		}
	}
	if r := res["fat"]; ok(r, `(?m)^HELLO.TXT: "hello from dom0\\n"$`, `(?m)^ok$`) {
		m := regexp.MustCompile(`(?m)^BIG.BIN sha256 ([0-9a-f]{64})$`).FindStringSubmatch(r.Console)
		var outs []testhost.CommandResult
		for _, o := range r.HostOutputs {
			if o.Phase == "after" {
				outs = append(outs, o)
			}
		}
		switch {
		case m == nil || len(outs) != 4:
			t.Errorf("fat: missing output\n%s", show(r))
		case outs[0].ExitStatus != 0:
			t.Errorf("fat: fsck.vfat -n found problems\n%s", show(r))
		case !strings.Contains(outs[1].Stdout, "FROMGO.TXT") || !strings.Contains(outs[1].Stdout, "BIG.BIN"):
			t.Errorf("fat: mdir does not list the files\n%s", show(r))
		case outs[2].Stdout != "written by a GOOS=xen domU through go-diskfs\n":
			t.Errorf("fat: mtype read %q\n%s", outs[2].Stdout, show(r))
		case !strings.HasPrefix(outs[3].Stdout, m[1]):
			t.Errorf("fat: BIG.BIN's sha256 in dom0 is %q, the domU wrote %s\n%s", outs[3].Stdout, m[1], show(r))
		}
	}
}
