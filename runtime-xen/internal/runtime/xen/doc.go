// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xen is the runtime's view of Xen: the hypercall interface, the layouts
// the hypervisor shares with a PVH guest, and the few privileged x86
// instructions the runtime needs. It is to GOOS=xen what
// internal/runtime/syscall/linux is to Linux.
//
// Every number here comes from Xen's public headers (xen/include/public); each
// group names its header. The package is imported by the runtime, so it must not
// allocate and its functions must be safe to call without a g.
package xen
