package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"goforxen.dev/misc/xen/testhost"
)

// Xenstore from inside a domU, through syscall/xen, with dom0 on the other
// side (level-2 test host): the domain reads its id and name, sees dom0's
// writes through a watch, answers, and a transaction that dom0 races is run
// again and commits dom0's value plus one.
func TestXenstoreFromDomU(t *testing.T) {
	t.Parallel()
	img := image(t, "xenstore")
	key := "/local/domain/$DOMID/data/"
	c := testhost.Case{
		Name:      "xenstore",
		Kernel:    img,
		MemoryMiB: 64,
		HostCommands: []string{
			`xth-wait-console watching 120 && for i in 1 2 3; do xenstore-write ` + key + `ping $i; sleep 0.2; done
			for i in $(seq 100); do [ "$(xenstore-read ` + key + `pong 2>/dev/null)" = ok ] && break; sleep 0.2; done
			xenstore-read ` + key + `pong`,
			`xth-wait-console "in transaction" 120 && xenstore-write ` + key + `x 42`,
		},
		Timeout: 3 * time.Minute,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	results, err := testhost.Run(ctx, testhost.Config{}, []testhost.Case{c})
	if err != nil {
		t.Fatalf("test host: %v", err)
	}
	r := results[0]
	if r.Err != nil || r.ExitStatus != 0 {
		t.Fatalf("%s\nconsole:\n%s\nhost: %+v", r.Summary(), r.Console, r.HostOutputs)
	}
	for _, p := range []string{
		`(?m)^domid [1-9][0-9]* name xth-\S+$`,
		`(?m)^ping 3$`,
		`(?m)^attempts 2 y 43$`,
		`(?m)^missing key: .*ENOENT`,
	} {
		if !regexp.MustCompile(p).MatchString(r.Console) {
			t.Errorf("console does not match %q:\n%s", p, r.Console)
		}
	}
	if len(r.HostOutputs) < 1 || strings.TrimSpace(r.HostOutputs[0].Stdout) != "ok" {
		t.Errorf("dom0 did not read the domain's answer: %+v", r.HostOutputs)
	}
}
