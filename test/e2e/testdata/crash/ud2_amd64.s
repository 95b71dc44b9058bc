#include "textflag.h"

TEXT ·ud2(SB),NOSPLIT,$0-0
	BYTE	$0x0F; BYTE $0x0B	// ud2
	RET
