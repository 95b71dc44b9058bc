package testhost

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed dom0/agent.sh
var agentScript string

//go:embed dom0/wait-console.sh
var waitConsoleScript string

//go:embed dom0/run-cmds.sh
var runCmdsScript string

// Disk is a PV disk for a case's guest. Its backend is a file in dom0 (on a
// loop device through blkback), which lives in dom0's RAM.
type Disk struct {
	// Image is a raw disk image on the build machine, copied into dom0.
	Image string
	// SizeMiB, without Image, makes an empty (zero) image of this size in
	// dom0.
	SizeMiB int
	// Vdev is the guest's device name. Default "xvda".
	Vdev string
	// ReadOnly attaches the disk read-only.
	ReadOnly bool
	// Return brings the image back after the case (Result.DiskImage).
	Return bool
}

// Case is one guest run on the test host.
type Case struct {
	// Name identifies the case in results and logs. Default "case-N".
	Name string
	// Kernel is the guest image on the build machine: an ELF with a PVH
	// entry point (optionally gzip'd), e.g. a GOOS=xen program.
	Kernel string
	// Ramdisk, if set, is passed as the guest's first module (xl ramdisk=).
	Ramdisk string
	// MemoryMiB is the guest's memory. Default 64.
	MemoryMiB int
	// Cmdline is the guest command line (xl extra=).
	Cmdline string
	// VIF gives the guest a network interface on dom0's bridge xenbr0
	// (dom0 is 10.0.0.1/24 and serves DHCP).
	VIF bool
	// MAC is the vif's MAC address. Default 00:16:3e:00:00:02. DHCP in
	// dom0 gives 00:16:3e:00:00:NN the address 10.0.0.NN (NN hexadecimal
	// in the MAC, decimal in the address, 2 to 254); see Result.GuestIP.
	MAC string
	// Disk, if set, gives the guest a PV disk.
	Disk *Disk
	// BeforeCommands are bash command strings run in dom0 after xl
	// create has built the domain and before it starts (it is created
	// paused and unpaused after them): to write xenstore keys the guest
	// finds at boot, for example. Same environment as HostCommands.
	BeforeCommands []string
	// HostCommands are bash command strings run in dom0, one after
	// another, as soon as the domain runs (while the guest runs). Their
	// environment has DOMNAME, DOMID, GUEST_IP, GUEST_MAC, CONSOLE (the
	// guest's console log file), DISK (the disk image) and OUT (a
	// directory whose files come back in Result.Files), and PATH has
	// xth-wait-console TEXT [SECONDS], which waits until the console shows
	// TEXT.
	HostCommands []string
	// HostTools are files on the build machine, typically static
	// linux/amd64 programs the host commands run against the guest, put
	// into a directory on the host commands' PATH under their base names.
	HostTools []string
	// AfterCommands run in dom0 after the guest has shut down (or timed
	// out), before the domain is destroyed; same environment.
	AfterCommands []string
	// ShutdownAfterCommands asks the guest to shut down (xl shutdown) once
	// HostCommands have finished.
	ShutdownAfterCommands bool
	// CommandTimeout limits each host command. Default 60 s.
	CommandTimeout time.Duration
	// Timeout limits the guest's run, from the domain's start (after xl
	// create has built it and attached its devices) to its shutdown.
	// Default 60 s.
	Timeout time.Duration
	// CreateTimeout limits xl create, until the domain runs. Default 2
	// minutes (creation takes a few seconds under TCG, device hotplug
	// scripts several more; see the package documentation).
	CreateTimeout time.Duration
	// XLConfig holds extra lines for the xl domain configuration.
	XLConfig []string
}

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
	// StatusLine is the last console line carrying the Go runtime's final
	// status ("goxen: exit status N" or "goxen: crashed"), or "".
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
	DomID     int
	GuestIP   string // the address dom0's DHCP gives the vif, if known

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

