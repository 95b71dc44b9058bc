// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import "strings"

// The guest's environment is the runner's, as go_js_wasm_exec passes node's
// whole environment to a js/wasm program, less three kinds of variables:
//
//  1. Names the command line grammar cannot carry: anything but letters,
//     digits and _ (not starting with a digit), such as bash's exported
//     functions (BASH_FUNC_f%%). The runtime would read them as arguments.
//  2. The runner's own settings (GOXEN_TIMEOUT, GOXEN_MEMORY, ...): they
//     configure the emulator around the program, not the program.
//  3. Variables that describe the host's session or name host paths and
//     sockets that do not exist inside the domain, whose own file system
//     starts with only /, /dev and /tmp, and whose working directory is /:
//     TMPDIR (the host's temporary directory would make os.TempDir and
//     os.MkdirTemp("", ...) fail; the guest falls back to its own /tmp),
//     PWD and OLDPWD, the display (DISPLAY, WAYLAND_DISPLAY, XAUTHORITY), the
//     login session (XDG_RUNTIME_DIR, XDG_SESSION_*, DBUS_SESSION_BUS_ADDRESS,
//     SESSION_MANAGER), agents (SSH_AUTH_SOCK, SSH_AGENT_PID, GPG_AGENT_INFO),
//     the SSH connection (SSH_CLIENT, SSH_CONNECTION, SSH_TTY), and the
//     interactive shell's decoration (LS_COLORS, TERMCAP, WINDOWID, SHLVL, _).
//
// Everything else is passed, in order: GODEBUG, GOGC, GOTRACEBACK, HOME,
// PATH, LANG, TERM, the test's own variables.

// runnerEnv are the variables that configure the runner.
var runnerEnv = map[string]bool{
	"GOXEN_TIMEOUT": true,
	"GOXEN_MEMORY":  true,
	"GOXEN_XEN":     true,
	"GOXEN_QEMU":    true,
	"GOXEN_MODE":    true,
	"GOXEN_VERBOSE": true,
	"GOXEN_FILES":   true,
}

// hostOnlyEnv are variables of kind 3 above.
var hostOnlyEnv = map[string]bool{
	"TMPDIR":                   true,
	"PWD":                      true,
	"OLDPWD":                   true,
	"DISPLAY":                  true,
	"WAYLAND_DISPLAY":          true,
	"XAUTHORITY":               true,
	"XDG_RUNTIME_DIR":          true,
	"DBUS_SESSION_BUS_ADDRESS": true,
	"SESSION_MANAGER":          true,
	"SSH_AUTH_SOCK":            true,
	"SSH_AGENT_PID":            true,
	"GPG_AGENT_INFO":           true,
	"SSH_CLIENT":               true,
	"SSH_CONNECTION":           true,
	"SSH_TTY":                  true,
	"LS_COLORS":                true,
	"TERMCAP":                  true,
	"WINDOWID":                 true,
	"SHLVL":                    true,
	"_":                        true,
}

// GuestEnv returns the environment to give the guest from the runner's
// environment (NAME=VALUE entries, as os.Environ returns them).
func GuestEnv(environ []string) []string {
	var env []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || !IsEnvName(name) || runnerEnv[name] || hostOnlyEnv[name] ||
			strings.HasPrefix(name, "XDG_SESSION_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
