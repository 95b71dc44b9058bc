// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package sysrand

import _ "unsafe" // for go:linkname

// read fills b with random bytes from the CPU (RDSEED, else RDRAND), through
// the runtime, which refuses to boot on a CPU with neither.
func read(b []byte) error {
	runtime_readRandom(b)
	return nil
}

// It keeps no reference to b, so a caller's buffer can stay on its stack.
//
//go:linkname runtime_readRandom
//go:noescape
func runtime_readRandom(b []byte)
