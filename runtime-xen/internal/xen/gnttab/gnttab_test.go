// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Host tests: on xen, package os imports the disk driver, which imports
// this package, so tests in the package could not import testing there.

//go:build !xen

package gnttab

import (
	"errors"
	"sync/atomic"
	"testing"
)

// newTestTable returns a table over n frames of ordinary memory: the test
// plays Xen and the backend by reading and setting the entries' words.
func newTestTable(n int) (*Table, []Frame) {
	frames := make([]Frame, n)
	for i := range frames {
		frames[i] = new([PageSize / 4]uint32)
	}
	return New(frames), frames
}

// entry decodes entry r as Xen reads it: flags, domid, frame.
func entry(frames []Frame, r Ref) (flags, domid uint16, frame uint32) {
	f := frames[int(r)/EntriesPerFrame]
	w := atomic.LoadUint32(&f[int(r)%EntriesPerFrame*2])
	return uint16(w), uint16(w >> 16), f[int(r)%EntriesPerFrame*2+1]
}

// backendMaps sets what Xen sets while a backend has the page mapped.
func backendMaps(frames []Frame, r Ref, bits uint32) {
	f := frames[int(r)/EntriesPerFrame]
	w := &f[int(r)%EntriesPerFrame*2]
	atomic.StoreUint32(w, atomic.LoadUint32(w)|bits)
}

func backendUnmaps(frames []Frame, r Ref) {
	f := frames[int(r)/EntriesPerFrame]
	w := &f[int(r)%EntriesPerFrame*2]
	atomic.StoreUint32(w, atomic.LoadUint32(w)&^(FlagReading|FlagWriting))
}

func TestGrantWritesEntry(t *testing.T) {
	tab, frames := newTestTable(1)
	r, err := tab.Grant(7, 0x12345, false)
	if err != nil {
		t.Fatal(err)
	}
	if r < ReservedEntries {
		t.Fatalf("granted reserved ref %d", r)
	}
	flags, domid, frame := entry(frames, r)
	if flags != FlagPermitAccess || domid != 7 || frame != 0x12345 {
		t.Errorf("entry %d = flags %#x domid %d frame %#x; want %#x 7 0x12345", r, flags, domid, frame, FlagPermitAccess)
	}
	ro, err := tab.Grant(0, 0x99, true)
	if err != nil {
		t.Fatal(err)
	}
	if ro == r {
		t.Fatalf("ref %d granted twice", r)
	}
	if flags, _, _ := entry(frames, ro); flags != FlagPermitAccess|FlagReadonly {
		t.Errorf("read-only grant flags %#x, want %#x", flags, FlagPermitAccess|FlagReadonly)
	}
}

