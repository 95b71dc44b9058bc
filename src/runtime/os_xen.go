// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// The runtime on Xen (GOOS=xen): a PVH guest with one vCPU and one M.
//
// There are no OS threads: the runtime runs single-threaded the way it does on
// wasm (see singleThreaded in proc.go), and the idle path is the event loop in
// netpoll_xen.go. The start-of-day code is in rt0_xen_amd64.s; memory in
// mem_xen.go; traps in trap_xen.go; the Xen ABI in internal/runtime/xen.

package runtime

import (
	"internal/runtime/atomic"
	"internal/runtime/xen"
	"unsafe"
)

// xenStartInfoPaddr is the physical address of hvm_start_info, saved by
// xenEntry64 from ebx; xenEntryTSC is the TSC when xenEntry64 began.
var (
	xenStartInfoPaddr uintptr
	xenEntryTSC       uint64
)

// Set up by xenBoot.
var (
	xenStartInfo *xen.StartInfo
	xenShared    *xen.SharedInfo
	xenVcpu      *xen.VcpuInfo // vCPU 0's vcpu_info; xenUpcall (asm) clears its upcall flag
	xenDom0      bool          // we are the control domain (console via console_io)
)

// hvm_start_info.flags (xen.h, SIF_*).
const xenSIFInitDomain = 1 << 1

const _NSIG = 65 // signal numbers as on Linux, for os/signal's tables

const _EINVAL = 22 // what netpollopen returns for a bad port (as syscall.EINVAL)

// Signal numbers used as gp.sig for traps turned into panics (as on Linux).
const (
	_SIGILL  = 4
	_SIGTRAP = 5
	_SIGFPE  = 8
	_SIGSEGV = 11
	_SIGTERM = 15
)

type mOS struct{}

type sigset struct{}

type gsignalStack struct{}

const preemptMSupported = false

func preemptM(mp *m) {}

// osinit runs before the memory allocator and the scheduler exist. It brings up
// the platform (xenBoot) and then tells the runtime what it has.
func osinit() {
	xenBoot()
	physPageSize = xenPageSize
	numCPUStartup = getCPUCount()
	getg().m.procid = 1
}

func getCPUCount() int32 { return 1 }

// xenBoot installs the IDT, finds Xen, installs the hypercall page, reads
// hvm_start_info, takes over memory and maps shared_info: everything the
// runtime needs before mallocinit. A trap before it has finished is reported
// by xenEarlyTrap.
func xenBoot() {
	xenInitTraps()
	xenInstallHypercallPage()
	xenBootMark("hypercall page")
	si := (*xen.StartInfo)(unsafe.Pointer(xenStartInfoPaddr))
	if si.Magic != xen.StartInfoMagic {
		xenBootFail("hvm_start_info has a bad magic number (not booted as a PVH guest?)")
	}
	xenStartInfo = si
	xenDom0 = si.Flags&xenSIFInitDomain != 0
	xenReadOptions()
	xenInitMemory(si)
	xenBootMark("memory map, frames and page tables")
	xenMapSharedInfo()
	xenInitConsole()
	xenBootMark("shared_info and the console")
	xenInitEvents()
	xenInitTimer()
	xenInitConsoleInput()
	xenBootMark("event channels and the timer")
	t := &xenVcpu.Time
	toNanos := func(tsc uint64) int64 {
		return int64(xen.PvclockNanos(tsc, t.TSCTimestamp, t.SystemTime, t.TSCToSystemMul, t.TSCShift))
	}
	xenBootEntry = toNanos(xenEntryTSC)
	if xenOptBootTime {
		xenBootStamp("PVH entry", xenBootEntry)
		for _, m := range xenBootMarks[:xenBootNMarks] {
			xenBootStamp(m.what, toNanos(m.tsc))
		}
		xenBootStamp("platform up (osinit)", nanotime1())
	}
	xenBooted = true
}

// xenBootMarks are the stamps of xenBoot's steps, taken as TSC readings
// (the pvclock that turns them into system time is mapped on the way) and
// printed once the console works, under goxen.boottime=1 (which is read on
// the way too).
var (
	xenBootMarks [6]struct {
		what string
		tsc  uint64
	}
	xenBootNMarks int
)

//go:nosplit
func xenBootMark(what string) {
	if xenBootNMarks < len(xenBootMarks) {
		xenBootMarks[xenBootNMarks].what = what
		xenBootMarks[xenBootNMarks].tsc = xen.Rdtsc()
		xenBootNMarks++
	}
}

// xenBooted is set when xenBoot has finished.
var xenBooted bool

// xenBootEntry is the Xen system time of the PVH entry (the boot timeline's
// origin, and /proc/uptime's);
// xenBootFirstOutput is set when the program's first write to stdout or
// stderr has been stamped (for hello world: the start of main).
var (
	xenBootEntry       int64
	xenBootFirstOutput bool
)

