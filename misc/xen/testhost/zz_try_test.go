package testhost

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestTryStress(t *testing.T) {
	h := needHost(t)
	kernel, initrd := linuxGuest(t, h)
	stress := `fails=0; for i in $(seq 1 400); do bash -c 'x=$(echo hi); [ "$x" = hi ]' 2>>$OUT/err.txt; rc=$?; [ $rc != 0 ] && { fails=$((fails+1)); echo "rc=$rc at $i"; }; done; echo "fails=$fails"; sort $OUT/err.txt | uniq -c | head`
	cases := []Case{
		{Name: "busy", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128, Cmdline: "console=hvc0 quiet clearcpuid=tsc lpj=5000000 pci=noearly 8250.nr_uarts=0 xth.sleep",
			Timeout: 240 * time.Second, HostCommands: []string{"xth-wait-console 'sleeping forever' 100", stress}, ShutdownAfterCommands: true, CommandTimeout: 300 * time.Second},
	}
	for _, x := range []string{"", "spec-ctrl=eager-fpu"} {
		rep, err := RunReport(context.Background(), Config{Host: h, XenCmdline: x, Log: os.Stderr}, cases)
		if err != nil {
			t.Log(err)
		}
		for _, r := range rep.Results {
			t.Logf("xen %q: %s", x, r.Summary())
			for _, o := range r.HostOutputs {
				t.Logf("%d %s\n%s", o.ExitStatus, o.Stdout, o.Stderr)
			}
		}
	}
}
