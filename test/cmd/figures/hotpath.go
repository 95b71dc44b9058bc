package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// hotPathProgram times the runtime's hot paths, each as ns/op over a loop
// that runs at least 200 ms of its own clock, and a CPU-bound reference
// (SHA-256 of 1 KiB), so that the emulator's cost of plain computation can
// be divided out.
const hotPathProgram = `package main

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"time"
)

var sink any

// nsPerOp runs f(n) with n doubling until a run takes 200 ms.
func nsPerOp(f func(n int)) float64 {
	for n := 1; ; n *= 2 {
		t0 := time.Now()
		f(n)
		if d := time.Since(t0); d >= 200*time.Millisecond || n >= 1<<30 {
			return float64(d.Nanoseconds()) / float64(n)
		}
	}
}

func main() {
	buf := make([]byte, 1024)
	ops := []struct {
		name string
		f    func(n int)
	}{
		{"time.Now", func(n int) {
			for i := 0; i < n; i++ {
				sink = time.Now()
			}
		}},
		{"runtime.Gosched", func(n int) {
			for i := 0; i < n; i++ {
				runtime.Gosched()
			}
		}},
		{"channel hand-off", func(n int) {
			c, done := make(chan int), make(chan bool)
			go func() {
				for range c {
				}
				done <- true
			}()
			for i := 0; i < n; i++ {
				c <- i
			}
			close(c)
			<-done
		}},
		{"zero timer", func(n int) {
			for i := 0; i < n; i++ {
				<-time.NewTimer(0).C
			}
		}},
		{"1us sleep", func(n int) {
			for i := 0; i < n; i++ {
				time.Sleep(time.Microsecond)
			}
		}},
		{"sha256 1KiB (reference)", func(n int) {
			for i := 0; i < n; i++ {
				sink = sha256.Sum256(buf)
			}
		}},
	}
	for _, op := range ops {
		fmt.Printf("hotpath %q %.1f\n", op.name, nsPerOp(op.f))
	}
}
`

// hotPathOps are the program's operations in order; the last is the
// reference.
var hotPathOps = []string{"time.Now", "runtime.Gosched", "channel hand-off", "zero timer", "1us sleep", "sha256 1KiB (reference)"}

// hotPathFigures runs hotPathProgram natively (linux/amd64), as dom0 (level
// 1) and as a domU on the test host (level 2), and prints each operation's
// ns/op, its ratio to native and that ratio divided by the reference's
// (the emulator's cost beyond that of plain computation; the goal is 3 or
// less).
func hotPathFigures(dir string) {
	fmt.Println("\n## Hot paths: ns/op, native (linux/amd64) and under the emulated backend")
	x := build(dir, "hotpath", hotPathProgram, "xen")
	l := build(dir, "hotpath", hotPathProgram, "linux")
	out, err := exec.Command(l).CombinedOutput()
	check(err)
	native := parseHotPath("native", string(out))
	// Without the invariant TSC that the runner adds to QEMU's CPU, as
	// before it did: every clock read of the dom0 traps to Xen.
	trapping := parseHotPath("dom0 without invtsc", runXen(x, 512, "GOXEN_TIMEOUT=10m", "GOXEN_CPU=max,-invtsc"))
	dom0 := parseHotPath("dom0", runXen(x, 512, "GOXEN_TIMEOUT=10m"))
	domU := parseHotPath("domU", runXen(x, 512, "GOXEN_MODE=domu", "GOXEN_TIMEOUT=10m"))
	ref := len(hotPathOps) - 1
	cols := []struct {
		name string
		v    []float64
	}{{"dom0 (no invtsc)", trapping}, {"dom0", dom0}, {"domU", domU}}
	fmt.Printf("%-24s %9s", "operation", "native")
	for _, c := range cols {
		fmt.Printf(" | %16s %7s %6s", c.name, "ratio", "/ref")
	}
	fmt.Println()
	for i, op := range hotPathOps {
		fmt.Printf("%-24s %9.1f", op, native[i])
		for _, c := range cols {
			r := c.v[i] / native[i]
			fmt.Printf(" | %16.1f %7.1f %6.2f", c.v[i], r, r/(c.v[ref]/native[ref]))
		}
		fmt.Println()
	}
}

var hotPathLine = regexp.MustCompile(`(?m)^hotpath ("[^"]*") ([0-9.]+)$`)

// parseHotPath reads the program's figures, in hotPathOps order.
func parseHotPath(where, out string) []float64 {
	got := map[string]float64{}
	for _, m := range hotPathLine.FindAllStringSubmatch(out, -1) {
		name, err := strconv.Unquote(m[1])
		check(err)
		v, err := strconv.ParseFloat(m[2], 64)
		check(err)
		got[name] = v
	}
	var vals []float64
	for _, op := range hotPathOps {
		v, ok := got[op]
		if !ok || v <= 0 {
			fmt.Fprintf(os.Stderr, "figures: hotpath %s: no figure for %s in:\n%s\n", where, op, strings.TrimSpace(out))
			os.Exit(1)
		}
		vals = append(vals, v)
	}
	return vals
}
