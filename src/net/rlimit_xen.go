// Copyright 2026 The Go for Xen Authors.

package net

// concurrentThreadsLimit bounds concurrent blocking lookups; a Xen guest runs
// them all as goroutines on one vCPU, so the bound only limits memory.
func concurrentThreadsLimit() int {
	return 500
}
