//go:build (linux || aix || zos) && !appengine && !tinygo

package isatty

func IsTerminal(fd uintptr) bool { return fd < 3 }

func IsCygwinTerminal(fd uintptr) bool { return false }
