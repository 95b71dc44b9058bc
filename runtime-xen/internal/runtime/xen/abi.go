// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// Hypercall numbers, from xen.h (__HYPERVISOR_*).
const (
	HypercallMemoryOp       = 12
	HypercallSetTimerOp     = 15
	HypercallConsoleIO      = 18
	HypercallVcpuOp         = 24
	HypercallSchedOp        = 29
	HypercallEventChannelOp = 32
	HypercallHVMOp          = 34
)

// vcpu_op commands (vcpu.h, VCPUOP_*).
const VcpuOpGetRunstateInfo = 4

// VcpuRunstateInfo is struct vcpu_runstate_info (vcpu.h): the vCPU's state
// since StateEntryTime and the nanoseconds it has spent in each state
// (running, runnable, blocked, offline) before that.
type VcpuRunstateInfo struct {
	State          int32
	_              uint32
	StateEntryTime uint64
	Time           [4]uint64
}

// DomidSelf names the calling domain in hypercall arguments (xen.h, DOMID_SELF).
const DomidSelf = 0x7FF0

// console_io commands (xen.h, CONSOLEIO_*).
const (
	ConsoleIOWrite = 0
	ConsoleIORead  = 1
)

// sched_op commands and shutdown reasons (sched.h, SCHEDOP_*, SHUTDOWN_*).
const (
	SchedOpShutdown = 2
	SchedOpPoll     = 3

	ShutdownPoweroff = 0
	ShutdownReboot   = 1
	ShutdownSuspend  = 2
	ShutdownCrash    = 3
)

// memory_op commands (memory.h, XENMEM_*).
const (
	MemoryOpAddToPhysmap = 7
	MemoryOpMemoryMap    = 9

	MapSpaceSharedInfo = 0 // XENMAPSPACE_shared_info
	MapSpaceGrantTable = 1 // XENMAPSPACE_grant_table
)

// AddToPhysmap is struct xen_add_to_physmap (memory.h).
type AddToPhysmap struct {
	Domid uint16
	Size  uint16 // only for XENMAPSPACE_gmfn_range
	Space uint32
	Idx   uint64
	Gpfn  uint64
}

// MemoryMap is struct xen_memory_map (memory.h): the caller sets NrEntries to the
// capacity of Buffer, an array of E820 entries; Xen writes back the count.
type MemoryMap struct {
	NrEntries uint32
	_         uint32
	Buffer    uint64
}

// E820Entry is one entry of the XENMEM_memory_map result, in the BIOS E820
// format (arch-x86/xen.h, struct e820entry: packed, 20 bytes).
type E820Entry [20]byte

// Addr, Size and Type decode the packed entry.
func (e *E820Entry) Addr() uint64 { return le64(e[0:8]) }
func (e *E820Entry) Size() uint64 { return le64(e[8:16]) }
func (e *E820Entry) Type() uint32 { return uint32(le64(e[16:20])) }

// E820RAM is the E820 type of usable RAM (and XEN_HVM_MEMMAP_TYPE_RAM).
const E820RAM = 1

// hvm_op commands and HVM parameters (hvm/hvm_op.h, hvm/params.h).
const (
	HVMOpSetParam = 0
	HVMOpGetParam = 1

	HVMParamCallbackIRQ   = 0 // HVM_PARAM_CALLBACK_IRQ
	HVMParamStorePFN      = 1
	HVMParamStoreEvtchn   = 2
	HVMParamConsolePFN    = 17
	HVMParamConsoleEvtchn = 18

	// HVMCallbackVector is HVM_PARAM_CALLBACK_TYPE_VECTOR in bits 63:56 of
	// HVM_PARAM_CALLBACK_IRQ: event upcalls arrive as this IDT vector (bits 7:0),
	// with no local APIC involved and so no EOI.
	HVMCallbackVector = 2 << 56
)

// HVMParam is struct xen_hvm_param (hvm/hvm_op.h).
type HVMParam struct {
	Domid uint16
	_     uint16
	Index uint32
	Value uint64
}

