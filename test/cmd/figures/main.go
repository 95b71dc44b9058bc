// Command figures measures the figures the project reports (README,
// "Figures"): the size of the patch series, image sizes, boot time, the wall
// time of go run, the smallest domain hello world runs in, and file system
// throughput. It uses the toolchain on PATH (./goroot/bin first) and the
// emulated backend.
//
//	cd test && go run ./cmd/figures [section...]
//
// Sections: patches, size, boot, gorun, memory, idle, fs, domu, hotpath, disk,
// the network stack's netsize, netmem, netidle, netperf (net.go), vif
// (vif.go), gotest (gotest.go), and the release's distpack and deploy
// (release.go) (default: all).
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"goforxen.dev/misc/xen/testhost"
	"goforxen.dev/test/internal/patchstat"
)

const hello = `package main

import "fmt"

func main() { fmt.Println("hello, xen") }
`

const fmtTimeJSON = `package main

import (
	"encoding/json"
	"fmt"
	"time"
)

func main() {
	b, _ := json.Marshal(map[string]any{"now": time.Now().UTC()})
	fmt.Println(string(b))
}
`

// fsThroughput writes a 64 MiB file in 1 MiB writes into the directory it is
// given, reads it back, and prints both rates.
const fsThroughput = `package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	const size = 64 << 20
	name := filepath.Join(os.Args[1], "goxen-fs-figure")
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	t0 := time.Now()
	f, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	for n := 0; n < size; n += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			panic(err)
		}
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	w := time.Since(t0)
	t0 = time.Now()
	f, err = os.Open(name)
	if err != nil {
		panic(err)
	}
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, chunk)
	if err != nil || n != size {
		panic(fmt.Sprint("read ", n, err))
	}
	f.Close()
	r := time.Since(t0)
	os.Remove(name)
	fmt.Printf("write %.0f MB/s  read %.0f MB/s\n", size/1e6/w.Seconds(), size/1e6/r.Seconds())
}
`

func main() {
	root, err := filepath.Abs("..")
	check(err)
	if _, err := os.Stat(filepath.Join(root, "make.bash")); err != nil {
		fatal("run from the test directory of the repository")
	}
	sections := map[string]bool{}
	for _, a := range os.Args[1:] {
		switch a {
		case "patches", "size", "boot", "gorun", "memory", "idle", "fs", "domu", "hotpath", "disk",
			"netsize", "netmem", "netidle", "netperf", "vif", "gotest", "distpack", "deploy":
			sections[a] = true
		default:
			fatal("unknown section " + a + "; want patches, size, boot, gorun, memory, idle, fs, domu, hotpath, disk, netsize, netmem, netidle, netperf, vif, gotest, distpack or deploy")
		}
	}
	want := func(s string) bool { return len(sections) == 0 || sections[s] }
	if want("patches") {
		patchStats(root)
	}
	dir, err := os.MkdirTemp("", "goxen-figures")
	check(err)
	defer os.RemoveAll(dir)
	helloXen := build(dir, "hello", hello, "xen")

	if want("size") {
		sizes(dir)
	}
	if want("boot") {
		bootFigures(helloXen)
	}
	if want("gorun") {
		goRun(dir)
	}
	if want("gotest") {
		goTestFigures()
	}
	if want("memory") {
		smallestMemory(helloXen)
	}
	if want("idle") {
		idleFigures(dir)
	}
	if want("fs") {
		fsFigures(dir)
	}
	if want("domu") {
		domUFigures(helloXen)
	}
	if want("hotpath") {
		hotPathFigures(dir)
	}
	if want("netsize") {
		netSizes(dir)
	}
	if want("netmem") {
		netMemory(dir)
	}
	if want("netidle") {
		netIdle(dir)
	}
	if want("netperf") {
		netPerf(dir)
	}
	if want("disk") {
		diskFigures(dir)
	}
	if want("vif") {
		vifFigures(dir)
	}
	if want("distpack") {
		distpackFigures(root, dir)
	}
	if want("deploy") {
		deployFigures(root, dir)
	}
}