// xenBootStamp prints one line of the boot timeline: Xen system time, and
// milliseconds since the PVH entry.
// It is one console write: under TCG each write as dom0 is a hypercall,
// which would show in the timeline.
func xenBootStamp(what string, t int64) {
	us := (t - xenBootEntry) / 1e3
	if us < 0 {
		us = 0
	}
	var line [200]byte
	var num [24]byte
	b := append(line[:0], "goxen: boottime "...)
	b = append(b, what...)
	b = append(b, ": system time "...)
	b = append(b, itoa(num[:], uint64(t))...)
	b = append(b, " ns, +"...)
	b = append(b, itoaDiv(num[:], uint64(us), 3)...)
	b = append(b, " ms\n"...)
	write1(2, unsafe.Pointer(&b[0]), int32(len(b)))
}

func init() {
	if xenOptBootTime {
		xenBootStamp("runtime initialized (package init and main follow)", nanotime())
	}
}

// xenInstallHypercallPage locates Xen's CPUID leaves and asks Xen to write the
// hypercall page (xen/include/public/arch-x86/cpuid.h: leaves 0x40000000 +
// 0x100*k with signature "XenVMMXenVMM"; the MSR to write is in leaf base+2).
func xenInstallHypercallPage() {
	for base := uint32(0x40000000); base < 0x40010000; base += 0x100 {
		eax, ebx, ecx, edx := xen.Cpuid(base, 0)
		// "XenVMMXenVMM" in ebx, ecx, edx.
		if ebx != 0x566e6558 || ecx != 0x65584d4d || edx != 0x4d4d566e || eax-base < 2 {
			continue
		}
		_, msr, _, _ := xen.Cpuid(base+2, 0)
		page := alignUp(uintptr(unsafe.Pointer(&xenHypercallPageBuf)), xenPageSize)
		p := (*[xenPageSize]byte)(unsafe.Pointer(page))
		for i := range p {
			p[i] = 0xc3 // ret: an entry Xen did not fill returns with garbage, never runs off
		}
		xen.Wrmsr(msr, uint64(page))
		if p[0] == 0xc3 {
			xenBootFail("Xen did not fill the hypercall page")
		}
		xen.HypercallPage = page
		return
	}
	xenBootFail("not running on Xen (no Xen CPUID leaves)")
}

var xenHypercallPageBuf [2 * xenPageSize]byte

// xenBootFail reports a failure during start of day on the console, or before
// the console works on the port-0xE9 debug console (Xen prints it for HVM
// guests with guest_loglvl, QEMU with -debugcon), then shuts the domain down
// as crashed (or halts, before the hypercall page).
func xenBootFail(msg string) {
	if xen.HypercallPage != 0 && (xenDom0 || xenConsRing != 0) {
		print("runtime: xen: ", msg, "\n")
	} else {
		for i := 0; i < len(msg); i++ {
			xen.Outb(0xe9, msg[i])
		}
		xen.Outb(0xe9, '\n')
	}
	if xen.HypercallPage != 0 {
		xenShutdown(xen.ShutdownCrash)
	}
	for {
		xenStiHlt()
	}
}

// xenMapSharedInfo maps shared_info at a free frame (XENMEM_add_to_physmap,
// XENMAPSPACE_shared_info). The RAM frame that was there goes back to Xen.
func xenMapSharedInfo() {
	pa := xenFrames.alloc()
	if pa == 0 {
		xenBootFail("no memory for shared_info")
	}
	xatp := xen.AddToPhysmap{Domid: xen.DomidSelf, Space: xen.MapSpaceSharedInfo, Idx: 0, Gpfn: uint64(pa >> xenPageShift)}
	if rc := xen.Hypercall(xen.HypercallMemoryOp, xen.MemoryOpAddToPhysmap, uintptr(unsafe.Pointer(&xatp)), 0, 0, 0); rc != 0 {
		xenBootFail("XENMEM_add_to_physmap(shared_info) failed")
	}
	xenShared = (*xen.SharedInfo)(unsafe.Pointer(pa))
	xenVcpu = &xenShared.VcpuInfo[0]
}

func osyield() {}

//go:nosplit
func osyield_no_g() {}

// Randomness: RDSEED where the CPU has it, else RDRAND. A CPU with neither is
// refused at boot (readRandom returning short makes the runtime fall back to
// a predictable seed, which a unikernel must not do).
func readRandom(r []byte) int {
	n := 0
	for n < len(r) {
		v, ok := xenRandom64()
		if !ok {
			break
		}
		for i := 0; i < 8 && n < len(r); i++ {
			r[n] = byte(v >> (8 * i))
			n++
		}
	}
	return n
}

var (
	xenHaveRDSEED, xenHaveRDRAND, xenRandChecked bool
)

