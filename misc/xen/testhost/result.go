// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"goforxen.dev/misc/xen/internal/console"
	"goforxen.dev/misc/xen/internal/exitstatus"
)

// CommandResult is the outcome of one host command.
type CommandResult struct {
	Phase      string // "before" (BeforeCommands), "during" (HostCommands) or "after" (AfterCommands)
	Command    string
	Stdout     string
	Stderr     string
	ExitStatus int // 124 or 137: timed out
	TimedOut   bool
	Duration   time.Duration
}

// Result is the outcome of one case.
type Result struct {
	Name string
	// Console is the guest's console output (CR LF turned into LF).
	Console string
	// ShutdownReason is how the domain stopped: "poweroff", "reboot",
	// "suspend", "crash", "watchdog", "soft_reset", or "" if it did not
	// (timeout, or xl create failed).
	ShutdownReason string
	// StatusLine is the Go runtime's final status line, exactly "goxen:
	// exit status N" or "goxen: crashed": the line after the runtime's
	// status mark (goxen.streams=1), else the last console line that is
	// one (whatever follows it); or "".
	StatusLine string
	// ExitStatus is N from "goxen: exit status N", else -1.
	ExitStatus int
	// Crashed: the status line is "goxen: crashed".
	Crashed bool
	// TimedOut: the guest did not shut down within the case's Timeout, or
	// xl create did not finish within CreateTimeout (CreateTimedOut), and
	// the domain was destroyed.
	TimedOut       bool
	CreateTimedOut bool
	// CreateStatus is xl create's exit status (nonzero: the domain could
	// not be built, see CreateLog; or it was killed at the timeout).
	CreateStatus int
	CreateLog    string
	// XLList is xl list -v when the case timed out (before the domain was
	// destroyed) or xl create failed.
	XLList string
	// Processes lists dom0's processes when the case timed out.
	Processes string
	// VCPU is the guest's vCPU 0 state when the case timed out (xenctx -a:
	// registers, code bytes at RIP, stack). For a Go guest, feed RIP to
	// go tool addr2line.
	VCPU        string
	HostOutputs []CommandResult
	// Files holds the files host commands left in $OUT, by relative path.
	Files map[string][]byte
	// DiskImage is the path of the disk image after the case, when
	// Disk.Return was set.
	DiskImage string
	// DiskImages are the paths of all the disks' images after the case,
	// by position (Disk first), "" for those not returned.
	DiskImages []string
	DomID      int
	GuestIP    string // the address dom0's DHCP gives the vif, if known

	// Timings, measured in dom0 (with a 50 ms polling granularity).
	Create          time.Duration // xl create until the domain runs (built, devices attached, unpaused)
	CreateToConsole time.Duration // xl create until the first console output
	Running         time.Duration // domain running until its shutdown
	Teardown        time.Duration // shutdown until the domain is destroyed, host commands excluded
	Total           time.Duration // the whole case in dom0, host commands included
	// Overhead is the time of the case that is not the guest's own:
	// CreateToConsole plus Teardown.
	Overhead time.Duration

	// Err says why the case has no (complete) result: the test host
	// stopped before or during the case.
	Err error
	// Restarted: the test host failed during an earlier attempt of the
	// run and was booted again for this case (see RunReport).
	Restarted bool

	rawConsole []byte // the console log as xenconsoled wrote it
}

// Summary is a one-line description of the result.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:", r.Name)
	switch {
	case r.Err != nil:
		fmt.Fprintf(&b, " error: %v", r.Err)
		return b.String()
	case r.CreateTimedOut:
		b.WriteString(" timed out in xl create")
	case r.TimedOut:
		b.WriteString(" timed out")
	case r.ShutdownReason != "":
		fmt.Fprintf(&b, " %s", r.ShutdownReason)
	default:
		fmt.Fprintf(&b, " no shutdown (xl create status %d)", r.CreateStatus)
	}
	if r.StatusLine != "" {
		fmt.Fprintf(&b, ", %q", r.StatusLine)
	}
	if r.Restarted {
		b.WriteString(" (after a test host restart)")
	}
	fmt.Fprintf(&b, "; create %v, to console %v, running %v, teardown %v, total %v",
		r.Create.Round(time.Millisecond), r.CreateToConsole.Round(time.Millisecond),
		r.Running.Round(time.Millisecond), r.Teardown.Round(time.Millisecond), r.Total.Round(time.Millisecond))
	return b.String()
}

