// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"fmt"
	"strings"
	"time"
)

// DefaultTimeout is the limit of a run when neither GOXEN_TIMEOUT nor
// -test.timeout says otherwise.
const DefaultTimeout = 20 * time.Minute

// TestTimeoutGrace is how long after a test binary's -test.timeout the runner
// kills the machine: long enough for the boot (which the program's clock does
// not count) and for the testing package's own "test timed out" panic with
// its goroutine dump; shorter than the minute cmd/go waits before it kills
// the runner itself.
const TestTimeoutGrace = 30 * time.Second

// TestTimeout finds a testing flag -test.timeout among a program's arguments,
// in any of the forms the flag package accepts (-test.timeout=D,
// --test.timeout=D, -test.timeout D), before a "--" that ends the flags. The
// last one wins, as in the flag package. ok is false if there is none or
// its value is not a duration (the program then reports that itself).
func TestTimeout(args []string) (d time.Duration, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(a, "=")
		if name != "-test.timeout" && name != "--test.timeout" {
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				break
			}
			i++
			value = args[i]
		}
		v, err := time.ParseDuration(value)
		if err != nil {
			ok = false
			continue
		}
		d, ok = v, true
	}
	return d, ok
}

// Timeout decides how long a run may take (0: no limit) from GOXEN_TIMEOUT
// (env; set reports whether it is set and not empty) and the program's
// arguments, and says why in a few words:
//
//   - GOXEN_TIMEOUT=D sets the limit; 0 means none.
//   - -test.timeout=D among the arguments (D > 0) sets it to D plus
//     TestTimeoutGrace, so that the test's own timeout reports first;
//     -test.timeout=0 means none.
//   - With both, the shorter limit wins (0 counting as none); with neither,
//     DefaultTimeout.
func Timeout(env string, set bool, args []string) (limit time.Duration, why string, err error) {
	var envLimit time.Duration
	if set {
		envLimit, err = time.ParseDuration(env)
		if err != nil || envLimit < 0 {
			return 0, "", fmt.Errorf("GOXEN_TIMEOUT=%s: not a duration such as 90s or 20m (0 for no limit)", env)
		}
	}
	testD, haveTest := TestTimeout(args)
	if haveTest && testD < 0 {
		haveTest = false
	}
	switch {
	case set && haveTest && testD > 0 && (envLimit == 0 || testD+TestTimeoutGrace < envLimit):
		return testD + TestTimeoutGrace, fmt.Sprintf("-test.timeout=%v plus %v", testD, TestTimeoutGrace), nil
	case set:
		return envLimit, "GOXEN_TIMEOUT=" + env, nil
	case haveTest && testD > 0:
		return testD + TestTimeoutGrace, fmt.Sprintf("-test.timeout=%v plus %v", testD, TestTimeoutGrace), nil
	case haveTest:
		return 0, "-test.timeout=0", nil
	}
	return DefaultTimeout, fmt.Sprintf("the default %v; set GOXEN_TIMEOUT to change it", DefaultTimeout), nil
}