// domUFigures runs hello world as a PVH domU on the level-2 test host
// (GOXEN_MODE=domu): the test host's timings of one run, and the smallest
// domU memory it runs in.
func domUFigures(helloXen string) {
	fmt.Println("\n## Test host build (misc/xen/testhost)")
	cold, err := os.MkdirTemp("", "goxen-testhost-cold")
	check(err)
	defer os.RemoveAll(cold)
	ctx := context.Background()
	h, err := testhost.Build(ctx, testhost.BuildConfig{CacheDir: cold})
	check(err)
	fmt.Printf("cold (empty cache): %v, root %d MiB\n", h.BuildTime.Round(100*time.Millisecond), h.RootBytes>>20)
	t0 := time.Now()
	h, err = testhost.Build(ctx, testhost.BuildConfig{CacheDir: cold})
	check(err)
	if !h.Cached {
		fatal("the second build did not find the first in the cache")
	}
	fmt.Printf("cached: %v\n", time.Since(t0).Round(time.Millisecond))

	fmt.Println("\n## hello world as a PVH domU on the test host (GOXEN_MODE=domu)")
	t0 = time.Now()
	out := runXen(helloXen, 64, "GOXEN_MODE=domu", "GOXEN_VERBOSE=1")
	wall := time.Since(t0)
	if !strings.Contains(out, "hello, xen") {
		fatal("hello does not run as a domU:\n" + out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "domU timings:") {
			fmt.Println(strings.TrimPrefix(l, "go_xen_amd64_exec: "))
		}
		if strings.HasPrefix(l, "xth: ") && (strings.Contains(l, "ready") || strings.Contains(l, "cached")) {
			fmt.Println(l)
		}
	}
	fmt.Printf("wall time of the whole run (test host boot included): %v\n", wall.Round(100*time.Millisecond))
	fmt.Printf("smallest domU memory: %d MiB\n", smallest(func(mem int) bool {
		return strings.Contains(runXen(helloXen, mem, "GOXEN_MODE=domu"), "hello, xen")
	}))
}

// smallest returns the least memory (MiB, up to 64) in which runs reports
// that hello world ran, by bisection.
func smallest(runs func(memMiB int) bool) int {
	lo, hi := 1, 64 // hello fails at lo (or lo is 1), runs at hi
	if !runs(hi) {
		fatal("hello does not run in 64 MiB")
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if runs(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

func sizes(dir string) {
	fmt.Println("\n## Stripped image sizes (-ldflags=-s -w)")
	for _, prog := range []struct{ name, src string }{{"hello", hello}, {"fmt+time+encoding/json", fmtTimeJSON}} {
		x := build(dir, prog.name, prog.src, "xen")
		l := build(dir, prog.name, prog.src, "linux")
		fmt.Printf("%-24s xen %7.2f MiB   linux/amd64 %7.2f MiB\n", prog.name, mib(size(x)), mib(size(l)))
	}

}

func goRun(dir string) {
	fmt.Println("\n## GOOS=xen go run of hello world (wall time, 5 runs, cached build)")
	src := filepath.Join(dir, "gorun")
	check(os.MkdirAll(src, 0o777))
	check(os.WriteFile(filepath.Join(src, "main.go"), []byte(hello), 0o666))
	check(os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o666))
	var times []time.Duration
	for i := 0; i < 6; i++ {
		cmd := exec.Command("go", "run", ".")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GOOS=xen", "GOARCH=amd64")
		t0 := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			fatal(fmt.Sprintf("go run: %v\n%s", err, out))
		}
		if i > 0 { // the first run fills the build cache
			times = append(times, time.Since(t0))
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	fmt.Printf("median %v (min %v, max %v)\n", times[len(times)/2].Round(10*time.Millisecond), times[0].Round(10*time.Millisecond), times[len(times)-1].Round(10*time.Millisecond))

}

func smallestMemory(helloXen string) {
	fmt.Println("\n## Smallest domain memory in which hello world runs (dom0, MiB)")
	fmt.Printf("%d MiB\n", smallest(func(mem int) bool { return runsIn(helloXen, mem) }))
}

// fsFigures runs fsThroughput on xen (the in-memory file system, under the
// emulator) and natively on linux/amd64 (tmpfs, /dev/shm). The ratio is
// mostly the cost of emulation (QEMU TCG), not of the file system.
func fsFigures(dir string) {
	fmt.Println("\n## File system throughput, 64 MiB in 1 MiB writes and reads")
	x := build(dir, "fs", fsThroughput, "xen")
	l := build(dir, "fs", fsThroughput, "linux")
	fmt.Printf("xen, in-memory file system, under QEMU TCG: %s\n", strings.TrimSpace(lastLine(runXen(x, 512, "GOXEN_FILES=none", "--", "/tmp"))))
	out, err := exec.Command(l, "/dev/shm").CombinedOutput()
	check(err)
	fmt.Printf("linux/amd64, tmpfs, native:                 %s\n", strings.TrimSpace(string(out)))
}

// lastLine returns the last line of the program's output that is not the
// runner's or Xen's.
func lastLine(out string) string {
	last := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "write ") {
			last = l
		}
	}
	if last == "" {
		fatal("no figure in:\n" + out)
	}
	return last
}

// patchStats prints how many upstream files and lines the patch series changes.
func patchStats(root string) {
	st, err := patchstat.Count(filepath.Join(root, "patches"))
	check(err)
	fmt.Printf("## Patch series\n%s\n", st)
}

func build(dir, name, src, goos string) string {
	d := filepath.Join(dir, goos+"-"+strings.NewReplacer("/", "_", "+", "_").Replace(name))
	check(os.MkdirAll(d, 0o777))
	check(os.WriteFile(filepath.Join(d, "main.go"), []byte(src), 0o666))
	check(os.WriteFile(filepath.Join(d, "go.mod"), []byte("module prog\n\ngo 1.26\n"), 0o666))
	out := filepath.Join(d, "prog")
	cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = d
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		fatal(fmt.Sprintf("build %s for %s: %v\n%s", name, goos, err, b))
	}
	return out
}

