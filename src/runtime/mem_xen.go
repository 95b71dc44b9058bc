// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Memory on Xen: the runtime owns the physical frames of the domain and the
// page tables.
//
// Physical memory comes from the domain's memory map (hvm_start_info's memmap,
// or XENMEM_memory_map when Xen gives none, as it does for a PVH dom0). The
// frames not used by the image and by what Xen handed over at boot go to
// xenFrames, a bump allocator with a free list, so boot cost does not depend on
// the amount of memory.
//
// Virtual memory: the low addresses are an identity map of all physical memory
// (at least the first 4 GiB, where Xen puts its special pages), in 2 MiB pages
// except for the first 2 MiB, which uses 4 KiB pages so that page 0 stays
// unmapped (the compiler relies on loads below 4 KiB faulting). Above that, the
// heap's address space is reserved without backing. Mapping it (sysMap) only
// marks page-table entries as committed; the first touch of a committed page
// takes a page fault that backs it with a zeroed frame (xenDemandFault), as
// Linux does for anonymous memory. sysUnused returns frames; sysFree/sysFault
// drop the mapping.

package runtime

import (
	"internal/runtime/atomic"
	"internal/runtime/xen"
	"unsafe"
)

const (
	xenPageShift = 12
	xenPageSize  = 1 << xenPageShift
	xenLargePage = 2 << 20

	// Page-table entry bits (Intel SDM vol. 3A, 4.5).
	xenPTEPresent  = 1 << 0
	xenPTEWritable = 1 << 1
	xenPTELarge    = 1 << 7
	// xenPTECommitted marks a page that the runtime has mapped and that is
	// backed on first touch. Bit 9 is ignored by the hardware.
	xenPTECommitted = 1 << 9
	xenPTEAddrMask  = 0x000ffffffffff000

	// xenHeapReserveBase is where address space reserved without a hint
	// starts; the heap's hinted arenas start at 0xc000000000 and grow up
	// (malloc.go), far below.
	xenHeapReserveBase = 0x600000000000
	xenHeapReserveEnd  = 0x7ffffffff000 // top of the canonical lower half

	xenMaxRanges   = 128
	xenMaxReserved = 16
)

type xenRange struct{ start, end uintptr }

// xenFrameAllocator hands out 4 KiB physical frames. It is used without locks:
// there is one vCPU, and the page-fault handler runs with interrupts off.
type xenFrameAllocator struct {
	ram       [xenMaxRanges]xenRange // usable RAM, page-aligned, in address order
	nram      int
	reserved  [xenMaxReserved]xenRange // never handed out
	nreserved int
	cur       int     // ram[cur] holds the bump pointer
	next      uintptr // bump pointer
	free      uintptr // free list: each free frame's first word links the next
	total     uintptr // frames of RAM
	inUse     uintptr // frames handed out and not freed
}

var xenFrames xenFrameAllocator

// xenIdentityTop is the end of the identity map.
var xenIdentityTop uintptr

// xenLazyStart and xenLazyEnd bound the image's .xen.lazybss, a hole in the
// identity map backed on first touch.
var xenLazyStart, xenLazyEnd uintptr

// xenPML4 is the physical (= virtual) address of the page-table root.
var xenPML4 uintptr

// xenReserveNext is the bump pointer for address space reserved without a hint.
var xenReserveNext uintptr = xenHeapReserveBase

func (a *xenFrameAllocator) addRAM(start, end uintptr) {
	start = alignUp(start, xenPageSize)
	end = alignDown(end, xenPageSize)
	if end <= start || a.nram == len(a.ram) {
		return
	}
	// Keep the ranges sorted (insertion: the map has a handful of entries).
	i := a.nram
	for i > 0 && a.ram[i-1].start > start {
		a.ram[i] = a.ram[i-1]
		i--
	}
	a.ram[i] = xenRange{start, end}
	a.nram++
	a.total += (end - start) / xenPageSize
}

func (a *xenFrameAllocator) reserve(start, end uintptr) {
	if end <= start {
		return
	}
	if a.nreserved == len(a.reserved) {
		xenBootFail("too many reserved memory ranges")
	}
	a.reserved[a.nreserved] = xenRange{alignDown(start, xenPageSize), alignUp(end, xenPageSize)}
	a.nreserved++
}

