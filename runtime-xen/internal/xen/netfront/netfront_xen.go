// Copyright 2026 The Go for Xen Authors.

//go:build xen

package netfront

import (
	"internal/xen/evtchn"
	"internal/xen/gnttab"
	"internal/xen/xenstore"
)

// LocalConfig is the configuration of the domain's own vifs: its xenstore
// connection, event channels, grant table and heap. It fails in the
// control domain (no xenstore connection: no vifs of its own).
func LocalConfig() (Config, error) {
	store, err := xenstore.Local()
	if err != nil {
		return Config{}, err
	}
	table, err := gnttab.Local()
	if err != nil {
		return Config{}, err
	}
	return Config{Store: store, Xen: evtchn.Local, Grants: table, Memory: gnttab.Heap}, nil
}
