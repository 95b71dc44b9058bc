// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package blkfront

import (
	"errors"
	"internal/strconv"
)

// A vdev is a virtual device number, the name of a device's xenstore
// directory (device/vbd/51712), which says which disk and partition the
// toolstack meant (Xen's docs/misc/vbd-interface.txt):
//
//	1 << 28 | disk << 8 | partition      xvd, disks or partitions 16 onwards
//	202 << 8 | disk << 4 | partition     xvd, disks and partitions up to 15
//	8 << 8 | disk << 4 | partition       sd, disks and partitions up to 15
//	3 << 8 | disk << 6 | partition       hd, disks 0..1, partitions 0..63
//	22 << 8 | (disk-2) << 6 | partition  hd, disks 2..3, partitions 0..63
//
// Every kind is named as Linux's blkfront names Xen disks in a PV guest:
// xvd, the disk as letters (a..z, aa..zz, ...), and the partition number
// unless it is 0 (the whole disk): 51712 is xvda, 51729 xvdb1.
type vdev struct {
	disk, partition int
}

const (
	xvdMajor      = 202 // XENVBD_MAJOR: the device number Linux gives Xen disks
	extendedShift = 28
)

var errVdev = errors.New("blkfront: not a virtual device number of docs/misc/vbd-interface.txt")

func parseVdev(id string) (vdev, error) {
	n, err := strconv.Atoi(id)
	if err != nil || n < 0 || strconv.Itoa(n) != id {
		return vdev{}, errVdev
	}
	switch {
	case n>>extendedShift == 1:
		return vdev{disk: n >> 8 & (1<<20 - 1), partition: n & 0xff}, nil
	case n>>extendedShift != 0:
		return vdev{}, errVdev // reserved
	}
	switch n >> 8 {
	case xvdMajor:
		return vdev{disk: n >> 4 & 0xf, partition: n & 0xf}, nil
	case 8: // sd
		return vdev{disk: n >> 4 & 0xf, partition: n & 0xf}, nil
	case 3: // hd
		return vdev{disk: n >> 6 & 1, partition: n & 0x3f}, nil
	case 22: // hd
		return vdev{disk: 2 + n>>6&1, partition: n & 0x3f}, nil
	}
	return vdev{}, errVdev
}

func (v vdev) before(w vdev) bool {
	return v.disk < w.disk || v.disk == w.disk && v.partition < w.partition
}

// name is the device file's name in /dev.
func (v vdev) name() string {
	// The disk number in bijective base 26: a..z, aa..az, ba, ...
	var letters [8]byte
	i := len(letters)
	for n := v.disk + 1; n > 0; n = (n - 1) / 26 {
		i--
		letters[i] = byte('a' + (n-1)%26)
	}
	s := "xvd" + string(letters[i:])
	if v.partition != 0 {
		s += strconv.Itoa(v.partition)
	}
	return s
}

// rdev is the device number, as Linux's blkfront numbers Xen disks (major
// 202, 16 minors a disk below disk 16, 256 from there) in the encoding of
// a Linux stat's st_rdev.
func (v vdev) rdev() uint64 {
	minor := uint64(v.disk*16 + v.partition)
	if v.disk >= 16 || v.partition >= 16 {
		minor = uint64(v.disk<<8 | v.partition)
	}
	return minor&0xff | xvdMajor<<8 | (minor&^0xff)<<12
}
