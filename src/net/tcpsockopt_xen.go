// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package net

import (
	"internal/xen/netapi"
	"time"
)

// As tcpsockopt_unix.go and tcpsockopt_posix.go do on Linux.

func setNoDelay(fd *netFD, noDelay bool) error {
	return setsockopt(fd, netapi.NoDelay, boolint(noDelay))
}

func setKeepAliveIdle(fd *netFD, d time.Duration) error {
	if d == 0 {
		d = defaultTCPKeepAliveIdle
	} else if d < 0 {
		return nil
	}
	// The stack expects seconds so round to next highest second.
	return setsockopt(fd, netapi.KeepAliveIdle, int(roundDurationUp(d, time.Second)))
}

func setKeepAliveInterval(fd *netFD, d time.Duration) error {
	if d == 0 {
		d = defaultTCPKeepAliveInterval
	} else if d < 0 {
		return nil
	}
	return setsockopt(fd, netapi.KeepAliveIntvl, int(roundDurationUp(d, time.Second)))
}

func setKeepAliveCount(fd *netFD, n int) error {
	if n == 0 {
		n = defaultTCPKeepAliveCount
	} else if n < 0 {
		return nil
	}
	return setsockopt(fd, netapi.KeepAliveCount, n)
}
