// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netfront

// Completing partial checksums. Linux's netback passes on packets whose
// transport checksum Linux left to the hardware (CHECKSUM_PARTIAL: sent
// by dom0 itself or by another guest on the bridge) with NETRXF_csum_blank:
// the field holds only the sum of the pseudo-header (netif.h; netback
// rx.c, xenvif_rx_data_slot). The stack above checks every checksum, so
// the driver finishes the sum, as Linux's netfront does through
// skb_checksum_setup (net/core/skbuff.c): over the transport header and
// data, the seeded field included, complemented into the field.

import "internal/byteorder"

const (
	etherTypeIPv4 = 0x0800
	etherTypeIPv6 = 0x86DD
	protoTCP      = 6
	protoUDP      = 17
)

// completeChecksum fills in the TCP or UDP checksum of an Ethernet frame
// whose checksum field holds the pseudo-header sum. It returns false for a
// frame it cannot parse (not IPv4 or IPv6 carrying TCP or UDP directly,
// truncated, or a fragment), which the caller drops: its checksum cannot
// be made right.
func completeChecksum(frame []byte) bool {
	if len(frame) < ethHeader {
		return false
	}
	ip := frame[ethHeader:]
	var proto byte
	var l4 []byte
	switch byteorder.BEUint16(frame[12:]) {
	case etherTypeIPv4:
		if len(ip) < 20 || ip[0]>>4 != 4 {
			return false
		}
		ihl := int(ip[0]&0xf) * 4
		total := int(byteorder.BEUint16(ip[2:]))
		// A fragment's checksum covers the whole datagram: Linux never
		// sends one as partial.
		if ihl < 20 || total < ihl || total > len(ip) || byteorder.BEUint16(ip[6:])&0x3fff != 0 {
			return false
		}
		proto, l4 = ip[9], ip[ihl:total]
	case etherTypeIPv6:
		if len(ip) < 40 || ip[0]>>4 != 6 {
			return false
		}
		plen := int(byteorder.BEUint16(ip[4:]))
		if 40+plen > len(ip) {
			return false
		}
		proto, l4 = ip[6], ip[40:40+plen]
	default:
		return false
	}
	var off int
	switch proto {
	case protoTCP:
		off = 16
		if len(l4) < 20 {
			return false
		}
	case protoUDP:
		off = 6
		if len(l4) < 8 {
			return false
		}
	default:
		return false
	}
	sum := ^fold(onesSum(l4))
	if sum == 0 && proto == protoUDP {
		sum = 0xffff // RFC 768: a computed 0 is sent as all ones
	}
	byteorder.BEPutUint16(l4[off:], sum)
	return true
}

// onesSum is the 32-bit accumulation of b's 16-bit big-endian words
// (RFC 1071), an odd byte padded with zero.
func onesSum(b []byte) uint64 {
	var s uint64
	for len(b) >= 8 {
		s += uint64(byteorder.BEUint32(b)) + uint64(byteorder.BEUint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		s += uint64(byteorder.BEUint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

func fold(s uint64) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