// idle is a program that blocks on a timer for os.Args[1] seconds.
const idle = `package main

import (
	"os"
	"strconv"
	"time"
)

func main() {
	secs, _ := strconv.Atoi(os.Args[1])
	<-time.After(time.Duration(secs) * time.Second)
}
`

// idleFigures measures what idling costs: two runs that differ only in 10
// more seconds of blocking on a timer, and the CPU time (the runner's and
// QEMU's, user + system) they differ by.
func idleFigures(dir string) {
	fmt.Println("\n## CPU while idle (10 s more of blocking on a timer)")
	img := build(dir, "idle", idle, "xen")
	cost := func(secs int) (wall, cpu time.Duration) {
		cmd := exec.Command("go_xen_amd64_exec", img, strconv.Itoa(secs))
		cmd.Env = append(os.Environ(), "GOXEN_MEMORY=64", "GOXEN_TIMEOUT=2m")
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			fatal(fmt.Sprintf("idle %d: %v\n%s", secs, err, out))
		}
		wall = time.Since(t0)
		ps := cmd.ProcessState // rusage includes QEMU, which the runner waited for
		return wall, ps.UserTime() + ps.SystemTime()
	}
	w1, c1 := cost(1)
	w11, c11 := cost(11)
	fmt.Printf("%v more wall time, %v more CPU time: %.1f%% of a core\n",
		(w11 - w1).Round(time.Millisecond), (c11 - c1).Round(time.Millisecond), 100*(c11-c1).Seconds()/(w11-w1).Seconds())
}

// runXen runs img under the emulated backend; env may end with "--" and the
// program's arguments.
func runXen(img string, memMiB int, env ...string) string {
	var args []string
	for i, e := range env {
		if e == "--" {
			env, args = env[:i], env[i+1:]
			break
		}
	}
	cmd := exec.Command("go_xen_amd64_exec", append([]string{img}, args...)...)
	cmd.Env = append(append(os.Environ(), "GOXEN_MEMORY="+strconv.Itoa(memMiB), "GOXEN_TIMEOUT=2m"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Run()
	return out.String()
}

func runsIn(img string, memMiB int) bool {
	return strings.Contains(runXen(img, memMiB), "hello, xen")
}

func size(path string) int64 {
	fi, err := os.Stat(path)
	check(err)
	return fi.Size()
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func check(err error) {
	if err != nil {
		fatal(err.Error())
	}
}

func fatal(msg string) {
	fmt.Fprintln(os.Stderr, "figures:", msg)
	os.Exit(1)
}
