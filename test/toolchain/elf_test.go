package toolchain

import (
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"

	"goforxen.dev/test/internal/xentest"
)

// Xen ELF note types (xen/include/public/elfnote.h).
const (
	xenElfnoteGuestOS      = 6
	xenElfnoteGuestVersion = 7
	xenElfnotePhys32Entry  = 18
)

type elfNote struct {
	name string
	typ  uint32
	desc []byte
}

func parseNotes(t *testing.T, data []byte) []elfNote {
	t.Helper()
	var notes []elfNote
	for len(data) > 0 {
		if len(data) < 12 {
			t.Fatalf("truncated note header: %d bytes left", len(data))
		}
		namesz := binary.LittleEndian.Uint32(data[0:])
		descsz := binary.LittleEndian.Uint32(data[4:])
		typ := binary.LittleEndian.Uint32(data[8:])
		data = data[12:]
		nameEnd := (namesz + 3) &^ 3
		descEnd := nameEnd + (descsz+3)&^3
		if uint32(len(data)) < descEnd {
			t.Fatalf("truncated note: need %d bytes, have %d", descEnd, len(data))
		}
		notes = append(notes, elfNote{
			name: strings.TrimRight(string(data[:namesz]), "\x00"),
			typ:  typ,
			desc: data[nameEnd : nameEnd+descsz],
		})
		data = data[descEnd:]
	}
	return notes
}

// The linker's image for GOOS=xen is what Xen's PVH loader expects
// (xen/docs/misc/pvh.pandoc, xen/common/libelf): a static ELF64 with the Xen
// notes in a PT_NOTE of their own, loaded at physical addresses from 1 MiB,
// entered at _rt0_amd64_xen.
func TestXenImageLayout(t *testing.T) {
	path := xentest.BuildXen(t, map[string]string{"main.go": xentest.HelloWorld})
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 || f.Type != elf.ET_EXEC {
		t.Fatalf("image is %v %v %v, want ELFCLASS64 EM_X86_64 ET_EXEC", f.Class, f.Machine, f.Type)
	}

	rt0 := xentest.Symbols(t, f)["_rt0_amd64_xen"]
	if rt0 == 0 {
		t.Fatal("no _rt0_amd64_xen symbol")
	}
	if f.Entry != rt0 {
		t.Errorf("ELF entry %#x, want _rt0_amd64_xen at %#x", f.Entry, rt0)
	}

	const loadAddr = 1 << 20
	var xenNotes []elfNote
	firstLoad := true
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP, elf.PT_DYNAMIC:
			t.Errorf("static image has a %v segment", p.Type)
		case elf.PT_LOAD:
			if p.Paddr != p.Vaddr {
				t.Errorf("PT_LOAD at vaddr %#x has paddr %#x; the image runs identity-mapped", p.Vaddr, p.Paddr)
			}
			if p.Paddr < loadAddr {
				t.Errorf("PT_LOAD at paddr %#x is below 1 MiB", p.Paddr)
			}
			if firstLoad && p.Paddr != loadAddr {
				t.Errorf("first PT_LOAD at paddr %#x, want %#x", p.Paddr, loadAddr)
			}
			firstLoad = false
			if p.Paddr+p.Memsz > 1<<32 {
				t.Errorf("PT_LOAD [%#x, %#x) reaches above 4 GiB", p.Paddr, p.Paddr+p.Memsz)
			}
			if rt0 >= p.Vaddr && rt0 < p.Vaddr+p.Filesz && p.Flags&elf.PF_X == 0 {
				t.Errorf("the segment holding the entry point is not executable")
			}
		case elf.PT_NOTE:
			data := make([]byte, p.Filesz)
			if _, err := p.ReadAt(data, 0); err != nil {
				t.Fatal(err)
			}
			notes := parseNotes(t, data)
			hasXen := false
			for _, n := range notes {
				if n.name == "Xen" {
					hasXen = true
				}
			}
			if !hasXen {
				continue
			}
			// The Xen notes have a segment of their own (libelf reads
			// note segments; a shared one would hide notes after the first).
			for _, n := range notes {
				if n.name != "Xen" {
					t.Errorf("Xen note segment also holds a %q note", n.name)
				}
			}
			if xenNotes != nil {
				t.Errorf("more than one segment holds Xen notes")
			}
			xenNotes = notes
		}
	}
	if xenNotes == nil {
		t.Fatal("no PT_NOTE segment with Xen notes")
	}
	got := map[uint32][]byte{}
	for _, n := range xenNotes {
		got[n.typ] = n.desc
	}
	entry, ok := got[xenElfnotePhys32Entry]
	if !ok || len(entry) != 4 {
		t.Fatalf("XEN_ELFNOTE_PHYS32_ENTRY missing or not 4 bytes: %x", entry)
	}
	if e := binary.LittleEndian.Uint32(entry); uint64(e) != rt0 {
		t.Errorf("XEN_ELFNOTE_PHYS32_ENTRY = %#x, want _rt0_amd64_xen at %#x", e, rt0)
	}
	if s := string(got[xenElfnoteGuestOS]); s != "Go\x00" {
		t.Errorf("XEN_ELFNOTE_GUEST_OS = %q, want \"Go\\x00\"", s)
	}
	if s := string(got[xenElfnoteGuestVersion]); s != xentest.Version(t)+"\x00" {
		t.Errorf("XEN_ELFNOTE_GUEST_VERSION = %q, want %q", s, xentest.Version(t)+"\x00")
	}
}
