// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenfake

import (
	"errors"
	"internal/xen/gnttab"
	"testing"
)

// A backend maps what the guest granted and sees its writes; the guest's
// revoke fails while the page is mapped, as with the real Xen.
func TestGrantMapping(t *testing.T) {
	mem := NewMemory()
	g := NewGrants(5, mem, 1)
	page, gfn := mem.NewPage()
	r, err := g.Table.Grant(0, gfn, false)
	if err != nil {
		t.Fatal(err)
	}
	ro, _ := g.Table.Grant(0, gfn, true)
	if _, err := g.Map(3, r, false); !errors.Is(err, ErrPermission) {
		t.Errorf("map by the wrong domain: %v", err)
	}
	if _, err := g.Map(0, ro, true); !errors.Is(err, ErrPermission) {
		t.Errorf("writable map of a read-only grant: %v", err)
	}
	if _, err := g.Map(0, 1<<20, false); !errors.Is(err, ErrBadGrantRef) {
		t.Errorf("map of a ref out of range: %v", err)
	}
	mapped, err := g.Map(0, r, true)
	if err != nil {
		t.Fatal(err)
	}
	copy(page, "from the guest")
	if string(mapped[:14]) != "from the guest" {
		t.Errorf("the backend sees %q", mapped[:14])
	}
	if err := g.Table.Revoke(r); !errors.Is(err, gnttab.ErrInUse) {
		t.Errorf("revoke while mapped: %v", err)
	}
	if err := g.Unmap(r); err != nil {
		t.Fatal(err)
	}
	if err := g.Table.Revoke(r); err != nil {
		t.Errorf("revoke after unmap: %v", err)
	}
	if _, err := g.Map(0, r, false); !errors.Is(err, ErrPermission) {
		t.Errorf("map after revoke: %v", err)
	}
	if err := g.Unmap(r); !errors.Is(err, ErrNotMappedRef) {
		t.Errorf("unmap of an unmapped ref: %v", err)
	}
}
