// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

//go:embed dom0/init.sh
var initScript string

// Packages of the test host. Their candidate versions (apt-cache policy on
// the build machine) are part of the cache key.
const (
	hypervisorPackage = "xen-hypervisor-4.17-amd64"
	kernelMetaPackage = "linux-image-amd64"
)

// rootPackages are installed into the debootstrap'd root.
var rootPackages = []string{
	"xen-utils-4.17", "xen-utils-common", "xenstore-utils", "iproute2",
	"bridge-utils", "busybox", "procps", "kmod", "curl", "iputils-ping",
	// The disk tests: a FAT file system made and checked in dom0.
	"dosfstools", "mtools",
	// The network tests: DHCP, DNS and IPv6 router advertisements on xenbr0,
	// and the load tools of the network figures.
	"dnsmasq-base", "wrk", "iperf3",
	// The deployment tests: libvirt's Xen (libxl) driver and virsh;
	// libvirtd runs only in the cases that start it.
	"libvirt-daemon", "libvirt-daemon-driver-xen", "libvirt-clients",
}

// dom0Modules are the kernel modules the dom0 root carries (with their
// dependencies); init.sh loads them.
var dom0Modules = []string{
	"xen-evtchn", "xen-gntdev", "xen-gntalloc", "xen-privcmd", "xenfs",
	"xen-netback", "xen-blkback", "bridge", "loop", "tun",
	"virtio_pci", "virtio_blk", "virtio_console",
}

// guestModules are the frontends a Linux domU needs (Debian builds them as
// modules); they are kept next to the guest kernel, see Host.GuestModules.
var guestModules = []string{"xen-netfront", "xen-blkfront"}

// trimPaths are removed from the root before packing (paths relative to
// the root; a trailing "/*" keeps the directory and removes its contents).
var trimPaths = []string{
	"usr/share/doc/*", "usr/share/man/*", "usr/share/info/*",
	"usr/share/locale/*", "usr/share/lintian", "usr/share/i18n",
	"usr/share/common-licenses", "usr/share/bash-completion",
	"usr/share/python3", "usr/lib/python3", "usr/lib/python3.11",
	"usr/bin/python3", "usr/bin/python3.11", "usr/lib/xen-4.17/boot",
	"usr/lib/xen-4.17/lib/python", "usr/lib/xen-4.17/bin/pygrub",
	"var/cache/apt/*", "var/lib/apt/lists/*", "var/cache/debconf/*-old",
	"var/log/*", "usr/sbin/policy-rc.d", "usr/lib/udev/hwdb.bin",
	"usr/lib/udev/hwdb.d", "usr/share/zoneinfo", "usr/share/gcc",
	// Package management and its perl are not used at run time.
	"usr/bin/perl*", "usr/lib/x86_64-linux-gnu/perl*", "usr/share/perl*",
	"usr/lib/apt", "usr/bin/apt*", "usr/lib/x86_64-linux-gnu/libapt-*",
	"var/lib/dpkg/info/*", "var/cache/debconf/*",
	// (The iconv modules in usr/lib/x86_64-linux-gnu/gconv stay: mtools
	// converts file names with them.)
}

type inputs struct {
	key            string
	text           string
	mirror         string
	securityMirror string
	suites         []string // bookworm, and bookworm-updates if the build machine has it
	versions       map[string]string
	kernelPackage  string // linux-image-6.1.0-NN-amd64
	debootstrap    string // the build machine's debootstrap version
}

func (b *builder) resolve(ctx context.Context) (*inputs, error) {
	in := &inputs{versions: map[string]string{}}
	src := readAptSources()
	in.mirror = b.cfg.Mirror
	if in.mirror == "" {
		in.mirror = src.mirror
	}
	if in.mirror == "" {
		in.mirror = "http://deb.debian.org/debian"
	}
	in.securityMirror = b.cfg.SecurityMirror
	if in.securityMirror == "" {
		in.securityMirror = src.security
	}
	in.suites = []string{"bookworm"}
	if src.updates {
		in.suites = append(in.suites, "bookworm-updates")
	}

	av, err := b.aptVersions(ctx)
	if err != nil {
		return nil, err
	}
	in.versions = av.Versions
	in.kernelPackage = av.KernelPackage
	debootstrapVersion := av.Debootstrap

	in.debootstrap = debootstrapVersion
	in.text = in.makeText(initScript)
	in.key = keyOf(in.text)
	return in, nil
}

