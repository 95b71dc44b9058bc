// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenfake

// Grant tables as Xen keeps them (xen/common/grant_table.c): a domain's
// table is frames of version-1 entries in its own memory
// (internal/xen/gnttab writes them); when another domain maps a grant, Xen
// checks the entry and marks it GTF_reading/GTF_writing with a
// compare-and-swap, which is what makes a revoke fail while the page is
// mapped.

import (
	"errors"
	"internal/xen/gnttab"
	"sync"
	"sync/atomic"
)

// Memory is a domain's pseudo-physical memory: pages by guest frame
// number.
type Memory struct {
	mu    sync.Mutex
	pages map[uint32]*[gnttab.PageSize]byte
	next  uint32
}

// NewMemory returns memory without pages.
func NewMemory() *Memory { return &Memory{pages: map[uint32]*[gnttab.PageSize]byte{}, next: 0x1000} }

// NewPage adds a zeroed page and returns it with its frame number.
func (m *Memory) NewPage() ([]byte, uint32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := new([gnttab.PageSize]byte)
	gfn := m.next
	m.next++
	m.pages[gfn] = p
	return p[:], gfn
}

// Page returns the page at gfn, or nil.
func (m *Memory) Page(gfn uint32) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p := m.pages[gfn]; p != nil {
		return p[:]
	}
	return nil
}

// Grants is a domain's grant table: the guest's gnttab.Table over frames
// in ordinary memory, and Xen's side of it for the domains that map its
// grants.
type Grants struct {
	Table  *gnttab.Table
	domid  uint16
	mem    *Memory
	frames []gnttab.Frame
}

// NewGrants returns the grant table of domain domid, whose pages are in
// mem, with nframes frames.
func NewGrants(domid uint16, mem *Memory, nframes int) *Grants {
	frames := make([]gnttab.Frame, nframes)
	for i := range frames {
		frames[i] = new([gnttab.PageSize / 4]uint32)
	}
	return &Grants{Table: gnttab.New(frames), domid: domid, mem: mem, frames: frames}
}

// Errors of Map, as GNTST_* statuses (grant_table.h).
var (
	ErrBadGrantRef  = errors.New("xenfake: GNTST_bad_gntref")
	ErrPermission   = errors.New("xenfake: GNTST_permission_denied")
	ErrBadFrame     = errors.New("xenfake: GNTST_bad_page")
	ErrNotMappedRef = errors.New("xenfake: unmap of a ref that is not mapped")
)

func (g *Grants) words(r gnttab.Ref) (flags, frame *uint32, ok bool) {
	if int(r) >= len(g.frames)*gnttab.EntriesPerFrame {
		return nil, nil, false
	}
	f := g.frames[int(r)/gnttab.EntriesPerFrame]
	i := int(r) % gnttab.EntriesPerFrame * 2
	return &f[i], &f[i+1], true
}

// Entry returns entry r as Xen reads it.
func (g *Grants) Entry(r gnttab.Ref) (flags, domid uint16, frame uint32) {
	fl, fr, ok := g.words(r)
	if !ok {
		return 0, 0, 0
	}
	w := atomic.LoadUint32(fl)
	return uint16(w), uint16(w >> 16), atomic.LoadUint32(fr)
}

// Map maps grant r for domain peer (GNTTABOP_map_grant_ref): the entry
// must permit access to peer, and be writable if write is set. It marks
// the entry in use and returns the page, shared with the granting domain.
func (g *Grants) Map(peer uint16, r gnttab.Ref, write bool) ([]byte, error) {
	fl, fr, ok := g.words(r)
	if !ok {
		return nil, ErrBadGrantRef
	}
	for {
		old := atomic.LoadUint32(fl)
		flags, domid := uint16(old), uint16(old>>16)
		if flags&gnttab.FlagPermitAccess == 0 || domid != peer {
			return nil, ErrPermission
		}
		if write && flags&gnttab.FlagReadonly != 0 {
			return nil, ErrPermission
		}
		mark := uint32(gnttab.FlagReading)
		if write {
			mark |= gnttab.FlagWriting
		}
		if atomic.CompareAndSwapUint32(fl, old, old|mark) {
			break
		}
	}
	page := g.mem.Page(atomic.LoadUint32(fr))
	if page == nil {
		g.Unmap(r)
		return nil, ErrBadFrame
	}
	return page, nil
}

// Unmap ends a mapping made by Map (GNTTABOP_unmap_grant_ref).
func (g *Grants) Unmap(r gnttab.Ref) error {
	fl, _, ok := g.words(r)
	if !ok {
		return ErrBadGrantRef
	}
	for {
		old := atomic.LoadUint32(fl)
		if old&(gnttab.FlagReading|gnttab.FlagWriting) == 0 {
			return ErrNotMappedRef
		}
		if atomic.CompareAndSwapUint32(fl, old, old&^(gnttab.FlagReading|gnttab.FlagWriting)) {
			return nil
		}
	}
}
