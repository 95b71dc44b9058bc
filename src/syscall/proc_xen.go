// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// A synthetic /proc: what common libraries read about their own process
// (Prometheus' process collector, gopsutil, free-style memory checks),
// true to the domain, in Linux's formats. The program is process 1 and
// /proc/self links to /proc/1. Every file is generated when it is opened,
// from the runtime's view of the domain (runtime/procfs_xen.go) and the
// file system's state, and reads as that snapshot; as on Linux, its size
// is 0, it cannot be written, and nothing can be created, removed or
// renamed under /proc.
//
//	/proc/meminfo        MemTotal (the domain's RAM), MemFree (frames the runtime has not
//	                     taken), MemAvailable (those and the heap's free pages); no swap
//	/proc/cpuinfo        the one vCPU as CPUID shows it to the domain: vendor, family,
//	                     model, stepping, model name, the TSC's MHz, Linux's flag names
//	/proc/uptime         seconds since the PVH entry, and of them the vCPU's idle ones
//	/proc/stat           the cpu lines (user time: what Xen accounts the vCPU running;
//	                     idle: the rest), btime (the boot's wall clock time), 1 process
//	/proc/1/stat         Linux's 52 fields: utime in clock ticks (100 Hz), starttime (the
//	                     runtime's start after the PVH entry), vsize and rss (the image
//	                     and the memory the runtime has mapped / has taken), 1 thread
//	/proc/1/status       Name, State, Pid, Uid, Gid, FDSize, VmPeak, VmSize, VmRSS,
//	                     Threads, ...
//	/proc/1/limits       RLIMIT_NOFILE (65536, the descriptor table), the domain's RAM as
//	                     the resident set's limit, one process; the rest unlimited or 0
//	/proc/1/cmdline      os.Args, NUL-terminated
//	/proc/1/environ      the environment the program started with
//	/proc/1/fd/          one link per open descriptor: opening it opens the descriptor's
//	                     file, Readlink gives the file's path (pipe:[inode] for a pipe);
//	                     Stat's Size of the directory is the number of descriptors (as
//	                     Linux 6.2's)

package syscall

import "internal/runtime/xen"

// A procNode marks an inode of /proc: a file with its generator, a
// directory (read-only), or a link of /proc/1/fd to descriptor fd.
type procNode struct {
	gen func(b []byte) []byte
	fd  int // a link of /proc/1/fd; -1 otherwise
}

const (
	procSuperMagic = 0x9fa0 // PROC_SUPER_MAGIC (statfs)
	clockTicks     = 100    // USER_HZ: the unit of /proc's times
)

var procDirNode = &procNode{fd: -1}

// Provided by the runtime (runtime/procfs_xen.go).
func procMemory() (total, rss, free, available, vsize uint64)
func procTimes() (uptime, running, start int64)
func procArgs() []string
func procTSCHz() uint64

// mkProc builds /proc (at init).
func (fs *fileSystem) mkProc() {
	dir := func(parent *inode, name string, perm uint32) *inode {
		d := fs.newDir(perm, parent)
		d.proc = procDirNode
		fs.link(parent, name, d)
		return d
	}
	file := func(d *inode, name string, gen func([]byte) []byte) {
		n := fs.newNode(S_IFREG | 0444)
		n.proc = &procNode{gen: gen, fd: -1}
		fs.link(d, name, n)
	}
	proc := dir(fs.root, "proc", 0555)
	file(proc, "meminfo", procMeminfo)
	file(proc, "cpuinfo", procCpuinfo)
	file(proc, "uptime", procUptime)
	file(proc, "stat", procStat)
	self := fs.newNode(S_IFLNK | 0777)
	self.target = "1"
	fs.link(proc, "self", self)
	pid := dir(proc, "1", 0555)
	file(pid, "stat", procPidStat)
	file(pid, "status", procPidStatus)
	file(pid, "limits", procPidLimits)
	file(pid, "cmdline", func(b []byte) []byte { return appendNulls(b, procArgs()) })
	file(pid, "environ", func(b []byte) []byte { return appendNulls(b, runtime_envs()) })
	fs.procFD = dir(pid, "fd", 0500)
}

// refreshProcFD makes /proc/1/fd list the open descriptors (fsys.mu held).
func (fs *fileSystem) refreshProcFD() {
	d := fs.procFD
	clear(d.entries)
	d.nextSeq = 0
	for fd, f := range fs.fds {
		if f == nil {
			continue
		}
		for len(fs.procFDLinks) <= fd {
			fs.procFDLinks = append(fs.procFDLinks, nil)
		}
		n := fs.procFDLinks[fd]
		if n == nil {
			n = fs.newNode(S_IFLNK | 0700)
			n.proc = &procNode{fd: fd}
			fs.procFDLinks[fd] = n
		}
		n.nlink = 0
		fs.link(d, itoa(fd), n)
	}
}

