package testhost

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestTryCases(t *testing.T) {
	h := needHost(t)
	kernel, initrd := linuxGuest(t, h)
	var cases []Case
	for i := 0; i < 10; i++ {
		cl := "console=hvc0 quiet xth.exit=3"
		if i%2 == 1 {
			cl = "console=hvc0 quiet iommu=noaperture pci=off xth.exit=3"
		}
		cases = append(cases, Case{Name: fmt.Sprint("c", i), Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128, Cmdline: cl, Timeout: 120 * time.Second})
	}
	f, _ := os.Create("/tmp/thtry/serial.log")
	defer f.Close()
	rep, err := RunReport(context.Background(), Config{Host: h, Log: f}, cases)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ready %v", rep.Ready)
	for _, r := range rep.Results {
		t.Logf("%s", r.Summary())
	}
	t.Logf("inconsistency: %d", strings.Count(rep.Serial, "Inconsistency"))
}