// Config says how to run the test host.
type Config struct {
	// Host is the test host to boot; nil: Run calls Build(Build).
	Host  *Host
	Build BuildConfig
	// Log receives the serial console (Xen, dom0 and progress lines
	// starting "xth: ") as it arrives. Nil: discarded (Report.Serial still
	// has it).
	Log io.Writer
	// QEMU is the emulator. Default qemu-system-x86_64.
	QEMU string
	// BootTimeout limits QEMU start to dom0's toolstack being ready.
	// Default 3 minutes.
	BootTimeout time.Duration
	// XenCmdline and Dom0Cmdline are appended to the hypervisor's and to
	// dom0 Linux's command lines.
	XenCmdline  string
	Dom0Cmdline string
	// Verbose keeps dom0's kernel messages and Xen's full log on the
	// console.
	Verbose bool
	// Dom0Vmlinuz boots dom0 from Debian's vmlinuz as it is. By default
	// dom0 boots Host.GuestKernel, the ELF inside that vmlinuz (gzip'd):
	// the same kernel, but Xen's xz decompression of the bzImage costs
	// 2 to 8 s under TCG, gunzip a fraction of that.
	Dom0Vmlinuz bool
	// WorkDir holds the run's files (initrd, results disk). Default: a new
	// temporary directory, removed after the run unless KeepWorkDir.
	WorkDir     string
	KeepWorkDir bool
	// ResultDir receives returned disk images. Default: a new temporary
	// directory that the caller owns.
	ResultDir string
	// ResultsMiB is the size of the results disk. Default 256 plus the
	// sizes of returned disk images.
	ResultsMiB int
	// Restarts is how often RunReport boots the test host again after it
	// failed mid-run. Default 1; negative: never.
	Restarts int
}

// Report is the outcome of a run: the results and the test host's figures.
type Report struct {
	Results []Result
	Host    *Host
	// Ready is the time from QEMU's start to dom0's "ready" line (toolstack
	// up); Dom0Uptime is dom0's own uptime then.
	Ready      time.Duration
	Dom0Uptime time.Duration
	// Total is QEMU's run time; PowerOff the time from the last case's end
	// to QEMU's exit.
	Total    time.Duration
	PowerOff time.Duration
	// Dom0 memory (from /proc/meminfo at ready) and the root's size in RAM.
	Dom0MemTotalKiB, Dom0MemAvailableKiB, RootfsUsedKiB int64
	XLInfo                                              string
	Serial                                              string // the whole serial console (of every boot)
	QEMUArgs                                            []string
	// Restarts counts the boots after the first (see RunReport).
	Restarts int
}

// Run boots the test host once, runs the cases one after another and
// returns their results, in order. The error is about the test host (build,
// boot, results missing); each case's own outcome is in its Result, and a
// case the host could not run has Result.Err set.
func Run(ctx context.Context, cfg Config, cases []Case) ([]Result, error) {
	r, err := RunReport(ctx, cfg, cases)
	if r == nil {
		return nil, err
	}
	return r.Results, err
}

const defaultMAC = "00:16:3e:00:00:02"

var (
	macRE    = regexp.MustCompile(`^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$`)
	statusRE = regexp.MustCompile(`goxen: (exit status (-?[0-9]+)|crashed)`)
)

// normalize fills in defaults and checks a case.
func normalize(i int, c Case) (Case, error) {
	if c.Name == "" {
		c.Name = fmt.Sprintf("case-%d", i+1)
	}
	if c.Kernel == "" {
		return c, fmt.Errorf("testhost: case %s: no Kernel", c.Name)
	}
	seen := map[string]bool{}
	for _, tool := range c.HostTools {
		if b := filepath.Base(tool); seen[b] {
			return c, fmt.Errorf("testhost: case %s: two HostTools named %s", c.Name, b)
		} else {
			seen[b] = true
		}
	}
	for _, f := range append([]string{c.Kernel, c.Ramdisk}, c.HostTools...) {
		if f == "" {
			continue
		}
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() {
			return c, fmt.Errorf("testhost: case %s: %s is not a readable file", c.Name, f)
		}
	}
	if c.MemoryMiB == 0 {
		c.MemoryMiB = 64
	}
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	if c.CreateTimeout == 0 {
		c.CreateTimeout = 2 * time.Minute
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = 60 * time.Second
	}
	if c.MAC == "" {
		c.MAC = defaultMAC
	}
	if !macRE.MatchString(c.MAC) {
		return c, fmt.Errorf("testhost: case %s: bad MAC %q", c.Name, c.MAC)
	}
	c.MAC = strings.ToLower(c.MAC)
	if d := c.Disk; d != nil {
		d2 := *d
		if d2.Vdev == "" {
			d2.Vdev = "xvda"
		}
		if d2.Image == "" && d2.SizeMiB <= 0 {
			return c, fmt.Errorf("testhost: case %s: a Disk needs Image or SizeMiB", c.Name)
		}
		if d2.Image != "" {
			if st, err := os.Stat(d2.Image); err != nil || !st.Mode().IsRegular() {
				return c, fmt.Errorf("testhost: case %s: disk image %s is not a readable file", c.Name, d2.Image)
			}
		}
		c.Disk = &d2
	}
	if strings.ContainsAny(c.Cmdline, "\n\x00") {
		return c, fmt.Errorf("testhost: case %s: newline or NUL in the command line", c.Name)
	}
	return c, nil
}

