// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Export guts of the xen runtime for upcall_xen_test.go.

package runtime

import "internal/runtime/xen"

var (
	XenTestUpcallRepeated    = xenTestUpcallRepeated
	XenTestUpcallOutsideHalt = xenTestUpcallOutsideHalt
)

func XenHaltSP() uintptr { return xenHaltSP }

// XenHypercalls is how many hypercalls the runtime has made.
func XenHypercalls() uint64 { return xen.HypercallCount }