// event_channel_op commands (event_channel.h, EVTCHNOP_*).
const (
	EvtchnOpBindInterdomain = 0
	EvtchnOpBindVirq        = 1
	EvtchnOpClose           = 3
	EvtchnOpSend            = 4
	EvtchnOpAllocUnbound    = 6
	EvtchnOpUnmask          = 9
)

// Virtual IRQs (xen.h, VIRQ_*).
const (
	VirqTimer = 0
)

// EvtchnBindVirq is struct evtchn_bind_virq (event_channel.h).
type EvtchnBindVirq struct {
	Virq uint32
	Vcpu uint32
	Port uint32 // OUT
}

// EvtchnPort is the argument of EVTCHNOP_close, _send and _unmask
// (struct evtchn_close, evtchn_send, evtchn_unmask: one evtchn_port_t).
type EvtchnPort struct {
	Port uint32
}

// NumPorts is the number of event channel ports of the 2-level ABI on a 64-bit
// guest: 64 words of 64 pending bits (xen.h, shared_info.evtchn_pending).
const NumPorts = 64 * 64

// StartInfoMagic is hvm_start_info.magic (arch-x86/hvm/start_info.h).
const StartInfoMagic = 0x336ec578

// StartInfo is struct hvm_start_info (arch-x86/hvm/start_info.h): what Xen
// hands a PVH guest in ebx. Fields from MemmapPaddr on exist from version 1.
type StartInfo struct {
	Magic         uint32
	Version       uint32
	Flags         uint32
	NrModules     uint32
	ModlistPaddr  uint64
	CmdlinePaddr  uint64
	RsdpPaddr     uint64
	MemmapPaddr   uint64
	MemmapEntries uint32
	_             uint32
}

// ModlistEntry is struct hvm_modlist_entry (arch-x86/hvm/start_info.h).
type ModlistEntry struct {
	Paddr        uint64
	Size         uint64
	CmdlinePaddr uint64
	_            uint64
}

// MemmapEntry is struct hvm_memmap_table_entry (arch-x86/hvm/start_info.h).
type MemmapEntry struct {
	Addr uint64
	Size uint64
	Type uint32 // XEN_HVM_MEMMAP_TYPE_*: 1 is RAM
	_    uint32
}

// VcpuTimeInfo is struct vcpu_time_info (xen.h), 32 bytes, the pvclock.
type VcpuTimeInfo struct {
	Version        uint32
	_              uint32
	TSCTimestamp   uint64
	SystemTime     uint64
	TSCToSystemMul uint32
	TSCShift       int8
	Flags          uint8
	_              [2]uint8
}

// VcpuInfo is struct vcpu_info (xen.h) on x86-64, 64 bytes.
type VcpuInfo struct {
	UpcallPending uint8
	UpcallMask    uint8
	_             [6]uint8
	PendingSel    uint64
	ArchCR2       uint64 // struct arch_vcpu_info
	_             uint64
	Time          VcpuTimeInfo
}

// SharedInfo is struct shared_info (xen.h) on x86-64, as far as the runtime reads it.
type SharedInfo struct {
	VcpuInfo      [32]VcpuInfo // XEN_LEGACY_MAX_VCPUS
	EvtchnPending [64]uint64
	EvtchnMask    [64]uint64
	WcVersion     uint32
	WcSec         uint32
	WcNsec        uint32
	WcSecHi       uint32
}

func le64(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// EvtchnAllocUnbound is struct evtchn_alloc_unbound (event_channel.h): a
// port in Dom that RemoteDom may bind to.
type EvtchnAllocUnbound struct {
	Dom       uint16
	RemoteDom uint16
	Port      uint32 // OUT
}

// EvtchnBindInterdomain is struct evtchn_bind_interdomain (event_channel.h):
// connects a new local port to RemotePort, an unbound port of RemoteDom.
type EvtchnBindInterdomain struct {
	RemoteDom  uint16
	_          uint16
	RemotePort uint32
	LocalPort  uint32 // OUT
}
