// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

#include "textflag.h"

// The bounds of .xen.lazybss, which the linker defines (xenelf.go). They are
// far above the code, out of reach of a PC-relative address: keep them as
// absolute addresses in read-only data.
DATA xenLazyBSSBounds<>+0(SB)/8, $runtime·xenlazybss(SB)
DATA xenLazyBSSBounds<>+8(SB)/8, $runtime·exenlazybss(SB)
GLOBL xenLazyBSSBounds<>(SB), RODATA, $16

// func xenLazyBSSRange() (start, end uintptr)
TEXT ·xenLazyBSSRange(SB),NOSPLIT|NOFRAME,$0-16
	MOVQ	xenLazyBSSBounds<>+0(SB), AX
	MOVQ	AX, start+0(FP)
	MOVQ	xenLazyBSSBounds<>+8(SB), AX
	MOVQ	AX, end+8(FP)
	RET
