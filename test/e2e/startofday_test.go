package e2e

import (
	"debug/elf"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"goforxen.dev/test/internal/xentest"
)

// withUD2At copies img with the first instruction of function sym replaced
// by UD2 (0f 0b), so that the runtime traps there.
func withUD2At(t *testing.T, img, sym string) (string, uint64) {
	t.Helper()
	f, err := elf.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	addr := xentest.Symbols(t, f)[sym]
	if addr == 0 {
		t.Fatalf("%s: no symbol %s", img, sym)
	}
	var off int64 = -1
	for _, sec := range f.Sections {
		if sec.Type == elf.SHT_PROGBITS && addr >= sec.Addr && addr+2 <= sec.Addr+sec.Size {
			off = int64(sec.Offset + (addr - sec.Addr))
		}
	}
	if off < 0 {
		t.Fatalf("%s: %s at %#x is in no section with file contents", img, sym, addr)
	}
	b, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	b[off], b[off+1] = 0x0f, 0x0b
	out := filepath.Join(t.TempDir(), sym+".xen")
	if err := os.WriteFile(out, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return out, addr
}

// A trap during start of day (before the runtime can panic or print through
// its console) is reported with its vector and PC instead of
// triple-faulting: the IDT is the runtime's first step. After the hypercall
// page is installed the report goes to the console and the domain crashes;
// before it, the runtime cannot call Xen at all: the report goes to Xen's
// debug port (Xen prints it as "(d0) ...") and the vCPU halts, so the
// runner ends the run at its timeout.
func TestStartOfDayTrap(t *testing.T) {
	t.Parallel()
	img := image(t, "exitcode")
	for _, tc := range []struct {
		sym, prefix string
		env         []string
		status      int
	}{
		// No hypercalls yet: port 0xE9, then halt.
		{"runtime.xenInstallHypercallPage", `\(d0\) `, []string{"GOXEN_TIMEOUT=20s"}, 124},
		// dom0's console_io, then a crash.
		{"runtime.xenInitMemory", `runtime: xen: `, nil, 134},
	} {
		broken, pc := withUD2At(t, img, tc.sym)
		r := runXen(t, broken, 64, tc.env, "0")
		expect(t, r, tc.status, `(?m)^`+tc.prefix+`trap during start of day: #UD invalid opcode at PC 0x`+strconv.FormatUint(pc, 16)+`$`)
		if regexp.MustCompile(`(?m)^before exit$`).MatchString(r.out) {
			t.Errorf("%s: main ran", tc.sym)
		}
	}
}
