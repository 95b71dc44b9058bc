// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package x509

// Where a Xen guest looks for system roots: the files and directories a boot
// module unpacked into / would hold, in Debian's layout first.
var certFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
}

var certDirectories = []string{
	"/etc/ssl/certs",
}
