//go:build js || nacl || plan9 || wasi || wasip1 || tinygo

package term

func checkIfTerminal(fd int) bool { return false }
