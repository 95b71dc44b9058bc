package testhost

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"
)

// BuilderVersion is part of the cache key. Bump it whenever the build
// procedure changes what it produces (trimming, module list, layout, ...).
const BuilderVersion = "1"

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
}

// dom0Modules are the kernel modules the dom0 root carries (with their
// dependencies); init.sh loads them.
var dom0Modules = []string{
	"xen-evtchn", "xen-gntdev", "xen-gntalloc", "xen-privcmd", "xenfs",
	"xen-netback", "xen-blkback", "bridge", "loop", "tun",
	"virtio_pci", "virtio_blk",
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
	// Character set conversion modules (iconv); nothing here uses them.
	"usr/lib/x86_64-linux-gnu/gconv",
}

// BuildConfig says where and how the test host is built.
type BuildConfig struct {
	// CacheDir holds the built test hosts, one directory per cache key.
	// Default: $XDG_CACHE_HOME/goforxen/testhost, or
	// ~/.cache/goforxen/testhost.
	CacheDir string
	// Mirror is the Debian mirror used for bookworm (debootstrap and apt
	// in the root). Default: the one the build machine's apt sources use
	// for bookworm, else http://deb.debian.org/debian.
	Mirror string
	// SecurityMirror serves bookworm-security. Default: the build
	// machine's, if it has one.
	SecurityMirror string
	// Log receives progress and the output of the build's commands.
	// Nil: quiet (a failure still reports the failed step's output tail).
	Log io.Writer
	// NoInstall forbids installing missing build machine packages with
	// apt-get; their absence is then an error naming them.
	NoInstall bool
	// KeepWork keeps the work directory of a failed build for inspection
	// (it is never mistaken for a finished entry).
	KeepWork bool
}

// Host is a built test host: the files QEMU boots.
type Host struct {
	Dir           string // the cache entry
	Key           string // the cache key (hash of Inputs)
	Inputs        string // what was hashed into Key, one item a line
	Xen           string // Xen hypervisor ELF (gunzipped from the package)
	Kernel        string // Debian's vmlinuz, unmodified
	Initrd        string // dom0 root, a gzip'd cpio archive with our /init
	KernelVersion string // e.g. 6.1.0-56-amd64
	// GuestKernel is the ELF inside Kernel (its xz payload), gzip'd. Xen
	// boots it faster than the xz bzImage under TCG, as dom0 (unless
	// Config.Dom0Vmlinuz) and as a PVH domU for Linux guests in tests and
	// benchmarks.
	GuestKernel string
	// GuestModules is a directory with the .ko files a Linux domU needs
	// for a vif and a disk (xen-netfront, xen-blkfront, and dependencies),
	// and "order": their names in loading order.
	GuestModules string
	RootBytes    int64         // size of the uncompressed root
	BuildTime    time.Duration // how long the build (or the cache lookup) took
	Cached       bool          // the entry existed already
}

// StepError is a failed build step.
type StepError struct {
	Step string // the step's name
	Cmd  string // the failing command, if a command failed
	Err  error
	Tail string // the last lines of the step's output
}

func (e *StepError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "testhost: build step %q failed", e.Step)
	if e.Cmd != "" {
		fmt.Fprintf(&b, ": %s", e.Cmd)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Tail != "" {
		fmt.Fprintf(&b, "\n--- output tail ---\n%s", e.Tail)
	}
	return b.String()
}

func (e *StepError) Unwrap() error { return e.Err }

// DefaultCacheDir is where Build keeps test hosts unless told otherwise.
func DefaultCacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("testhost: no cache directory: %v", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "goforxen", "testhost"), nil
}

type builder struct {
	cfg BuildConfig
	log io.Writer
}

func (b *builder) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "testhost: "+format+"\n", args...)
}

