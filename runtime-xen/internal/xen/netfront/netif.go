// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netfront

// The wire format of the vif rings, xen/include/public/io/netif.h: C
// structures with natural alignment, little-endian, the same on every
// x86 ABI.

import (
	"internal/byteorder"
	"internal/xen/gnttab"
)

const pageSize = gnttab.PageSize

// Sizes of the ring slots (netif.h).
const (
	// txRequestSize is sizeof(struct netif_tx_request): gref u32 @0,
	// offset u16 @4, flags u16 @6, id u16 @8, size u16 @10.
	txRequestSize = 12
	// txResponseSize is sizeof(struct netif_tx_response): id u16 @0,
	// status i16 @2.
	txResponseSize = 4
	// rxRequestSize is sizeof(struct netif_rx_request): id u16 @0,
	// pad u16, gref u32 @4.
	rxRequestSize = 8
	// rxResponseSize is sizeof(struct netif_rx_response): id u16 @0,
	// offset u16 @2, flags u16 @4, status i16 @6 (the size when
	// positive).
	rxResponseSize = 8
	// extraInfoSize is sizeof(struct netif_extra_info): type u8 @0,
	// flags u8 @1, then a 6-byte union. An extra takes a whole slot.
	extraInfoSize = 8
)

// Flags of a tx request (NETTXF_*).
const (
	txfCsumBlank     = 1 << 0 // the transport checksum holds only the pseudo-header sum
	txfDataValidated = 1 << 1
	txfMoreData      = 1 << 2 // the packet continues in the next request
	txfExtraInfo     = 1 << 3 // an extra-info slot follows
)

// Flags of an rx response (NETRXF_*).
const (
	rxfDataValidated = 1 << 0 // the checksums were verified (or the packet is local)
	rxfCsumBlank     = 1 << 1 // the transport checksum holds only the pseudo-header sum
	rxfMoreData      = 1 << 2 // the packet continues in the next response
	rxfExtraInfo     = 1 << 3 // an extra-info slot follows
)

// Extra-info slots (struct netif_extra_info: type u8 @0, flags u8 @1, a
// union @2). The backend sends them only for features the frontend asked
// for: of those, GSO.
const (
	extraTypeGSO  = 1      // XEN_NETIF_EXTRA_TYPE_GSO: u.gso is size u16 @2, type u8 @4, pad u8 @5, features u16 @6
	extraFlagMore = 1 << 0 // XEN_NETIF_EXTRA_FLAG_MORE: another extra follows
)

// GSO types (XEN_NETIF_GSO_TYPE_*).
const (
	gsoTypeTCPv4 = 1
	gsoTypeTCPv6 = 2
)

// putGSOExtra writes a GSO extra-info request into a tx ring slot: the
// backend cuts the packet into TCP segments of mss payload bytes.
func putGSOExtra(b []byte, mss uint16, gsoType uint8) {
	clear(b[:txRequestSize])
	b[0] = extraTypeGSO
	byteorder.LEPutUint16(b[2:], mss)
	b[4] = gsoType
}

// Response statuses (NETIF_RSP_*).
const (
	rspDropped = -2
	rspError   = -1
	rspOkay    = 0
	rspNull    = 1 // the response of an extra-info slot
)

type txRequest struct {
	gref   gnttab.Ref
	offset uint16
	flags  uint16
	id     uint16
	size   uint16
}

func (r *txRequest) put(b []byte) {
	byteorder.LEPutUint32(b[0:], uint32(r.gref))
	byteorder.LEPutUint16(b[4:], r.offset)
	byteorder.LEPutUint16(b[6:], r.flags)
	byteorder.LEPutUint16(b[8:], r.id)
	byteorder.LEPutUint16(b[10:], r.size)
}

type txResponse struct {
	id     uint16
	status int16
}

func parseTxResponse(b []byte) txResponse {
	return txResponse{id: byteorder.LEUint16(b[0:]), status: int16(byteorder.LEUint16(b[2:]))}
}

func putRxRequest(b []byte, id uint16, gref gnttab.Ref) {
	byteorder.LEPutUint16(b[0:], id)
	byteorder.LEPutUint32(b[4:], uint32(gref))
}

type rxResponse struct {
	id     uint16
	offset uint16
	flags  uint16
	status int16
}

func parseRxResponse(b []byte) rxResponse {
	return rxResponse{
		id:     byteorder.LEUint16(b[0:]),
		offset: byteorder.LEUint16(b[2:]),
		flags:  byteorder.LEUint16(b[4:]),
		status: int16(byteorder.LEUint16(b[6:])),
	}
}
