// Package term reproduces github.com/sirupsen/logrus's terminal check: the
// common file calls a function that only per-platform files define.
//go:build !appengine && !js && !windows && !nacl && !plan9

package term

func checkIfTerminal(fd int) bool { return isTerminal(fd) }
