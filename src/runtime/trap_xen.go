// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Traps on Xen: a PVH guest takes exceptions through its own IDT.
//
// Every exception runs xenTrapCommon (sys_xen_amd64.s) on an interrupt stack
// (IST) and then xenTrap, which must not split its stack or allocate. A page
// fault on a committed heap page is backed and retried (mem_xen.go). Faults Go
// code expects — a nil dereference, an integer division by zero — are turned
// into a call to sigpanic on the faulting goroutine, exactly as Unix signal
// handlers do (signal_amd64.go), so they panic and can be recovered. Anything
// else prints the registers and a goroutine traceback and ends the domain as
// crashed.

package runtime

import (
	"internal/abi"
	"internal/runtime/xen"
	"unsafe"
)

// xenTrapFrame is the stack xenTrapCommon builds: the general registers it
// pushed, the vector and error code, and the CPU's interrupt frame.
type xenTrapFrame struct {
	r15, r14, r13, r12, r11, r10, r9, r8 uint64
	rbp, rdi, rsi, rdx, rcx, rbx, rax    uint64
	vector, errcode                      uint64
	rip, cs, rflags, rsp, ss             uint64
}

// x86 exception vectors (Intel SDM vol. 3A, table 6-1).
const (
	xenVecDivide      = 0
	xenVecBreakpoint  = 3
	xenVecInvalidOp   = 6
	xenVecDoubleFault = 8
	xenVecGP          = 13
	xenVecPageFault   = 14
	xenVecX87         = 16
	xenVecSIMD        = 19
)

var xenTrapNames = [...]string{
	0: "#DE divide error", 1: "#DB debug", 2: "NMI", 3: "#BP breakpoint",
	4: "#OF overflow", 5: "#BR bound range", 6: "#UD invalid opcode",
	7: "#NM device not available", 8: "#DF double fault",
	10: "#TS invalid TSS", 11: "#NP segment not present", 12: "#SS stack fault",
	13: "#GP general protection", 14: "#PF page fault", 16: "#MF x87 error",
	17: "#AC alignment check", 18: "#MC machine check", 19: "#XM SIMD exception",
	20: "#VE virtualization exception", 21: "#CP control protection",
}

// The IDT, the TSS with the interrupt stacks, and their stacks.
var (
	xenIDT              [256][2]uint64
	xenTSS              [26]uint32 // 104 bytes: the 64-bit TSS (SDM vol. 3A, 8.7)
	xenTrapStack        [32 << 10]byte
	xenDoubleFaultStack [8 << 10]byte
	xenUpcallStack      [512]byte // xenUpcall pushes at most a frame and AX
)

// xenHaltSP is xenStiHlt's stack pointer while it halts, and 0 otherwise: where
// xenUpcall returns to (sys_xen_amd64.s).
var xenHaltSP uintptr

// xenTrapRecord is a trap as the register dump reports it: the frame, and for
// a page fault the faulting address (CR2, which the next page fault
// overwrites).
type xenTrapRecord struct {
	frame xenTrapFrame
	cr2   uintptr
}

// xenLastTrap keeps the trap that ended the program, for the register dump
// printed from sigpanic (whose own path may take demand faults).
var xenLastTrap xenTrapRecord

// Defined in sys_xen_amd64.s.
func xenTrapStubs() *[32]uintptr // the exception entry stubs, by vector
func xenUpcall()
func xenClearFrame(pa uintptr)

// xenStiHlt halts with interrupts enabled until the next one (sys_xen_amd64.s).
func xenStiHlt()

// For upcall_xen_test.go (sys_xen_amd64.s).
func xenTestUpcallRepeated()
func xenTestUpcallOutsideHalt()