// alloc returns the physical address of a free frame (not zeroed), or 0.
//
//go:nosplit
func (a *xenFrameAllocator) alloc() uintptr {
	if a.free != 0 {
		pa := a.free
		a.free = *(*uintptr)(unsafe.Pointer(pa))
		a.inUse++
		return pa
	}
	for a.cur < a.nram {
		r := &a.ram[a.cur]
		if a.next < r.start {
			a.next = r.start
		}
		if a.next+xenPageSize > r.end {
			a.cur++
			continue
		}
		if end := a.reservedEnd(a.next); end != 0 {
			a.next = end
			continue
		}
		pa := a.next
		a.next += xenPageSize
		a.inUse++
		return pa
	}
	return 0
}

// reservedEnd returns the end of the reserved range holding pa, or 0.
//
//go:nosplit
func (a *xenFrameAllocator) reservedEnd(pa uintptr) uintptr {
	for i := 0; i < a.nreserved; i++ {
		if r := a.reserved[i]; r.start <= pa && pa < r.end {
			return r.end
		}
	}
	return 0
}

//go:nosplit
func (a *xenFrameAllocator) freeFrame(pa uintptr) {
	*(*uintptr)(unsafe.Pointer(pa)) = a.free
	a.free = pa
	a.inUse--
}

// xenInitMemory reads the memory map, sets up the frame allocator and switches
// to the runtime's page tables.
func xenInitMemory(si *xen.StartInfo) {
	a := &xenFrames
	if si.Version >= 1 && si.MemmapEntries > 0 {
		for i := uintptr(0); i < uintptr(si.MemmapEntries); i++ {
			e := (*xen.MemmapEntry)(unsafe.Pointer(uintptr(si.MemmapPaddr) + i*unsafe.Sizeof(xen.MemmapEntry{})))
			if e.Type == xen.E820RAM {
				a.addRAM(uintptr(e.Addr), uintptr(e.Addr+e.Size))
			}
		}
	} else {
		var buf [xenMaxRanges]xen.E820Entry
		mm := xen.MemoryMap{NrEntries: xenMaxRanges, Buffer: uint64(uintptr(unsafe.Pointer(&buf)))}
		if rc := xen.Hypercall(xen.HypercallMemoryOp, xen.MemoryOpMemoryMap, uintptr(unsafe.Pointer(&mm)), 0, 0, 0); rc != 0 {
			xenBootFail("XENMEM_memory_map failed and hvm_start_info has no memory map")
		}
		for i := uint32(0); i < mm.NrEntries && i < xenMaxRanges; i++ {
			e := &buf[i]
			if e.Type() == xen.E820RAM {
				a.addRAM(uintptr(e.Addr()), uintptr(e.Addr()+e.Size()))
			}
		}
	}
	if a.nram == 0 {
		xenBootFail("the memory map has no RAM")
	}

	// What must not be handed out: the first MiB (BIOS-era data and page 0),
	// the image, and everything Xen passed in hvm_start_info.
	a.reserve(0, 1<<20)
	a.reserve(1<<20, firstmoduledata.end)
	// The image's large zero-filled data (.xen.lazybss) is not part of what
	// Xen populated: the linker put it at 1.5 GiB (cmd/link/internal/ld/xenelf.go)
	// and it is backed on first touch, as the heap is. Its addresses are
	// mapped to those frames, not to themselves, so physical memory there (a
	// large domain's) is not handed out.
	// An image without lazy bss has both bounds at the image's end, which
	// need not be page-aligned: aligning them outwards would make a hole of
	// the image's last page (the top of the boot stack, whose return
	// addresses would read back as zero).
	if start, end := xenLazyBSSRange(); start < end {
		xenLazyStart = alignDown(start, xenPageSize)
		xenLazyEnd = alignUp(end, xenPageSize)
		a.reserve(xenLazyStart, xenLazyEnd)
	}
	siPaddr := uintptr(unsafe.Pointer(si))
	a.reserve(siPaddr, siPaddr+unsafe.Sizeof(*si))
	if si.CmdlinePaddr != 0 {
		p := uintptr(si.CmdlinePaddr)
		a.reserve(p, p+uintptr(findnull((*byte)(unsafe.Pointer(p))))+1)
	}
	if si.NrModules > 0 {
		ml := uintptr(si.ModlistPaddr)
		a.reserve(ml, ml+uintptr(si.NrModules)*unsafe.Sizeof(xen.ModlistEntry{}))
		for i := uintptr(0); i < uintptr(si.NrModules); i++ {
			m := (*xen.ModlistEntry)(unsafe.Pointer(ml + i*unsafe.Sizeof(xen.ModlistEntry{})))
			a.reserve(uintptr(m.Paddr), uintptr(m.Paddr+m.Size))
			if m.CmdlinePaddr != 0 {
				p := uintptr(m.CmdlinePaddr)
				a.reserve(p, p+uintptr(findnull((*byte)(unsafe.Pointer(p))))+1)
			}
		}
	}
	if si.Version >= 1 && si.MemmapEntries > 0 {
		p := uintptr(si.MemmapPaddr)
		a.reserve(p, p+uintptr(si.MemmapEntries)*unsafe.Sizeof(xen.MemmapEntry{}))
	}

	// The identity map covers all RAM and at least the first 4 GiB.
	top := uintptr(4 << 30)
	if end := a.ram[a.nram-1].end; end > top {
		top = alignUp(end, 1<<30)
	}
	xenIdentityTop = top
	// The image's code and read-only data (its first two PT_LOAD segments,
	// up to the page-aligned start of the writable one) are mapped
	// read-only, as a Linux process's are: a stray write there faults
	// (reflect hands out StructField.Index slices in rodata) instead of
	// corrupting what every goroutine shares. CR0.WP, set at entry, makes
	// the protection apply in ring 0.
	roStart := alignDown(firstmoduledata.text, xenPageSize)
	roEnd := alignDown(firstmoduledata.noptrdata, xenPageSize)
	xenPML4 = xenNewTable()
	for va := uintptr(0); va < top; va += xenLargePage {
		pde := xenWalk(va, 2, true)
		if va == 0 || va < roEnd && roStart < va+xenLargePage || va < xenLazyEnd && xenLazyStart < va+xenLargePage {
			// 4 KiB pages: page 0 stays unmapped, the image's read-only
			// pages are not writable, its lazy bss is backed on first
			// touch.
			pt := xenNewTable()
			for i := uintptr(0); i < 512; i++ {
				pa := va + i*xenPageSize
				pte := uint64(pa) | xenPTEPresent | xenPTEWritable
				switch {
				case pa == 0:
					pte = 0
				case roStart <= pa && pa < roEnd:
					pte &^= xenPTEWritable
				case xenLazyStart <= pa && pa < xenLazyEnd:
					pte = xenPTECommitted
				}
				*(*uint64)(unsafe.Pointer(pt + i*8)) = pte
			}
			*pde = uint64(pt) | xenPTEPresent | xenPTEWritable
			continue
		}
		*pde = uint64(va) | xenPTEPresent | xenPTEWritable | xenPTELarge
	}
	xen.WriteCR3(xenPML4)
}

