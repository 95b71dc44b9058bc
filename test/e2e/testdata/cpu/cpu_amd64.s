#include "textflag.h"

// func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB),NOSPLIT,$0-24
	MOVL	leaf+0(FP), AX
	MOVL	sub+4(FP), CX
	CPUID
	MOVL	AX, eax+8(FP)
	MOVL	BX, ebx+12(FP)
	MOVL	CX, ecx+16(FP)
	MOVL	DX, edx+20(FP)
	RET

// func xgetbv() uint32
TEXT ·xgetbv(SB),NOSPLIT,$0-4
	MOVL	$0, CX
	XGETBV
	MOVL	AX, ret+0(FP)
	RET

// func avxXor(a, b [4]uint64) [4]uint64
TEXT ·avxXor(SB),NOSPLIT,$0-96
	VMOVDQU	a+0(FP), Y0
	VMOVDQU	b+32(FP), Y1
	VPXOR	Y1, Y0, Y2
	VMOVDQU	Y2, ret+64(FP)
	VZEROUPPER
	RET
