// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package blkfront

import (
	"context"
	"errors"
	"internal/strconv"
	"internal/stringslite"
	"internal/xen/devfs"
	"internal/xen/evtchn"
	"internal/xen/gnttab"
	"internal/xen/xenstore"
	"syscall"
	"time"
)

// The domain's disks become files in /dev: the probe runs the first time
// a program looks there (syscall's file system asks devfs).
func init() { devfs.RegisterProbe(probe) }

// probeTimeout bounds the handshakes of all disks. The toolstack starts
// the domain once the backends are ready for it, so they normally take
// milliseconds.
const probeTimeout = 30 * time.Second

func probe() []devfs.BlockDevice {
	store, err := xenstore.Local()
	if err != nil {
		return nil // the control domain: no devices of its own
	}
	logf := func(msg string) { print("blkfront: ", msg, "\n") }
	table, err := gnttab.Local()
	if err != nil {
		logf(err.Error())
		return nil
	}
	cfg := Config{Store: store, Xen: evtchn.Local, Grants: table, Memory: gnttab.Heap, Log: logf}
	if v, ok := syscall.Getenv("GOXEN_BLKFRONT"); ok {
		if err := cfg.parseOptions(v); err != nil {
			logf("GOXEN_BLKFRONT: " + err.Error())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	disks, errs := Probe(ctx, cfg)
	for _, err := range errs {
		logf(err.Error())
	}
	devs := make([]devfs.BlockDevice, len(disks))
	for i, d := range disks {
		devs[i] = d
	}
	return devs
}

// parseOptions reads the comma-separated tuning options of
// GOXEN_BLKFRONT: ring-pages=N, max-pages=N, no-indirect, no-persistent.
func (c *Config) parseOptions(s string) error {
	for s != "" {
		var opt string
		if i := stringslite.IndexByte(s, ','); i >= 0 {
			opt, s = s[:i], s[i+1:]
		} else {
			opt, s = s, ""
		}
		key, val := opt, ""
		if i := stringslite.IndexByte(opt, '='); i >= 0 {
			key, val = opt[:i], opt[i+1:]
		}
		n, err := strconv.Atoi(val)
		switch {
		case key == "no-indirect" && val == "":
			c.NoIndirect = true
		case key == "no-persistent" && val == "":
			c.NoPersistent = true
		case key == "ring-pages" && err == nil && n > 0:
			c.RingPages = n
		case key == "max-pages" && err == nil && n > 0:
			c.MaxPages = n
		default:
			return errors.New("unknown option " + opt)
		}
	}
	return nil
}
