// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Xenstore on Xen (named store_xen.go: cmd/dist, which builds the runtime
// for the host, does not see the GOOS suffix of a file whose name begins
// with "xen"): the runtime only finds the domain's xenstore ring;
// internal/xen/xenstore speaks the protocol over it in plain Go, waiting on
// its event channel through internal/xen/evtchn.

package runtime

import (
	"internal/runtime/xen"
	"unsafe"
)

// xenstore_runtimeStore returns the xenstore page and event channel of a domU
// (HVM_PARAM_STORE_PFN and HVM_PARAM_STORE_EVTCHN, hvm/params.h); dom0 has
// none (it runs xenstored itself).
//
//go:linkname xenstore_runtimeStore internal/xen/xenstore.runtimeStore
func xenstore_runtimeStore() (page unsafe.Pointer, port uint32, ok bool) {
	if xenDom0 {
		return nil, 0, false
	}
	pfn, ok1 := xenGetParam(xen.HVMParamStorePFN)
	evtchn, ok2 := xenGetParam(xen.HVMParamStoreEvtchn)
	pa := uintptr(pfn << xenPageShift)
	if !ok1 || !ok2 || pfn == 0 || pa >= xenIdentityTop {
		return nil, 0, false
	}
	return unsafe.Pointer(pa), uint32(evtchn), true
}
