// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Arguments, environment and runtime options on Xen come from the command line
// Xen hands the guest (hvm_start_info.cmdline_paddr); the grammar is in
// internal/runtime/xen/cmdline.go. Runtime options:
//
//	goxen.argv0=NAME      os.Args[0] (default: the last element of the main
//	                      package's path, from the build information)
//	goxen.cmdline=module  the environment and arguments continue in boot module 0,
//	                      for lines longer than Xen allows (1023 bytes): in its
//	                      member .goxen-cmdline if it is a tar archive, else in
//	                      the whole module; same grammar
//	goxen.cwd=PATH        the working directory main starts in (after the boot
//	                      module is unpacked into the file system)
//	goxen.debugexit=1     after the final status line, end QEMU through its
//	                      isa-debug-exit device at port 0xf4 (the emulated backend)
//	goxen.boottime=1      print the boot timeline (Xen system time) on the console
//	goxen.inputack=1      write "\x1b]goxen:input:N\x07" on the console when the
//	                      program first reads console input and after taking
//	                      input from Xen (dom0), N the bytes taken so far: the
//	                      emulated backend paces its stdin by them, as Xen drops
//	                      serial input that does not fit its 128-byte ring
//	goxen.streams=1       mark stdout, stderr and the final status line on the
//	                      console (console_xen.go), so that the emulated backend
//	                      can keep stdout and stderr apart

package runtime

import (
	"internal/cpu"
	"internal/runtime/xen"
	"internal/stringslite"
	"unsafe"
)

var (
	xenOptArgv0         string
	xenOptCwd           string
	xenOptModuleCmdline bool
)

// xenCmdlineMember is the tar member of boot module 0 that continues the
// command line (goxen.cmdline=module); package syscall does not unpack it.
const xenCmdlineMember = ".goxen-cmdline"

// xenCmdline returns the command line Xen passed, without copying it.
//
//go:nosplit
func xenCmdline() string {
	si := xenStartInfo
	if si == nil || si.CmdlinePaddr == 0 {
		return ""
	}
	return gostringnocopy((*byte)(unsafe.Pointer(uintptr(si.CmdlinePaddr))))
}

// xenModule returns boot module i's contents, without copying them.
func xenModule(i uint32) ([]byte, bool) {
	si := xenStartInfo
	if si == nil || i >= si.NrModules {
		return nil, false
	}
	m := (*xen.ModlistEntry)(unsafe.Pointer(uintptr(si.ModlistPaddr) + uintptr(i)*unsafe.Sizeof(xen.ModlistEntry{})))
	return unsafe.Slice((*byte)(unsafe.Pointer(uintptr(m.Paddr))), int(m.Size)), true
}

// xenReadOptions reads the goxen.* words at the start of the command line, at
// boot, before the allocator exists: the exit path needs them. It splits words
// as goenvs does (into a static buffer; options are short).
func xenReadOptions() {
	sc := xen.NewCmdlineScanner(xenCmdline())
	for {
		n, ok, err := sc.Next(xenOptionBuf[:])
		if !ok || err != "" {
			return // goenvs reports a malformed line
		}
		// No string conversions that could allocate: there is no heap yet.
		w := xenOptionBuf[:n]
		if len(w) < len(xen.CmdlineOptionPrefix) || string(w[:len(xen.CmdlineOptionPrefix)]) != xen.CmdlineOptionPrefix {
			return
		}
		switch {
		case string(w) == "goxen.debugexit=1":
			xenOptDebugExit = true
		case string(w) == "goxen.boottime=1":
			xenOptBootTime = true
		case string(w) == "goxen.inputack=1":
			xenOptInputAck = true
		case string(w) == "goxen.streams=1":
			xenOptStreams = true
		case string(w) == "goxen.cmdline=module":
			xenOptModuleCmdline = true
		}
	}
}

var xenOptionBuf [512]byte