// caseBudget is the longest a case may take in dom0: its limits, plus
// slack for destroying the domain and saving results.
func caseBudget(c Case) time.Duration {
	return c.CreateTimeout + c.Timeout + 90*time.Second +
		time.Duration(len(c.HostCommands)+len(c.AfterCommands))*(c.CommandTimeout+5*time.Second)
}

// guestIP returns the address dom0's DHCP server gives mac, if fixed.
func guestIP(mac string) string {
	var n int
	if _, err := fmt.Sscanf(mac, "00:16:3e:00:00:%02x", &n); err == nil && n >= 2 && n <= 254 {
		return fmt.Sprintf("10.0.0.%d", n)
	}
	return ""
}

// shellQuote quotes s for the shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// xlQuote quotes s as an xl configuration string.
func xlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func caseDir(i int) string { return fmt.Sprintf("%03d", i+1) }

func domName(i int) string { return "xth-" + caseDir(i) }

// xlConfig is the domain configuration of case i.
func xlConfig(i int, c Case, f caseFiles) string {
	dir := "/xth/cases/" + caseDir(i)
	var b strings.Builder
	fmt.Fprintf(&b, "name = %s\n", xlQuote(domName(i)))
	b.WriteString("type = \"pvh\"\n")
	fmt.Fprintf(&b, "kernel = %s\n", xlQuote(f.kernel))
	if f.ramdisk != "" {
		fmt.Fprintf(&b, "ramdisk = %s\n", xlQuote(f.ramdisk))
	}
	fmt.Fprintf(&b, "memory = %d\n", c.MemoryMiB)
	b.WriteString("vcpus = 1\n")
	// RDTSCP faults under TCG's SVM (notes/emulator.md, trap 3).
	b.WriteString("tsc_mode = \"native\"\n")
	// Keep the stopped domain so that its shutdown reason can be read.
	for _, ev := range []string{"on_poweroff", "on_reboot", "on_crash", "on_watchdog"} {
		fmt.Fprintf(&b, "%s = \"preserve\"\n", ev)
	}
	if c.Cmdline != "" {
		fmt.Fprintf(&b, "extra = %s\n", xlQuote(c.Cmdline))
	}
	if c.VIF {
		fmt.Fprintf(&b, "vif = [ %s ]\n", xlQuote("bridge=xenbr0,mac="+c.MAC))
	}
	if d := c.Disk; d != nil {
		access := "rw"
		if d.ReadOnly {
			access = "ro"
		}
		fmt.Fprintf(&b, "disk = [ %s ]\n", xlQuote(fmt.Sprintf("format=raw,vdev=%s,access=%s,target=%s/disk.img", d.Vdev, access, dir)))
	}
	for _, l := range c.XLConfig {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// caseVars is the case's vars.sh, read by agent.sh.
func caseVars(i int, c Case) string {
	var b strings.Builder
	v := func(k string, val any) { fmt.Fprintf(&b, "%s=%s\n", k, shellQuote(fmt.Sprint(val))) }
	v("NAME", domName(i))
	v("CASE_NAME", c.Name)
	v("TIMEOUT_US", c.Timeout.Microseconds())
	v("CREATE_TIMEOUT_US", c.CreateTimeout.Microseconds())
	v("CMD_TIMEOUT_S", max(1, int(c.CommandTimeout.Seconds())))
	mode, size, ret := "none", 0, 0
	if d := c.Disk; d != nil {
		mode = "image"
		if d.Image == "" {
			mode, size = "empty", d.SizeMiB
		}
		if d.Return {
			ret = 1
		}
	}
	v("DISK_MODE", mode)
	v("DISK_SIZE_MIB", size)
	v("DISK_RETURN", ret)
	shut := 0
	if c.ShutdownAfterCommands {
		shut = 1
	}
	v("SHUTDOWN_AFTER", shut)
	ip := ""
	if c.VIF {
		ip = guestIP(c.MAC)
	}
	v("GUEST_IP", ip)
	v("GUEST_MAC", c.MAC)
	return b.String()
}

// maxInitrdFiles bounds what the cases may bring into dom0: dom0's root is
// a tmpfs of half its memory (about 450 MiB), and the root itself uses
// about 130 MiB of that.
const maxInitrdFiles = 280 << 20

// blobs assigns dom0 paths to the files of a run, storing each distinct
// content once (cases usually share their kernel and ramdisk).
type blobs struct {
	byHash map[[32]byte]string
	list   []blob
	size   int64
}

type blob struct{ src, dst string }

func (b *blobs) add(src string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", err
	}
	var sum [32]byte
	h.Sum(sum[:0])
	if dst, ok := b.byHash[sum]; ok {
		return dst, nil
	}
	if b.byHash == nil {
		b.byHash = map[[32]byte]string{}
	}
	dst := fmt.Sprintf("/xth/blobs/%d", len(b.list))
	b.byHash[sum] = dst
	b.list = append(b.list, blob{src, dst})
	b.size += n
	return dst, nil
}

// caseFiles are the dom0 paths of a case's kernel and ramdisk.
type caseFiles struct {
	kernel, ramdisk string
	tools           []string
}

// writeCases writes the run's part of the initrd: /xth with the agent, the
// cases and their files.
func writeCases(w io.Writer, cases []Case, base int) error {
	var bl blobs
	files := make([]caseFiles, len(cases))
	var disks int64
	for i, c := range cases {
		var err error
		if files[i].kernel, err = bl.add(c.Kernel); err != nil {
			return err
		}
		if c.Ramdisk != "" {
			if files[i].ramdisk, err = bl.add(c.Ramdisk); err != nil {
				return err
			}
		}
		for _, tool := range c.HostTools {
			dst, err := bl.add(tool)
			if err != nil {
				return err
			}
			files[i].tools = append(files[i].tools, dst)
		}
		if c.Disk != nil && c.Disk.Image != "" {
			st, err := os.Stat(c.Disk.Image)
			if err != nil {
				return err
			}
			disks += st.Size()
		}
	}
	if total := bl.size + disks; total > maxInitrdFiles {
		return fmt.Errorf("the cases' kernels, ramdisks and disk images take %d MiB, more than the %d MiB dom0's root has room for; split the run",
			total>>20, maxInitrdFiles>>20)
	}

	cw := newCpioWriter(w)
	cw.Dir("xth", 0o755)
	cw.Dir("xth/bin", 0o755)
	cw.File("xth/agent", 0o755, []byte(agentScript))
	cw.File("xth/bin/xth-wait-console", 0o755, []byte(waitConsoleScript))
	cw.File("xth/bin/xth-run-cmds", 0o755, []byte(runCmdsScript))
	cw.Dir("xth/files", 0o755)
	cw.Dir("xth/blobs", 0o755)
	for _, b := range bl.list {
		// Executable: a blob may be one of the cases' HostTools.
		if err := cw.CopyFile(strings.TrimPrefix(b.dst, "/"), 0o755, b.src); err != nil {
			return err
		}
	}
	cw.Dir("xth/cases", 0o755)
	for i, c := range cases {
		d := "xth/cases/" + caseDir(base+i)
		cw.Dir(d, 0o755)
		cw.File(d+"/vars.sh", 0o644, []byte(caseVars(base+i, c)))
		cw.File(d+"/xl.cfg", 0o644, []byte(xlConfig(base+i, c, files[i])))
		cw.Dir(d+"/bin", 0o755)
		for k, tool := range c.HostTools {
			cw.Symlink(d+"/bin/"+filepath.Base(tool), files[i].tools[k])
		}
		if c.Disk != nil && c.Disk.Image != "" {
			if err := cw.CopyFile(d+"/disk.img", 0o644, c.Disk.Image); err != nil {
				return err
			}
		}
		for k, cmd := range c.HostCommands {
			cw.File(fmt.Sprintf("%s/during-%d.sh", d, k+1), 0o644, []byte(cmd+"\n"))
		}
		for k, cmd := range c.BeforeCommands {
			cw.File(fmt.Sprintf("%s/before-%d.sh", d, k+1), 0o644, []byte(cmd+"\n"))
		}
		for k, cmd := range c.AfterCommands {
			cw.File(fmt.Sprintf("%s/after-%d.sh", d, k+1), 0o644, []byte(cmd+"\n"))
		}
	}
	return cw.Close()
}

// writeFiles writes an initrd part with files under /xth/files (for Shell).
func writeFiles(w io.Writer, files []string) error {
	cw := newCpioWriter(w)
	cw.Dir("xth", 0o755)
	cw.Dir("xth/bin", 0o755)
	cw.File("xth/bin/xth-wait-console", 0o755, []byte(waitConsoleScript))
	cw.Dir("xth/files", 0o755)
	for _, f := range files {
		if err := cw.CopyFile("xth/files/"+filepath.Base(f), 0o755, f); err != nil {
			return err
		}
	}
	return cw.Close()
}

// makeInitrd writes dom0's initrd: the cached root followed by a second
// (uncompressed) cpio archive. Linux unpacks concatenated archives; each
// must start at a 4-byte aligned offset, zero padding between is skipped.
func makeInitrd(dst, root string, part func(io.Writer) error) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	in, err := os.Open(root)
	if err != nil {
		out.Close()
		return err
	}
	n, err := io.Copy(out, in)
	in.Close()
	if err == nil {
		if r := n % 512; r != 0 {
			_, err = out.Write(make([]byte, 512-r))
		}
	}
	if err == nil {
		err = part(out)
	}
	if err2 := out.Close(); err == nil {
		err = err2
	}
	return err
}

