// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package unix

import "syscall"

// Fcntl is not supported on Xen's in-memory files.
func Fcntl(fd int, cmd int, arg int) (int, error) {
	return 0, syscall.ENOSYS
}
