package e2e

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"goforxen.dev/misc/xen/testhost"
)

// runCases runs a batch of cases on one test host of their own, within
// timeout for the whole batch.
func runCases(t *testing.T, timeout time.Duration, cases ...testhost.Case) []testhost.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var cfg testhost.Config
	if os.Getenv("GOXEN_TESTHOST_LOG") != "" {
		cfg.Log = os.Stderr // the test host's serial console, as it runs
	}
	cfg.XenCmdline = os.Getenv("GOXEN_TESTHOST_XEN") // more Xen options, for experiments
	results, err := testhost.Run(ctx, cfg, cases)
	if err != nil {
		t.Fatalf("test host: %v", err)
	}
	return results
}

// runCaseOK runs one case on a test host of its own and fails the test
// unless the program exits with status 0.
func runCaseOK(t *testing.T, c testhost.Case) testhost.Result {
	t.Helper()
	r := runCases(t, 10*time.Minute, c)[0]
	if r.Err != nil || r.ExitStatus != 0 {
		t.Fatalf("%s\nconsole:\n%s\nhost: %+v\n%s", r.Summary(), r.Console, r.HostOutputs, r.Details())
	}
	return r
}

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
	r := runCaseOK(t, c)
	for _, p := range []string{
		`(?m)^domid [1-9][0-9]* name (xth-\S+)\nhostname (xth-\S+)$`,
		`(?m)^ping 3$`,
		`(?m)^attempts 2 y 43$`,
		`(?m)^missing key: .*ENOENT`,
	} {
		if !regexp.MustCompile(p).MatchString(r.Console) {
			t.Errorf("console does not match %q:\n%s", p, r.Console)
		}
	}
	if m := regexp.MustCompile(`(?m)^domid \d+ name (\S+)\nhostname (\S+)$`).FindStringSubmatch(r.Console); m == nil || m[1] != m[2] {
		t.Errorf("os.Hostname is not the domain's name: %q", m)
	}
	if len(r.HostOutputs) < 1 || strings.TrimSpace(r.HostOutputs[0].Stdout) != "ok" {
		t.Errorf("dom0 did not read the domain's answer: %+v", r.HostOutputs)
	}
}

// xl shutdown reaches the program as SIGTERM: a program that handles it runs
// its handler and exits 0, and the domain powers off; one that does not
// ends with status 143 (as a Linux process killed by SIGTERM), powering
// off all the same. xl reboot makes the domain reboot.
func TestShutdownFromToolstack(t *testing.T) {
	t.Parallel()
	img := image(t, "sigterm")
	ready := []string{`xth-wait-console ready 120`}
	cases := []testhost.Case{
		{Name: "handled", Kernel: img, MemoryMiB: 64, HostCommands: ready, ShutdownAfterCommands: true, Timeout: 3 * time.Minute},
		{Name: "unhandled", Kernel: img, MemoryMiB: 64, Cmdline: "-- ignore", HostCommands: ready, ShutdownAfterCommands: true, Timeout: 3 * time.Minute},
		{Name: "reboot", Kernel: img, MemoryMiB: 64, HostCommands: []string{`xth-wait-console ready 120 && xl reboot $DOMNAME`}, Timeout: 3 * time.Minute},
	}
	results := runCases(t, 15*time.Minute, cases...)
	want := []struct {
		status int
		reason string
		out    string
	}{
		{0, "poweroff", "(?m)^got terminated\ncleaning up$"},
		{143, "poweroff", "(?m)^ready$"},
		{0, "reboot", "(?m)^got terminated$"},
	}
	for i, r := range results {
		w := want[i]
		if r.Err != nil || r.TimedOut || r.ExitStatus != w.status || r.ShutdownReason != w.reason || !regexp.MustCompile(w.out).MatchString(r.Console) {
			t.Errorf("%s: want status %d, shutdown %s, output matching %q; got %s\nconsole:\n%s\nhost: %+v\n%s", r.Name, w.status, w.reason, w.out, r.Summary(), r.Console, r.HostOutputs, r.Details())
		}
	}
}

