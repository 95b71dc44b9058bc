// Package term reproduces github.com/sirupsen/logrus's terminal check: the
// common file, which names the platforms it leaves out, calls a function
// only per-platform files define; the fallback file names its platforms.
//go:build !appengine && !js && !windows && !nacl && !plan9 && !wasi && !wasip1 && !tinygo

package term

func checkIfTerminal(fd int) bool { return isTerminal(fd) }
