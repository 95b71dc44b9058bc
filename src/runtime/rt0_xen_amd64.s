// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Start of day for GOOS=xen: the PVH entry point.
//
// Xen enters a PVH guest at XEN_ELFNOTE_PHYS32_ENTRY (set by cmd/link to this
// symbol) in 32-bit protected mode with paging off, flat 4 GiB segments,
// interrupts off, no stack, and ebx = the physical address of hvm_start_info
// (xen/docs/misc/pvh.pandoc). The 32-bit part below identity-maps the first
// GiB with 2 MiB pages, enables long mode and SSE, and jumps to xenEntry64,
// which sets up a stack and the x87/SSE/AVX state and enters the ordinary amd64
// start-up code (rt0_go). The runtime replaces these page tables with its own
// once it has read the memory map (mem_xen.go).
//
// Go's assembler emits only 64-bit code, so the 32-bit part is written as
// bytes, each line with the instruction it encodes (in x86asm's Intel syntax,
// branch targets as offsets from _rt0_amd64_xen); test/toolchain's
// TestBoot32Stub decodes the bytes of a linked image in 32-bit mode and
// compares them with these comments. The one exception is the LEAL below:
// its 64-bit encoding (8D 35 disp32, RIP-relative) is the 32-bit
// "lea esi, [disp32]", which yields the distance from the end of the
// instruction to xenBoot32Data; adding the instruction's own address (found
// with call/pop) gives the absolute address. The assembler has no other way to
// put an absolute address in code.

#include "textflag.h"

// The end of the ELF header page (cmd/link's XenLoadAddr + ELFRESERVE): part
// of the image, unused once Xen has read the headers; the 32-bit code uses its
// last bytes as a scratch stack for one call.
#define BOOT32_SCRATCH_STACK 0x101000

TEXT _rt0_amd64_xen(SB),NOSPLIT|NOFRAME,$0
	BYTE $0xBC; BYTE $0x00; BYTE $0x10; BYTE $0x10; BYTE $0x00	// mov esp, 0x101000
	BYTE $0xE8; BYTE $0x00; BYTE $0x00; BYTE $0x00; BYTE $0x00	// call 0xa
	BYTE $0x5D	// pop ebp
	LEAL	runtime·xenBoot32Data(SB), SI	// lea esi, ptr [disp32]
	BYTE $0x01; BYTE $0xEE	// add esi, ebp
	BYTE $0x83; BYTE $0xC6; BYTE $0x07	// add esi, 0x7

	// Page tables in xenBootPageTables, rounded up to a page: PML4, PDPT, PD.
	BYTE $0x8B; BYTE $0x3E	// mov edi, dword ptr [esi]
	BYTE $0x81; BYTE $0xC7; BYTE $0xFF; BYTE $0x0F; BYTE $0x00; BYTE $0x00	// add edi, 0xfff
	BYTE $0x81; BYTE $0xE7; BYTE $0x00; BYTE $0xF0; BYTE $0xFF; BYTE $0xFF	// and edi, 0xfffff000
	BYTE $0x89; BYTE $0xFA	// mov edx, edi
	BYTE $0x31; BYTE $0xC0	// xor eax, eax
	BYTE $0xB9; BYTE $0x00; BYTE $0x0C; BYTE $0x00; BYTE $0x00	// mov ecx, 0xc00
	BYTE $0xF3; BYTE $0xAB	// rep stosd dword ptr [edi]
	BYTE $0x8D; BYTE $0x82; BYTE $0x03; BYTE $0x10; BYTE $0x00; BYTE $0x00	// lea eax, ptr [edx+0x1003]
	BYTE $0x89; BYTE $0x02	// mov dword ptr [edx], eax
	BYTE $0x8D; BYTE $0x82; BYTE $0x03; BYTE $0x20; BYTE $0x00; BYTE $0x00	// lea eax, ptr [edx+0x2003]
	BYTE $0x89; BYTE $0x82; BYTE $0x00; BYTE $0x10; BYTE $0x00; BYTE $0x00	// mov dword ptr [edx+0x1000], eax
	BYTE $0xB8; BYTE $0x83; BYTE $0x00; BYTE $0x00; BYTE $0x00	// mov eax, 0x83
	BYTE $0x31; BYTE $0xC9	// xor ecx, ecx
	BYTE $0x89; BYTE $0x84; BYTE $0xCA; BYTE $0x00; BYTE $0x20; BYTE $0x00; BYTE $0x00	// mov dword ptr [edx+8*ecx+0x2000], eax
	BYTE $0x05; BYTE $0x00; BYTE $0x00; BYTE $0x20; BYTE $0x00	// add eax, 0x200000
	BYTE $0x41	// inc ecx
	BYTE $0x81; BYTE $0xF9; BYTE $0x00; BYTE $0x02; BYTE $0x00; BYTE $0x00	// cmp ecx, 0x200
	BYTE $0x75; BYTE $0xEB	// jnz 0x4a

	// Long mode: CR3, CR4.PAE|OSFXSR|OSXMMEXCPT, EFER.LME, CR0.PG|WP|NE|MP|PE.
	BYTE $0x0F; BYTE $0x22; BYTE $0xDA	// mov cr3, edx
	BYTE $0xB8; BYTE $0x20; BYTE $0x06; BYTE $0x00; BYTE $0x00	// mov eax, 0x620
	BYTE $0x0F; BYTE $0x22; BYTE $0xE0	// mov cr4, eax
	BYTE $0xB9; BYTE $0x80; BYTE $0x00; BYTE $0x00; BYTE $0xC0	// mov ecx, 0xc0000080
	BYTE $0x0F; BYTE $0x32	// rdmsr
	BYTE $0x0D; BYTE $0x00; BYTE $0x01; BYTE $0x00; BYTE $0x00	// or eax, 0x100
	BYTE $0x0F; BYTE $0x30	// wrmsr
	BYTE $0x0F; BYTE $0x20; BYTE $0xC0	// mov eax, cr0
	BYTE $0x83; BYTE $0xE0; BYTE $0xFB	// and eax, 0xfffffffb
	BYTE $0x0D; BYTE $0x23; BYTE $0x00; BYTE $0x01; BYTE $0x80	// or eax, 0x80010023
	BYTE $0x0F; BYTE $0x22; BYTE $0xC0	// mov cr0, eax

	// GDT with a 64-bit code segment, then a far jump to xenEntry64.
	BYTE $0x0F; BYTE $0x01; BYTE $0x56; BYTE $0x10	// lgdt ptr [esi+0x10]
	BYTE $0x8B; BYTE $0x46; BYTE $0x08	// mov eax, dword ptr [esi+0x8]
	BYTE $0x89; BYTE $0x46; BYTE $0x20	// mov dword ptr [esi+0x20], eax
	BYTE $0xFF; BYTE $0x6E; BYTE $0x20	// jmp far ptr [esi+0x20]