//go:nosplit
func xenRandom64() (uint64, bool) {
	if !xenRandChecked {
		_, _, ecx, _ := xen.Cpuid(1, 0)
		xenHaveRDRAND = ecx&(1<<30) != 0
		_, ebx, _, _ := xen.Cpuid(7, 0)
		xenHaveRDSEED = ebx&(1<<18) != 0
		xenRandChecked = true
		if !xenHaveRDSEED && !xenHaveRDRAND {
			throw("xen: the CPU has neither RDSEED nor RDRAND: no source of randomness")
		}
	}
	// Both instructions may fail transiently (CF=0); retry a bounded number of
	// times as Intel's DRNG guide recommends.
	for i := 0; i < 100; i++ {
		if xenHaveRDSEED {
			if v, ok := xen.Rdseed(); ok {
				return v, true
			}
		}
		if xenHaveRDRAND {
			if v, ok := xen.Rdrand(); ok {
				return v, true
			}
		}
	}
	throw("xen: RDSEED/RDRAND keep failing")
	return 0, false
}

// Threads: there is one M. The runtime never asks for another (singleThreaded).
func mpreinit(mp *m) {
	mp.gsignal = malg(32 * 1024)
	mp.gsignal.m = mp
}

func minit()                         {}
func unminit()                       {}
func mdestroy(mp *m)                 {}
func newosproc(mp *m)                { throw("newosproc: xen has one M") }
func exitThread(wait *atomic.Uint32) { throw("exitThread: xen has one M") }

// Signals: there are none from outside except those the port raises itself
// (SIGTERM for a toolstack shutdown request, exit_xen.go); traps become
// panics in trap_xen.go.

//go:nosplit
func sigsave(p *sigset) {}

//go:nosplit
func msigrestore(sigmask sigset) {}

//go:nosplit
//go:nowritebarrierrec
func clearSignalHandlers() {}

//go:nosplit
func sigblock(exiting bool) {}

func initsig(preinit bool)        {}
func sigenable(uint32)            {}
func sigdisable(uint32)           {}
func sigignore(uint32)            {}
func setProcessCPUProfiler(int32) {}
func setThreadCPUProfiler(int32)  {}

// os_sigpipe is called when a write to a broken pipe fails; a Xen program's
// pipes are internal, so the error alone reports it.
//
//go:linkname os_sigpipe os.sigpipe
func os_sigpipe() {}

func signame(sig uint32) string {
	switch sig {
	case _SIGILL:
		return "SIGILL"
	case _SIGTRAP:
		return "SIGTRAP"
	case _SIGFPE:
		return "SIGFPE"
	case _SIGSEGV:
		return "SIGSEGV"
	case _SIGTERM:
		return "SIGTERM"
	}
	return ""
}

// Files: the runtime reads no files on xen.
func open(name *byte, mode, perm int32) int32        { return -1 }
func closefd(fd int32) int32                         { return -1 }
func read(fd int32, p unsafe.Pointer, n int32) int32 { return -1 }

func madvise(addr unsafe.Pointer, n uintptr, flags int32) int32 { return 0 }

// write1 writes to the console: fds 1 and 2 are both the Xen console, as
// their streams (console_xen.go); the runtime's print is fd 2.
//
//go:nosplit
func write1(fd uintptr, p unsafe.Pointer, n int32) int32 {
	if fd != 1 && fd != 2 {
		return -1
	}
	stream := int32(fd)
	if xenExiting {
		stream = xenStreamStatus
	}
	xenConsoleWriteStream(stream, p, n)
	return n
}

// Services for package syscall's file system (syscall/fs_xen.go).

// syscall_consoleWrite writes b to the console as fd's (1: stdout, 2:
// stderr).
//
//go:linkname syscall_consoleWrite syscall.consoleWrite
func syscall_consoleWrite(fd int, b []byte) {
	if xenOptBootTime && !xenBootFirstOutput {
		xenBootFirstOutput = true
		xenBootStamp("first output of the program", nanotime())
	}
	if len(b) > 0 {
		write1(uintptr(fd), unsafe.Pointer(&b[0]), int32(len(b)))
	}
}

// syscall_memoryAvailable reports whether n more bytes can be allocated,
// counting free frames and the heap's free pages, and keeping a reserve for
// the runtime's own needs.
//
//go:linkname syscall_memoryAvailable syscall.memoryAvailable
func syscall_memoryAvailable(n uint64) bool {
	return n <= xenFileMemory()
}

// xenFileMemory is how many more bytes file data may take: free frames and
// the heap's free pages, less a reserve for the runtime's own needs.
func xenFileMemory() uint64 {
	const reserve = 4 << 20
	free := uint64(xenFrames.total-xenFrames.inUse)*xenPageSize + uint64(gcController.heapFree.load())
	if free < reserve {
		return 0
	}
	return free - reserve
}

// syscall_memoryStats reports the domain's RAM and how much of it file data
// may still take, for Statfs of the in-memory file system.
//
//go:linkname syscall_memoryStats syscall.memoryStats
func syscall_memoryStats() (total, available uint64) {
	return uint64(xenFrames.total) * xenPageSize, xenFileMemory()
}

//go:linkname crypto_sysrand_readRandom crypto/internal/sysrand.runtime_readRandom
func crypto_sysrand_readRandom(b []byte) {
	if readRandom(b) != len(b) {
		throw("xen: no random numbers")
	}
}