// qemuArgs is QEMU's command line for a run in dir.
func (cfg *Config) qemuArgs(dir string, dom0Extra string, results bool) []string {
	xen := "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 smap=0 smep=0 serial_tx_buffer=256k"
	dom0 := "console=hvc0 earlyprintk=xen"
	if cfg.Verbose {
		xen += " loglvl=all guest_loglvl=all"
	} else {
		dom0 += " quiet"
	}
	if cfg.XenCmdline != "" {
		xen += " " + cfg.XenCmdline
	}
	if dom0Extra != "" {
		dom0 += " " + dom0Extra
	}
	if cfg.Dom0Cmdline != "" {
		dom0 += " " + cfg.Dom0Cmdline
	}
	args := []string{
		"-accel", "tcg", "-cpu", "max", "-m", "2048", "-smp", "2",
		"-nodefaults", "-no-user-config", "-display", "none",
		"-serial", "stdio", "-no-reboot",
		"-kernel", filepath.Join(dir, "xen"),
		"-append", xen,
		// A comma separates modules: double the ones in dom0's command line.
		"-initrd", filepath.Join(dir, "vmlinuz") + " " + strings.ReplaceAll(dom0, ",", ",,") + "," + filepath.Join(dir, "initrd"),
	}
	// QEMU's monitor, for looking into a hung run (socat - UNIX:monitor.sock;
	// info registers -a). Unix socket paths are limited to 107 bytes.
	if mon := filepath.Join(dir, "monitor.sock"); len(mon) < 100 && results {
		args = append(args, "-monitor", "unix:"+mon+",server=on,wait=off")
	} else {
		args = append(args, "-monitor", "none")
	}
	if results {
		args = append(args,
			"-drive", "if=none,id=xthres,format=raw,file="+filepath.Join(dir, "results.img"),
			"-device", "virtio-blk-pci,drive=xthres,serial=xthresults")
	}
	return args
}

