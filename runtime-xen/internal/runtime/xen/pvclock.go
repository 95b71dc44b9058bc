// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

import "internal/runtime/math"

// PvclockNanos converts a TSC reading to Xen system time with the parameters of
// a vcpu_time_info (xen.h):
//
//	system_time + ((((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32)
//
// The product of a 64-bit delta and the 32-bit multiplier needs 96 bits; a
// 64-bit multiply overflows once the delta exceeds 2^32 cycles (about a second).
//
//go:nosplit
func PvclockNanos(tsc, tscTimestamp, systemTime uint64, mul uint32, shift int8) uint64 {
	delta := tsc - tscTimestamp
	if shift >= 0 {
		delta <<= uint(shift)
	} else {
		delta >>= uint(-shift)
	}
	hi, lo := math.Mul64(delta, uint64(mul))
	return systemTime + (hi<<32 | lo>>32)
}
