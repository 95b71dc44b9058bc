// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package evtchn is the one owner of event channels outside the runtime:
// Xen's doorbells between domains (xen/include/public/event_channel.h),
// used by xenstore, syscall/xen and the split device drivers.
//
// A Channel is this domain's end of an event channel. Notify rings the
// other end; Wait blocks the goroutine until the other end rings (through
// the runtime's event loop: the vCPU sleeps meanwhile). Events are
// edge-triggered and coalesce: an event that arrives while no goroutine
// waits is remembered, once, for the next Wait, and one return from Wait
// may stand for several events, so callers look at their shared state
// after every return.
//
// The package is plain Go over the Xen interface: on GOOS=xen, Local is the
// runtime's implementation (evtchn_xen.go); host tests give a fake
// (internal/xen/xenfake), so the logic above the hypercalls builds and
// runs on linux too.
package evtchn
