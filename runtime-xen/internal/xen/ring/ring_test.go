// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Host tests: on xen, package os imports the disk driver, which imports
// this package, so tests in the package could not import testing there.

//go:build !xen

package ring

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestSize(t *testing.T) {
	for _, tc := range []struct{ area, slot, want int }{
		{4096, 12, 256}, // netif tx (12-byte requests, 4-byte responses)
		{4096, 8, 256},  // netif rx
		{4096, 112, 32}, // blkif
		{8192, 112, 64}, // blkif, ring-page-order 1
		{4096, 4096, 0}, // a slot larger than the page
		{4096, 2016, 2}, // (4096-64)/2016 = 2
		{4096, 1345, 2}, // 3 fit, rounded down to a power of two
		{16384, 112, 128},
	} {
		if got := Size(tc.area, tc.slot); got != tc.want {
			t.Errorf("Size(%d, %d) = %d, want %d", tc.area, tc.slot, got, tc.want)
		}
	}
}

func newPair(t *testing.T, pages, req, rsp int) (*Front, *Back, []byte) {
	mem := make([]byte, pages*PageSize)
	f, err := NewFront(mem, req, rsp)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBack(mem, req, rsp)
	if err != nil {
		t.Fatal(err)
	}
	return f, b, mem
}

// Requests go one way and responses the other, through every slot, with
// the notifications ring.h's event indices ask for.
func TestRoundTrips(t *testing.T) {
	f, b, mem := newPair(t, 1, 12, 4)
	if rp, re, sp, se := Indices(mem); rp != 0 || re != 1 || sp != 0 || se != 1 {
		t.Fatalf("initial indices %d %d %d %d, want 0 1 0 1", rp, re, sp, se)
	}
	req := make([]byte, 12)
	rsp := make([]byte, 4)
	for round := 0; round < 3*f.Size(); round += 7 {
		for i := 0; i < 7; i++ {
			s, err := f.NextRequest()
			if err != nil {
				t.Fatal(err)
			}
			binary.LittleEndian.PutUint32(s, uint32(round+i))
		}
		notify := f.PushRequests()
		n, err := b.FinalCheck()
		if err != nil || n != 7 {
			t.Fatalf("backend sees %d requests, %v", n, err)
		}
		if round == 0 && !notify {
			t.Error("first push did not ask to notify (req_event was 1)")
		}
		for i := 0; i < n; i++ {
			b.ConsumeRequest(req)
			s, err := b.NextResponse()
			if err != nil {
				t.Fatal(err)
			}
			copy(s, req[:4])
		}
		b.PushResponses()
		got, err := f.Unconsumed()
		if err != nil || got != 7 {
			t.Fatalf("frontend sees %d responses, %v", got, err)
		}
		for i := 0; i < got; i++ {
			f.ConsumeResponse(rsp)
			if v := binary.LittleEndian.Uint32(rsp); v != uint32(round+i) {
				t.Fatalf("response %d carries %d", round+i, v)
			}
		}
		if n, err := f.FinalCheck(); n != 0 || err != nil {
			t.Fatalf("FinalCheck = %d, %v", n, err)
		}
		if _, _, _, se := Indices(mem); se != f.rspCons+1 {
			t.Fatalf("rsp_event %d, want %d", se, f.rspCons+1)
		}
	}
}

func TestFull(t *testing.T) {
	f, _, _ := newPair(t, 1, 112, 16)
	for i := 0; i < f.Size(); i++ {
		if _, err := f.NextRequest(); err != nil {
			t.Fatalf("request %d of %d: %v", i, f.Size(), err)
		}
	}
	if _, err := f.NextRequest(); !errors.Is(err, ErrFull) {
		t.Fatalf("request in a full ring: %v", err)
	}
	if f.Free() != 0 || f.Outstanding() != f.Size() {
		t.Errorf("Free %d Outstanding %d", f.Free(), f.Outstanding())
	}
}

// The indices are free-running: they wrap at 2^32 without a hiccup.
func TestIndexWrap(t *testing.T) {
	f, b, mem := newPair(t, 1, 8, 8)
	start := uint32(1<<32 - 5)
	for _, i := range []Index{ReqProd, RspProd} {
		SetIndex(mem, i, start)
	}
	f.reqProdPvt, f.rspCons = start, start
	b.reqCons, b.rspProdPvt = start, start
	buf := make([]byte, 8)
	for i := 0; i < 20; i++ {
		s, _ := f.NextRequest()
		s[0] = byte(i)
		f.PushRequests()
		if n, err := b.Unconsumed(); n != 1 || err != nil {
			t.Fatalf("step %d: backend sees %d, %v", i, n, err)
		}
		b.ConsumeRequest(buf)
		r, _ := b.NextResponse()
		r[0] = buf[0] + 1
		b.PushResponses()
		if n, err := f.Unconsumed(); n != 1 || err != nil {
			t.Fatalf("step %d: frontend sees %d, %v", i, n, err)
		}
		f.ConsumeResponse(buf)
		if buf[0] != byte(i)+1 {
			t.Fatalf("step %d: response %d", i, buf[0])
		}
	}
}

