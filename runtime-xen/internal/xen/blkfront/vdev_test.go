// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// os imports this package on xen, so tests that import testing (and so
// os) run on the host only.

//go:build !xen

package blkfront

import "testing"

// Device numbers as docs/misc/vbd-interface.txt encodes them, with the
// names Linux's blkfront gives them and its device numbers.
func TestVdev(t *testing.T) {
	for _, tc := range []struct {
		id   string
		name string
		rdev uint64
	}{
		{"51712", "xvda", 202<<8 | 0},
		{"51728", "xvdb", 202<<8 | 16},
		{"51729", "xvdb1", 202<<8 | 17},
		{"51952", "xvdp", 202<<8 | 240},
		{"768", "xvda", 202<<8 | 0},         // hda
		{"832", "xvdb", 202<<8 | 16},        // hdb
		{"5632", "xvdc", 202<<8 | 32},       // hdc
		{"2050", "xvda2", 202<<8 | 2},       // sda2
		{"268435456", "xvda", 202<<8 | 0},   // 1<<28 | 0<<8
		{"268439552", "xvdq", 16828928},     // disk 16: minor 16<<8 in Linux's dev_t encoding
		{"268442368", "xvdab", 0},           // disk 27
		{"268572709", "xvdtq37", 562088485}, // d536p37, the document's example
	} {
		v, err := parseVdev(tc.id)
		if err != nil {
			t.Errorf("%s: %v", tc.id, err)
			continue
		}
		if v.name() != tc.name {
			t.Errorf("%s: name %s, want %s", tc.id, v.name(), tc.name)
		}
		if tc.rdev != 0 && v.rdev() != tc.rdev {
			t.Errorf("%s: rdev %#x, want %#x", tc.id, v.rdev(), tc.rdev)
		}
	}
	for _, id := range []string{"", "x", "-1", "0x100", "051712", "536870912", "1", "99999999999"} {
		if _, err := parseVdev(id); err == nil {
			t.Errorf("%q: accepted", id)
		}
	}
	// Bijective base 26: 25 is z, 26 aa, 701 zz, 702 aaa.
	for disk, name := range map[int]string{25: "xvdz", 26: "xvdaa", 701: "xvdzz", 702: "xvdaaa"} {
		if got := (vdev{disk: disk}).name(); got != name {
			t.Errorf("disk %d: %s, want %s", disk, got, name)
		}
	}
}
