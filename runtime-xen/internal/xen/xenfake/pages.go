// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenfake

// Multi-page shared areas (a ring of several pages): the guest allocates
// them contiguous, grants each page, and the backend maps the grants into
// one contiguous area, as Linux's xenbus_map_ring_valloc does.

import (
	"errors"
	"internal/xen/gnttab"
	"unsafe"
)

// Pages adds n zeroed pages, contiguous in memory and with consecutive
// frame numbers, and returns them with their frames. It satisfies the
// page allocator interface of the drivers (gnttab.Memory).
func (m *Memory) Pages(n int) ([]byte, []uint32, error) {
	if n <= 0 {
		return nil, nil, errors.New("xenfake: Pages: bad count")
	}
	block := make([]byte, n*gnttab.PageSize)
	m.mu.Lock()
	defer m.mu.Unlock()
	frames := make([]uint32, n)
	for i := range frames {
		gfn := m.next
		m.next++
		m.pages[gfn] = (*[gnttab.PageSize]byte)(block[i*gnttab.PageSize:])
		frames[i] = gfn
	}
	return block, frames, nil
}

// ErrNotContiguous: MapArea was given grants of pages that are not
// contiguous in the guest's memory (the fake cannot remap them).
var ErrNotContiguous = errors.New("xenfake: the granted pages are not contiguous in memory")

// MapArea maps grants refs for domain peer (writable if write) and returns
// them as one area, in order. On error nothing stays mapped.
func (g *Grants) MapArea(peer uint16, refs []gnttab.Ref, write bool) ([]byte, error) {
	var first unsafe.Pointer
	for i, r := range refs {
		p, err := g.Map(peer, r, write)
		if err == nil && i > 0 && unsafe.Pointer(&p[0]) != unsafe.Add(first, i*gnttab.PageSize) {
			g.Unmap(r)
			err = ErrNotContiguous
		}
		if err != nil {
			for _, r := range refs[:i] {
				g.Unmap(r)
			}
			return nil, err
		}
		if i == 0 {
			first = unsafe.Pointer(&p[0])
		}
	}
	if len(refs) == 0 {
		return nil, errors.New("xenfake: MapArea: no grants")
	}
	return unsafe.Slice((*byte)(first), len(refs)*gnttab.PageSize), nil
}