// prepare makes the run directory with the host's files linked in.
func (cfg *Config) prepare(ctx context.Context) (dir string, h *Host, cleanup func(), err error) {
	h = cfg.Host
	if h == nil {
		if h, err = Build(ctx, cfg.Build); err != nil {
			return "", nil, nil, err
		}
	}
	b := &builder{cfg: cfg.Build, log: io.Discard}
	if cfg.QEMU == "" {
		if err := b.hostPackages(ctx, runTools); err != nil {
			return "", nil, nil, err
		}
	}
	dir = cfg.WorkDir
	cleanup = func() {}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "xentesthost-"); err != nil {
			return "", nil, nil, err
		}
		if !cfg.KeepWorkDir {
			cleanup = func() { os.RemoveAll(dir) }
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, nil, err
	}
	if strings.ContainsAny(dir, ", ") {
		cleanup()
		return "", nil, nil, fmt.Errorf("testhost: work directory %q has a comma or space (QEMU's -initrd syntax)", dir)
	}
	kernel := h.GuestKernel
	if cfg.Dom0Vmlinuz {
		kernel = h.Kernel
	}
	for name, target := range map[string]string{"xen": h.Xen, "vmlinuz": kernel} {
		p := filepath.Join(dir, name)
		os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			cleanup()
			return "", nil, nil, err
		}
	}
	return dir, h, cleanup, nil
}

