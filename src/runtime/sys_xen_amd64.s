// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Interrupt and exception entry for GOOS=xen (see trap_xen.go).

#include "textflag.h"

// Each exception vector has a stub that makes the stack uniform (a zero where
// the CPU pushes no error code), pushes the vector number and joins
// xenTrapCommon. Vectors 8, 10-14, 17, 21, 29 and 30 push an error code
// (Intel SDM vol. 3A, table 6-1).
#define TRAP(name, vec) TEXT name(SB),NOSPLIT|NOFRAME,$0; PUSHQ $0; PUSHQ $vec; JMP runtime·xenTrapCommon(SB)
#define TRAPERR(name, vec) TEXT name(SB),NOSPLIT|NOFRAME,$0; PUSHQ $vec; JMP runtime·xenTrapCommon(SB)

TRAP(runtime·xenTrap0, 0)
TRAP(runtime·xenTrap1, 1)
TRAP(runtime·xenTrap2, 2)
TRAP(runtime·xenTrap3, 3)
TRAP(runtime·xenTrap4, 4)
TRAP(runtime·xenTrap5, 5)
TRAP(runtime·xenTrap6, 6)
TRAP(runtime·xenTrap7, 7)
TRAPERR(runtime·xenTrap8, 8)
TRAP(runtime·xenTrap9, 9)
TRAPERR(runtime·xenTrap10, 10)
TRAPERR(runtime·xenTrap11, 11)
TRAPERR(runtime·xenTrap12, 12)
TRAPERR(runtime·xenTrap13, 13)
TRAPERR(runtime·xenTrap14, 14)
TRAP(runtime·xenTrap15, 15)
TRAP(runtime·xenTrap16, 16)
TRAPERR(runtime·xenTrap17, 17)
TRAP(runtime·xenTrap18, 18)
TRAP(runtime·xenTrap19, 19)
TRAP(runtime·xenTrap20, 20)
TRAPERR(runtime·xenTrap21, 21)
TRAP(runtime·xenTrap22, 22)
TRAP(runtime·xenTrap23, 23)
TRAP(runtime·xenTrap24, 24)
TRAP(runtime·xenTrap25, 25)
TRAP(runtime·xenTrap26, 26)
TRAP(runtime·xenTrap27, 27)
TRAP(runtime·xenTrap28, 28)
TRAPERR(runtime·xenTrap29, 29)
TRAPERR(runtime·xenTrap30, 30)
TRAP(runtime·xenTrap31, 31)

