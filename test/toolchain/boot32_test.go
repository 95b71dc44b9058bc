package toolchain

import (
	"bufio"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"goforxen.dev/test/internal/xentest"
)

// intendedBoot32 reads the 32-bit start-of-day code's intended instructions:
// the comments on the BYTE (and LEAL) lines of _rt0_amd64_xen.
func intendedBoot32(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(xentest.RepoRoot(t), "src", "runtime", "rt0_xen_amd64.s"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var insts []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "TEXT _rt0_amd64_xen(SB)"):
			in = true
		case in && (strings.HasPrefix(line, "TEXT ") || strings.HasPrefix(line, "DATA ")):
			return insts
		case in && (strings.HasPrefix(line, "BYTE") || strings.HasPrefix(line, "LEAL")):
			_, comment, ok := strings.Cut(line, "//")
			if !ok {
				t.Fatalf("rt0_xen_amd64.s: instruction line without the instruction it encodes: %q", line)
			}
			insts = append(insts, strings.TrimSpace(comment))
		}
	}
	t.Fatal("rt0_xen_amd64.s: no _rt0_amd64_xen")
	return nil
}

// TestBoot32Stub decodes the hand-encoded 32-bit PVH entry code of a linked
// image and compares it, instruction by instruction, with what the source says
// it encodes; the one RIP-relative LEA must yield xenBoot32Data's address.
func TestBoot32Stub(t *testing.T) {
	want := intendedBoot32(t)
	path := xentest.BuildXen(t, map[string]string{"main.go": xentest.HelloWorld})
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	addr := xentest.Symbols(t, f)
	start, data := addr["_rt0_amd64_xen"], addr["runtime.xenBoot32Data"]
	if start == 0 || data == 0 {
		t.Fatalf("missing symbols: _rt0_amd64_xen %#x, runtime.xenBoot32Data %#x", start, data)
	}
	var code []byte
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && start >= p.Vaddr && start < p.Vaddr+p.Filesz {
			code = make([]byte, 512)
			if _, err := p.ReadAt(code, int64(start-p.Vaddr)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if code == nil {
		t.Fatal("no segment holds _rt0_amd64_xen")
	}
	off := uint64(0)
	var lastOp x86asm.Op
	for i, w := range want {
		inst, err := x86asm.Decode(code[off:], 32)
		if err != nil {
			t.Fatalf("instruction %d (%s) at +%#x: %v", i, w, off, err)
		}
		got := x86asm.IntelSyntax(inst, off, nil)
		if w == "lea esi, ptr [disp32]" {
			mem, ok := inst.Args[1].(x86asm.Mem)
			if inst.Op != x86asm.LEA || inst.Args[0] != x86asm.ESI || !ok || mem.Base != 0 || mem.Index != 0 {
				t.Fatalf("instruction %d at +%#x: got %q, want lea esi, [disp32]", i, off, got)
			}
			// disp32 is the distance from the end of the LEA to xenBoot32Data.
			end := start + off + uint64(inst.Len)
			if end+uint64(uint32(mem.Disp)) != data {
				t.Errorf("lea displacement %#x from %#x reaches %#x, not xenBoot32Data at %#x", mem.Disp, end, end+uint64(uint32(mem.Disp)), data)
			}
		} else if got != w {
			t.Errorf("instruction %d at +%#x: decodes as %q, source says %q", i, off, got, w)
		}
		off += uint64(inst.Len)
		lastOp = inst.Op
	}
	if lastOp != x86asm.LJMP {
		t.Errorf("the 32-bit code does not end in the far jump to 64-bit mode")
	}
}
