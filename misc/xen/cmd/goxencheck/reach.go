// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/tools/go/callgraph/rta"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// A reachFinding is a call, or a path a program names, in code reachable
// from a main package, that cannot work on xen.
type reachFinding struct {
	Pos    string // file:line:column of the call or the constant
	Pkg    string // the package of the code
	Module string // its module (path@version), "" for the main module
	Func   string // the function it is in
	What   string // the callee, or the path
	Kind   string // "call" or "file"
	Why    string

	position token.Position
}

// failingCalls are the functions that fail on xen whatever their
// arguments, and why.
var failingCalls = map[string]string{}

func init() {
	for why, names := range map[string][]string{
		"starts a process: a unikernel has no other processes (ENOSYS)": {
			"(*os/exec.Cmd).Run", "(*os/exec.Cmd).Start", "(*os/exec.Cmd).Output", "(*os/exec.Cmd).CombinedOutput",
			"os.StartProcess", "syscall.StartProcess", "syscall.ForkExec", "syscall.Exec",
		},
		"looks for a program in PATH: there are no executable files to run": {"os/exec.LookPath"},
		"signals or waits for another process: there are none (ENOSYS)": {
			"(*os.Process).Kill", "(*os.Process).Signal", "(*os.Process).Wait", "syscall.Kill", "syscall.Wait4",
		},
		"loads a plugin: there is no dynamic linking (plugin.Open fails)": {"plugin.Open"},
		"a raw system call: there is no kernel under the program (ENOSYS)": {
			"syscall.Syscall", "syscall.Syscall6", "syscall.RawSyscall", "syscall.RawSyscall6",
		},
		"a socket system call: sockets are package net's own stack, not syscall's (ENOSYS); use net": {
			"syscall.Socket", "syscall.Bind", "syscall.Connect", "syscall.Listen", "syscall.Accept", "syscall.Socketpair",
			"syscall.SetsockoptInt", "syscall.Sendto", "syscall.Recvfrom",
		},
		"needs a file descriptor behind a network connection: there is none on xen": {
			"net.FileConn", "net.FileListener", "net.FilePacketConn",
			"(*net.TCPConn).File", "(*net.UDPConn).File", "(*net.UnixConn).File", "(*net.IPConn).File",
			"(*net.TCPListener).File", "(*net.UnixListener).File",
		},
		"looks up a user or group: only root (uid 0, /etc/passwd) exists unless a boot module brings an /etc/passwd": {
			"os/user.Lookup", "os/user.LookupId", "os/user.LookupGroup", "os/user.LookupGroupId",
		},
	} {
		for _, n := range names {
			failingCalls[n] = why
		}
	}
}