// followFD is the file link n of /proc/1/fd opens: its descriptor's.
func (fs *fileSystem) followFD(n *inode) (*inode, error) {
	f, err := fs.file(n.proc.fd)
	if err != nil {
		return nil, ENOENT
	}
	return f.node, nil
}

// fdPath is what Readlink says link n of /proc/1/fd points to: the path of
// its descriptor's file, found in the tree, or pipe:[inode] for a pipe.
func (fs *fileSystem) fdPath(n *inode) string {
	f, err := fs.file(n.proc.fd)
	if err != nil {
		return ""
	}
	if f.node.pipe != nil {
		return "pipe:[" + itoa(int(f.node.ino)) + "]"
	}
	if f.node == fs.root {
		return "/"
	}
	if p, ok := fs.pathIn(fs.root, "", f.node); ok {
		return p
	}
	return "/ (deleted)"
}

// pathIn looks for n under directory d (whose path is prefix), depth first,
// leaving /proc/1/fd out.
func (fs *fileSystem) pathIn(d *inode, prefix string, n *inode) (string, bool) {
	for name, e := range d.entries {
		if e.node == n {
			return prefix + "/" + name, true
		}
	}
	for name, e := range d.entries {
		if e.node.isDir() && e.node != fs.procFD {
			if p, ok := fs.pathIn(e.node, prefix+"/"+name, n); ok {
				return p, true
			}
		}
	}
	return "", false
}

// stringsFields yields the words of s, separated by single spaces.
func stringsFields(s string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for start, i := 0, 0; i <= len(s); i++ {
			if i == len(s) || s[i] == ' ' {
				if !yield(s[start:i]) {
					return
				}
				start = i + 1
			}
		}
	}
}

func itoa(v int) string {
	if v < 0 {
		return "-" + string(appendUint(nil, uint64(-v)))
	}
	return string(appendUint(nil, uint64(v)))
}

func appendNulls(b []byte, ss []string) []byte {
	for _, s := range ss {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

func appendUint(b []byte, v uint64) []byte {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, buf[i:]...)
}

// appendCenti appends v hundredths as "N.NN".
func appendCenti(b []byte, v uint64) []byte {
	b = appendUint(b, v/100)
	return append(b, '.', byte('0'+v/10%10), byte('0'+v%10))
}

// appendPadded appends s and spaces up to width, then a space.
func appendPadded(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for i := len(s); i < width; i++ {
		b = append(b, ' ')
	}
	return append(b, ' ')
}

// comm is the program's name as /proc/1/stat and status give it: the
// last element of os.Args[0], at most 15 bytes.
func comm() string {
	args := procArgs()
	if len(args) == 0 {
		return ""
	}
	name := args[0]
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			name = name[i+1:]
			break
		}
	}
	if len(name) > 15 {
		name = name[:15]
	}
	return name
}

func procMeminfo(b []byte) []byte {
	total, _, free, avail, _ := procMemory()
	for _, l := range [...]struct {
		name string
		v    uint64
	}{
		{"MemTotal", total}, {"MemFree", free}, {"MemAvailable", avail},
		{"Buffers", 0}, {"Cached", 0}, {"SwapCached", 0},
		{"SwapTotal", 0}, {"SwapFree", 0},
	} {
		b = append(b, l.name...)
		b = append(b, ':')
		v := appendUint(nil, l.v>>10)
		for i := len(l.name) + 1; i < 16+8-len(v); i++ {
			b = append(b, ' ')
		}
		b = append(b, v...)
		b = append(b, " kB\n"...)
	}
	return b
}

func procUptime(b []byte) []byte {
	up, running, _ := procTimes()
	b = appendCenti(b, uint64(up/1e7))
	b = append(b, ' ')
	b = appendCenti(b, uint64((up-running)/1e7))
	return append(b, '\n')
}