// xenTrapStubTable lists the stubs by vector, for the IDT.
DATA runtime·xenTrapStubTable+0(SB)/8, $runtime·xenTrap0(SB)
DATA runtime·xenTrapStubTable+8(SB)/8, $runtime·xenTrap1(SB)
DATA runtime·xenTrapStubTable+16(SB)/8, $runtime·xenTrap2(SB)
DATA runtime·xenTrapStubTable+24(SB)/8, $runtime·xenTrap3(SB)
DATA runtime·xenTrapStubTable+32(SB)/8, $runtime·xenTrap4(SB)
DATA runtime·xenTrapStubTable+40(SB)/8, $runtime·xenTrap5(SB)
DATA runtime·xenTrapStubTable+48(SB)/8, $runtime·xenTrap6(SB)
DATA runtime·xenTrapStubTable+56(SB)/8, $runtime·xenTrap7(SB)
DATA runtime·xenTrapStubTable+64(SB)/8, $runtime·xenTrap8(SB)
DATA runtime·xenTrapStubTable+72(SB)/8, $runtime·xenTrap9(SB)
DATA runtime·xenTrapStubTable+80(SB)/8, $runtime·xenTrap10(SB)
DATA runtime·xenTrapStubTable+88(SB)/8, $runtime·xenTrap11(SB)
DATA runtime·xenTrapStubTable+96(SB)/8, $runtime·xenTrap12(SB)
DATA runtime·xenTrapStubTable+104(SB)/8, $runtime·xenTrap13(SB)
DATA runtime·xenTrapStubTable+112(SB)/8, $runtime·xenTrap14(SB)
DATA runtime·xenTrapStubTable+120(SB)/8, $runtime·xenTrap15(SB)
DATA runtime·xenTrapStubTable+128(SB)/8, $runtime·xenTrap16(SB)
DATA runtime·xenTrapStubTable+136(SB)/8, $runtime·xenTrap17(SB)
DATA runtime·xenTrapStubTable+144(SB)/8, $runtime·xenTrap18(SB)
DATA runtime·xenTrapStubTable+152(SB)/8, $runtime·xenTrap19(SB)
DATA runtime·xenTrapStubTable+160(SB)/8, $runtime·xenTrap20(SB)
DATA runtime·xenTrapStubTable+168(SB)/8, $runtime·xenTrap21(SB)
DATA runtime·xenTrapStubTable+176(SB)/8, $runtime·xenTrap22(SB)
DATA runtime·xenTrapStubTable+184(SB)/8, $runtime·xenTrap23(SB)
DATA runtime·xenTrapStubTable+192(SB)/8, $runtime·xenTrap24(SB)
DATA runtime·xenTrapStubTable+200(SB)/8, $runtime·xenTrap25(SB)
DATA runtime·xenTrapStubTable+208(SB)/8, $runtime·xenTrap26(SB)
DATA runtime·xenTrapStubTable+216(SB)/8, $runtime·xenTrap27(SB)
DATA runtime·xenTrapStubTable+224(SB)/8, $runtime·xenTrap28(SB)
DATA runtime·xenTrapStubTable+232(SB)/8, $runtime·xenTrap29(SB)
DATA runtime·xenTrapStubTable+240(SB)/8, $runtime·xenTrap30(SB)
DATA runtime·xenTrapStubTable+248(SB)/8, $runtime·xenTrap31(SB)
GLOBL runtime·xenTrapStubTable(SB), NOPTR|RODATA, $(32*8)