// xenInitTraps loads the TSS (interrupt stacks) and the IDT.
func xenInitTraps() {
	xenTrapG.stack.lo = uintptr(unsafe.Pointer(&xenTrapStack[0]))
	xenTrapG.stack.hi = xenTrapG.stack.lo + uintptr(len(xenTrapStack))
	xenTrapG.stackguard0 = xenTrapG.stack.lo + stackGuard
	xenTrapG.stackguard1 = xenTrapG.stackguard0

	// TSS: IST1 for exceptions, IST2 for double faults, IST3 for the upcall
	// (a repeated upcall must not overwrite an exception's frame); no I/O
	// bitmap.
	ist1 := uint64(alignDown(uintptr(unsafe.Pointer(&xenTrapStack[len(xenTrapStack)-1])), 64))
	ist2 := uint64(alignDown(uintptr(unsafe.Pointer(&xenDoubleFaultStack[len(xenDoubleFaultStack)-1])), 64))
	xenTSS[9], xenTSS[10] = uint32(ist1), uint32(ist1>>32)  // IST1 at offset 0x24
	xenTSS[11], xenTSS[12] = uint32(ist2), uint32(ist2>>32) // IST2 at offset 0x2c
	ist3 := uint64(alignDown(uintptr(unsafe.Pointer(&xenUpcallStack[len(xenUpcallStack)-1])), 64))
	xenTSS[13], xenTSS[14] = uint32(ist3), uint32(ist3>>32) // IST3 at offset 0x34
	xenTSS[25] = uint32(unsafe.Sizeof(xenTSS)) << 16        // I/O map base beyond the limit
	tss := uint64(uintptr(unsafe.Pointer(&xenTSS)))
	limit := uint64(unsafe.Sizeof(xenTSS) - 1)
	gdt := (*[5]uint64)(unsafe.Pointer(&xenGDT))
	// 64-bit available TSS descriptor (type 9, present), 16 bytes.
	gdt[3] = limit&0xffff | (tss&0xffffff)<<16 | 9<<40 | 1<<47 | (limit>>16&0xf)<<48 | (tss>>24&0xff)<<56
	gdt[4] = tss >> 32
	xen.Ltr(0x18)

	for v, stub := range xenTrapStubs() {
		ist := uint64(1)
		if v == xenVecDoubleFault {
			ist = 2
		}
		xenSetGate(v, stub, ist)
	}
	xenSetGate(xenUpcallVector, abi.FuncPCABI0(xenUpcall), 3)
	var idtr [10]byte
	*(*uint16)(unsafe.Pointer(&idtr[0])) = uint16(unsafe.Sizeof(xenIDT) - 1)
	*(*uint64)(unsafe.Pointer(&idtr[2])) = uint64(uintptr(unsafe.Pointer(&xenIDT)))
	xen.Lidt(unsafe.Pointer(&idtr))
}

// xenGDT is the GDT the start-of-day code loads (rt0_xen_amd64.s): null, 64-bit
// code (selector 8), data (selector 0x10), and a 64-bit TSS descriptor
// (selector 0x18, 16 bytes) that xenInitTraps fills in.
var xenGDT = [5]uint64{0, 0x00AF9A000000FFFF, 0x00CF92000000FFFF}

// xenSetGate installs a 64-bit interrupt gate (type 0xE, present, DPL 0) for
// vector v running handler on interrupt stack ist.
//
//go:nosplit
func xenSetGate(v int, handler uintptr, ist uint64) {
	h := uint64(handler)
	xenIDT[v][0] = h&0xffff | 8<<16 | ist<<32 | 0x8E<<40 | (h>>16&0xffff)<<48
	xenIDT[v][1] = h >> 32
}

// xenTrapActive is set from xenTrap's start until xenTrapCommon has restored
// the interrupted state; xenTrapOuter is the trap being handled, xenTrapInner
// one taken while handling it (a nested trap, reported with both).
var (
	xenTrapActive bool
	xenTrapOuter  xenTrapRecord
	xenTrapInner  xenTrapRecord
)

// xenTrapG is the goroutine trap handlers run as: its stack is the interrupt
// stack, so that the handler's Go code passes its stack checks (the interrupted
// goroutine's bounds do not describe the IST stack). It plays the part of
// gsignal for a Unix signal handler.
var xenTrapG g

// xenTrap handles an exception. It runs on the interrupt stack with
// interrupts off, must not allocate, and may change the frame.
//
//go:nosplit
//go:nowritebarrierrec
func xenTrap(f *xenTrapFrame) {
	// Every exception runs on the one interrupt stack, so a trap taken
	// before xenTrapCommon has restored the previous one's state (in the
	// handler, or in xenTrapCommon's own restore) has overwritten that
	// trap's frame: report both and stop, rather than resuming from a
	// clobbered frame (which loops on the fault).
	if xenTrapActive {
		// Print on the trap g: the interrupted g's stack bounds do not
		// describe this stack.
		*(*uintptr)(unsafe.Pointer(&xenTrapG.m)) = uintptr(unsafe.Pointer(&m0))
		setg(&xenTrapG)
		print("runtime: xen: trap while handling a trap\n")
		xenPrintTrap(&xenTrapOuter)
		print("\nthe trap taken while handling it:\n")
		xenRecordTrap(&xenTrapInner, f)
		xenTrapDie(&xenTrapInner, "nested trap")
	}
	xenTrapActive = true
	xenRecordTrap(&xenTrapOuter, f)
	gp := getg()
	mp := &m0
	if gp != nil && gp.m != nil {
		mp = gp.m
	}
	// No write barrier here (the trap may interrupt the GC); the one M lives
	// for the whole program.
	*(*uintptr)(unsafe.Pointer(&xenTrapG.m)) = uintptr(unsafe.Pointer(mp))
	setg(&xenTrapG)
	xenHandleTrap(f, gp)
	setg(gp)
}

