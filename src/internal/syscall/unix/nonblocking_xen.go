// Copyright 2026 The Go for Xen Authors.

package unix

// Xen's files never block (the file system is in memory), so no descriptor is
// in non-blocking mode.
func IsNonblock(fd int) (nonblocking bool, err error) {
	return false, nil
}

func HasNonblockFlag(flag int) bool {
	return false
}
