package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"goforxen.dev/misc/xen/testhost"
	"goforxen.dev/test/internal/xentest"
)

// exampleImage builds misc/xen/examples/name for GOOS=xen, as the
// examples' comments say, into dir.
func exampleImage(t *testing.T, name, dir string) string {
	t.Helper()
	out := filepath.Join(dir, name+".xen")
	cmd := xentest.GoCmd(t, []string{"GOOS=xen", "GOARCH=amd64"}, "build", "-o", out, "./examples/"+name)
	cmd.Dir = filepath.Join(xentest.RepoRoot(t), "misc", "xen")
	xentest.Run(t, cmd)
	return out
}

// deployCase is the test host case of the deployment tests and figures: a
// guest that waits for SIGTERM carries host commands that run
// testdata/deploy/deploy.sh's steps, which deploy the examples of
// misc/xen/examples with xl and virsh, as an operator would, with their
// configurations as they are in the repository.
func deployCase(t *testing.T, steps ...string) testhost.Case {
	t.Helper()
	root := xentest.RepoRoot(t)
	dir := t.TempDir()
	ex := filepath.Join(root, "misc", "xen", "examples")
	script, err := filepath.Abs(filepath.Join("testdata", "deploy", "deploy.sh"))
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, s := range steps {
		cmds = append(cmds, "deploy.sh "+s)
	}
	return testhost.Case{
		Name:      "deploy",
		Kernel:    image(t, "sigterm"),
		MemoryMiB: 32,
		HostTools: []string{
			script,
			exampleImage(t, "hello", dir),
			exampleImage(t, "server", dir),
			copyFile(t, image(t, "exitcode"), filepath.Join(dir, "exitcode.xen")),
			filepath.Join(ex, "hello", "hello.cfg"),
			filepath.Join(ex, "hello", "hello.xml"),
			filepath.Join(ex, "server", "server.cfg"),
			filepath.Join(ex, "server", "server.xml"),
		},
		HostCommands:          cmds,
		ShutdownAfterCommands: true,
		CommandTimeout:        6 * time.Minute,
		Timeout:               40 * time.Minute,
	}
}

// copyFile copies from to to and returns to.
func copyFile(t *testing.T, from, to string) string {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return to
}

// valueRE is a KEY=VALUE line of deploy.sh's output.
var valueRE = regexp.MustCompile(`(?m)^([a-z_0-9]+)=(.*)$`)

// values returns the KEY=VALUE lines of a step's output (the last value of
// a key wins); the consoles printed between them have no such lines.
func values(out string) map[string]string {
	v := map[string]string{}
	for _, m := range valueRE.FindAllStringSubmatch(out, -1) {
		v[m[1]] = m[2]
	}
	return v
}

// The examples deploy as the README says, on the test host (Debian 12's Xen
// 4.17 toolstack and libvirt 9.0 with its libxl driver): hello.cfg with xl
// create and hello.xml with virsh create and virsh define/start print the
// program's output on the console and stop with its status (0: poweroff,
// "shut off (shutdown)"; 3: "shut off (crashed)"); the server gets an
// address by DHCP, answers HTTP from dom0, counts its boots on its disk
// (the libvirt run sees the xl run's count), and xl shutdown and virsh
// shutdown reach it as SIGTERM, after which it stops with status 0.
func TestDeployExamples(t *testing.T) {
	c := deployCase(t, "setup", "xl-hello", "virsh-hello", "virsh-status", "xl-server", "virsh-server")
	r := runCases(t, 50*time.Minute, c)[0]
	if r.Err != nil {
		t.Fatalf("%s\nhost: %+v\n%s", r.Summary(), r.HostOutputs, r.Details())
	}
	if len(r.HostOutputs) != len(c.HostCommands) {
		t.Fatalf("%d of %d host commands ran: %s\nhost: %+v\n%s", len(r.HostOutputs), len(c.HostCommands), r.Summary(), r.HostOutputs, r.Details())
	}
	hello := regexp.MustCompile(`(?s)hello from Go go[0-9.]+-xen[0-9]+ on xen/amd64, running as a Xen guest\narguments: \["a" "b c"\]\nthe time is .*\ngoxen: exit status 0\n?$`)
	server := func(boot string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)boot ` + boot + ` \(counted on /dev/xvda\)\n.*listening on http://10\.0\.0\.[0-9]+:8080/ \(eth0\)\n.*got terminated: shutting down\nstopped\ngoxen: exit status 0\n?$`)
	}
	for i, h := range r.HostOutputs {
		step := strings.TrimPrefix(h.Command, "deploy.sh ")
		v := values(h.Stdout)
		_, console, _ := strings.Cut(h.Stdout, "--- console\n")
		t.Logf("%s (%v): %v", step, h.Duration.Round(time.Millisecond), v)
		bad := func(format string, args ...any) {
			t.Errorf("%s: "+format+"\nstdout:\n%s\nstderr:\n%s", append(append([]any{step}, args...), h.Stdout, h.Stderr)...)
		}
		if h.ExitStatus != 0 {
			bad("exit status %d", h.ExitStatus)
			continue
		}
		switch i {
		case 1: // xl-hello
			if !hello.MatchString(console) {
				bad("console does not match %s", hello)
			}
			if v["xl_reason"] != "0" {
				bad("xl's shutdown reason %q, want 0 (poweroff)", v["xl_reason"])
			}
		case 2: // virsh-hello
			if !hello.MatchString(console) {
				bad("console does not match %s", hello)
			}
			if v["domstate"] != "shut off (shutdown)" || v["os_type"] == "" {
				bad("domstate %q, os type %q: want shut off (shutdown), xenpvh", v["domstate"], v["os_type"])
			}
		case 3: // virsh-status
			if !strings.HasSuffix(strings.TrimSpace(console), "goxen: exit status 3") || v["domstate"] != "shut off (crashed)" {
				bad("want status 3 and shut off (crashed), got domstate %q", v["domstate"])
			}
		case 4, 5: // xl-server, virsh-server
			boot := map[int]string{4: "1", 5: "2"}[i]
			if !server(boot).MatchString(console) {
				bad("console does not match %s", server(boot))
			}
			if v["xl_type"] != "pvh" || !strings.HasPrefix(v["response"], "hello from server, boot "+boot) {
				bad("xl type %q, response %q: want pvh, \"hello from server, boot %s\"", v["xl_type"], v["response"], boot)
			}
			if i == 4 && v["xl_reason"] != "0" {
				bad("xl's shutdown reason %q, want 0 (poweroff)", v["xl_reason"])
			}
			if i == 5 && v["domstate"] != "shut off (shutdown)" {
				bad("domstate %q, want shut off (shutdown)", v["domstate"])
			}
		}
	}
	if t.Failed() {
		t.Logf("test host: %s\n%s", r.Summary(), r.Details())
	}
}
