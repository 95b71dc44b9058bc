package testhost

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func TestTryStress(t *testing.T) {
	h := needHost(t)
	kernel, initrd := linuxGuest(t, h)
	stress := `
cat > /tmp/s.cfg <<EOC
type = "pvh"
kernel = "/xth/blobs/0"
ramdisk = "/xth/blobs/1"
memory = 128
vcpus = 1
tsc_mode = "native"
extra = "console=hvc0 quiet clearcpuid=tsc lpj=5000000 pci=noearly 8250.nr_uarts=0 xth.exit=0"
vif = [ "bridge=xenbr0,mac=00:16:3e:00:00:09" ]
disk = [ "format=raw,vdev=xvda,access=rw,target=/tmp/s.img" ]
EOC
truncate -s 8M /tmp/s.img
( fails=0; for i in $(seq 1 1500); do /bin/true || { fails=$((fails+1)); echo "true fail $? at $i"; }; grep -q x /etc/hostname; [ $? -gt 1 ] && echo "grep fail at $i"; done; echo "fails=$fails" ) > $OUT/stress.txt 2>&1 &
for j in 1 2 3 4 5; do xl create -q /tmp/s.cfg name=s$j; sleep 2; xl destroy s$j; done
wait
cat $OUT/stress.txt
`
	cases := []Case{
		{Name: "busy", Kernel: kernel, Ramdisk: initrd, MemoryMiB: 128, Cmdline: "console=hvc0 quiet clearcpuid=tsc lpj=5000000 pci=noearly 8250.nr_uarts=0 xth.sleep",
			Timeout: 600 * time.Second, HostCommands: []string{stress, "xl destroy $DOMNAME"}, CommandTimeout: 900 * time.Second},
	}
	x := os.Getenv("XENX")
	f, _ := os.Create("/tmp/thtry/stress-serial.log")
	rep, err := RunReport(context.Background(), Config{Host: h, XenCmdline: x, Log: f}, cases)
	f.Close()
	if err != nil {
		t.Log(err)
	}
	for _, r := range rep.Results {
		t.Logf("xen %q: %s", x, r.Summary())
		for _, o := range r.HostOutputs {
			t.Logf("%d %s\n%s", o.ExitStatus, o.Stdout, o.Stderr)
		}
	}
	t.Logf("triple %d inconsistency %d aborted %d corrupted %d", strings.Count(rep.Serial, "Triple"), strings.Count(rep.Serial, "Inconsistency"), strings.Count(rep.Serial, "Aborted"), strings.Count(rep.Serial, "corrupt"))
}