func TestRevokeRefusedWhileMapped(t *testing.T) {
	tab, frames := newTestTable(1)
	r, err := tab.Grant(1, 0x42, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, bits := range []uint32{FlagReading, FlagWriting, FlagReading | FlagWriting} {
		backendMaps(frames, r, bits)
		if err := tab.Revoke(r); !errors.Is(err, ErrInUse) {
			t.Fatalf("Revoke while mapped (%#x) = %v, want ErrInUse", bits, err)
		}
		if flags, domid, frame := entry(frames, r); flags&FlagPermitAccess == 0 || domid != 1 || frame != 0x42 {
			t.Fatalf("a refused Revoke changed the entry: flags %#x domid %d frame %#x", flags, domid, frame)
		}
		backendUnmaps(frames, r)
	}
	free := tab.Free()
	if err := tab.Revoke(r); err != nil {
		t.Fatalf("Revoke after unmap: %v", err)
	}
	if flags, _, _ := entry(frames, r); flags != 0 {
		t.Errorf("revoked entry flags %#x, want 0", flags)
	}
	if tab.Free() != free+1 {
		t.Errorf("Free = %d after Revoke, want %d", tab.Free(), free+1)
	}
	if err := tab.Revoke(r); !errors.Is(err, ErrBadRef) {
		t.Errorf("second Revoke = %v, want ErrBadRef", err)
	}
}

func TestBadRefs(t *testing.T) {
	tab, _ := newTestTable(1)
	for _, r := range []Ref{0, 1, ReservedEntries - 1, ReservedEntries, EntriesPerFrame, 1 << 31} {
		if err := tab.Revoke(r); !errors.Is(err, ErrBadRef) {
			t.Errorf("Revoke(%d) of an ungranted ref = %v, want ErrBadRef", r, err)
		}
	}
}

func TestExhaustionAndReuse(t *testing.T) {
	tab, frames := newTestTable(2)
	want := 2*EntriesPerFrame - ReservedEntries
	if tab.Free() != want || tab.Len() != 2*EntriesPerFrame {
		t.Fatalf("Free %d Len %d, want %d %d", tab.Free(), tab.Len(), want, 2*EntriesPerFrame)
	}
	seen := map[Ref]bool{}
	var refs []Ref
	for i := 0; i < want; i++ {
		r, err := tab.Grant(3, uint32(i), false)
		if err != nil {
			t.Fatalf("grant %d of %d: %v", i+1, want, err)
		}
		if seen[r] || r < ReservedEntries || int(r) >= tab.Len() {
			t.Fatalf("grant %d: bad or repeated ref %d", i, r)
		}
		seen[r] = true
		refs = append(refs, r)
	}
	// Entries in the second frame are written there.
	last := refs[len(refs)-1]
	if _, _, frame := entry(frames, last); frame != uint32(want-1) || int(last) < EntriesPerFrame {
		t.Errorf("last ref %d: frame %d", last, frame)
	}
	if _, err := tab.Grant(3, 1, false); !errors.Is(err, ErrExhausted) {
		t.Fatalf("grant in a full table = %v, want ErrExhausted", err)
	}
	backendMaps(frames, refs[10], FlagReading)
	if err := tab.Revoke(refs[10]); !errors.Is(err, ErrInUse) {
		t.Fatalf("Revoke = %v, want ErrInUse", err)
	}
	if _, err := tab.Grant(3, 1, false); !errors.Is(err, ErrExhausted) {
		t.Fatalf("a refused revoke freed an entry: %v", err)
	}
	if err := tab.Revoke(refs[20]); err != nil {
		t.Fatal(err)
	}
	r, err := tab.Grant(4, 77, true)
	if err != nil || r != refs[20] {
		t.Fatalf("grant after a revoke = %d, %v; want the freed ref %d", r, err, refs[20])
	}
}

// A backend that starts mapping while Revoke runs: Revoke's
// compare-and-swap must not clear an entry Xen has just marked.
func TestRevokeRacesBackend(t *testing.T) {
	tab, frames := newTestTable(1)
	for i := 0; i < 1000; i++ {
		r, err := tab.Grant(1, uint32(i), false)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			backendMaps(frames, r, FlagWriting)
			close(done)
		}()
		err = tab.Revoke(r)
		<-done
		flags, _, _ := entry(frames, r)
		switch {
		case err == nil && flags&FlagPermitAccess != 0:
			t.Fatalf("Revoke succeeded but the entry still permits access: %#x", flags)
		case errors.Is(err, ErrInUse):
			backendUnmaps(frames, r)
			if err := tab.Revoke(r); err != nil {
				t.Fatal(err)
			}
		case err != nil:
			t.Fatal(err)
		default:
			// Revoked before the backend's write landed; clear it
			// (the real Xen would refuse the mapping).
			backendUnmaps(frames, r)
		}
	}
}

func TestKeep(t *testing.T) {
	before := Kept()
	Keep(make([]byte, PageSize))
	Keep(nil)
	if got := Kept() - before; got != PageSize {
		t.Errorf("Kept grew by %d, want %d", got, PageSize)
	}
}