func procStat(b []byte) []byte {
	up, running, _ := procTimes()
	sec, nsec := now()
	btime := sec - up/1e9
	if int64(nsec) < up%1e9 {
		btime--
	}
	user, idle := uint64(running/(1e9/clockTicks)), uint64((up-running)/(1e9/clockTicks))
	for _, cpu := range [...]string{"cpu ", "cpu0"} {
		b = append(b, cpu...)
		b = append(b, ' ')
		b = appendUint(b, user)
		b = append(b, " 0 0 "...)
		b = appendUint(b, idle)
		b = append(b, " 0 0 0 0 0 0\n"...)
	}
	b = append(b, "intr 0\nctxt 0\nbtime "...)
	b = appendUint(b, uint64(btime))
	b = append(b, "\nprocesses 1\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n"...)
	return b
}

func procPidStat(b []byte) []byte {
	_, rss, _, _, vsize := procMemory()
	_, running, start := procTimes()
	b = append(b, "1 ("...)
	b = append(b, comm()...)
	b = append(b, ") R 0 1 1 0 -1 0 0 0 0 0 "...)
	b = appendUint(b, uint64(running/(1e9/clockTicks))) // utime
	b = append(b, " 0 0 0 20 0 1 0 "...)                // stime cutime cstime priority nice num_threads itrealvalue
	b = appendUint(b, uint64(start/(1e9/clockTicks)))   // starttime
	b = append(b, ' ')
	b = appendUint(b, vsize)
	b = append(b, ' ')
	b = appendUint(b, rss/4096)
	// rsslim, then startcode to exit_code: 0 but exit_signal (17, SIGCHLD).
	b = append(b, " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"...)
	return b
}