// xenRecordTrap copies f into r, with the page-fault address.
//
//go:nosplit
//go:nowritebarrierrec
func xenRecordTrap(r *xenTrapRecord, f *xenTrapFrame) {
	r.frame = *f
	r.cr2 = 0
	if f.vector == xenVecPageFault {
		r.cr2 = xen.ReadCR2()
	}
}

//go:nowritebarrierrec
func xenHandleTrap(f *xenTrapFrame, gp *g) {
	var addr uintptr
	if f.vector == xenVecPageFault {
		addr = xen.ReadCR2()
	}
	if f.vector == xenVecPageFault && xenPML4 != 0 {
		handled, oom := xenDemandFault(addr)
		if handled {
			return
		}
		if oom {
			xenInject(f, gp, _SIGSEGV, xenSigOutOfMemory, addr)
			return
		}
	}
	if !xenBooted {
		xenEarlyTrap(&xenTrapOuter)
	}
	switch f.vector {
	case xenVecPageFault:
		// Error code bit 0: the page was present (a protection fault).
		code := uintptr(xenSegvMapErr)
		if f.errcode&1 != 0 {
			code = xenSegvAccErr
		}
		xenInject(f, gp, _SIGSEGV, code, addr)
	case xenVecGP:
		// What Linux does for a #GP in user code (a non-canonical
		// address, mostly): SIGSEGV, SI_KERNEL, address 0.
		xenInject(f, gp, _SIGSEGV, xenSegvKernel, 0)
	case xenVecDivide:
		xenInject(f, gp, _SIGFPE, xenFpeIntDiv, 0)
	case xenVecX87, xenVecSIMD:
		xenInject(f, gp, _SIGFPE, 0, 0)
	case xenVecInvalidOp:
		xenInject(f, gp, _SIGILL, xenSigFatal, 0)
	case xenVecBreakpoint:
		xenInject(f, gp, _SIGTRAP, xenSigFatal, 0)
	default:
		xenInject(f, gp, _SIGSEGV, xenSigFatal, 0)
	}
}

// xenEarlyTrap reports a trap taken during start of day (xenBoot), when there
// may be no console, no memory map and no goroutine to panic on, and stops.
// It builds its message without allocating.
//
//go:nowritebarrierrec
func xenEarlyTrap(r *xenTrapRecord) {
	b := xenEarlyTrapMsg[:]
	n := copy(b, "trap during start of day: ")
	n += copy(b[n:], xenTrapName(r.frame.vector))
	n += copy(b[n:], " at PC 0x")
	n += xenPutHex(b[n:], r.frame.rip)
	if r.frame.vector == xenVecPageFault {
		n += copy(b[n:], ", address 0x")
		n += xenPutHex(b[n:], uint64(r.cr2))
	}
	xenBootFail(slicebytetostringtmp(&b[0], n))
}

var xenEarlyTrapMsg [128]byte