// goenvs builds os.Args and the environment from the command line.
//
// It also runs the one platform fix-up that must follow cpuinit:
// cputicks does not use RDTSCP on Xen. Under QEMU's emulated Xen the guest
// sees RDTSCP in CPUID but the instruction faults (#GP) -- runtime/pprof's
// cycle count hit it; RDTSC behind fences, cputicks's other path, is as good.
func goenvs() {
	cpu.X86.HasRDTSCP = false
	var args, env []string
	line := xenCmdline()
	phase := 0 // 0: options, 1: environment, 2: arguments
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			if !xenOptModuleCmdline {
				break
			}
			m, ok := xenModule(0)
			if !ok {
				xenCmdlineError("goxen.cmdline=module, but there is no boot module")
			}
			if xen.IsTar(m) {
				m = xenTarMember(m, xenCmdlineMember)
				if m == nil {
					xenCmdlineError("goxen.cmdline=module, but the boot module's archive has no " + xenCmdlineMember)
				}
			}
			line = string(m)
			if phase == 0 {
				phase = 1
			}
		}
		buf := make([]byte, len(line))
		sc := xen.NewCmdlineScanner(line)
		for {
			n, ok, err := sc.Next(buf)
			if err != "" {
				xenCmdlineError(err)
			}
			if !ok {
				break
			}
			w := buf[:n]
			if phase == 0 && stringslite.HasPrefix(string(w), xen.CmdlineOptionPrefix) {
				xenOption(string(w))
				continue
			}
			if phase <= 1 {
				if string(w) == "--" {
					phase = 2
					continue
				}
				if xen.IsEnvWord(w) {
					env = append(env, string(w))
					phase = 1
					continue
				}
			}
			phase = 2
			args = append(args, string(w))
		}
	}
	argv0 := xenOptArgv0
	if argv0 == "" {
		argv0 = xenMainPackageName()
	}
	argslice = append([]string{argv0}, args...)
	if !hasEnv(env, "GOMEMLIMIT") {
		env = append(env, "GOMEMLIMIT="+string(itoa(make([]byte, 20), xenDefaultMemoryLimit())))
	}
	envs = env
}

func hasEnv(env []string, name string) bool {
	for _, kv := range env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return true
		}
	}
	return false
}

// xenDefaultMemoryLimit is the soft memory limit (GOMEMLIMIT) a program gets
// unless its environment sets one: the memory the domain has left at boot,
// less a sixteenth for page tables and what the limit does not count. A guest
// has nothing to swap to, so the collector must keep the heap within the
// domain; with the limit it works harder instead of running out of memory.
func xenDefaultMemoryLimit() uint64 {
	free := uint64(xenFrames.total-xenFrames.inUse) * xenPageSize
	return free - free/16
}

// xenOption checks one goxen.NAME=VALUE word (xenReadOptions applied the
// ones the exit path needs).
func xenOption(w string) {
	name, value, _ := stringslite.Cut(w[len(xen.CmdlineOptionPrefix):], "=")
	switch name {
	case "argv0":
		xenOptArgv0 = value
		return
	case "cwd":
		if len(value) > 0 && value[0] == '/' {
			xenOptCwd = value
			return
		}
	case "debugexit", "boottime", "inputack", "streams":
		if value == "1" {
			return
		}
	case "cmdline":
		if value == "module" {
			return
		}
	}
	xenCmdlineError("unknown runtime option " + w)
}

// xenTarMember returns the contents of the archive's member name, or nil.
func xenTarMember(archive []byte, name string) []byte {
	r := xen.NewTarReader(archive)
	for {
		e, ok := r.Next()
		if !ok {
			return nil
		}
		if e.Prefix == "" && (e.Name == name || e.Name == "./"+name) && e.Type == xen.TarReg {
			return e.Data
		}
	}
}

// Services for package syscall, which unpacks boot module 0 into its file
// system and then changes to goxen.cwd.

//go:linkname syscall_bootModule syscall.runtime_bootModule
func syscall_bootModule() []byte {
	m, _ := xenModule(0)
	return m
}

//go:linkname syscall_bootCwd syscall.runtime_bootCwd
func syscall_bootCwd() string {
	return xenOptCwd
}

func xenCmdlineError(msg string) {
	print("goxen: malformed command line: ", msg, "\n")
	exit(2)
}

// xenMainPackageName is the last element of the main package's import path
// from the build information (modinfo: "path\t<import path>\n..." after a
// 16-byte marker), or "go" without one.
func xenMainPackageName() string {
	const marker = 16
	info := modinfo
	if len(info) < marker {
		return "go"
	}
	info = info[marker:]
	for len(info) > 0 {
		line, rest, _ := stringslite.Cut(info, "\n")
		info = rest
		if path, ok := stringslite.CutPrefix(line, "path\t"); ok {
			for i := len(path) - 1; i >= 0; i-- {
				if path[i] == '/' {
					path = path[i+1:]
					break
				}
			}
			if path != "" {
				return path
			}
		}
	}
	return "go"
}
