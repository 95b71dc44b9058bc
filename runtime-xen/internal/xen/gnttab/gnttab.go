// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package gnttab

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Ref is a grant reference: the index of an entry in the table, what a
// frontend writes to xenstore for its backend (grant_ref_t).
type Ref uint32

// Grant entry layout and flags, grant_table.h (struct grant_entry_v1 and
// GTF_*): each 8-byte entry is flags (u16), domid (u16), frame (u32). Xen
// changes only the flags word, with a compare-and-swap on flags and domid
// together, so the guest does the same on the 32-bit word holding both.
const (
	EntrySize       = 8
	PageSize        = 4096
	EntriesPerFrame = PageSize / EntrySize

	FlagPermitAccess = 1 << 0 // GTF_permit_access
	FlagReadonly     = 1 << 2 // GTF_readonly
	FlagReading      = 1 << 3 // GTF_reading: a foreign domain has it mapped or is copying from it
	FlagWriting      = 1 << 4 // GTF_writing: ... for writing

	// ReservedEntries are the refs the toolstack uses for the console and
	// xenstore rings (GNTTAB_NR_RESERVED_ENTRIES): never handed out.
	ReservedEntries = 8
)

var (
	// ErrExhausted: every entry of the table is in use.
	ErrExhausted = errors.New("gnttab: grant table full")
	// ErrInUse: a backend still has the granted page mapped (or is copying
	// it); revoke again after it has unmapped it.
	ErrInUse = errors.New("gnttab: grant still in use by the other domain")
	// ErrBadRef: the ref is reserved, out of range, or not granted.
	ErrBadRef = errors.New("gnttab: not a granted reference")
)

// kept holds the pages whose grants could not be revoked (Keep).
var kept struct {
	mu    sync.Mutex
	pages [][]byte
	bytes int
}

// Keep keeps mem referenced for the rest of the program: a page whose
// grant the backend still holds (Revoke failed with ErrInUse, or the
// device broke with requests in flight) may still be written by the
// backend, so its memory must never be reused. A driver's own list would
// not do: the driver goes once its device is gone, and the heap would
// hand the page out again. Linux's gnttab_end_foreign_access defers such
// pages in the same way (grant-table.c, the deferred list), retrying the
// revoke; the guest here keeps them, as a backend that holds a grant past
// its device's end is broken.
func Keep(mem []byte) {
	if len(mem) == 0 {
		return
	}
	kept.mu.Lock()
	kept.pages = append(kept.pages, mem)
	kept.bytes += len(mem)
	kept.mu.Unlock()
}

// Kept is how many bytes Keep holds.
func Kept() int {
	kept.mu.Lock()
	defer kept.mu.Unlock()
	return kept.bytes
}

// Grants is what a driver needs of a grant table: a *Table, or the fake
// table of host tests.
type Grants interface {
	Grant(domid uint16, gfn uint32, readOnly bool) (Ref, error)
	Revoke(r Ref) error
}

// Memory gives a driver pages to share with a backend.
type Memory interface {
	// Pages returns n zeroed pages, contiguous and page-aligned, that
	// stay backed by the same frames while the driver references them,
	// and each page's guest frame number.
	Pages(n int) (mem []byte, frames []uint32, err error)
}

// A Frame is one page of the table, seen as 32-bit words: entry i is words
// 2i (flags | domid<<16) and 2i+1 (frame number).
type Frame *[PageSize / 4]uint32

// Table is a grant table. Its methods may be called from any goroutine.
type Table struct {
	mu      sync.Mutex
	frames  []Frame
	free    []Ref // refs not granted, taken from the end
	granted []bool
}

// New returns a table over frames, which must be zeroed (as Xen gives them)
// or hold no grants.
func New(frames []Frame) *Table {
	n := len(frames) * EntriesPerFrame
	t := &Table{frames: frames, granted: make([]bool, n)}
	// Hand out low refs first: pop from the end of a descending list.
	for r := n - 1; r >= ReservedEntries; r-- {
		t.free = append(t.free, Ref(r))
	}
	return t
}

// Len is the number of entries, reserved ones included.
func (t *Table) Len() int { return len(t.granted) }

// Free is the number of entries that can still be granted.
func (t *Table) Free() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.free)
}

func (t *Table) words(r Ref) (flags, frame *uint32) {
	f := t.frames[int(r)/EntriesPerFrame]
	i := int(r) % EntriesPerFrame * 2
	return &f[i], &f[i+1]
}

// Grant lets domain domid access the guest frame gfn (a page's physical
// address >> 12), read-only if readOnly. It returns the entry's ref, or
// ErrExhausted.
func (t *Table) Grant(domid uint16, gfn uint32, readOnly bool) (Ref, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.free) == 0 {
		return 0, ErrExhausted
	}
	r := t.free[len(t.free)-1]
	t.free = t.free[:len(t.free)-1]
	t.granted[r] = true
	flags, frame := t.words(r)
	flag := uint32(FlagPermitAccess)
	if readOnly {
		flag |= FlagReadonly
	}
	// The frame and domid must be visible before GTF_permit_access: Xen
	// reads the entry as soon as the flag is set (grant_table.h: "write
	// the frame and domid, then the flags, with a barrier between"). Go's
	// atomic stores are ordered after the preceding writes.
	atomic.StoreUint32(frame, gfn)
	atomic.StoreUint32(flags, uint32(domid)<<16)
	atomic.StoreUint32(flags, uint32(domid)<<16|flag)
	return r, nil
}

// Revoke ends the grant r. While the other domain has the page mapped, or
// is copying it, Revoke changes nothing and returns ErrInUse; the page must
// not be reused until Revoke has succeeded.
func (t *Table) Revoke(r Ref) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if int(r) >= len(t.granted) || !t.granted[r] {
		return ErrBadRef
	}
	flags, frame := t.words(r)
	// Clear the flags only if Xen has not marked the entry in use in the
	// meantime (grant_table.h: revoke with a compare-and-swap that fails
	// while GTF_reading or GTF_writing is set).
	for {
		old := atomic.LoadUint32(flags)
		if old&(FlagReading|FlagWriting) != 0 {
			return ErrInUse
		}
		if atomic.CompareAndSwapUint32(flags, old, 0) {
			break
		}
	}
	atomic.StoreUint32(frame, 0)
	t.granted[r] = false
	t.free = append(t.free, r)
	return nil
}
