// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"testing"
	"time"
)

func TestTestTimeout(t *testing.T) {
	for _, tt := range []struct {
		args []string
		d    time.Duration
		ok   bool
	}{
		{nil, 0, false},
		{[]string{"-test.v", "-test.run", "X"}, 0, false},
		{[]string{"-test.timeout=10m0s"}, 10 * time.Minute, true},
		{[]string{"--test.timeout=3s"}, 3 * time.Second, true},
		{[]string{"-test.timeout", "90s", "-test.v"}, 90 * time.Second, true},
		{[]string{"--test.timeout", "1h"}, time.Hour, true},
		{[]string{"-test.timeout=0"}, 0, true},
		{[]string{"-test.timeout=1s", "-test.timeout=2s"}, 2 * time.Second, true},
		{[]string{"-test.timeout=bogus"}, 0, false},
		{[]string{"-test.timeout"}, 0, false},
		{[]string{"--", "-test.timeout=1s"}, 0, false},
		{[]string{"-test.timeoutx=1s", "-test.timeout.x=1s"}, 0, false},
		{[]string{"-test.run", "-test.timeout=5s"}, 5 * time.Second, true},
	} {
		d, ok := TestTimeout(tt.args)
		if d != tt.d || ok != tt.ok {
			t.Errorf("TestTimeout(%q) = %v, %v; want %v, %v", tt.args, d, ok, tt.d, tt.ok)
		}
	}
}

func TestTimeoutRules(t *testing.T) {
	g := TestTimeoutGrace
	for _, tt := range []struct {
		env   string
		set   bool
		args  []string
		limit time.Duration
		err   bool
	}{
		{"", false, nil, DefaultTimeout, false},
		{"5s", true, nil, 5 * time.Second, false},
		{"0", true, nil, 0, false},
		{"", false, []string{"-test.timeout=10m0s"}, 10*time.Minute + g, false},
		{"", false, []string{"-test.timeout=1h"}, time.Hour + g, false},
		{"", false, []string{"-test.timeout=0s"}, 0, false},
		{"5s", true, []string{"-test.timeout=10m"}, 5 * time.Second, false},
		{"1h", true, []string{"-test.timeout=1m"}, time.Minute + g, false},
		{"0", true, []string{"-test.timeout=1m"}, time.Minute + g, false},
		{"5s", true, []string{"-test.timeout=0"}, 5 * time.Second, false},
		{"bogus", true, nil, 0, true},
		{"-5s", true, nil, 0, true},
		{"10", true, nil, 0, true},
	} {
		limit, why, err := Timeout(tt.env, tt.set, tt.args)
		if (err != nil) != tt.err || limit != tt.limit {
			t.Errorf("Timeout(%q, %v, %q) = %v, %q, %v; want %v, error %v", tt.env, tt.set, tt.args, limit, why, err, tt.limit, tt.err)
		}
		if err == nil && why == "" {
			t.Errorf("Timeout(%q, %v, %q): no reason given", tt.env, tt.set, tt.args)
		}
	}
}