// Signals: Linux's numbers (syscall's on xen) and the ones a domain gets:
// SIGTERM when the toolstack shuts it down; SIGINT is let through as the
// other half of the usual pair.
var (
	signalNames = map[int64]string{1: "SIGHUP", 3: "SIGQUIT", 5: "SIGTRAP", 6: "SIGABRT", 10: "SIGUSR1",
		12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 17: "SIGCHLD", 18: "SIGCONT", 20: "SIGTSTP",
		23: "SIGURG", 26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO"}
	deliveredSignals = map[int64]bool{2: true, 15: true}
)

// procFiles are the synthetic /proc's files (syscall/proc_xen.go); PID
// stands for self, 1 or a format verb.
var procFiles = setOf("/proc /proc/self /proc/PID /proc/meminfo /proc/cpuinfo /proc/uptime /proc/stat " +
	"/proc/PID/stat /proc/PID/status /proc/PID/limits /proc/PID/cmdline /proc/PID/environ /proc/PID/fd")

// linuxOnlyPath says why a path a program names does not exist on xen, or
// "" if it does or is not a /proc or /sys path.
func linuxOnlyPath(p string) string {
	if p == "/sys" || strings.HasPrefix(p, "/sys/") {
		return "/sys does not exist on xen"
	}
	if p != "/proc" && !strings.HasPrefix(p, "/proc/") {
		return ""
	}
	norm := strings.TrimSuffix(p, "/")
	parts := strings.Split(norm, "/")
	if len(parts) > 2 {
		switch v := parts[2]; {
		case v == "self" || v == "1" || v == "thread-self" || strings.HasPrefix(v, "%"):
			parts[2] = "PID"
		}
	}
	norm = strings.Join(parts, "/")
	if procFiles[norm] || strings.HasPrefix(norm, "/proc/PID/fd/") {
		return ""
	}
	return "not in xen's synthetic /proc (it has meminfo, cpuinfo, uptime, stat and self/{stat,status,limits,cmdline,environ,fd})"
}

// checkReach builds the programs' SSA form, finds what is reachable from
// their main and init functions (rapid type analysis), and reports the
// calls there that always fail on xen and the /proc and /sys paths named
// there that xen lacks. Code in std is left out: what std does on xen is
// the port's business, and is documented. It needs every package to build
// (with the files of overlay, if any).
func checkReach(dir string, patterns []string, overlay map[string][]byte) ([]reachFinding, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps |
			packages.NeedModule | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir:     dir,
		Env:     append(os.Environ(), "GOOS=xen", "GOARCH=amd64", "CGO_ENABLED=0"),
		Overlay: overlay,
	}
	roots, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	if n := packages.PrintErrors(roots); n > 0 {
		return nil, fmt.Errorf("%d errors loading the packages (above): the reachability check needs them to build", n)
	}
	prog, pkgs := ssautil.AllPackages(roots, ssa.InstantiateGenerics)
	prog.Build()
	var fns []*ssa.Function
	for i, p := range pkgs {
		if p == nil || roots[i].Name != "main" {
			continue
		}
		for _, name := range []string{"main", "init"} {
			if f := p.Func(name); f != nil {
				fns = append(fns, f)
			}
		}
	}
	if len(fns) == 0 {
		return nil, nil
	}
	modules := map[*types.Package]*packages.Module{}
	packages.Visit(roots, nil, func(p *packages.Package) { modules[p.Types] = p.Module })
	res := rta.Analyze(fns, false)
	seen := map[string]bool{}
	var out []reachFinding
	for fn := range res.Reachable {
		pkg := fn.Pkg
		if fn.Origin() != nil {
			pkg = fn.Origin().Pkg
		}
		if pkg == nil || modules[pkg.Pkg] == nil { // std (or synthetic)
			continue
		}
		mod := ""
		if m := modules[pkg.Pkg]; !m.Main {
			mod = m.Path + "@" + m.Version
		}
		add := func(pos token.Pos, what, kind, why string) {
			if !pos.IsValid() {
				pos = fn.Pos()
			}
			position := prog.Fset.Position(pos)
			f := reachFinding{Pos: position.String(), Pkg: pkg.Pkg.Path(), Module: mod,
				Func: fn.String(), What: what, Kind: kind, Why: why, position: position}
			if key := f.Pos + f.What; !seen[key] {
				seen[key] = true
				out = append(out, f)
			}
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				for _, op := range instr.Operands(nil) {
					if c, ok := (*op).(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.String {
						if p := constant.StringVal(c.Value); linuxOnlyPath(p) != "" {
							add(instr.Pos(), p, "file", linuxOnlyPath(p))
						}
					}
				}
				call, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				callee := call.Common().StaticCallee()
				if callee == nil {
					continue
				}
				name := callee.String()
				if why, ok := failingCalls[name]; ok {
					add(call.Pos(), name, "call", why)
				}
				if name == "os/signal.Notify" {
					for _, s := range notifiedSignals(call.Common().Args) {
						if !deliveredSignals[s] {
							n := signalNames[s]
							if n == "" {
								n = fmt.Sprintf("signal %d", s)
							}
							add(call.Pos(), "os/signal.Notify("+n+")", "call",
								"never delivered on xen: the toolstack sends only SIGTERM (shutdown)")
						}
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Pos < out[j].Pos || out[i].Pos == out[j].Pos && out[i].What < out[j].What
	})
	return out, nil
}

// notifiedSignals are the constant signals of a call to signal.Notify:
// its variadic slice's elements, stored into the slice's array.
func notifiedSignals(args []ssa.Value) []int64 {
	if len(args) < 2 {
		return nil
	}
	sl, ok := args[1].(*ssa.Slice)
	if !ok {
		return nil
	}
	alloc, ok := sl.X.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var sigs []int64
	for _, r := range *alloc.Referrers() {
		ia, ok := r.(*ssa.IndexAddr)
		if !ok {
			continue
		}
		for _, r2 := range *ia.Referrers() {
			st, ok := r2.(*ssa.Store)
			if !ok {
				continue
			}
			v := st.Val
			if mi, ok := v.(*ssa.MakeInterface); ok {
				v = mi.X
			}
			if c, ok := v.(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.Int {
				if n, ok := constant.Int64Val(c.Value); ok {
					sigs = append(sigs, n)
				}
			}
		}
	}
	return sigs
}

func reportReach(w io.Writer, findings []reachFinding) {
	if len(findings) == 0 {
		fmt.Fprintln(w, "no call reachable from main always fails on GOOS=xen, and no /proc or /sys path it names is missing")
		return
	}
	fmt.Fprintf(w, "reachable from main, and will not work on GOOS=xen:\n")
	for _, f := range findings {
		where := f.Pkg
		if f.Module != "" {
			where += " (" + f.Module + ")"
		}
		switch f.Kind {
		case "file":
			fmt.Fprintf(w, "%s: reads %q: %s\n\tin %s, %s\n", f.Pos, f.What, f.Why, f.Func, where)
		default:
			fmt.Fprintf(w, "%s: calls %s: %s\n\tin %s, %s\n", f.Pos, f.What, f.Why, f.Func, where)
		}
	}
}
