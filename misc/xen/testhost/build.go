// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// BuilderVersion is part of the cache key. Bump it whenever the build
// procedure changes what it produces (trimming, module list, layout, ...).
const BuilderVersion = "1"

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

// keyRE matches a cache key (keyOf).
var keyRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

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
