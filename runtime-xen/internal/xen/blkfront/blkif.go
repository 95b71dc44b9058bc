// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package blkfront

// The wire format of the block ring, xen/include/public/io/blkif.h, in the
// x86_64 layout (protocol "x86_64-abi"): C structures with natural
// alignment, little-endian.

import (
	"internal/byteorder"
	"internal/xen/gnttab"
)

// Operations (BLKIF_OP_*).
const (
	opRead         = 0
	opWrite        = 1
	opWriteBarrier = 2 // feature-barrier
	opFlush        = 3 // BLKIF_OP_FLUSH_DISKCACHE, feature-flush-cache
	opIndirect     = 6 // feature-max-indirect-segments
)

// Response statuses (BLKIF_RSP_*).
const (
	rspEOPNOTSUPP = -2
	rspError      = -1
	rspOkay       = 0
)

// Attributes in the backend's info key (VDISK_*).
const (
	infoCDROM     = 0x1
	infoRemovable = 0x2
	infoReadOnly  = 0x4
)

const (
	// requestSize is sizeof(struct blkif_request): operation u8 @0,
	// nr_segments u8 @1, handle u16 @2, id u64 @8, sector_number u64
	// @16, seg[11] @24.
	requestSize = 112
	// responseSize is sizeof(struct blkif_response): id u64 @0,
	// operation u8 @8, status i16 @10, padded to 16.
	responseSize = 16
	// segmentSize is sizeof(struct blkif_request_segment): gref u32 @0,
	// first_sect u8 @4, last_sect u8 @5, padded to 8.
	segmentSize = 8
	// maxDirectSegments is BLKIF_MAX_SEGMENTS_PER_REQUEST.
	maxDirectSegments = 11
	// maxIndirectPages is BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST.
	maxIndirectPages = 8
	// segmentsPerIndirectPage: an indirect page is an array of
	// segments.
	segmentsPerIndirectPage = pageSize / segmentSize

	// Offsets in struct blkif_request_indirect: operation u8 @0,
	// indirect_op u8 @1, nr_segments u16 @2, id u64 @8, sector_number
	// u64 @16, handle u16 @24, indirect_grefs[8] u32 @28.
	indirectOpOff     = 1
	indirectNsegOff   = 2
	indirectHandleOff = 24
	indirectGrefsOff  = 28

	pageSize = gnttab.PageSize
	// sectorShift: sector numbers, first_sect and last_sect are in
	// 512-byte units whatever the disk's logical sector size (blkif.h:
	// "sector-based quantities", as Linux's blkfront and blkback use
	// them).
	sectorShift     = 9
	sectorsPerPage  = pageSize >> sectorShift
	protocolX86_64  = "x86_64-abi" // XEN_IO_PROTO_ABI_X86_64, io/protocols.h
	maxRingPageOrd  = 4            // 16 pages: 512 requests (XENBUS_MAX_RING_GRANT_ORDER)
	maxIndirectSegs = 256          // 1 MiB per request, one indirect page
)

// A segment is one page of a request's data: its grant and the first and
// last 512-byte sectors of the page that carry data.
type segment struct {
	ref         gnttab.Ref
	first, last uint8
}

func putSegment(b []byte, s segment) {
	byteorder.LEPutUint32(b[0:], uint32(s.ref))
	b[4] = s.first
	b[5] = s.last
	b[6], b[7] = 0, 0
}

// putRequest fills a ring slot (zeroed by ring.Front.NextRequest) with a
// request of at most maxDirectSegments segments.
func putRequest(b []byte, op uint8, handle uint16, id uint64, sector uint64, segs []segment) {
	b[0] = op
	b[1] = uint8(len(segs))
	byteorder.LEPutUint16(b[2:], handle)
	byteorder.LEPutUint64(b[8:], id)
	byteorder.LEPutUint64(b[16:], sector)
	for i, s := range segs {
		putSegment(b[24+i*segmentSize:], s)
	}
}

// putIndirect fills a ring slot with an indirect request whose nseg
// segments are in the pages granted as indirect.
func putIndirect(b []byte, op uint8, handle uint16, id uint64, sector uint64, nseg int, indirect []gnttab.Ref) {
	b[0] = opIndirect
	b[indirectOpOff] = op
	byteorder.LEPutUint16(b[indirectNsegOff:], uint16(nseg))
	byteorder.LEPutUint64(b[8:], id)
	byteorder.LEPutUint64(b[16:], sector)
	byteorder.LEPutUint16(b[indirectHandleOff:], handle)
	for i, r := range indirect {
		byteorder.LEPutUint32(b[indirectGrefsOff+4*i:], uint32(r))
	}
}

// A response as the backend wrote it; nothing in it is trusted yet.
type response struct {
	id     uint64
	op     uint8
	status int16
}

func parseResponse(b []byte) response {
	return response{
		id:     byteorder.LEUint64(b[0:]),
		op:     b[8],
		status: int16(byteorder.LEUint16(b[10:])),
	}
}

func putResponse(b []byte, r response) {
	byteorder.LEPutUint64(b[0:], r.id)
	b[8] = r.op
	byteorder.LEPutUint16(b[10:], uint16(r.status))
}
