// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package net

// concurrentThreadsLimit bounds concurrent blocking lookups; a Xen guest runs
// them all as goroutines on one vCPU, so the bound only limits memory.
func concurrentThreadsLimit() int {
	return 500
}
