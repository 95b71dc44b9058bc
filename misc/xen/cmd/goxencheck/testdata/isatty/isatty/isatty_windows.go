//go:build windows && !appengine

package isatty

func IsTerminal(fd uintptr) bool { return true }

func IsCygwinTerminal(fd uintptr) bool { return false }