// RunReport is Run with the test host's figures.
//
// If the test host itself fails during the run (QEMU or Xen crashes, dom0
// stops making progress: QEMU 7.2's TCG has been seen to stop delivering
// interrupts to a vCPU, which freezes dom0), RunReport boots it again, up
// to Config.Restarts times, and runs the cases that have no result yet,
// starting with the one that was running (Result.Restarted says so).
func RunReport(ctx context.Context, cfg Config, cases []Case) (*Report, error) {
	norm := make([]Case, len(cases))
	for i, c := range cases {
		var err error
		if norm[i], err = normalize(i, c); err != nil {
			return nil, err
		}
	}
	cases = norm
	if cfg.BootTimeout == 0 {
		cfg.BootTimeout = 3 * time.Minute
	}
	if cfg.Restarts == 0 {
		cfg.Restarts = 1
	}
	dir, h, cleanup, err := cfg.prepare(ctx)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	rep := &Report{Host: h, Results: make([]Result, len(cases))}
	resultDir := cfg.ResultDir
	mkResultDir := func() (string, error) {
		if resultDir == "" {
			d, err := os.MkdirTemp("", "xentesthost-results-")
			if err != nil {
				return "", err
			}
			resultDir = d
		}
		return resultDir, os.MkdirAll(resultDir, 0o755)
	}

	base := 0
	for attempt := 0; ; attempt++ {
		a, failure := cfg.boot(ctx, dir, h, cases[base:], base, mkResultDir)
		if a == nil {
			return nil, failure
		}
		if attempt == 0 {
			rep.Ready, rep.Dom0Uptime = a.Ready, a.Dom0Uptime
			rep.Dom0MemTotalKiB, rep.Dom0MemAvailableKiB, rep.RootfsUsedKiB = a.Dom0MemTotalKiB, a.Dom0MemAvailableKiB, a.RootfsUsedKiB
			rep.XLInfo, rep.QEMUArgs = a.XLInfo, a.QEMUArgs
		} else {
			rep.Serial += fmt.Sprintf("\n===== xentesthost: test host restarted (attempt %d) =====\n", attempt+1)
		}
		rep.Serial += a.Serial
		rep.Total += a.Total
		rep.PowerOff = a.PowerOff
		next := -1
		for i, r := range a.Results {
			r.Restarted = attempt > 0
			rep.Results[base+i] = r
			if r.Err != nil && next < 0 {
				next = base + i
			}
		}
		if a.Results == nil {
			// No results at all: dom0 never got to its agent.
			for i := base; i < len(cases); i++ {
				rep.Results[i] = Result{Name: cases[i].Name, ExitStatus: -1, DomID: -1,
					Err: errors.New("the test host did not run the case"), Restarted: attempt > 0}
			}
			next = base
		}
		if failure == nil && next >= 0 {
			failure = fmt.Errorf("case %s: %v", rep.Results[next].Name, rep.Results[next].Err)
		}
		if failure == nil {
			return rep, nil
		}
		if next < 0 || attempt >= cfg.Restarts || ctx.Err() != nil {
			return rep, fmt.Errorf("testhost: %v\n--- serial console tail ---\n%s", failure, tail([]byte(a.Serial), 40))
		}
		rep.Restarts++
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "xentesthost: the test host failed (%v); booting it again for the remaining cases, from %s\n",
				failure, rep.Results[next].Name)
		}
		base = next
	}
}

