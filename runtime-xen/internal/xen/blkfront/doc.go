// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package blkfront is the frontend of Xen's paravirtual disks
// (xen/include/public/io/blkif.h): for each device/vbd/N of the domain it
// does the xenbus handshake with the backend (Linux's blkback, usually),
// shares a request ring and pages with it, and offers the disk as a Disk:
// ReadAt, WriteAt and Flush at any offset and length, from many goroutines
// at once. On GOOS=xen the disks become the files /dev/xvda, /dev/xvdb, ...
// (see internal/xen/devfs and syscall's file system).
//
// # Protocol
//
// The handshake follows blkif.h's state diagram: at the backend's
// InitWait the driver reads max-ring-page-order and
// feature-max-indirect-segments, grants a ring of up to 16 pages
// (ring-ref or ring-refN and ring-page-order), allocates an event channel,
// and publishes them with protocol=x86_64-abi and feature-persistent=1 in
// one transaction, with the state Initialised; at the backend's Connected
// it reads sectors, sector-size, physical-sector-size, info (read-only,
// CD-ROM, removable), mode, feature-flush-cache, feature-barrier and
// feature-persistent, and connects.
//
// Data moves through a pool of pages granted to the backend once and
// reused for every request (so the backend may keep them mapped:
// feature-persistent); writes are copied into them, reads copied out of
// them once, when the response has been checked. A request carries up to
// 11 pages, or up to 256 through an indirect page (1 MiB) when the backend
// offers indirect segments. Requests wait for ring slots and pool pages in
// arrival order; none is dropped. Flush is BLKIF_OP_FLUSH_DISKCACHE, or
// WRITE_BARRIER when that is all the backend offers; with neither the
// backend has no volatile cache to flush and Flush returns at once.
//
// # An untrusted backend
//
// Every response is copied out of the ring once and checked: its id must
// name a request in flight and its operation that request's. A response
// that fails the check, a response index beyond the requests in flight, a
// backend that leaves the Connected state (or whose directory goes away),
// or a request unanswered for Config.RequestTimeout breaks the disk: every
// request in flight and every later one fails with EIO, and the pages the
// backend may still map are never reused. An error status fails only its
// request (EIO). Values read from xenstore are range-checked; a disk whose
// keys are malformed is not connected.
//
// # Memory and grants
//
// The pool grows on demand up to Config.MaxPages pages (default 512, 2
// MiB), shrinking its limit if the grant table runs out, so a disk costs
// a few grants until it is used; each disk has its own pool, so no page
// carries one backend's data to another. The ring, the pool and the
// indirect pages are zeroed when allocated.
//
// The logic is plain Go over interfaces (xenstore client, event channels,
// grant table, page allocator) and is tested on the host against the fake
// backend of internal/xen/xenfake; blkfront_xen.go binds it to the
// domain's own and registers the probe of /dev.
package blkfront