func procPidStatus(b []byte) []byte {
	_, rss, _, _, vsize := procMemory()
	kb := func(b []byte, name string, v uint64) []byte {
		b = append(b, name...)
		b = append(b, ":\t"...)
		b = appendUint(b, v>>10)
		return append(b, " kB\n"...)
	}
	b = append(b, "Name:\t"...)
	b = append(b, comm()...)
	b = append(b, "\nUmask:\t0"...)
	b = append(b, byte('0'+fsys.umask>>6&7), byte('0'+fsys.umask>>3&7), byte('0'+fsys.umask&7))
	b = append(b, "\nState:\tR (running)\nTgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\nTracerPid:\t0\n"...)
	b = append(b, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t"...)
	b = appendUint(b, uint64(len(fsys.fds)))
	b = append(b, "\nGroups:\t0\n"...)
	b = kb(b, "VmPeak", vsize)
	b = kb(b, "VmSize", vsize)
	b = kb(b, "VmHWM", rss)
	b = kb(b, "VmRSS", rss)
	b = append(b, "Threads:\t1\nCpus_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n"...)
	return b
}

func procPidLimits(b []byte) []byte {
	total, _, _, _, _ := procMemory()
	const u = "unlimited"
	nofile := itoa(openMax)
	ram := itoa(int(total))
	b = appendPadded(b, "Limit", 25)
	b = appendPadded(b, "Soft Limit", 20)
	b = appendPadded(b, "Hard Limit", 20)
	b = append(b, "Units     \n"...)
	for _, l := range [...]struct{ name, soft, hard, unit string }{
		{"Max cpu time", u, u, "seconds"},
		{"Max file size", u, u, "bytes"},
		{"Max data size", u, u, "bytes"},
		{"Max stack size", u, u, "bytes"},
		{"Max core file size", "0", "0", "bytes"},
		{"Max resident set", ram, ram, "bytes"},
		{"Max processes", "1", "1", "processes"},
		{"Max open files", nofile, nofile, "files"},
		{"Max locked memory", u, u, "bytes"},
		{"Max address space", u, u, "bytes"},
		{"Max file locks", u, u, "locks"},
		{"Max pending signals", "0", "0", "signals"},
		{"Max msgqueue size", "0", "0", "bytes"},
		{"Max nice priority", "0", "0", ""},
		{"Max realtime priority", "0", "0", ""},
		{"Max realtime timeout", u, u, "us"},
	} {
		b = appendPadded(b, l.name, 25)
		b = appendPadded(b, l.soft, 20)
		b = appendPadded(b, l.hard, 20)
		b = appendPadded(b, l.unit, 9)
		b = append(b, '\n')
	}
	return b
}

// cpuFlags are Linux's names for CPUID's feature bits
// (arch/x86/include/asm/cpufeatures.h), bit 0 first, "-" where Linux shows
// none, for leaf 1 EDX and ECX, leaf 7 EBX and ECX, leaf 0x80000001 EDX
// and ECX.
var cpuFlags = [...]struct {
	leaf uint32
	reg  int // 0 ebx, 1 ecx, 2 edx
	bits string
}{
	{1, 2, "fpu vme de pse tsc msr pae mce cx8 apic - sep mtrr pge mca cmov pat pse36 pn clflush - dts acpi mmx fxsr sse sse2 ss ht tm ia64 pbe"},
	{1, 1, "pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 cid sdbg fma cx16 xtpr pdcm - pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave - avx f16c rdrand hypervisor"},
	{0x80000001, 2, "- - - - - - - - - - - syscall - - - - - - - mp nx - mmxext - - fxsr_opt pdpe1gb rdtscp - lm 3dnowext 3dnow"},
	{0x80000001, 1, "lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs xop skinit wdt - lwp fma4 tce - nodeid_msr - tbm topoext perfctr_core perfctr_nb - bpext ptsc perfctr_llc mwaitx"},
	{7, 0, "fsgsbase tsc_adjust sgx bmi1 hle avx2 - smep bmi2 erms invpcid rtm cqm - mpx rdt_a avx512f avx512dq rdseed adx smap avx512ifma - clflushopt clwb intel_pt avx512pf avx512er avx512cd sha_ni avx512bw avx512vl"},
	{7, 1, "- avx512vbmi umip pku ospke waitpkg avx512_vbmi2 - gfni vaes vpclmulqdq avx512_vnni avx512_bitalg tme avx512_vpopcntdq - la57 - - - - rdpid - bus_lock_detect cldemote - movdiri movdir64b - sgx_lc -"},
}

func procCpuinfo(b []byte) []byte {
	maxLeaf, vb, vc, vd := xen.Cpuid(0, 0)
	vendor := [12]byte{}
	for i, r := range [3]uint32{vb, vd, vc} {
		for j := 0; j < 4; j++ {
			vendor[i*4+j] = byte(r >> (8 * j))
		}
	}
	sig, _, _, _ := xen.Cpuid(1, 0)
	family, model := sig>>8&0xf, sig>>4&0xf
	if family == 0xf {
		family += sig >> 20 & 0xff
	}
	if family >= 6 {
		model += sig >> 16 & 0xf << 4
	}
	maxExt, _, _, _ := xen.Cpuid(0x80000000, 0)
	var brand []byte
	if maxExt >= 0x80000004 {
		for leaf := uint32(0x80000002); leaf <= 0x80000004; leaf++ {
			a, bb, c, d := xen.Cpuid(leaf, 0)
			for _, r := range [4]uint32{a, bb, c, d} {
				for j := 0; j < 4; j++ {
					if c := byte(r >> (8 * j)); c != 0 {
						brand = append(brand, c)
					}
				}
			}
		}
	}
	for len(brand) > 0 && brand[0] == ' ' {
		brand = brand[1:]
	}
	b = append(b, "processor\t: 0\nvendor_id\t: "...)
	b = append(b, vendor[:]...)
	b = append(b, "\ncpu family\t: "...)
	b = appendUint(b, uint64(family))
	b = append(b, "\nmodel\t\t: "...)
	b = appendUint(b, uint64(model))
	b = append(b, "\nmodel name\t: "...)
	b = append(b, brand...)
	b = append(b, "\nstepping\t: "...)
	b = appendUint(b, uint64(sig&0xf))
	b = append(b, "\ncpu MHz\t\t: "...)
	hz := procTSCHz()
	b = appendUint(b, hz/1e6)
	b = append(b, '.', byte('0'+hz/1e5%10), byte('0'+hz/1e4%10), byte('0'+hz/1e3%10))
	b = append(b, "\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: 0\nfpu\t\t: yes\nflags\t\t:"...)
	for _, t := range cpuFlags {
		if t.leaf >= 0x80000000 && t.leaf > maxExt || t.leaf < 0x80000000 && t.leaf > maxLeaf {
			continue
		}
		_, rb, rc, rd := xen.Cpuid(t.leaf, 0)
		r := [3]uint32{rb, rc, rd}[t.reg]
		bit := 0
		for name := range stringsFields(t.bits) {
			if name != "-" && r&(1<<bit) != 0 {
				b = append(b, ' ')
				b = append(b, name...)
			}
			bit++
		}
	}
	b = append(b, "\nbogomips\t: "...)
	b = appendUint(b, 2*hz/1e6)
	b = append(b, ".00\n"...)
	if maxExt >= 0x80000008 {
		a, _, _, _ := xen.Cpuid(0x80000008, 0)
		b = append(b, "address sizes\t: "...)
		b = appendUint(b, uint64(a&0xff))
		b = append(b, " bits physical, "...)
		b = appendUint(b, uint64(a>>8&0xff))
		b = append(b, " bits virtual\n"...)
	}
	b = append(b, '\n')
	return b
}