// A backend claiming responses to requests never made is caught.
func TestHostileResponseIndex(t *testing.T) {
	f, _, mem := newPair(t, 1, 12, 4)
	for i := 0; i < 3; i++ {
		f.NextRequest()
	}
	f.PushRequests()
	for _, prod := range []uint32{4, 100, 1 << 31, 1<<32 - 1} {
		SetIndex(mem, RspProd, prod)
		if n, err := f.Unconsumed(); !errors.Is(err, ErrCorrupt) || n != 0 {
			t.Errorf("rsp_prod %d with 3 outstanding: %d, %v; want ErrCorrupt", prod, n, err)
		}
		if _, err := f.FinalCheck(); !errors.Is(err, ErrCorrupt) {
			t.Errorf("FinalCheck with rsp_prod %d: %v", prod, err)
		}
	}
	SetIndex(mem, RspProd, 3)
	if n, err := f.Unconsumed(); n != 3 || err != nil {
		t.Errorf("rsp_prod 3: %d, %v", n, err)
	}
}

// The response is copied out once: changing the slot afterwards does not
// change what the frontend took.
func TestResponseCopiedOnce(t *testing.T) {
	f, b, mem := newPair(t, 1, 8, 8)
	f.NextRequest()
	f.PushRequests()
	req := make([]byte, 8)
	b.ConsumeRequest(req)
	s, _ := b.NextResponse()
	copy(s, "response")
	b.PushResponses()
	got := make([]byte, 8)
	f.ConsumeResponse(got)
	copy(mem[headerSize:], "CHANGED!")
	if string(got) != "response" {
		t.Errorf("got %q", got)
	}
}

func TestBadAreas(t *testing.T) {
	for _, tc := range []struct {
		mem      []byte
		req, rsp int
	}{
		{make([]byte, 100), 8, 8},
		{make([]byte, PageSize+1), 8, 8},
		{make([]byte, PageSize), 0, 8},
		{make([]byte, PageSize), 8, PageSize},
	} {
		if _, err := NewFront(tc.mem, tc.req, tc.rsp); err == nil {
			t.Errorf("NewFront(%d bytes, %d, %d) succeeded", len(tc.mem), tc.req, tc.rsp)
		}
	}
}

// FuzzFrontend drives a frontend against a hostile backend that writes
// arbitrary indices and slot contents: the frontend never panics, never
// reports more responses than it has requests outstanding, and a corrupt
// index is an error, not a hang.
func FuzzFrontend(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := make([]byte, PageSize)
		fr, err := NewFront(mem, 12, 4)
		if err != nil {
			t.Fatal(err)
		}
		rsp := make([]byte, 4)
		for len(data) >= 5 {
			op, v := data[0], binary.LittleEndian.Uint32(data[1:5])
			data = data[5:]
			switch op % 4 {
			case 0: // produce requests
				for i := 0; i < int(v%8); i++ {
					if s, err := fr.NextRequest(); err == nil {
						binary.LittleEndian.PutUint32(s, v)
					}
				}
				fr.PushRequests()
			case 1: // the backend writes rsp_prod
				SetIndex(mem, RspProd, v)
			case 2: // the backend scribbles over the slots and header
				off := int(v % PageSize)
				mem[off] = byte(v >> 24)
			case 3: // consume what is claimed
				n, err := fr.FinalCheck()
				if err != nil {
					if !errors.Is(err, ErrCorrupt) {
						t.Fatal(err)
					}
					continue
				}
				if n > fr.Outstanding() {
					t.Fatalf("%d responses claimed, %d outstanding", n, fr.Outstanding())
				}
				for i := 0; i < n; i++ {
					fr.ConsumeResponse(rsp)
				}
			}
			if fr.Outstanding() < 0 || fr.Outstanding() > fr.Size() {
				t.Fatalf("outstanding %d of %d", fr.Outstanding(), fr.Size())
			}
		}
	})
}

// Drain hands over every response in order, leaves the backend asked to
// notify on the next one, stops when told to, and reports a corrupt index.
func TestDrain(t *testing.T) {
	f, b, mem := newPair(t, 1, 12, 4)
	req := make([]byte, 12)
	for i := 0; i < 5; i++ {
		f.NextRequest()
	}
	f.PushRequests()
	for i := 0; i < 5; i++ {
		b.ConsumeRequest(req)
		s, _ := b.NextResponse()
		s[0] = byte(i)
	}
	b.PushResponses()
	var got []byte
	buf := make([]byte, 4)
	if err := f.Drain(buf, func(r []byte) bool { got = append(got, r[0]); return len(got) < 3 }); err != nil || string(got) != "\x00\x01\x02" {
		t.Fatalf("Drain stopped after %v, %v; want 0 1 2", got, err)
	}
	if err := f.Drain(buf, func(r []byte) bool { got = append(got, r[0]); return true }); err != nil || len(got) != 5 || got[4] != 4 {
		t.Fatalf("Drain: %v, %v", got, err)
	}
	if _, _, _, se := Indices(mem); se != 6 {
		t.Errorf("rsp_event %d after draining 5 responses, want 6", se)
	}
	SetIndex(mem, RspProd, 9)
	if err := f.Drain(buf, func([]byte) bool { return true }); err != ErrCorrupt {
		t.Errorf("Drain over a corrupt index: %v", err)
	}
}
