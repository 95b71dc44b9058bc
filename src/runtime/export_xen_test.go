// Copyright 2026 The Go for Xen Authors.

// Export guts of the xen runtime for upcall_xen_test.go.

package runtime

var (
	XenTestUpcallRepeated    = xenTestUpcallRepeated
	XenTestUpcallOutsideHalt = xenTestUpcallOutsideHalt
)

func XenHaltSP() uintptr { return xenHaltSP }
