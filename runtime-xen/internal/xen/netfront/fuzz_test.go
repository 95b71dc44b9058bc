// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build !xen

package netfront

import (
	"internal/byteorder"
	"internal/xen/ring"
	"testing"
	"unsafe"
)

func alignedPages(n int) []byte {
	b := make([]byte, (n+1)*pageSize)
	off := pageSize - int(uintptr(unsafe.Pointer(&b[0]))%pageSize)
	return b[off : off+n*pageSize : off+n*pageSize]
}

// fuzzVif is a connected vif without a backend: the test writes the
// rings as the backend would.
func fuzzVif(t testing.TB, mtu int, sg bool) *Vif {
	v := &Vif{cfg: Config{RxBuffers: ringSlots}, mtu: mtu, sg: sg, rxGSO: sg, txGSO: sg, gone: make(chan struct{}), txWake: make(chan struct{}),
		rxq: make(chan []byte, ringSlots), rxFree: make(chan []byte, ringSlots)}
	mem := alignedPages(2)
	v.txMem, v.rxMem = mem[:pageSize], mem[pageSize:]
	var err error
	if v.tx, err = ring.NewFront(v.txMem, txRequestSize, txResponseSize); err != nil {
		t.Fatal(err)
	}
	if v.rx, err = ring.NewFront(v.rxMem, rxRequestSize, rxResponseSize); err != nil {
		t.Fatal(err)
	}
	v.rxPages = make([]page, ringSlots)
	pages := alignedPages(ringSlots)
	for i := range v.rxPages {
		v.rxPages[i].mem = pages[i*pageSize : (i+1)*pageSize]
		v.rxPages[i].ref = 8 + 0
	}
	for i := 0; i < ringSlots; i++ {
		v.postRx()
	}
	v.rx.PushRequests()
	for id := ringSlots - 1; id >= 0; id-- {
		v.txFreeIDs = append(v.txFreeIDs, uint16(id))
	}
	return v
}

// FuzzResponses fills both rings with hostile responses and response
// indices: the driver must not panic, must not deliver a packet larger
// than its MTU (or, with a GSO extra, 18 pages) allows, and must stay
// consistent (or break).
func FuzzResponses(f *testing.F) {
	ok := make([]byte, 0, 64)
	ok = byteorder.LEAppendUint16(ok, 0)
	ok = byteorder.LEAppendUint16(ok, 0)
	ok = byteorder.LEAppendUint16(ok, 0)
	ok = byteorder.LEAppendUint16(ok, 60)
	f.Add(uint16(1), uint16(0), ok, []byte{0, 0, 0, 0})
	f.Add(uint16(300), uint16(3), []byte{1, 0, 0x10, 0, 4, 0, 0xff, 0x0f, 2, 0, 0, 0, 8, 0, 9, 0}, []byte{5, 0, 0, 0, 5, 0, 0, 0})
	// A GSO packet: a full page with extra_info and more_data, the GSO
	// extra, a second page; and a transmit extra's NULL response.
	f.Add(uint16(4), uint16(2), []byte{0, 0, 0, 0, 0x0c, 0, 0, 0x10, 1, 0, 0xb4, 5, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0x10},
		[]byte{0, 0, 0, 0, 1, 0, 1, 0})
	f.Fuzz(func(t *testing.T, rxProd, txProd uint16, rxRsps, txRsps []byte) {
		v := fuzzVif(t, 1500, rxProd%2 == 0)
		// Put some transmit requests in flight.
		for id := 0; id < 4; id++ {
			v.txBusy[id] = true
			v.tx.NextRequest()
		}
		v.txFreeIDs = v.txFreeIDs[:ringSlots-4]
		v.tx.PushRequests()
		// The backend's responses, slot by slot, and its indices.
		for i := 0; i+rxResponseSize <= len(rxRsps) && i/rxResponseSize < ringSlots; i += rxResponseSize {
			copy(v.rxMem[64+i:], rxRsps[i:i+rxResponseSize])
		}
		for i := 0; i+txResponseSize <= len(txRsps) && i/txResponseSize < ringSlots; i += txResponseSize {
			copy(v.txMem[64+i*txRequestSize/txResponseSize:], txRsps[i:i+txResponseSize])
		}
		ring.SetIndex(v.rxMem, ring.RspProd, uint32(rxProd))
		ring.SetIndex(v.txMem, ring.RspProd, uint32(txProd))
		v.mu.Lock()
		v.completeTx()
		if v.err == nil {
			v.receiveRx()
		}
		v.mu.Unlock()
		limit := v.mtu + ethHeader
		if v.rxGSO {
			limit = maxRxFrame
		}
		for len(v.rxq) > 0 {
			if p := <-v.rxq; len(p) > limit || len(p) < ethHeader {
				t.Fatalf("delivered a %d-byte packet", len(p))
			}
		}
		if v.err == nil && len(v.txFreeIDs) > ringSlots {
			t.Fatal("more free transmit ids than slots")
		}
	})
}

// FuzzChecksum: completing a checksum never reads or writes outside the
// frame, whatever its headers claim (TestChecksumCompleted checks the sums).
func FuzzChecksum(f *testing.F) {
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00E\x00\x00\x1c\x00\x00\x00\x00@\x11\x00\x00\n\x00\x00\x01\n\x00\x00\x09\x00\x07\x00\x07\x00\x08\x00\x00"))
	f.Fuzz(func(t *testing.T, frame []byte) {
		completeChecksum(frame)
	})
}
