// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package netfront

import (
	"internal/xen/evtchn"
	"internal/xen/gnttab"
	"internal/xen/xenstore"
)

// LocalConfig is the configuration of the domain's own vifs: its xenstore
// connection, event channels, grant table and heap. It fails in the
// control domain (no xenstore connection: no vifs of its own). The grant
// table is mapped when the first vif connects, so a program whose domain
// has no vif does not pay for it at boot.
func LocalConfig() (Config, error) {
	store, err := xenstore.Local()
	if err != nil {
		return Config{}, err
	}
	return Config{Store: store, Xen: evtchn.Local, Grants: localGrants{}, Memory: gnttab.Heap}, nil
}

// localGrants is the domain's grant table, mapped on first use.
type localGrants struct{}

func (localGrants) Grant(domid uint16, gfn uint32, readOnly bool) (gnttab.Ref, error) {
	t, err := gnttab.Local()
	if err != nil {
		return 0, err
	}
	return t.Grant(domid, gfn, readOnly)
}

func (localGrants) Revoke(r gnttab.Ref) error {
	t, err := gnttab.Local()
	if err != nil {
		return err
	}
	return t.Revoke(r)
}
