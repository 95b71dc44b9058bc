// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package os

import "errors"

// The image a Xen guest was booted from is not a file it can see.
func executable() (string, error) {
	return "", errors.New("Executable not implemented for xen")
}