// xenLazyBSSRange returns the bounds of .xen.lazybss (mem_xen_amd64.s).
func xenLazyBSSRange() (start, end uintptr)

// xenNewTable returns a zeroed frame for a page table.
//
//go:nosplit
func xenNewTable() uintptr {
	pa := xenFrames.alloc()
	if pa == 0 {
		return 0
	}
	memclrNoHeapPointers(unsafe.Pointer(pa), xenPageSize)
	return pa
}

// xenWalk returns the entry for va in the table of the given level (1: page
// table, 2: page directory, 3: PDPT), creating the tables above it if create is
// set. It returns nil if a table is missing (and not created), if the walk
// meets a large page, or if there is no memory for a new table.
//
//go:nosplit
func xenWalk(va uintptr, level int, create bool) *uint64 {
	table := xenPML4
	for l := 4; ; l-- {
		idx := (va >> (xenPageShift + 9*uintptr(l-1))) & 511
		e := (*uint64)(unsafe.Pointer(table + idx*8))
		if l == level {
			return e
		}
		if *e&xenPTEPresent == 0 {
			if !create {
				return nil
			}
			t := xenNewTable()
			if t == 0 {
				return nil
			}
			*e = uint64(t) | xenPTEPresent | xenPTEWritable
		} else if *e&xenPTELarge != 0 {
			return nil
		}
		table = uintptr(*e & xenPTEAddrMask)
	}
}

