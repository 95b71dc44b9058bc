// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package os

// The domain's disks are files in /dev (/dev/xvda, ...): the driver's init
// registers its probe with the file system, which runs it when a program
// first looks in /dev.
import _ "internal/xen/blkfront"