// boot runs cases (numbered from base) in one boot of the test host. A nil
// Report comes with an error that happened before QEMU ran; otherwise the
// error says what went wrong with the test host, and the Report has what
// results there are.
func (cfg *Config) boot(ctx context.Context, dir string, h *Host, cases []Case, base int, resultDir func() (string, error)) (*Report, error) {
	rep := &Report{Host: h}
	if err := makeInitrd(filepath.Join(dir, "initrd"), h.Initrd, func(w io.Writer) error { return writeCases(w, cases, base) }); err != nil {
		return nil, fmt.Errorf("testhost: writing the initrd: %v", err)
	}
	resMiB := cfg.ResultsMiB
	if resMiB == 0 {
		resMiB = 256
		for _, c := range cases {
			if c.Disk != nil && c.Disk.Return {
				if c.Disk.Image != "" {
					st, _ := os.Stat(c.Disk.Image)
					resMiB += int(st.Size()>>20) + 1
				} else {
					resMiB += c.Disk.SizeMiB
				}
			}
		}
	}
	resPath := filepath.Join(dir, "results.img")
	os.Remove(resPath)
	if err := os.WriteFile(resPath, nil, 0o644); err != nil {
		return nil, err
	}
	if err := os.Truncate(resPath, int64(resMiB)<<20); err != nil {
		return nil, err
	}

	// The budget after ready: every case's limits plus slack for creation
	// and destruction. And a watchdog: dom0 prints a progress line at each
	// case's start and end, so a silence longer than the largest case
	// budget means dom0 (or the emulator) hangs.
	budget, stall := time.Minute, time.Minute
	for _, c := range cases {
		b := caseBudget(c)
		budget += b
		stall = max(stall, b)
	}

	qemu := cfg.QEMU
	if qemu == "" {
		qemu = "qemu-system-x86_64"
	}
	rep.QEMUArgs = append([]string{qemu}, cfg.qemuArgs(dir, "", true)...)
	mon, err := startQEMU(ctx, rep.QEMUArgs, cfg.Log)
	if err != nil {
		return nil, err
	}
	var failure error
	select {
	case <-mon.ready:
		rep.Ready = mon.readyAt.Sub(mon.start)
		over := time.After(budget)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
	wait:
		for {
			select {
			case <-mon.exited:
				break wait
			case <-tick.C:
				if last := mon.lastProgress(); time.Since(last) > stall {
					failure = fmt.Errorf("dom0 printed no progress for %v (longer than any case may take); QEMU killed", time.Since(last).Round(time.Second))
					mon.kill()
					break wait
				}
			case <-over:
				failure = fmt.Errorf("the run exceeded its budget of %v after dom0 was ready; QEMU killed", budget)
				mon.kill()
				break wait
			case <-ctx.Done():
				failure = ctx.Err()
				mon.kill()
				break wait
			}
		}
	case <-mon.exited:
	case <-time.After(cfg.BootTimeout):
		failure = fmt.Errorf("dom0 was not ready after %v; QEMU killed", cfg.BootTimeout)
		mon.kill()
	case <-ctx.Done():
		failure = ctx.Err()
		mon.kill()
	}
	<-mon.exited
	rep.Total = mon.end.Sub(mon.start)
	if !mon.doneAt.IsZero() {
		rep.PowerOff = mon.end.Sub(mon.doneAt)
	}
	rep.Serial = mon.serial()
	if failure == nil && mon.err != nil {
		failure = fmt.Errorf("QEMU: %v", mon.err)
	}
	if failure == nil && mon.readyAt.IsZero() {
		failure = errors.New("QEMU exited before dom0 was ready")
	}
	if perr := rep.parseResults(resPath, cases, base, resultDir); failure == nil && perr != nil {
		failure = perr
	}
	return rep, failure
}

