package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"goforxen.dev/misc/xen/testhost"
)

// linuxDiskBench is the Linux guest's program: diskbench (with O_DIRECT),
// then dd in 1 MiB blocks with direct I/O, as a second opinion on the
// sequential figures.
const linuxDiskBench = `#!/bin/bash
/xth-guest/diskbench "$@" || exit 1
w=$(dd if=/dev/zero of="$1" bs=1M count=64 oflag=direct conv=fsync 2>&1 | tail -n 1)
r=$(dd if="$1" of=/dev/null bs=1M count=64 iflag=direct 2>&1 | tail -n 1)
echo "dd-seq-write ${w##*, }"
echo "dd-seq-read ${r##*, }"
`

// diskFigures runs diskbench (cmd/figures/diskbench) on the test host, in
// one boot, on one disk file in dom0 (Linux's blkback over a loop device
// on dom0's tmpfs): as a GOOS=xen domU with the driver's defaults, without
// advertising persistent grants, and with a single-page ring and no
// indirect segments; and in a Linux PVH domU (Debian's kernel and
// blkfront), where dd adds sequential figures of its own.
func diskFigures(dir string) {
	fmt.Println("\n## Disks: GOOS=xen domU vs Linux PVH domU, same test host and disk file (MB/s, 1 MiB requests; IOPS, 4 KiB)")
	xenBench := buildPkg(dir, "./cmd/figures/diskbench", "xen")
	linuxBench := buildPkg(dir, "./cmd/figures/diskbench", "linux")
	script := filepath.Join(dir, "linux-diskbench.sh")
	check(os.WriteFile(script, []byte(linuxDiskBench), 0o755))
	ctx := context.Background()
	h, err := testhost.Build(ctx, testhost.BuildConfig{})
	check(err)
	kernel, initrd, err := h.LinuxGuest(dir, script, map[string]string{"xth-guest/diskbench": linuxBench})
	check(err)

	disk := &testhost.Disk{SizeMiB: 96, Shared: "bench"}
	const args = "/dev/xvda 64 5"
	type column struct{ name, env string }
	xen := []column{
		{"GOOS=xen", ""},
		{"xen, no persistent grants", "GOXEN_BLKFRONT=no-persistent "},
		{"xen, 1-page ring, no indirect", "GOXEN_BLKFRONT=ring-pages=1,no-indirect "},
	}
	var cases []testhost.Case
	for _, c := range xen {
		cases = append(cases, testhost.Case{Name: c.name, Kernel: xenBench, MemoryMiB: 128,
			Cmdline: c.env + args, Disk: disk, Timeout: 5 * time.Minute})
	}
	cases = append(cases, testhost.Case{Name: "Linux domU", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 512,
		Cmdline: testhost.LinuxCmdline + " -- " + args, Disk: disk, Timeout: 8 * time.Minute})
	results, err := testhost.Run(ctx, testhost.Config{Host: h}, cases)
	check(err)

	line := regexp.MustCompile(`(?m)^(seq-write|seq-read|rand-read-1|rand-read-32|rand-write-1|rand-write-32|dd-seq-write|dd-seq-read) ([0-9.]+) ?([A-Za-z/]+)`)
	values := make([]map[string]string, len(results))
	for i, r := range results {
		if r.ExitStatus != 0 {
			fatal(fmt.Sprintf("%s: %s\n%s", r.Name, r.Summary(), r.Console))
		}
		values[i] = map[string]string{}
		for _, m := range line.FindAllStringSubmatch(r.Console, -1) {
			values[i][m[1]] = m[2] + " " + m[3]
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| figure |")
	for _, r := range results {
		fmt.Fprintf(&b, " %s |", r.Name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(results)) + "\n")
	for _, k := range []string{"seq-write", "seq-read", "rand-read-1", "rand-read-32", "rand-write-1", "rand-write-32", "dd-seq-write", "dd-seq-read"} {
		fmt.Fprintf(&b, "| %s |", k)
		for _, v := range values {
			if v[k] == "" {
				v[k] = "-"
			}
			fmt.Fprintf(&b, " %s |", v[k])
		}
		b.WriteByte('\n')
	}
	fmt.Print(b.String())
	for _, r := range results {
		fmt.Println(r.Summary())
	}
}

// buildPkg builds a package of the test module for goos (static for
// linux).
func buildPkg(dir, pkg, goos string) string {
	out := filepath.Join(dir, goos+"-"+filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		fatal(fmt.Sprintf("build %s for %s: %v\n%s", pkg, goos, err, b))
	}
	return out
}
