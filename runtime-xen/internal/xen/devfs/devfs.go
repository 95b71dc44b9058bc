// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package devfs is where the file system learns which block devices the
// domain has. It sits below syscall, which serves /dev and cannot import
// the drivers (they use syscall themselves); a driver registers a probe,
// and syscall runs it the first time a program looks in /dev for a name
// it does not know, or lists /dev. A program that never looks pays
// nothing at boot.
package devfs

import "sync"

// A BlockDevice is a disk as a file: /dev/NAME. ReadAt and WriteAt take
// any offset and length (the driver reads and writes whole sectors and
// merges at the edges) and have the semantics of Linux's buffered block
// devices at the end of the disk: a read at or past the end returns 0
// bytes, one across it a short count; a write at or past the end fails
// with ENOSPC, one across it writes up to the end and returns a short
// count. Errors are syscall.Errno values. The methods may be called from
// many goroutines at once.
type BlockDevice interface {
	// Name is the file's name in /dev ("xvda").
	Name() string
	// Size is the disk's size in bytes.
	Size() int64
	// ReadOnly reports a disk the backend offers read-only.
	ReadOnly() bool
	// Rdev is the device number Stat reports (major<<8 | minor, as Linux
	// numbers its Xen disks).
	Rdev() uint64
	// BlockSize is the preferred I/O size (Stat's Blksize).
	BlockSize() int
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	// Flush returns when the data of every write that completed before
	// it is on the backend's stable storage.
	Flush() error
}

var (
	mu     sync.Mutex
	probes []func() []BlockDevice
	ran    int // probes[:ran] have run
	found  []BlockDevice
)

// RegisterProbe adds a function that finds block devices. It is called at
// most once, by Devices.
func RegisterProbe(probe func() []BlockDevice) {
	mu.Lock()
	defer mu.Unlock()
	probes = append(probes, probe)
}

// Devices runs the probes that have not run yet (all of them the first
// time; one registered later, at the next call) and returns the devices
// found so far.
func Devices() []BlockDevice {
	mu.Lock()
	defer mu.Unlock()
	for ; ran < len(probes); ran++ {
		found = append(found, probes[ran]()...)
	}
	return found
}

// Pending reports whether a probe has not run yet.
func Pending() bool {
	mu.Lock()
	defer mu.Unlock()
	return ran < len(probes)
}