// Event channels and grants between a domU and dom0: the domU offers an
// unbound port and a granted page; dom0peer (in dom0, through Linux's
// /dev/xen/evtchn and /dev/xen/gntdev) binds the port, maps the page,
// answers in it and rings; the domU's Revoke is refused while dom0 maps the
// page and succeeds after dom0 has unmapped it. The domU also reads a key
// dom0 wrote before the domain started, fills its grant table, and ends
// waits by deadline and by Close.
func TestEventChannelsAndGrants(t *testing.T) {
	t.Parallel()
	img := image(t, "grant")
	peer := hostTool(t, "dom0peer")
	c := testhost.Case{
		Name:           "grant",
		Kernel:         img,
		MemoryMiB:      64,
		HostTools:      []string{peer},
		BeforeCommands: []string{`xenstore-write /local/domain/$DOMID/data/before-boot "written by dom0"`},
		HostCommands:   []string{`dom0peer $DOMID`},
		Timeout:        3 * time.Minute,
		CommandTimeout: 3 * time.Minute,
	}
	r := runCaseOK(t, c)
	for _, p := range []string{
		`(?m)^before boot: written by dom0$`,
		`(?m)^dom0 wrote: hello from dom0 to domain [1-9][0-9]*$`,
		`(?m)^revoke while mapped: refused$`,
		`(?m)^revoked after unmap$`,
		`(?m)^grant table full after 2040 grants$`,
		`(?m)^VIRQ_DEBUG bound to port [1-9][0-9]*$`,
		`(?m)^ok$`,
	} {
		if !regexp.MustCompile(p).MatchString(r.Console) {
			t.Errorf("console does not match %q:\n%s", p, r.Console)
		}
	}
	var peerOut string
	for _, h := range r.HostOutputs {
		if h.Phase == "during" {
			peerOut = h.Stdout + h.Stderr
			if h.ExitStatus != 0 {
				t.Errorf("dom0peer: exit status %d:\n%s", h.ExitStatus, peerOut)
			}
		}
	}
	for _, want := range []string{`mapped grant`, `"hello from the domU"`, `unmapped the grant`, `done`} {
		if !strings.Contains(peerOut, want) {
			t.Errorf("dom0peer's output lacks %q:\n%s", want, peerOut)
		}
	}
}

// The command line as an operator writes it in xl's extra=: quoted words
// with spaces, quotes, commas and '=' reach os.Args and the environment
// exactly, and a malformed line (an unterminated quote) stops the program
// with a clear message and status 2.
func TestCommandLineFromXl(t *testing.T) {
	t.Parallel()
	img := image(t, "argsenv")
	cases := []testhost.Case{
		{Name: "quoted", Kernel: img, MemoryMiB: 64, Timeout: 3 * time.Minute,
			Cmdline: `GOXENTEST_A='x y' GOXENTEST_B="say \"hi\"" -- 'two words' it\'s a=b,c ""`},
		{Name: "malformed", Kernel: img, MemoryMiB: 64, Timeout: 3 * time.Minute,
			Cmdline: `GOXENTEST_A='unterminated`},
	}
	results := runCases(t, 10*time.Minute, cases...)
	want := []struct {
		status int
		out    string
	}{
		{0, `^arg1="two words"\narg2="it's"\narg3="a=b,c"\narg4=""\nenv "GOXENTEST_A=x y"\nenv "GOXENTEST_B=say \\"hi\\""\n`},
		{2, `(?m)^goxen: malformed command line: unterminated ' quote$`},
	}
	for i, r := range results {
		w := want[i]
		if r.Err != nil || r.TimedOut || r.ExitStatus != w.status || !regexp.MustCompile(w.out).MatchString(r.Console) {
			t.Errorf("%s: want status %d, output matching %q; got %s\nconsole:\n%s\n%s", r.Name, w.status, w.out, r.Summary(), r.Console, r.Details())
		}
	}
}
