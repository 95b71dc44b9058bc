package main

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"goforxen.dev/misc/xen/testhost"
)

// bootMemories are the domain sizes of the boot timelines: boot should not
// grow with memory.
var bootMemories = []int{32, 512, 2048}

const bootRuns = 5

var bootStampLine = regexp.MustCompile(`(?m)^goxen: boottime ([^:]+): system time -?[0-9]+ ns, \+([0-9.]+) ms$`)

// bootTimeline is the boot of one run: stamp names in the order printed,
// and their ms after the PVH entry.
type bootTimeline struct {
	names []string
	ms    map[string]float64
}

func parseBootTimeline(out string) (bootTimeline, bool) {
	t := bootTimeline{ms: map[string]float64{}}
	for _, m := range bootStampLine.FindAllStringSubmatch(out, -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		check(err)
		if _, dup := t.ms[m[1]]; !dup {
			t.names = append(t.names, m[1])
		}
		t.ms[m[1]] = v
	}
	_, ok := t.ms["first output of the program"]
	return t, ok
}

// printBootTimelines prints the median of each stamp over the runs, one
// row per memory size.
func printBootTimelines(mode string, runs map[int][]bootTimeline) {
	fmt.Printf("\n### %s: ms after the PVH entry, median of %d runs (goxen.boottime=1)\n", mode, bootRuns)
	var names []string
	seen := map[string]bool{}
	for _, mem := range bootMemories {
		for _, r := range runs[mem] {
			for _, n := range r.names {
				if !seen[n] {
					seen[n] = true
					names = append(names, n)
				}
			}
		}
	}
	fmt.Printf("%-52s", "stamp")
	for _, mem := range bootMemories {
		fmt.Printf(" %9s", strconv.Itoa(mem)+" MiB")
	}
	fmt.Println()
	for _, n := range names {
		fmt.Printf("%-52s", n)
		for _, mem := range bootMemories {
			var v []float64
			for _, r := range runs[mem] {
				if ms, ok := r.ms[n]; ok {
					v = append(v, ms)
				}
			}
			if len(v) == 0 {
				fmt.Printf(" %9s", "-")
				continue
			}
			sort.Float64s(v)
			fmt.Printf(" %9.1f", v[len(v)/2])
		}
		fmt.Println()
	}
}

// bootFigures prints hello world's boot timeline as dom0 (level 1) and as a
// domU on the test host (level 2, all runs in one boot of the test host),
// in three domain sizes.
func bootFigures(helloXen string) {
	fmt.Println("\n## Boot timelines of hello world")
	dom0 := map[int][]bootTimeline{}
	for _, mem := range bootMemories {
		for run := 0; run < bootRuns; run++ {
			out := runXen(helloXen, mem, "GOXEN_OPTIONS=goxen.boottime=1")
			t, ok := parseBootTimeline(out)
			if !ok {
				fatal("no boot timeline in:\n" + out)
			}
			dom0[mem] = append(dom0[mem], t)
		}
	}
	printBootTimelines("dom0 (level 1)", dom0)

	var cases []testhost.Case
	// Sizes interleaved: the first cases after the test host's boot are
	// slower (dom0 is still settling).
	for run := 0; run < bootRuns; run++ {
		for _, mem := range bootMemories {
			cases = append(cases, testhost.Case{
				Name:      fmt.Sprintf("boot-%d-%d", mem, run),
				Kernel:    helloXen,
				MemoryMiB: mem,
				Cmdline:   "goxen.boottime=1",
				Timeout:   2 * time.Minute,
			})
		}
	}
	// The largest domain and dom0 must fit in the test host's machine.
	cfg := testhost.Config{MachineMiB: 1024 + bootMemories[len(bootMemories)-1] + 512}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	results, err := testhost.Run(ctx, cfg, cases)
	if err != nil {
		fatal(err.Error())
	}
	domU := map[int][]bootTimeline{}
	for i, r := range results {
		t, ok := parseBootTimeline(r.Console)
		if r.ExitCode() != 0 || !ok {
			fatal(fmt.Sprintf("%s: %s\n%s", r.Name, r.Summary(), strings.TrimSpace(r.Console)))
		}
		domU[cases[i].MemoryMiB] = append(domU[cases[i].MemoryMiB], t)
	}
	printBootTimelines("domU on the test host (level 2)", domU)
}