// qemuMonitor watches a running QEMU and its serial console.
type qemuMonitor struct {
	cmd     *exec.Cmd
	start   time.Time
	ready   chan struct{} // closed at "xth: ready"
	exited  chan struct{} // closed when QEMU has exited and output is read
	readyAt time.Time
	doneAt  time.Time // "xth: all N cases done"
	progAt  time.Time // the last "xth: " line
	end     time.Time
	err     error

	mu  sync.Mutex
	buf bytes.Buffer
}

const maxSerial = 64 << 20

func (m *qemuMonitor) serial() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.buf.String()
}

func (m *qemuMonitor) lastProgress() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.progAt
}

func (m *qemuMonitor) kill() {
	if m.cmd.Process != nil {
		m.cmd.Process.Kill()
	}
}

func startQEMU(ctx context.Context, args []string, log io.Writer) (*qemuMonitor, error) {
	path, err := lookPath(args[0])
	if err != nil {
		return nil, fmt.Errorf("testhost: %s: %v (package qemu-system-x86)", args[0], err)
	}
	m := &qemuMonitor{ready: make(chan struct{}), exited: make(chan struct{})}
	m.cmd = exec.Command(path, args[1:]...)
	m.cmd.Stdin = nil
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	m.cmd.Stdout = pw
	m.cmd.Stderr = pw
	m.start = time.Now()
	if err := m.cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return nil, fmt.Errorf("testhost: starting QEMU: %v", err)
	}
	pw.Close()
	if log == nil {
		log = io.Discard
	}
	go func() {
		r := bufio.NewReader(pr)
		readySeen := false
		for {
			line, err := r.ReadString('\n')
			if len(line) > 0 {
				now := time.Now()
				log.Write([]byte(line))
				m.mu.Lock()
				if m.buf.Len() < maxSerial {
					m.buf.WriteString(line)
				}
				if !readySeen && strings.Contains(line, "xth: ready") {
					readySeen = true
					m.readyAt = now
					close(m.ready)
				}
				if strings.Contains(line, "xth: ") {
					m.progAt = now
				}
				if strings.Contains(line, "xth: all ") && strings.Contains(line, " cases done") {
					m.doneAt = now
				}
				m.mu.Unlock()
			}
			if err != nil {
				break
			}
		}
		pr.Close()
		m.err = m.cmd.Wait()
		m.end = time.Now()
		close(m.exited)
	}()
	return m, nil
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
		if strings.HasSuffix(name, "/disk.img") {
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

func kv(data []byte) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

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
	r.Console = strings.ReplaceAll(string(files[d+"console.log"]), "\r\n", "\n")
	r.CreateLog = string(files[d+"create.log"])
	r.XLList = string(files[d+"xl-list.txt"])
	r.Processes = string(files[d+"ps.txt"])
	r.VCPU = string(files[d+"vcpu.txt"])
	for _, line := range strings.Split(r.Console, "\n") {
		if m := statusRE.FindStringSubmatch(line); m != nil {
			r.StatusLine = m[0]
			if m[1] == "crashed" {
				r.Crashed, r.ExitStatus = true, -1
			} else {
				r.Crashed = false
				r.ExitStatus, _ = strconv.Atoi(m[2])
			}
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
	if p, ok := files[d+"disk.img"]; ok {
		r.DiskImage = string(p)
	}
	return r
}

// Shell boots the test host with an interactive shell on the serial
// console, connected to stdin and stdout, with files copied into
// /xth/files. It returns when QEMU exits (exit from the shell powers off).
func Shell(ctx context.Context, cfg Config, files []string, stdin io.Reader, stdout io.Writer) error {
	dir, h, cleanup, err := cfg.prepare(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("testhost: %s is not a readable file", f)
		}
	}
	if err := makeInitrd(filepath.Join(dir, "initrd"), h.Initrd, func(w io.Writer) error { return writeFiles(w, files) }); err != nil {
		return fmt.Errorf("testhost: writing the initrd: %v", err)
	}
	qemu := cfg.QEMU
	if qemu == "" {
		qemu = "qemu-system-x86_64"
	}
	path, err := lookPath(qemu)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, path, cfg.qemuArgs(dir, "xth.shell", false)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stdout
	return cmd.Run()
}