// func xenTrapStubs() *[32]uintptr
TEXT runtime·xenTrapStubs(SB),NOSPLIT,$0-8
	LEAQ	runtime·xenTrapStubTable(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// xenTrapCommon saves the general registers below the CPU's frame, making a
// xenTrapFrame, saves the x87/SSE state with FXSAVE (the trap handler is Go
// code, which uses XMM registers), and calls xenTrap with the frame. It runs
// on an interrupt stack (IST). xenTrap may change the saved rip and rsp to
// make the interrupted code call sigpanic, as a Unix signal handler does.
//
// Only FXSAVE's x87/SSE state: the handler paths that return (a demand
// fault, a fault turned into a panic) use no AVX register, so the
// interrupted code's YMM/ZMM upper halves and mask registers stay as they
// were. XSAVE/XRSTOR of every enabled component would cover them too, but
// in a domU under QEMU's emulated Xen the XRSTOR at the end of a trap
// intermittently took a #GP on the image its own XSAVE had just written
// (about one boot in four, always during mallocinit's first demand faults),
// and the domain then spun on that fault.
TEXT runtime·xenTrapCommon(SB),NOSPLIT|NOFRAME,$0
	PUSHQ	AX
	PUSHQ	BX
	PUSHQ	CX
	PUSHQ	DX
	PUSHQ	SI
	PUSHQ	DI
	PUSHQ	BP
	PUSHQ	R8
	PUSHQ	R9
	PUSHQ	R10
	PUSHQ	R11
	PUSHQ	R12
	PUSHQ	R13
	PUSHQ	R14
	PUSHQ	R15
	MOVQ	SP, R12	// the xenTrapFrame
	MOVQ	SP, R13
	SUBQ	$512, R13
	ANDQ	$~63, R13	// the FXSAVE area (16-byte alignment needed)
	LEAQ	-32(R13), SP
	MOVQ	R12, 8(SP)
	MOVQ	R13, 16(SP)
	FXSAVE64	(R13)
	MOVQ	R12, 0(SP)
	CALL	runtime·xenTrap(SB)
	MOVQ	16(SP), R13
	FXRSTOR64	(R13)
	MOVB	$0, runtime·xenTrapActive(SB)
	MOVQ	8(SP), SP
	POPQ	R15
	POPQ	R14
	POPQ	R13
	POPQ	R12
	POPQ	R11
	POPQ	R10
	POPQ	R9
	POPQ	R8
	POPQ	BP
	POPQ	DI
	POPQ	SI
	POPQ	DX
	POPQ	CX
	POPQ	BX
	POPQ	AX
	ADDQ	$16, SP	// vector and error code
	IRETQ

// xenClearFrame zeroes the 4 KiB frame at pa with REP STOSQ: the demand
// fault handler's clear, which must not touch vector registers (see
// xenTrapCommon).
TEXT runtime·xenClearFrame(SB),NOSPLIT,$0-8
	MOVQ	pa+0(FP), DI
	MOVQ	$512, CX
	XORQ	AX, AX
	CLD
	REP;	STOSQ
	RET

// xenStiHlt enables interrupts and halts until the next one, then disables
// them again. It records its stack pointer (which points at its return
// address) in xenHaltSP before STI, and xenUpcall ends the halt by returning
// from xenStiHlt on that stack, not through its own interrupt frame. That
// covers an upcall delivered between STI and HLT (the emulated machine does
// that; returning through the frame would HLT through the event it was
// waiting for), and an upcall delivered twice: QEMU's SVM can deliver an
// injected event again at the handler's first instruction, and the second
// frame, written over the first at the same interrupt-stack top, returns to
// the handler itself with interrupts off, so a handler that IRETQs through it
// runs forever (a domU was seen frozen there, at 100% of a CPU).
TEXT runtime·xenStiHlt(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	SP, runtime·xenHaltSP(SB)
	STI
	HLT
	CLI
	MOVQ	$0, runtime·xenHaltSP(SB)
	RET

// xenUpcall is the event-channel upcall vector (HVM_PARAM_CALLBACK_IRQ), on
// its own interrupt stack (IST3). Xen raises it while
// vcpu_info.evtchn_upcall_pending is set, so it clears that; the netpoller
// scans the pending ports itself. In a halt (xenHaltSP set) it returns from
// xenStiHlt to its caller, discarding its interrupt frame, with interrupts
// still off (the gate cleared IF); the caller treats every register but SP
// and BP as clobbered. Outside a halt (interrupts are off there, so only a
// repeated delivery or a test gets here) it returns through its frame.
TEXT runtime·xenUpcall(SB),NOSPLIT|NOFRAME,$0
	CMPQ	runtime·xenHaltSP(SB), $0
	JEQ	outside
	MOVQ	runtime·xenVcpu(SB), AX
	MOVB	$0, 0(AX)	// vcpu_info.evtchn_upcall_pending
	MOVQ	runtime·xenHaltSP(SB), AX
	MOVQ	$0, runtime·xenHaltSP(SB)
	MOVQ	AX, SP
	RET	// to xenStiHlt's caller
outside:
	PUSHQ	AX
	MOVQ	runtime·xenVcpu(SB), AX
	MOVB	$0, 0(AX)	// vcpu_info.evtchn_upcall_pending
	POPQ	AX
	IRETQ

// xenTestUpcallRepeated enters xenUpcall the way a repeated delivery does:
// in a halt (xenHaltSP recorded as xenStiHlt records it), through an
// interrupt frame whose RIP is xenUpcall's first instruction and whose RFLAGS
// have IF clear. The upcall must return from this function (upcall_xen_test.go).
TEXT runtime·xenTestUpcallRepeated(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	SP, runtime·xenHaltSP(SB)
	MOVQ	SP, AX
	PUSHQ	$0x10	// SS: the data selector (xenGDT)
	PUSHQ	AX	// RSP
	PUSHFQ	// RFLAGS: interrupts are off in the runtime
	PUSHQ	$8	// CS: the code selector (xenGDT)
	LEAQ	runtime·xenUpcall(SB), AX
	PUSHQ	AX	// RIP
	JMP	runtime·xenUpcall(SB)

// xenTestUpcallOutsideHalt raises the upcall vector with no halt recorded;
// the upcall must return here through its frame (upcall_xen_test.go).
TEXT runtime·xenTestUpcallOutsideHalt(SB),NOSPLIT|NOFRAME,$0-0
	INT	$0xF3	// xenUpcallVector
	RET
