// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

// The vif figures (section vif): the same net/http program (netbench) as a
// GOOS=xen domU and as a linux/amd64 program in a Linux PVH domU (Debian's
// kernel and netfront), one after the other on one boot of the test host,
// with the same vCPU and memory, loaded from dom0 over xenbr0: wrk for
// requests per second and latency with 1 and 64 connections, curl for TCP
// throughput each way; the GOOS=xen domU once more without GSO
// (GOXEN_NETFRONT=no-gso), for what GSO is worth; then the smallest
// GOOS=xen domU that serves HTTP.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"goforxen.dev/misc/xen/testhost"
)

// vifLoad is what dom0 runs against a guest that printed "ready".
var vifLoad = []string{
	`xth-wait-console ready 240`,
	`wrk -t1 -c1 -d10s --latency http://$GUEST_IP:8080/`,
	`wrk -t1 -c64 -d10s --latency http://$GUEST_IP:8080/`,
	`curl -sS -o /dev/null -w 'guest-sends %{speed_download}\n' "http://$GUEST_IP:8080/bytes?n=67108864"`,
	`head -c 67108864 /dev/zero > /tmp/upload && curl -sS -o /dev/null -w 'guest-receives %{speed_upload}\n' --data-binary @/tmp/upload http://$GUEST_IP:8080/sink`,
}

// linuxNetbench is the Linux guest's main: eth0 gets the guest's static
// lease by hand (no DHCP client in the guest's root), then netbench runs.
const linuxNetbench = `#!/bin/bash
ip link set lo up
ip link set eth0 up
ip addr add "$1"/24 dev eth0
exec /xth-guest/netbench
`

func vifFigures(dir string) {
	fmt.Println("\n## Network: GOOS=xen domU vs Linux PVH domU, same test host, 1 vCPU, 512 MiB, load from dom0 over xenbr0")
	xenBench := buildPkg(dir, "./cmd/figures/netbench", "xen")
	linuxBench := buildPkg(dir, "./cmd/figures/netbench", "linux")
	script := filepath.Join(dir, "linux-netbench.sh")
	check(os.WriteFile(script, []byte(linuxNetbench), 0o755))
	ctx := context.Background()
	h, err := testhost.Build(ctx, testhost.BuildConfig{})
	check(err)
	kernel, initrd, err := h.LinuxGuest(dir, script, map[string]string{"xth-guest/netbench": linuxBench})
	check(err)
	cases := []testhost.Case{
		{Name: "GOOS=xen", Kernel: xenBench, MemoryMiB: 512, VIF: true, MAC: "00:16:3e:00:00:20",
			HostCommands: vifLoad, ShutdownAfterCommands: true, CommandTimeout: 3 * time.Minute, Timeout: 10 * time.Minute},
		{Name: "Linux domU", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 512, VIF: true, MAC: "00:16:3e:00:00:21",
			Cmdline:      testhost.LinuxCmdline + " -- 10.0.0.33",
			HostCommands: vifLoad, ShutdownAfterCommands: true, CommandTimeout: 3 * time.Minute, Timeout: 10 * time.Minute},
		{Name: "GOOS=xen, no GSO", Kernel: xenBench, MemoryMiB: 512, VIF: true, MAC: "00:16:3e:00:00:20", Cmdline: "GOXEN_NETFRONT=no-gso",
			HostCommands: vifLoad, ShutdownAfterCommands: true, CommandTimeout: 3 * time.Minute, Timeout: 10 * time.Minute},
	}
	const guests = 3 // the cases above: the table's columns
	// The smallest GOOS=xen domU that serves: one case per size.
	sizes := []int{12, 16, 24, 32, 48}
	for _, m := range sizes {
		cases = append(cases, testhost.Case{Name: fmt.Sprintf("xen %d MiB", m), Kernel: xenBench, MemoryMiB: m, VIF: true,
			MAC:                   "00:16:3e:00:00:22",
			HostCommands:          []string{`xth-wait-console ready 120`, `curl -sS -m 20 http://$GUEST_IP:8080/`},
			ShutdownAfterCommands: true, CommandTimeout: 2 * time.Minute, Timeout: 4 * time.Minute})
	}
	results, err := testhost.Run(ctx, testhost.Config{Host: h}, cases)
	check(err)

	reqs := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	lat := func(out, pct string) string {
		m := regexp.MustCompile(`(?m)^\s+` + pct + `%\s+([0-9.]+[a-z]+)`).FindStringSubmatch(out)
		if m == nil {
			return "-"
		}
		return m[1]
	}
	speed := regexp.MustCompile(`guest-(sends|receives) ([0-9.]+)`)
	fmt.Println("| figure | GOOS=xen | Linux domU | GOOS=xen without GSO |")
	fmt.Println("|---|---|---|---|")
	rows := [][]string{{"requests/s, 1 connection"}, {"p50 / p99 latency, 1 connection"},
		{"requests/s, 64 connections"}, {"p50 / p99 latency, 64 connections"},
		{"TCP, guest sends (MB/s)"}, {"TCP, guest receives (MB/s)"}}
	for _, r := range results[:guests] {
		if len(r.HostOutputs) < len(vifLoad) {
			fatal(fmt.Sprintf("%s: %s\n%s\n%s", r.Name, r.Summary(), r.Console, r.Details()))
		}
		out := func(i int) string {
			o := r.HostOutputs[i]
			if o.ExitStatus != 0 {
				fatal(fmt.Sprintf("%s: %s failed: %s %s\n%s", r.Name, o.Command, o.Stdout, o.Stderr, r.Console))
			}
			return o.Stdout
		}
		w1, w64 := out(1), out(2)
		get := func(re *regexp.Regexp, s string) string {
			if m := re.FindStringSubmatch(s); m != nil {
				return m[1]
			}
			return "-"
		}
		mbs := func(s string) string {
			m := speed.FindStringSubmatch(s)
			if m == nil {
				return "-"
			}
			var v float64
			fmt.Sscan(m[2], &v)
			return fmt.Sprintf("%.1f", v/1e6)
		}
		vals := []string{get(reqs, w1), lat(w1, "50") + " / " + lat(w1, "99"), get(reqs, w64), lat(w64, "50") + " / " + lat(w64, "99"),
			mbs(out(3)), mbs(out(4))}
		for i := range rows {
			rows[i] = append(rows[i], vals[i])
		}
	}
	for _, row := range rows {
		fmt.Println("| " + strings.Join(row, " | ") + " |")
	}
	smallest := "none of " + fmt.Sprint(sizes) + " MiB"
	for i, r := range results[guests:] {
		if len(r.HostOutputs) == 2 && r.HostOutputs[1].ExitStatus == 0 && strings.Contains(r.HostOutputs[1].Stdout, "hello") {
			smallest = fmt.Sprintf("%d MiB", sizes[i])
			break
		}
	}
	fmt.Println("smallest GOOS=xen domU that serves HTTP over its vif (of", sizes, "MiB):", smallest)
	for _, r := range results {
		fmt.Println(r.Summary())
	}
}
