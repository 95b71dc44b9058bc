// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Xen guest images (GOOS=xen).
//
// A GOOS=xen executable is an ELF64 image that Xen boots as a PVH guest
// (xen/docs/misc/pvh.pandoc): Xen loads each PT_LOAD segment at its physical
// address and enters the image in 32-bit protected mode at the address given by
// the XEN_ELFNOTE_PHYS32_ENTRY note. The image is linked with virtual addresses
// equal to physical addresses, so the runtime's identity map runs it unchanged
// once the start-of-day code has switched to long mode.
//
// The notes live in a PT_NOTE segment of their own: Xen's libelf reads note
// segments (xen/common/libelf/libelf-dominfo.c, elf_xen_parse).

package ld

import (
	"cmd/internal/objabi"
	"cmd/link/internal/loader"
	"cmd/link/internal/sym"
	"debug/elf"
	"internal/buildcfg"
)

// XenLoadAddr is the physical address at which a GOOS=xen image is loaded: the
// ELF and program headers go here and text follows. PVH guests are loaded from
// 1 MiB up, above the legacy BIOS area and below which Xen keeps its own data
// for the guest.
const XenLoadAddr = 1 << 20

// Xen ELF note types, from xen/include/public/elfnote.h.
const (
	xenElfnoteGuestOS      = 6  // XEN_ELFNOTE_GUEST_OS: name of the guest OS (string)
	xenElfnoteGuestVersion = 7  // XEN_ELFNOTE_GUEST_VERSION: its version (string)
	xenElfnotePhys32Entry  = 18 // XEN_ELFNOTE_PHYS32_ENTRY: 32-bit physical PVH entry (u32)
)

// xenNoteName is the owner name of every Xen note ("Xen" and its NUL).
const xenNoteName = "Xen\x00"

// xenNote is one note of the .note.Xen section.
type xenNote struct {
	typ  uint32
	desc func(ctxt *Link) []byte // computed when the note is written
	size int                     // len(desc), known before layout
}

func xenNotes() []xenNote {
	guestOS := "Go\x00"
	version := buildcfg.Version + "\x00"
	return []xenNote{
		{xenElfnoteGuestOS, func(*Link) []byte { return []byte(guestOS) }, len(guestOS)},
		{xenElfnoteGuestVersion, func(*Link) []byte { return []byte(version) }, len(version)},
		{xenElfnotePhys32Entry, xenPhys32Entry, 4},
	}
}

// xenPhys32Entry is the PVH entry point: the entry symbol (_rt0_amd64_xen), which
// begins with the 32-bit start-of-day code.
func xenPhys32Entry(ctxt *Link) []byte {
	entry := Entryvalue(ctxt)
	if entry <= 0 || entry >= 1<<32 {
		Errorf("GOOS=xen: entry point %#x is not a 32-bit physical address", entry)
	}
	b := make([]byte, 4)
	ctxt.Arch.ByteOrder.PutUint32(b, uint32(entry))
	return b
}

// xenElfNotes reserves the .note.Xen section in the header area and gives it a
// PT_NOTE segment. It returns the number of bytes reserved.
func xenElfNotes(startva, resoff uint64) int {
	var sizes []int
	for _, n := range xenNotes() {
		sizes = append(sizes, int(Rnd(int64(len(xenNoteName)), 4)+Rnd(int64(n.size), 4)))
	}
	sh := elfshname(".note.Xen")
	reserved := elfnote(sh, startva, resoff, sizes...)
	ph := newElfPhdr()
	ph.Type = elf.PT_NOTE
	ph.Flags = elf.PF_R
	phsh(ph, sh)
	return reserved
}

// xenWriteElfNotes writes the .note.Xen section reserved by xenElfNotes.
func xenWriteElfNotes(ctxt *Link) int {
	sh := elfshname(".note.Xen")
	out := ctxt.Out
	out.SeekSet(int64(sh.Off))
	for _, n := range xenNotes() {
		desc := n.desc(ctxt)
		if len(desc) != n.size {
			Errorf("GOOS=xen: Xen note %d is %d bytes, reserved %d", n.typ, len(desc), n.size)
		}
		out.Write32(uint32(len(xenNoteName)))
		out.Write32(uint32(len(desc)))
		out.Write32(n.typ)
		out.WriteString(xenNoteName)
		out.Write(desc)
		for pad := Rnd(int64(len(desc)), 4) - int64(len(desc)); pad > 0; pad-- {
			out.Write8(0)
		}
	}
	return int(sh.Size)
}

// xenNetstack is GOOS=xen's network stack. Package net opens its sockets on
// it, and it registers itself with net when it initializes, so a program
// that uses net links it without importing it: the go command builds it with
// the program (cmd/go/internal/load/xen.go) and the linker loads it here.
const xenNetstack = "internal/xen/netstack"

// xenLoadNetstack loads the network stack if the program uses net.
func xenLoadNetstack(ctxt *Link) {
	if ctxt.LibraryByPkg["net"] == nil || ctxt.LibraryByPkg[xenNetstack] != nil {
		return
	}
	if ctxt.PackageFile != nil && ctxt.PackageFile[xenNetstack] == "" {
		Exitf("GOOS=xen: the program uses net, but its network stack (%s) was not built with it; build with this toolchain's go command", xenNetstack)
	}
	loadinternal(ctxt, xenNetstack)
}