// makeText is the text hashed into the cache key: everything the build's
// output depends on.
func (in *inputs) makeText(initScript string) string {
	var t strings.Builder
	fmt.Fprintf(&t, "builder %s\n", BuilderVersion)
	fmt.Fprintf(&t, "mirror %s\n", in.mirror)
	fmt.Fprintf(&t, "security-mirror %s\n", in.securityMirror)
	fmt.Fprintf(&t, "suites %s\n", strings.Join(in.suites, " "))
	names := make([]string, 0, len(in.versions))
	for p := range in.versions {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		fmt.Fprintf(&t, "package %s %s\n", p, in.versions[p])
	}
	fmt.Fprintf(&t, "host-debootstrap %s\n", in.debootstrap)
	fmt.Fprintf(&t, "init.sh %x\n", sha256.Sum256([]byte(initScript)))
	fmt.Fprintf(&t, "dom0-modules %s\n", strings.Join(dom0Modules, " "))
	fmt.Fprintf(&t, "guest-modules %s\n", strings.Join(guestModules, " "))
	fmt.Fprintf(&t, "root-packages %s\n", strings.Join(rootPackages, " "))
	fmt.Fprintf(&t, "trim %s\n", strings.Join(trimPaths, " "))
	return t.String()
}

// aptResult is what apt says about the packages of the key.
type aptResult struct {
	Stamp         string
	Versions      map[string]string
	KernelPackage string
	Debootstrap   string // the build machine's debootstrap
}

