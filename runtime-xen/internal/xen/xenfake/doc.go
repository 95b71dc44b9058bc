// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xenfake is a fake Xen for host tests of the GOOS=xen packages in
// internal/xen: a xenstored (Store), domains with event channels between
// them (Xen, implementing internal/xen/evtchn.Xen), grant tables whose pages
// a fake backend can map (Grants), and the pieces fake backends are made
// of. It is for tests only: nothing on GOOS=xen imports it, and it never
// stands in for the real Xen, whose own tests run under the emulator.
package xenfake
