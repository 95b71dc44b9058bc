package testhost

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

func TestTryHello(t *testing.T) {
	h := needHost(t)
	var cases []Case
	for i := 0; i < 4; i++ {
		cases = append(cases, Case{Name: fmt.Sprint("h", i), Kernel: "/tmp/hello.xen"})
	}
	rep, err := RunReport(context.Background(), Config{Host: h, WorkDir: "/tmp/thtry/wd"}, cases)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ready %v uptime %v total %v poweroff %v", rep.Ready, rep.Dom0Uptime, rep.Total, rep.PowerOff)
	for _, r := range rep.Results {
		t.Logf("%s", r.Summary())
	}
	out, _ := exec.Command("sh", "-c", "cd /tmp/thtry/wd && rm -rf x && mkdir x && tar -C x -xf results.img && cat x/*/meta").CombinedOutput()
	os.Stdout.Write(out)
}