// xenCommit marks [v, v+n) as mapped: backed on first touch.
func xenCommit(v unsafe.Pointer, n uintptr) {
	for va := uintptr(v); va < uintptr(v)+n; va += xenPageSize {
		pte := xenWalk(va, 1, true)
		if pte == nil {
			throw("runtime: out of memory: no memory for page tables")
		}
		if *pte&xenPTEPresent == 0 {
			*pte = xenPTECommitted
		}
	}
}

// xenRelease returns the frames backing [v, v+n). If keep is set the pages stay
// committed (they read as zero when touched again); otherwise they are unmapped.
func xenRelease(v unsafe.Pointer, n uintptr, keep bool) {
	var after uint64
	if keep {
		after = xenPTECommitted
	}
	for va := uintptr(v); va < uintptr(v)+n; va += xenPageSize {
		pte := xenWalk(va, 1, false)
		if pte == nil {
			continue
		}
		if *pte&xenPTEPresent != 0 {
			xenFrames.freeFrame(uintptr(*pte & xenPTEAddrMask))
			*pte = after
			xen.Invlpg(va)
		} else if *pte&xenPTECommitted != 0 {
			*pte = after
		}
	}
}

// xenBackPages makes sure the pages of [p, p+n) are backed by frames before
// the buffer goes to Xen: Xen copies to and from a guest buffer by walking our
// page tables and fails with EFAULT at a committed page that no access has
// backed yet, rather than taking our demand fault.
func xenBackPages(p unsafe.Pointer, n uintptr) {
	if n == 0 {
		return
	}
	for va := uintptr(p) &^ (xenPageSize - 1); va < uintptr(p)+n; va += xenPageSize {
		atomic.Load8((*uint8)(unsafe.Pointer(va))) // an access the compiler keeps
	}
}

// xenDemandFault backs a committed page on its first touch. It reports whether
// the fault was one, and whether there was no frame left for it.
//
//go:nosplit
func xenDemandFault(addr uintptr) (handled, outOfMemory bool) {
	if addr < xenIdentityTop && (addr < xenLazyStart || addr >= xenLazyEnd) {
		return false, false
	}
	pte := xenWalk(addr, 1, false)
	if pte == nil || *pte&xenPTEPresent != 0 || *pte&xenPTECommitted == 0 {
		return false, false
	}
	pa := xenFrames.alloc()
	if pa == 0 {
		return false, true
	}
	xenClearFrame(pa) // not memclr: no vector registers in a trap (xenTrapCommon)
	*pte = uint64(pa) | xenPTEPresent | xenPTEWritable | xenPTECommitted
	return true, false
}

func sysAllocOS(n uintptr, _ string) unsafe.Pointer {
	v := sysReserveOS(nil, n, "")
	if v == nil {
		return nil
	}
	xenCommit(v, n)
	return v
}

func sysReserveOS(v unsafe.Pointer, n uintptr, _ string) unsafe.Pointer {
	n = alignUp(n, xenPageSize)
	if v != nil {
		// A hint from the heap's arena allocator: free unless it overlaps the
		// identity map or the region below.
		if uintptr(v) < xenIdentityTop || uintptr(v)+n > xenHeapReserveBase || uintptr(v)+n < uintptr(v) {
			return nil
		}
		return v
	}
	p := xenReserveNext
	if p+n > xenHeapReserveEnd || p+n < p {
		return nil
	}
	xenReserveNext = p + n
	return unsafe.Pointer(p)
}

func sysMapOS(v unsafe.Pointer, n uintptr, _ string) {
	xenCommit(v, n)
}

func sysUsedOS(v unsafe.Pointer, n uintptr) {
	// Pages released by sysUnusedOS stay committed.
}

func sysUnusedOS(v unsafe.Pointer, n uintptr) {
	xenRelease(v, n, true)
}

func sysFreeOS(v unsafe.Pointer, n uintptr) {
	xenRelease(v, n, false)
}

func sysFaultOS(v unsafe.Pointer, n uintptr) {
	xenRelease(v, n, false)
}

func sysHugePageOS(v unsafe.Pointer, n uintptr)         {}
func sysNoHugePageOS(v unsafe.Pointer, n uintptr)       {}
func sysHugePageCollapseOS(v unsafe.Pointer, n uintptr) {}

// Released pages read as zero when touched again.
func needZeroAfterSysUnusedOS() bool { return false }