// xenPutHex writes v in hexadecimal at the start of b and returns the number
// of bytes written.
func xenPutHex(b []byte, v uint64) int {
	var d [16]byte
	i := len(d)
	for {
		i--
		d[i] = "0123456789abcdef"[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return copy(b, d[i:])
}

// gp.sigcode0 values: the Linux si_code values sigpanic tests, and two of ours.
const (
	xenSegvMapErr     = 1       // SEGV_MAPERR
	xenSegvAccErr     = 2       // SEGV_ACCERR
	xenSegvKernel     = 0x80    // SI_KERNEL
	xenFpeIntDiv      = 1       // FPE_INTDIV
	xenSigFatal       = 0x10000 // not a Go fault: dump registers and crash
	xenSigOutOfMemory = 0x10001 // no frame for a demand fault
)

// xenInject makes the interrupted code call sigpanic, as a Unix signal handler
// does (sigctxt.preparePanic in signal_amd64.go), after recording the fault in
// the goroutine the way sigpanic expects.
//
//go:nowritebarrierrec
func xenInject(f *xenTrapFrame, gp *g, sig uint32, code, addr uintptr) {
	xenLastTrap = xenTrapOuter
	if gp == nil || gp.m == nil || f.cs != 8 {
		xenTrapDie(&xenTrapOuter, "trap outside a goroutine")
	}
	// Like the signal handler's check of throwsplit: sigpanic may need to grow
	// the stack.
	if gp.throwsplit {
		xenTrapDie(&xenTrapOuter, "trap in a function that must not split its stack")
	}
	gp.sig = sig
	gp.sigcode0 = code
	gp.sigcode1 = addr
	gp.sigpc = uintptr(f.rip)
	pc := uintptr(f.rip)
	sp := uintptr(f.rsp)
	if shouldPushSigpanic(gp, pc, *(*uintptr)(unsafe.Pointer(sp))) {
		sp -= goarchPtrSize
		*(*uintptr)(unsafe.Pointer(sp)) = pc
		f.rsp = uint64(sp)
	}
	f.rip = uint64(abi.FuncPCABI0(sigpanic0))
}

const goarchPtrSize = 8

// xenTrapDie reports a trap that cannot be handled on a goroutine and ends the
// domain as crashed.
//
//go:nowritebarrierrec
func xenTrapDie(r *xenTrapRecord, why string) {
	print("runtime: xen: ", why, "\n")
	xenPrintTrap(r)
	xenExit(0, true)
}

func xenTrapName(v uint64) string {
	if v < uint64(len(xenTrapNames)) && xenTrapNames[v] != "" {
		return xenTrapNames[v]
	}
	return "exception"
}

func xenPrintTrap(r *xenTrapRecord) {
	f := &r.frame
	print("unexpected trap: ", xenTrapName(f.vector), " (vector ", f.vector, ", error code ", hex(f.errcode), ")")
	if f.vector == xenVecPageFault {
		print(" at address ", hex(r.cr2))
	}
	print("\nPC=", hex(f.rip), " SP=", hex(f.rsp), "\n\n")
	print("rax    ", hex(f.rax), "\n")
	print("rbx    ", hex(f.rbx), "\n")
	print("rcx    ", hex(f.rcx), "\n")
	print("rdx    ", hex(f.rdx), "\n")
	print("rdi    ", hex(f.rdi), "\n")
	print("rsi    ", hex(f.rsi), "\n")
	print("rbp    ", hex(f.rbp), "\n")
	print("rsp    ", hex(f.rsp), "\n")
	print("r8     ", hex(f.r8), "\n")
	print("r9     ", hex(f.r9), "\n")
	print("r10    ", hex(f.r10), "\n")
	print("r11    ", hex(f.r11), "\n")
	print("r12    ", hex(f.r12), "\n")
	print("r13    ", hex(f.r13), "\n")
	print("r14    ", hex(f.r14), "\n")
	print("r15    ", hex(f.r15), "\n")
	print("rip    ", hex(f.rip), "\n")
	print("rflags ", hex(f.rflags), "\n")
	print("cs     ", hex(f.cs), "\n")
}

// sigpanic turns a trap into a panic on the goroutine that took it; xenInject
// made the goroutine call it. Faults that are not Go run-time errors print the
// trap and end the domain as crashed.
func sigpanic() {
	gp := getg()
	switch gp.sigcode0 {
	case xenSigFatal:
		xenCrashing = true
		xenPrintTrap(&xenLastTrap)
		print("\n")
		throw("unexpected trap")
	case xenSigOutOfMemory:
		throw("out of memory")
	}
	if !canpanic() {
		xenCrashing = true
		xenPrintTrap(&xenLastTrap)
		throw("unexpected signal during runtime execution")
	}
	switch gp.sig {
	case _SIGSEGV:
		if gp.sigcode0 != xenSegvKernel && gp.sigcode1 < 0x1000 {
			panicmem()
		}
		// Support runtime/debug.SetPanicOnFault.
		if gp.paniconfault {
			panicmemAddr(gp.sigcode1)
		}
		if inUserArenaChunk(gp.sigcode1) {
			print("accessed data from freed user arena ", hex(gp.sigcode1), "\n")
		} else {
			print("unexpected fault address ", hex(gp.sigcode1), "\n")
		}
		xenCrashing = true
		xenPrintTrap(&xenLastTrap)
		throw("fault")
	case _SIGFPE:
		if gp.sigcode0 == xenFpeIntDiv {
			panicdivide()
		}
		panicfloat()
	}
	throw("unexpected trap")
}