// xenNetstackInitFirst orders the initialization of a program that links the
// network stack: the stack and the packages it needs first, then the rest in
// the usual order. Nothing imports the stack, so without this it would not be
// initialized at all; and when the program's own packages start, even one
// that opens a socket in its init, the stack is there, as a kernel is there
// before a process starts.
func (ctxt *Link) xenNetstackInitFirst() {
	ldr := ctxt.loader
	root := objabi.PathToPrefix(xenNetstack) + "..inittask"
	if ldr.Lookup(root, 0) == 0 {
		return
	}
	first := ctxt.inittaskSym([]string{root}, "go:xen.netstack.inittasks")
	rest := ctxt.mainInittasks
	sched := ldr.MakeSymbolBuilder("go:xen.main.inittasks")
	sched.SetType(sym.SNOPTRDATA) // as inittaskSym makes it
	seen := map[loader.Sym]bool{}
	for _, s := range []loader.Sym{first, rest} {
		if s == 0 {
			continue
		}
		relocs := ldr.Relocs(s)
		for i := 0; i < relocs.Count(); i++ {
			t := relocs.At(i).Sym()
			if !seen[t] {
				seen[t] = true
				sched.AddAddr(ctxt.Arch, t)
			}
		}
	}
	ctxt.mainInittasks = sched.Sym()
}

// Large zero-initialized data (the FIPS DRBG's 32 MiB scratch buffer in every
// program that links crypto/rand) must not cost memory until it is touched:
// Xen populates every byte of a PT_LOAD segment when it builds the domain,
// bss included, so a 32 MiB symbol would make a 16 MiB domain impossible.
// Pointer-free bss symbols of xenLazyBSSMin bytes or more go into a section of
// their own, .xen.lazybss, at xenLazyBSSAddr, outside every PT_LOAD segment;
// the runtime maps it at boot to be backed on first touch, as the heap is
// (runtime/mem_xen.go), finding it between the linker-defined
// runtime.xenlazybss and runtime.exenlazybss. The address is within reach of
// the code's PC-relative addressing (2 GiB) and above the memory of all but
// large domains, whose physical frames there the runtime does not use.
const (
	xenLazyBSSSection = ".xen.lazybss"
	xenLazyBSSMin     = 1 << 20
	xenLazyBSSAddr    = 0x60000000 // 1.5 GiB
)

// xenTakeLazyBSS removes the large symbols from the pointer-free bss, to be
// placed by xenLazyBSS.
func (state *dodataState) xenTakeLazyBSS() []loader.Sym {
	ldr := state.ctxt.loader
	var keep, lazy []loader.Sym
	for _, s := range state.data[sym.SNOPTRBSS] {
		if ldr.SymSize(s) >= xenLazyBSSMin {
			lazy = append(lazy, s)
		} else {
			keep = append(keep, s)
		}
	}
	state.data[sym.SNOPTRBSS] = keep
	for _, name := range []string{"runtime.xenlazybss", "runtime.exenlazybss"} {
		s := ldr.CreateSymForUpdate(name, 0)
		ldr.SetAttrSpecial(s.Sym(), false)
	}
	return lazy
}

// xenLazyBSS places the large symbols in .xen.lazybss, the last section of
// the data segment.
func (state *dodataState) xenLazyBSS(lazy []loader.Sym) {
	ldr := state.ctxt.loader
	if len(lazy) > 0 {
		sect := state.allocateNamedDataSection(&Segdata, xenLazyBSSSection, []sym.SymKind{sym.SNOPTRBSS}, 06)
		state.assignDsymsToSection(sect, lazy, sym.Sxxx, aligndatsize)
		state.data[sym.SNOPTRBSS] = append(state.data[sym.SNOPTRBSS], lazy...)
	}
	sect := ldr.SymSect(ldr.Lookup("runtime.noptrbss", 0))
	if len(lazy) > 0 {
		sect = Segdata.Sections[len(Segdata.Sections)-1]
	}
	ldr.SetSymSect(ldr.Lookup("runtime.xenlazybss", 0), sect)
	ldr.SetSymSect(ldr.Lookup("runtime.exenlazybss", 0), sect)
}

// xenDefineLazyBSS defines the bounds of .xen.lazybss (empty, at the end of
// .noptrbss, when there is none).
func (ctxt *Link) xenDefineLazyBSS(noptrbss *sym.Section) {
	start, end := noptrbss.Vaddr+noptrbss.Length, noptrbss.Vaddr+noptrbss.Length
	for _, s := range Segdata.Sections {
		if s.Name == xenLazyBSSSection {
			start, end = s.Vaddr, s.Vaddr+s.Length
		}
	}
	ctxt.xdefine("runtime.xenlazybss", sym.SNOPTRBSS, int64(start))
	ctxt.xdefine("runtime.exenlazybss", sym.SNOPTRBSS, int64(end))
}
