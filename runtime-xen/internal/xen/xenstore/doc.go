// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xenstore is a client of Xen's xenstore: the wire protocol of
// xen/include/public/io/xs_wire.h and docs/misc/xenstore.txt, the byte rings
// of the shared xenstore page, and a Client that multiplexes requests, watches
// and transactions from many goroutines over one connection.
//
// It is plain Go: the event channel and the mapping of the ring page are
// supplied by the caller (see NewRing), so the package builds and is tested
// on any GOOS against an in-memory xenstored.
package xenstore