// xenBoot32Data holds the absolute addresses the 32-bit code needs:
//	+0	the page-table area
//	+8	xenEntry64
//	+16	the GDT pseudo-descriptor (limit, base)
//	+32	a far pointer to xenEntry64 (offset filled in at run time, selector 8)
DATA runtime·xenBoot32Data+0(SB)/8, $runtime·xenBootPageTables(SB)
DATA runtime·xenBoot32Data+8(SB)/8, $runtime·xenEntry64(SB)
DATA runtime·xenBoot32Data+16(SB)/2, $(5*8-1)
DATA runtime·xenBoot32Data+18(SB)/8, $runtime·xenGDT(SB)
DATA runtime·xenBoot32Data+36(SB)/2, $8
GLOBL runtime·xenBoot32Data(SB), NOPTR, $40

// Three page tables and the slack to align them to a page.
GLOBL runtime·xenBootPageTables(SB), NOPTR, $(4*4096)

// The boot stack, which becomes g0's stack: rt0_go takes the 64 KiB below SP.
#define BOOT_STACK_SIZE (64*1024+4096)
GLOBL runtime·xenBootStack(SB), NOPTR, $BOOT_STACK_SIZE

// xenNoTLS is what the FS base points at until settls: a nil g.
GLOBL runtime·xenNoTLS(SB), NOPTR, $16

// xenNoArgv is an empty argv and envp for rt0_go: goenvs reads the Xen
// command line instead.
GLOBL runtime·xenNoArgv(SB), NOPTR, $16

TEXT runtime·xenEntry64(SB),NOSPLIT|NOFRAME,$0
	// The TSC at entry, for the boot timeline (goxen.boottime=1).
	RDTSC
	MOVL	AX, runtime·xenEntryTSC(SB)
	MOVL	DX, runtime·xenEntryTSC+4(SB)
	MOVL	$0x10, AX
	MOVW	AX, DS
	MOVW	AX, ES
	MOVW	AX, SS
	XORL	AX, AX
	MOVW	AX, FS
	MOVW	AX, GS
	MOVL	BX, BX	// zero-extend: ebx is hvm_start_info's physical address
	MOVQ	BX, runtime·xenStartInfoPaddr(SB)
	LEAQ	runtime·xenBootStack+BOOT_STACK_SIZE(SB), SP

	// FS base: g is read from -8(FS); make it nil until settls.
	LEAQ	runtime·xenNoTLS+8(SB), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$0xC0000100, CX	// MSR_FS_BASE
	WRMSR

	// x87 to its initial state; then, if the CPU has XSAVE, let the OS-managed
	// state include AVX and AVX-512 where present (CR4.OSXSAVE, XCR0), so that
	// internal/cpu reports them and Go's vector code paths are used.
	BYTE	$0xDB; BYTE $0xE3	// fninit
	MOVL	$1, AX
	XORL	CX, CX
	CPUID
	BTL	$26, CX	// CPUID.1:ECX.XSAVE
	JCC	noxsave
	MOVQ	CR4, AX
	ORQ	$(1<<18), AX	// CR4.OSXSAVE
	MOVQ	AX, CR4
	MOVL	$0xD, AX
	XORL	CX, CX
	CPUID	// EAX: the XCR0 bits this CPU supports
	ANDL	$0xE7, AX	// x87, SSE, AVX; opmask, ZMM_Hi256, Hi16_ZMM
	MOVL	AX, BX
	ANDL	$0xE0, BX
	CMPL	BX, $0xE0
	JEQ	setxcr0
	ANDL	$0x07, AX	// AVX-512 state only when all three parts are there
setxcr0:
	XORL	CX, CX
	XORL	DX, DX
	XSETBV
noxsave:
	MOVQ	$0, DI	// argc
	LEAQ	runtime·xenNoArgv(SB), SI	// argv
	JMP	runtime·rt0_go(SB)

// settls sets the FS base so that -8(FS) is DI's first word, as on other ELF
// systems. Called from rt0_go with DI = &m.tls.
TEXT runtime·settls(SB),NOSPLIT,$0
	ADDQ	$8, DI
	MOVQ	DI, AX
	MOVQ	DI, DX
	SHRQ	$32, DX
	MOVL	$0xC0000100, CX	// MSR_FS_BASE
	WRMSR
	RET
