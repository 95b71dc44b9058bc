// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package xen

import (
	"errors"
	"internal/xen/gnttab"
	"unsafe"
)

// A GrantRef names an entry of this domain's grant table: a page another
// domain may map or copy. Frontends tell their backends the ref through
// xenstore.
type GrantRef uint32

// PageSize is the size of a page that can be granted.
const PageSize = gnttab.PageSize

var (
	// ErrGrantInUse: Revoke found the page still mapped (or being copied)
	// by the other domain.
	ErrGrantInUse = gnttab.ErrInUse
	// ErrGrantTableFull: every entry of the grant table is granted.
	ErrGrantTableFull = gnttab.ErrExhausted
	// ErrNotGranted: Revoke of a ref that is not granted.
	ErrNotGranted = gnttab.ErrBadRef
)

// NewPage returns a new zeroed page-aligned page of memory, to grant.
func NewPage() []byte {
	p, _, err := gnttab.AllocPages(1)
	if err != nil {
		panic("xen: NewPage: " + err.Error())
	}
	return p
}

// Grant lets domain domid map or copy page (PageSize bytes starting at a
// page boundary, e.g. from NewPage), read-only if readOnly, and returns the
// grant's ref. Keep page reachable until Revoke has succeeded: the other
// domain sees this memory, not a copy.
func Grant(domid int, page []byte, readOnly bool) (GrantRef, error) {
	if domid < 0 || domid > 0xFFFF {
		return 0, errors.New("xen: Grant: bad domain id")
	}
	if len(page) != PageSize {
		return 0, errors.New("xen: Grant: not one page of memory")
	}
	t, err := gnttab.Local()
	if err != nil {
		return 0, err
	}
	gfn, err := gnttab.FrameOf(unsafe.Pointer(&page[0]))
	if err != nil {
		return 0, err
	}
	r, err := t.Grant(uint16(domid), gfn, readOnly)
	return GrantRef(r), err
}

// Revoke ends a grant. While the other domain still has the page mapped it
// fails with ErrGrantInUse and the grant stays; try again once the other
// side has unmapped it.
func Revoke(ref GrantRef) error {
	t, err := gnttab.Local()
	if err != nil {
		return err
	}
	return t.Revoke(gnttab.Ref(ref))
}
