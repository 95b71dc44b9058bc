// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultMemory is the domain's memory in MiB without GOXEN_MEMORY.
const DefaultMemory = 512

// Memory limits for GOXEN_MEMORY, in MiB. Below MinMemory Xen cannot
// build a dom0 with the runtime in it.
const (
	MinMemory = 4
	MaxMemory = 1 << 20
)

// XenOverhead is the memory QEMU's machine needs beyond the domain's, in MiB:
// Xen itself, its frame table (32 bytes per 4 KiB page), the dom0's paging
// and IOMMU page tables (about 4 and 2 KiB per MiB), with room to spare. Xen
// panics ("Could not construct domain 0") or silently gives dom0 less than
// dom0_mem asks when the machine has too little; measured: 512 MiB needs 16
// MiB more, 4 GiB needs 80. The boot modules (the image and the files) take
// machine memory of their own while Xen builds the domain: MachineMemory
// adds them.
func XenOverhead(domainMiB int) int {
	return 32 + domainMiB/32
}

// MachineMemory is the memory of QEMU's machine, in MiB, for a domain of
// domainMiB and boot modules of moduleBytes in all.
func MachineMemory(domainMiB int, moduleBytes int64) int {
	return domainMiB + XenOverhead(domainMiB) + int((moduleBytes+(1<<20)-1)>>20)
}

// ParseMemory parses GOXEN_MEMORY: a number of MiB, optionally followed by
// M, MiB, G or GiB.
func ParseMemory(s string) (int, error) {
	bad := func() (int, error) {
		return 0, fmt.Errorf("GOXEN_MEMORY=%s: not a memory size; want MiB from %d to %d, such as 512 or 1G", s, MinMemory, MaxMemory)
	}
	num, mul := strings.TrimSpace(s), 1
	for _, suf := range []struct {
		s string
		m int
	}{{"GiB", 1024}, {"G", 1024}, {"MiB", 1}, {"M", 1}} {
		if n, ok := strings.CutSuffix(num, suf.s); ok {
			num, mul = n, suf.m
			break
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > MaxMemory/mul {
		return bad()
	}
	n *= mul
	if n < MinMemory {
		return 0, fmt.Errorf("GOXEN_MEMORY=%s: too small; the domain needs at least %d MiB", s, MinMemory)
	}
	return n, nil
}

// XenCmdline is Xen's own command line for a domain of mem MiB: the console
// on the first serial port, the program as a PVH dom0 (PVH dom0 needs an
// IOMMU), all log levels so that a failure can be explained. There is no
// noreboot: a crash or panic of Xen then "reboots", which ends QEMU
// (-no-reboot).
func XenCmdline(mem int) string {
	return fmt.Sprintf("console=com1 dom0=pvh iommu=1 dom0_mem=%dM loglvl=all guest_loglvl=all", mem)
}

// DefaultCPU is QEMU's CPU model for the emulated machine: every feature TCG
// has (XSAVE, AVX, RDRAND, RDSEED, ...), so Go's fast paths run.
const DefaultCPU = "max"

// invariantTSC is added to every CPU model (CPUModel): it gives the CPU
// the invariant-TSC bit (CPUID 0x80000007 EDX bit 8). Without it Xen does
// not trust the TSC (X86_FEATURE_TSC_RELIABLE comes from that bit,
// xen/arch/x86/cpu/amd.c) and emulates RDTSC for every HVM or PVH domain
// in TSC mode "default" (tsc_set_info, xen/arch/x86/time.c), which is the
// mode of a PVH dom0 and cannot be changed (XEN_DOMCTL_settscinfo refuses
// the calling domain): every clock read then exits to Xen, about 40 us
// under TCG, and time.Now took 80 to 114 us. TCG's TSC does run at a
// constant rate (it follows the host's clock), but QEMU 7.2 filters the
// bit under TCG ("TCG doesn't support requested feature"), so
// x-force-features=on keeps it (and whatever else the model asks for that
// TCG lacks: nothing, for "max").
const invariantTSC = "invtsc=on,x-force-features=on"

// invariantTSCWarning is the warning QEMU prints for invariantTSC.
const invariantTSCWarning = "TCG doesn't support requested feature: CPUID.80000007H:EDX.invtsc"

// CPUModel is QEMU's -cpu value for GOXEN_CPU=cpu (empty: DefaultCPU): the
// model with invariantTSC, unless it says what it wants of invtsc itself.
func CPUModel(cpu string) string {
	if cpu == "" {
		cpu = DefaultCPU
	}
	if strings.Contains(cpu, "invtsc") {
		return cpu
	}
	return cpu + "," + invariantTSC
}

// QEMUArgs are the arguments of qemu-system-x86_64 for a domain of mem MiB
// on a machine of machineMem MiB with CPU model CPUModel(cpu), Xen's image
// xen and the modules initrd. The machine is a q35 with an AMD
// IOMMU (a PVH dom0 needs one), one vCPU, no devices but the first serial
// port on stdio and isa-debug-exit at port 0xf4, which the runtime writes
// to end QEMU (goxen.debugexit=1); -no-reboot makes Xen's reboot end QEMU
// too.
func QEMUArgs(mem, machineMem int, cpu, xen, initrd string) []string {
	return []string{
		"-accel", "tcg", "-cpu", CPUModel(cpu), "-M", "q35", "-device", "amd-iommu",
		"-m", strconv.Itoa(machineMem), "-smp", "1",
		"-nodefaults", "-no-user-config", "-display", "none",
		"-serial", "stdio", "-monitor", "none", "-no-reboot",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
		"-kernel", xen,
		"-append", XenCmdline(mem),
		"-initrd", initrd,
	}
}