// Details is what the test host recorded to explain a case that timed out
// or whose domain could not be created: xl create's log, xl list -v, the
// guest's vCPU state and dom0's processes (each only when recorded).
func (r *Result) Details() string {
	var b strings.Builder
	for _, part := range []struct{ name, text string }{
		{"xl create", r.CreateLog},
		{"xl list -v", r.XLList},
		{"vCPU 0 (xenctx)", r.VCPU},
		{"dom0 processes", r.Processes},
	} {
		if strings.TrimSpace(part.text) == "" || (part.name == "xl create" && r.CreateStatus == 0 && !r.TimedOut) {
			continue
		}
		fmt.Fprintf(&b, "--- %s:\n%s", part.name, part.text)
		if !strings.HasSuffix(part.text, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// outcome is how the case ended, as a command that runs a program reports
// it (package exitstatus).
func (r *Result) outcome() exitstatus.Outcome {
	o := exitstatus.Outcome{
		HaveStatus: r.StatusLine != "",
		Status:     exitstatus.Status{Crashed: r.Crashed, Code: r.ExitStatus},
		TimedOut:   r.TimedOut && !r.CreateTimedOut,
		NotRun:     r.Err != nil || r.CreateTimedOut || r.CreateStatus != 0,
	}
	if r.Err != nil {
		// The test host stopped: whatever the console shows is not how
		// the program ended.
		o = exitstatus.Outcome{NotRun: true}
	}
	return o
}

// ExitCode is the exit code that go_xen_amd64_exec (GOXEN_MODE=domu) and
// xentesthost run report for the case: the program's exit status; 124 if
// it timed out; 125 if it could not run (the test host failed, xl create
// failed or timed out); 134 if it crashed or stopped without a status line.
func (r *Result) ExitCode() int { return r.outcome().Code() }

// Failure says why ExitCode is not the program's own status, in one
// sentence, with the test host's details after it when there are any; ""
// when the program ended with a status line.
func (r *Result) Failure() string {
	switch {
	case r.Err != nil:
		return fmt.Sprintf("the test host failed: %v", r.Err)
	case r.StatusLine != "" && !r.Crashed:
		return ""
	case r.Crashed:
		return fmt.Sprintf("the program crashed (%q; registers and traceback above)", r.StatusLine)
	case r.CreateTimedOut:
		return "xl create did not finish in time:\n" + r.Details()
	case r.TimedOut:
		return "timed out: destroyed the domain\n" + r.Details()
	case r.CreateStatus != 0:
		return fmt.Sprintf("xl create failed (status %d):\n%s", r.CreateStatus, r.Details())
	}
	return fmt.Sprintf("the domain stopped (shutdown reason %q) without a status line", r.ShutdownReason)
}

// parseResults reads the results disk (a tar archive written by agent.sh).
func (rep *Report) parseResults(path string, cases []Case, base int, resultDir func() (string, error)) error {
	files := map[string][]byte{}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var terr error
	for {
		hdr, err := tr.Next()
		if err != nil {
			if err != io.EOF {
				terr = err
			}
			break
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		if diskImageRE.MatchString(name) {
			// Returned disk images go to files, not memory.
			d, err := resultDir()
			if err != nil {
				return err
			}
			dst := filepath.Join(d, strings.ReplaceAll(name, "/", "-"))
			out, err := os.Create(dst)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			out.Close()
			if err != nil {
				terr = err
				break
			}
			files[name] = []byte(dst)
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			terr = err
			break
		}
		files[name] = data
	}
	if _, ok := files["info"]; !ok {
		if terr != nil {
			return fmt.Errorf("no results on the results disk: %v", terr)
		}
		return errors.New("no results on the results disk (dom0 did not get to run its agent)")
	}

	info := kv(files["info"])
	if up, err := strconv.ParseFloat(info["uptime_ready"], 64); err == nil {
		rep.Dom0Uptime = time.Duration(up * float64(time.Second))
	}
	rep.Dom0MemTotalKiB, _ = strconv.ParseInt(info["meminfo_MemTotal"], 10, 64)
	rep.Dom0MemAvailableKiB, _ = strconv.ParseInt(info["meminfo_MemAvailable"], 10, 64)
	rep.RootfsUsedKiB, _ = strconv.ParseInt(info["rootfs_used_kib"], 10, 64)
	rep.XLInfo = string(files["xl-info.txt"])

	rep.Results = make([]Result, len(cases))
	for i, c := range cases {
		rep.Results[i] = caseResult(base+i, c, files)
	}
	return nil
}

// diskImageRE matches returned disk images in the results (diskFile).
var diskImageRE = regexp.MustCompile(`/disk[0-9]*\.img$`)

var shutdownReasons = map[string]string{
	"0": "poweroff", "1": "reboot", "2": "suspend", "3": "crash", "4": "watchdog", "5": "soft_reset",
}

func caseResult(i int, c Case, files map[string][]byte) Result {
	d := caseDir(i) + "/"
	r := Result{Name: c.Name, ExitStatus: -1, DomID: -1}
	if c.VIF {
		r.GuestIP = guestIP(c.MAC)
	}
	switch strings.TrimSpace(string(files[d+"state"])) {
	case "done":
	case "started":
		r.Err = errors.New("the test host stopped during the case")
	default:
		r.Err = errors.New("the test host stopped before the case")
		return r
	}
	r.rawConsole = files[d+"console.log"]
	r.Console = strings.ReplaceAll(string(r.rawConsole), "\r\n", "\n")
	r.CreateLog = string(files[d+"create.log"])
	r.XLList = string(files[d+"xl-list.txt"])
	r.Processes = string(files[d+"ps.txt"])
	r.VCPU = string(files[d+"vcpu.txt"])
	if st, line, ok := console.Final(r.Console); ok {
		r.StatusLine, r.Crashed = line, st.Crashed
		if !st.Crashed {
			r.ExitStatus = st.Code
		}
	}
	meta := kv(files[d+"meta"])
	r.ShutdownReason = shutdownReasons[meta["reason_code"]]
	if meta["reason_code"] != "" && r.ShutdownReason == "" {
		r.ShutdownReason = "code " + meta["reason_code"]
	}
	r.TimedOut = meta["timed_out"] == "run" || meta["timed_out"] == "create"
	r.CreateTimedOut = meta["timed_out"] == "create"
	if r.TimedOut {
		r.ShutdownReason = ""
	}
	r.CreateStatus, _ = strconv.Atoi(meta["create_rc"])
	if id, err := strconv.Atoi(meta["domid"]); err == nil {
		r.DomID = id
	}
	t := func(k string) int64 {
		v, _ := strconv.ParseInt(meta[k], 10, 64)
		return v
	}
	us := func(a, b string) time.Duration {
		if t(a) == 0 || t(b) == 0 || t(b) < t(a) {
			return 0
		}
		return time.Duration(t(b)-t(a)) * time.Microsecond
	}
	r.Create = us("t_start", "t_created")
	r.CreateToConsole = us("t_start", "t_console")
	r.Running = us("t_created", "t_shutdown")
	r.Teardown = us("t_shutdown", "t_end") - us("t_shutdown", "t_cmds") - us("t_cmds", "t_after")
	r.Total = us("t_start", "t_end")
	r.Overhead = r.CreateToConsole + r.Teardown

	for _, phase := range []struct {
		name string
		cmds []string
	}{{"before", c.BeforeCommands}, {"during", c.HostCommands}, {"after", c.AfterCommands}} {
		for k, cmd := range phase.cmds {
			p := fmt.Sprintf("%s%s-%d", d, phase.name, k+1)
			cr := CommandResult{Phase: phase.name, Command: cmd, ExitStatus: -1,
				Stdout: string(files[p+".out"]), Stderr: string(files[p+".err"])}
			if rc, err := strconv.Atoi(strings.TrimSpace(string(files[p+".rc"]))); err == nil {
				cr.ExitStatus = rc
				cr.TimedOut = rc == 124 || rc == 137
			}
			var t0, t1 int64
			if _, err := fmt.Sscan(string(files[p+".time"]), &t0, &t1); err == nil && t1 >= t0 {
				cr.Duration = time.Duration(t1-t0) * time.Microsecond
			}
			r.HostOutputs = append(r.HostOutputs, cr)
		}
	}
	for name, data := range files {
		if rel, ok := strings.CutPrefix(name, d+"files/"); ok {
			if r.Files == nil {
				r.Files = map[string][]byte{}
			}
			r.Files[rel] = data
		}
	}
	for k := range c.Disks {
		r.DiskImages = append(r.DiskImages, string(files[d+diskFile(k)]))
	}
	if len(r.DiskImages) > 0 {
		r.DiskImage = r.DiskImages[0]
	}
	return r
}

func kv(data []byte) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}