// aptStamp identifies the state of apt's package lists, sources,
// preferences and dpkg's database: what apt-cache policy answers from.
func aptStamp() string {
	h := sha256.New()
	var files []string
	for _, pat := range []string{"/var/lib/apt/lists/*", "/etc/apt/sources.list", "/etc/apt/sources.list.d/*",
		"/etc/apt/preferences", "/etc/apt/preferences.d/*", "/var/lib/dpkg/status"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			fmt.Fprintf(h, "%s %d %d\n", f, st.Size(), st.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// aptVersions asks apt-cache for the candidate versions of the packages
// (about a second), or reuses the previous answer if apt's state has not
// changed since.
func (b *builder) aptVersions(ctx context.Context) (*aptResult, error) {
	memo := filepath.Join(b.cfg.CacheDir, "apt-versions.json")
	stamp := aptStamp()
	pkgs := append([]string{hypervisorPackage, kernelMetaPackage}, rootPackages...)
	if data, err := os.ReadFile(memo); err == nil {
		var r aptResult
		// The answer holds for the same apt state and the same packages.
		if json.Unmarshal(data, &r) == nil && r.Stamp == stamp && len(r.Versions) > 0 && hasAll(r.Versions, pkgs) {
			return &r, nil
		}
	}
	r := &aptResult{Stamp: stamp}
	vers, err := candidates(ctx, pkgs)
	if err != nil && os.Geteuid() == 0 && !b.cfg.NoInstall {
		// Perhaps the package lists are missing or stale.
		b.logf("apt-cache has no candidate for some packages (%v); running apt-get update", err)
		if out, err2 := exec.CommandContext(ctx, "apt-get", "update").CombinedOutput(); err2 != nil {
			return nil, &StepError{Step: "resolve versions", Cmd: "apt-get update", Err: err2, Tail: tail(out, 20)}
		}
		r.Stamp = aptStamp()
		vers, err = candidates(ctx, pkgs)
	}
	if err != nil {
		return nil, &StepError{Step: "resolve versions", Err: err}
	}
	r.Versions = vers
	// The meta package depends on exactly one version of the versioned
	// kernel package.
	out, err := exec.CommandContext(ctx, "apt-cache", "show", kernelMetaPackage+"="+vers[kernelMetaPackage]).Output()
	if err != nil {
		return nil, &StepError{Step: "resolve versions", Cmd: "apt-cache show " + kernelMetaPackage, Err: err}
	}
	m := regexp.MustCompile(`(?m)^Depends: (linux-image-[^ ,]+) \(= ([^ )]+)\)`).FindSubmatch(out)
	if m == nil {
		return nil, &StepError{Step: "resolve versions", Err: fmt.Errorf("no linux-image-X (= V) dependency in apt-cache show %s", kernelMetaPackage)}
	}
	r.KernelPackage = string(m[1])
	r.Versions[r.KernelPackage] = string(m[2])

	// The build machine's debootstrap: installed version, else the one
	// Build would install.
	r.Debootstrap = "(none)"
	if out, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Version}", "debootstrap").Output(); err == nil && strings.HasPrefix(string(out), "ii ") {
		r.Debootstrap = strings.TrimSpace(string(out[3:]))
	} else if v, err := candidates(ctx, []string{"debootstrap"}); err == nil {
		r.Debootstrap = v["debootstrap"]
	}
	if data, err := json.Marshal(r); err == nil && os.MkdirAll(b.cfg.CacheDir, 0o755) == nil {
		tmp := memo + fmt.Sprintf(".%d", os.Getpid())
		if os.WriteFile(tmp, data, 0o644) == nil {
			os.Rename(tmp, memo)
		}
	}
	return r, nil
}

func hasAll(vers map[string]string, pkgs []string) bool {
	for _, p := range pkgs {
		if vers[p] == "" {
			return false
		}
	}
	return true
}

func keyOf(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// candidates returns apt-cache policy's candidate version of each package.
func candidates(ctx context.Context, pkgs []string) (map[string]string, error) {
	out, err := exec.CommandContext(ctx, "apt-cache", append([]string{"policy"}, pkgs...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("apt-cache policy: %v", err)
	}
	vers := parsePolicy(string(out))
	var missing []string
	for _, p := range pkgs {
		if v := vers[p]; v == "" || v == "(none)" {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return vers, fmt.Errorf("no installable version of %s (apt-cache policy; is bookworm main in the apt sources, and apt-get update done?)", strings.Join(missing, ", "))
	}
	return vers, nil
}

func parsePolicy(out string) map[string]string {
	vers := map[string]string{}
	pkg := ""
	for _, line := range strings.Split(out, "\n") {
		if line != "" && line[0] != ' ' && strings.HasSuffix(line, ":") {
			pkg = strings.TrimSuffix(line, ":")
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Candidate: "); ok && pkg != "" {
			vers[pkg] = v
		}
	}
	return vers
}

type aptSources struct {
	mirror   string // URI serving bookworm main
	security string // URI serving bookworm-security
	updates  bool   // bookworm-updates present
}

// readAptSources finds the Debian mirrors in /etc/apt/sources.list and
// /etc/apt/sources.list.d (one-line and deb822 formats).
func readAptSources() aptSources {
	contents := map[string]string{}
	files := []string{"/etc/apt/sources.list"}
	more, _ := filepath.Glob("/etc/apt/sources.list.d/*")
	for _, f := range append(files, more...) {
		if data, err := os.ReadFile(f); err == nil {
			contents[f] = string(data)
		}
	}
	return parseAptSources(contents)
}

// parseAptSources reads sources.list files, by name and contents.
func parseAptSources(contents map[string]string) aptSources {
	var s aptSources
	add := func(uri string, suites []string) {
		if !strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "https://") {
			return
		}
		for _, suite := range suites {
			switch suite {
			case "bookworm":
				if s.mirror == "" {
					s.mirror = strings.TrimSuffix(uri, "/")
				}
			case "bookworm-security", "bookworm/updates":
				if s.security == "" {
					s.security = strings.TrimSuffix(uri, "/")
				}
			case "bookworm-updates":
				s.updates = true
			}
		}
	}
	names := make([]string, 0, len(contents))
	for f := range contents {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		data := contents[f]
		switch {
		case strings.HasSuffix(f, ".sources"):
			for _, para := range strings.Split(data, "\n\n") {
				fields := map[string]string{}
				for _, line := range strings.Split(para, "\n") {
					if strings.HasPrefix(line, "#") {
						continue
					}
					if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(k, " ") {
						fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
					}
				}
				if !strings.Contains(" "+fields["types"]+" ", " deb ") || !strings.Contains(" "+fields["components"]+" ", " main ") {
					continue
				}
				for _, uri := range strings.Fields(fields["uris"]) {
					add(uri, strings.Fields(fields["suites"]))
				}
			}
		case strings.HasSuffix(f, ".list"):
			for _, line := range strings.Split(data, "\n") {
				w := strings.Fields(line)
				if len(w) < 4 || w[0] != "deb" {
					continue
				}
				w = w[1:]
				if strings.HasPrefix(w[0], "[") { // [options]
					for len(w) > 0 && !strings.HasSuffix(w[0], "]") {
						w = w[1:]
					}
					if len(w) > 0 {
						w = w[1:]
					}
				}
				if len(w) >= 3 && contains(w[2:], "main") {
					add(w[0], w[1:2])
				}
			}
		}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
