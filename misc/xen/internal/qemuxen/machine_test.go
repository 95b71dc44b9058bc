// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"strings"
	"testing"
)

func TestParseMemory(t *testing.T) {
	for _, tt := range []struct {
		s   string
		mib int
	}{
		{"512", 512}, {"64", 64}, {"4", 4}, {"256M", 256}, {"256MiB", 256}, {"1G", 1024}, {"2GiB", 2048},
		{" 128 ", 128},
	} {
		if got, err := ParseMemory(tt.s); err != nil || got != tt.mib {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", tt.s, got, err, tt.mib)
		}
	}
	for _, s := range []string{"", "0", "-1", "3", "abc", "1.5G", "12K", "1T", "99999999999", "0x100", "1048577", "1025G"} {
		if got, err := ParseMemory(s); err == nil {
			t.Errorf("ParseMemory(%q) = %d, want an error", s, got)
		} else if !strings.Contains(err.Error(), "GOXEN_MEMORY") {
			t.Errorf("ParseMemory(%q): error %q does not name GOXEN_MEMORY", s, err)
		}
	}
}

func TestXenOverhead(t *testing.T) {
	// Measured minimums of extra machine memory for a dom0 of N MiB.
	for mem, need := range map[int]int{64: 12, 512: 16, 2048: 40, 4096: 80} {
		if got := XenOverhead(mem); got < need {
			t.Errorf("XenOverhead(%d) = %d, measured need %d", mem, got, need)
		}
	}
	// The boot modules come on top, rounded up to MiB.
	if got, want := MachineMemory(512, 36<<20+1), 512+XenOverhead(512)+37; got != want {
		t.Errorf("MachineMemory(512, 36 MiB + 1) = %d, want %d", got, want)
	}
}

// Every CPU model gets the invariant TSC, unless it says otherwise.
func TestCPUModel(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "max,invtsc=on,x-force-features=on"},
		{"max,rdrand=off,rdseed=off", "max,rdrand=off,rdseed=off,invtsc=on,x-force-features=on"},
		{"max,-invtsc", "max,-invtsc"},
	} {
		if got := CPUModel(tt.in); got != tt.want {
			t.Errorf("CPUModel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
