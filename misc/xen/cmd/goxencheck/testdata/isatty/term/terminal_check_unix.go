//go:build (linux || aix || zos) && !tinygo

package term

func isTerminal(fd int) bool { return fd < 3 }
