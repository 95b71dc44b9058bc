//go:build (appengine || js || nacl || tinygo || wasm) && !windows

package isatty

func IsTerminal(fd uintptr) bool { return false }

func IsCygwinTerminal(fd uintptr) bool { return false }
