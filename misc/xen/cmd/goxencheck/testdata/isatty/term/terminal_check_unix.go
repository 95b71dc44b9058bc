//go:build linux && !js

package term

func isTerminal(fd int) bool { return fd < 3 }