// Build returns the test host for the current inputs, building it if the
// cache has no entry for them. It needs root (debootstrap, chroot) only
// when it builds.
func Build(ctx context.Context, cfg BuildConfig) (*Host, error) {
	start := time.Now()
	b := &builder{cfg: cfg, log: cfg.Log}
	if b.log == nil {
		b.log = io.Discard
	}
	if cfg.CacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		cfg.CacheDir = d
		b.cfg.CacheDir = d
	}

	in, err := b.resolve(ctx)
	if err != nil {
		return nil, err
	}
	final := filepath.Join(cfg.CacheDir, in.key)
	if h, err := loadHost(final); err == nil {
		h.Cached = true
		h.BuildTime = time.Since(start)
		b.logf("using cached test host %s", final)
		return h, nil
	}

	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("testhost: %v", err)
	}
	// One builder per key at a time; a second waits, then finds the entry.
	lock, err := os.OpenFile(final+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testhost: %v", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b.logf("waiting for another build of %s", in.key)
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			return nil, fmt.Errorf("testhost: lock %s: %v", lock.Name(), err)
		}
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if h, err := loadHost(final); err == nil {
		h.Cached = true
		h.BuildTime = time.Since(start)
		return h, nil
	}

	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("testhost: building the test host needs root (debootstrap, chroot); run once as root, e.g. sudo xentesthost build, to fill %s", cfg.CacheDir)
	}
	if err := b.hostPackages(ctx, buildTools); err != nil {
		return nil, err
	}

	// Leftovers of interrupted builds of this key (we hold the lock).
	old, _ := filepath.Glob(final + ".tmp*")
	for _, o := range old {
		os.RemoveAll(o)
	}
	work, err := os.MkdirTemp(cfg.CacheDir, in.key+".tmp")
	if err != nil {
		return nil, fmt.Errorf("testhost: %v", err)
	}
	ok := false
	defer func() {
		if !ok && !cfg.KeepWork {
			os.RemoveAll(work)
		} else if !ok {
			b.logf("kept the failed build's work directory %s", work)
		}
	}()
	b.logf("building test host %s in %s", in.key, work)
	h, err := b.build(ctx, in, work)
	if err != nil {
		return nil, err
	}
	h.BuildTime = time.Since(start)
	out := filepath.Join(work, "out")
	if err := writeHostJSON(out, h); err != nil {
		return nil, err
	}
	// The rename makes the entry appear complete, at once.
	if err := os.Rename(out, final); err != nil {
		return nil, fmt.Errorf("testhost: %v", err)
	}
	ok = true
	os.RemoveAll(work)
	h2, err := loadHost(final)
	if err != nil {
		return nil, err
	}
	h2.BuildTime = h.BuildTime
	b.logf("built test host %s in %v", final, h.BuildTime.Round(time.Millisecond))
	return h2, nil
}

// hostJSON is the entry's description, written last.
type hostJSON struct {
	Key           string
	Inputs        string
	KernelVersion string
	RootBytes     int64
	BuildSeconds  float64
	Built         time.Time
}

const hostJSONName = "host.json"

func writeHostJSON(dir string, h *Host) error {
	j := hostJSON{Key: h.Key, Inputs: h.Inputs, KernelVersion: h.KernelVersion,
		RootBytes: h.RootBytes, BuildSeconds: h.BuildTime.Seconds(), Built: time.Now().UTC()}
	data, err := json.MarshalIndent(j, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, hostJSONName), append(data, '\n'), 0o644)
}

// loadHost reads a finished cache entry.
func loadHost(dir string) (*Host, error) {
	data, err := os.ReadFile(filepath.Join(dir, hostJSONName))
	if err != nil {
		return nil, err
	}
	var j hostJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("testhost: %s: %v", dir, err)
	}
	h := &Host{
		Dir:           dir,
		Key:           j.Key,
		Inputs:        j.Inputs,
		Xen:           filepath.Join(dir, "xen"),
		Kernel:        filepath.Join(dir, "vmlinuz"),
		Initrd:        filepath.Join(dir, "dom0.cpio.gz"),
		KernelVersion: j.KernelVersion,
		GuestKernel:   filepath.Join(dir, "guest", "vmlinux.gz"),
		GuestModules:  filepath.Join(dir, "guest", "modules"),
		RootBytes:     j.RootBytes,
	}
	for _, f := range []string{h.Xen, h.Kernel, h.Initrd, h.GuestKernel, filepath.Join(h.GuestModules, "order")} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("testhost: incomplete cache entry %s: %v", dir, err)
		}
	}
	return h, nil
}

// ---- inputs and the cache key ----

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
	if data, err := os.ReadFile(memo); err == nil {
		var r aptResult
		if json.Unmarshal(data, &r) == nil && r.Stamp == stamp && len(r.Versions) > 0 {
			return &r, nil
		}
	}
	r := &aptResult{Stamp: stamp}
	pkgs := append([]string{hypervisorPackage, kernelMetaPackage}, rootPackages...)
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

var keyRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

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

// ---- build machine packages ----

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

// lookPath is exec.LookPath that also searches the sbin directories (a
// non-login root shell may lack them).
func lookPath(cmd string) (string, error) {
	if p, err := exec.LookPath(cmd); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		p := filepath.Join(d, cmd)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", cmd)
}

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

// ---- the build ----

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

