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

// TestXenHotPathsMakeNoHypercall: reading the clock, yielding, handing a
// value to another goroutine and a timer that has already expired need
// nothing from Xen (the clock is pvclock, a read of shared memory; the
// timer hypercall comes only before a halt), so 10,000 of each make
// (almost) no hypercall: a few are allowed for the heap's growth or a
// collection on the way.
func TestXenHotPathsMakeNoHypercall(t *testing.T) {
	const n = 10000
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	defer close(ping)
	timer := time.NewTimer(time.Hour)
	for _, p := range []struct {
		name string
		op   func()
	}{
		{"time.Now", func() { time.Now() }},
		{"runtime.Gosched", runtime.Gosched},
		{"a channel hand-off", func() { ping <- 1; <-pong }},
		{"an expired timer", func() { timer.Reset(0); <-timer.C }},
	} {
		p.op() // warm up
		before := runtime.XenHypercalls()
		for i := 0; i < n; i++ {
			p.op()
		}
		d := runtime.XenHypercalls() - before
		t.Logf("%d of %s: %d hypercalls", n, p.name, d)
		if d > n/1000 {
			t.Errorf("%d of %s made %d hypercalls", n, p.name, d)
		}
	}
	// The counter counts: a sleep halts, and arms Xen's timer first.
	before := runtime.XenHypercalls()
	time.Sleep(time.Millisecond)
	if runtime.XenHypercalls() == before {
		t.Error("a sleep made no hypercall: the counter does not count")
	}
}
