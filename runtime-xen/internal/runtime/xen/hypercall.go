// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

import "unsafe"

// HypercallPage is the physical (= virtual) address of the hypercall page,
// which the runtime asks Xen to fill at boot (xenInstallHypercallPage in
// runtime/os_xen.go); zero before that.
var HypercallPage uintptr

// HypercallCount counts the hypercalls made (Hypercall increments it; one
// vCPU, so a plain increment is exact). A runtime test checks with it that
// the scheduler's and timers' hot paths make none.
var HypercallCount uint64

// Hypercall invokes hypercall op through the hypercall page with up to five
// arguments and returns rax: a negative value is -errno. Xen may clobber the
// argument registers (debug builds poison them), which Go's ABI0 allows.
//
//go:noescape
func Hypercall(op, a1, a2, a3, a4, a5 uintptr) uintptr

// Cpuid executes CPUID with eax = leaf and ecx = sub.
func Cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// Wrmsr writes a model-specific register.
func Wrmsr(msr uint32, value uint64)

// Outl writes a 32-bit value to an I/O port.
func Outl(port uint16, value uint32)

// Rdtsc reads the time-stamp counter.
func Rdtsc() uint64

// ReadCR2 returns the faulting address of the last page fault.
func ReadCR2() uintptr

// WriteCR3 loads the page-table root, which flushes the TLB.
func WriteCR3(v uintptr)

// Invlpg drops the TLB entry of the page holding addr.
func Invlpg(addr uintptr)

// Lidt loads the interrupt descriptor table register from a 10-byte
// pseudo-descriptor (limit u16, base u64).
//
//go:noescape
func Lidt(desc unsafe.Pointer)

// Ltr loads the task register with the TSS selector sel.
func Ltr(sel uint16)

// Outb writes a byte to an I/O port.
func Outb(port uint16, value byte)

// Rdrand and Rdseed return a random 64-bit value and whether the CPU had one
// (CF=1); both may fail transiently.
func Rdrand() (uint64, bool)
func Rdseed() (uint64, bool)