// guestKernel extracts the ELF vmlinux from a bzImage's xz payload and
// writes it gzip'd (libxenguest unpacks gzip quickly; an xz bzImage is
// slow to unpack under TCG).
func guestKernel(ctx context.Context, bzImage, dst string) error {
	data, err := os.ReadFile(bzImage)
	if err != nil {
		return err
	}
	if len(data) < 0x250 || string(data[0x202:0x206]) != "HdrS" {
		return fmt.Errorf("%s: not a bzImage", bzImage)
	}
	setupSects := int(data[0x1f1])
	if setupSects == 0 {
		setupSects = 4
	}
	off := (setupSects+1)*512 + int(binary.LittleEndian.Uint32(data[0x248:]))
	n := int(binary.LittleEndian.Uint32(data[0x24c:]))
	if off+n > len(data) {
		return fmt.Errorf("%s: payload out of range", bzImage)
	}
	payload := data[off : off+n]
	var elf []byte
	switch {
	case bytes.HasPrefix(payload, []byte("\xfd7zXZ\x00")):
		xz, err := lookPath("xz")
		if err != nil {
			return err
		}
		// The kernel appends its size after the xz stream; --single-stream
		// ignores what follows the first stream.
		cmd := exec.CommandContext(ctx, xz, "-dc", "--single-stream")
		cmd.Stdin = bytes.NewReader(payload)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		elf, err = cmd.Output()
		if err != nil {
			return fmt.Errorf("xz -dc of the kernel payload: %v: %s", err, stderr.String())
		}
	case bytes.HasPrefix(payload, []byte("\x1f\x8b")):
		zr, err := gzip.NewReader(bytes.NewReader(payload))
		if err != nil {
			return err
		}
		zr.Multistream(false)
		elf, err = io.ReadAll(zr)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return err
		}
	default:
		return fmt.Errorf("%s: unknown payload compression %x", bzImage, payload[:min(6, len(payload))])
	}
	if !bytes.HasPrefix(elf, []byte("\x7fELF")) {
		return fmt.Errorf("%s: the payload is not an ELF", bzImage)
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if _, err := zw.Write(elf); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// moduleClosure returns the modules (paths relative to the module
// directory, in loading order: dependencies first) needed for names,
// reading modules.dep. Built-in modules need nothing.
func moduleClosure(moddir string, names []string) ([]string, error) {
	dep, err := os.ReadFile(filepath.Join(moddir, "modules.dep"))
	if err != nil {
		return nil, err
	}
	builtin, _ := os.ReadFile(filepath.Join(moddir, "modules.builtin"))
	norm := func(s string) string {
		s = filepath.Base(s)
		s = strings.TrimSuffix(s, ".ko")
		return strings.ReplaceAll(s, "-", "_")
	}
	deps := map[string][]string{} // path → dependency paths
	byName := map[string]string{} // normalised name → path
	sc := bufio.NewScanner(bytes.NewReader(dep))
	for sc.Scan() {
		mod, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		deps[mod] = strings.Fields(rest)
		byName[norm(mod)] = mod
	}
	isBuiltin := map[string]bool{}
	for _, l := range strings.Split(string(builtin), "\n") {
		if l != "" {
			isBuiltin[norm(l)] = true
		}
	}
	var order []string
	seen := map[string]bool{}
	var visit func(p string)
	visit = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, d := range deps[p] {
			visit(d)
		}
		order = append(order, p)
	}
	for _, n := range names {
		p, ok := byName[norm(n)]
		if !ok {
			if isBuiltin[norm(n)] {
				continue
			}
			return nil, fmt.Errorf("module %s is neither in modules.dep nor built in", n)
		}
		visit(p)
	}
	return order, nil
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

// Prune removes the cache's test hosts other than the one for the current
// inputs, and leftovers of interrupted builds, skipping any build in
// progress. It returns the removed paths.
func Prune(ctx context.Context, cfg BuildConfig) ([]string, error) {
	b := &builder{cfg: cfg, log: io.Discard}
	if cfg.CacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		cfg.CacheDir = d
	}
	in, err := b.resolve(ctx)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(cfg.CacheDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var removed []string
	for _, e := range ents {
		name := e.Name()
		key, _, _ := strings.Cut(name, ".")
		if key == in.key || !keyRE.MatchString(key) {
			continue
		}
		lockPath := filepath.Join(cfg.CacheDir, key+".lock")
		lock, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return removed, err
		}
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			lock.Close() // a build of that key is running
			continue
		}
		p := filepath.Join(cfg.CacheDir, name)
		if name != key+".lock" {
			if err := os.RemoveAll(p); err != nil {
				lock.Close()
				return removed, err
			}
			removed = append(removed, p)
		}
		lock.Close()
	}
	// Lock files of removed entries.
	for _, e := range ents {
		key, ok := strings.CutSuffix(e.Name(), ".lock")
		if ok && key != in.key {
			if _, err := os.Stat(filepath.Join(cfg.CacheDir, key)); errors.Is(err, fs.ErrNotExist) {
				os.Remove(filepath.Join(cfg.CacheDir, e.Name()))
			}
		}
	}
	return removed, nil
}
