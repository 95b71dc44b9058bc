// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netfront

import (
	"context"
	"internal/xen/xenbus"
	"sync"
)

// Watch connects the domain's vifs (device/vif/N), in parallel, and calls
// added for each in the order of their ids; it returns when all of them
// have been tried. Until ctx ends it then watches device/vif and connects
// each vif the toolstack adds later (xl network-attach), calling added
// from a goroutine of its own. A vif that cannot be connected is logged
// and skipped; a removed one (xl network-detach) breaks (Vif.Done) and
// its id may come back.
func Watch(ctx context.Context, cfg Config, added func(*Vif)) error {
	w, err := cfg.Store.Watch(ctx, "device/vif")
	if err != nil {
		return err
	}
	known := map[string]bool{}
	connect := func(ids []string) []*Vif {
		vifs := make([]*Vif, len(ids))
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := Connect(ctx, cfg, id)
				if err != nil {
					if cfg.Log != nil && ctx.Err() == nil {
						cfg.Log(err.Error())
					}
					return
				}
				vifs[i] = v
			}()
		}
		wg.Wait()
		return vifs
	}
	// scan returns the ids not seen before, in numeric order, and
	// forgets the ids that are gone.
	scan := func() []string {
		ids, err := xenbus.Devices(ctx, cfg.Store, "vif")
		if err != nil {
			return nil
		}
		now := map[string]bool{}
		var fresh []string
		for _, id := range ids {
			now[id] = true
			if !known[id] {
				known[id] = true
				fresh = append(fresh, id)
			}
		}
		for id := range known {
			if !now[id] {
				delete(known, id)
			}
		}
		// By number (insertion: a domain has a few vifs).
		for i := 1; i < len(fresh); i++ {
			for j := i; j > 0 && idLess(fresh[j], fresh[j-1]); j-- {
				fresh[j], fresh[j-1] = fresh[j-1], fresh[j]
			}
		}
		return fresh
	}
	<-w.C // a watch fires once when it is set
	for _, v := range connect(scan()) {
		if v != nil {
			added(v)
		}
	}
	go func() {
		defer w.Unwatch(context.Background())
		for {
			select {
			case _, ok := <-w.C:
				if !ok {
					return
				}
			case <-ctx.Done():
				return
			}
			for _, v := range connect(scan()) {
				if v != nil {
					added(v)
				}
			}
		}
	}()
	return nil
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
