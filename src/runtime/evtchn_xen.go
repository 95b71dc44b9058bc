// Event channels for the Xen packages outside the runtime
// (runtime-xen/internal/xen/...): they speak Xen's protocols in plain Go and
// need from the runtime only where their shared page is, a way to block a
// goroutine until a port fires, and a way to signal one.

package runtime

import (
	"internal/runtime/xen"
	"unsafe"
)

// xenEvtchnWait blocks the goroutine until port fires, or returns at once if
// it has fired since the previous wait on it returned. The first wait on a
// port only opens it in the netpoller and returns (an event before that went
// unrecorded): callers look at their ring again after every return.
func xenEvtchnWait(port uint32) {
	if port >= xen.NumPorts {
		throw("runtime: xen: event channel port out of range")
	}
	pd := xenPortWaiters[port]
	if pd == nil {
		netpollGenericInit()
		if _, e := poll_runtime_pollOpen(uintptr(port)); e != 0 {
			throw("runtime: xen: cannot wait on an event channel")
		}
		return
	}
	poll_runtime_pollWait(pd, 'r')
}

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

//go:linkname xenstore_runtimeEvtchnWait internal/xen/xenstore.runtimeEvtchnWait
func xenstore_runtimeEvtchnWait(port uint32) { xenEvtchnWait(port) }

//go:linkname xenstore_runtimeEvtchnNotify internal/xen/xenstore.runtimeEvtchnNotify
func xenstore_runtimeEvtchnNotify(port uint32) { xenNotify(port) }
