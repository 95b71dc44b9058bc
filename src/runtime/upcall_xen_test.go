// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime_test

import (
	"runtime"
	"testing"
	"time"
)

// TestXenUpcallRepeatedInHalt enters the upcall with the frame of a repeated
// delivery (its RIP is the handler's first instruction, interrupts off): the
// upcall must end the halt by returning from it, where a handler that returns
// through its frame runs itself forever.
func TestXenUpcallRepeatedInHalt(t *testing.T) {
	runtime.XenTestUpcallRepeated()
	if sp := runtime.XenHaltSP(); sp != 0 {
		t.Fatalf("xenHaltSP = %#x after the upcall ended the halt, want 0", sp)
	}
}

// TestXenUpcallOutsideHalt raises the upcall vector with no halt recorded: it
// must return to the instruction after the interrupt, with the goroutine's
// state intact.
func TestXenUpcallOutsideHalt(t *testing.T) {
	x := 42
	runtime.XenTestUpcallOutsideHalt()
	if sp := runtime.XenHaltSP(); x != 42 || sp != 0 {
		t.Fatalf("after the upcall: x = %d, xenHaltSP = %#x", x, sp)
	}
}

// TestXenHaltWakes sleeps, which halts the vCPU until Xen's timer event: the
// upcall must end each halt.
func TestXenHaltWakes(t *testing.T) {
	for i := 0; i < 20; i++ {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}
