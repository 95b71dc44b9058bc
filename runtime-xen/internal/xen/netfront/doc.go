// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package netfront is the frontend of Xen's paravirtual network
// interfaces (vifs, xen/include/public/io/netif.h): for each device/vif/N
// of the domain it does the xenbus handshake with the backend (Linux's
// netback, usually), shares a transmit and a receive ring with it, and
// offers the vif as an Ethernet device that internal/xen/netstack makes an
// interface of (eth0, eth1, ...).
//
// # Protocol
//
// At the backend's InitWait the driver requires feature-rx-copy (Linux's
// netback has no other receive path), reads feature-sg, the MAC address
// (the frontend's mac key, which libxl writes) and the MTU (its mtu key,
// default 1500; capped at 1500 without scatter-gather, as Linux's
// netfront does), grants one page for each ring and 256 receive buffers,
// allocates one event channel, and publishes tx-ring-ref, rx-ring-ref,
// event-channel, request-rx-copy=1, feature-rx-notify=1 and feature-sg in
// one transaction with the state Connected (netback connects on that
// transition only).
//
// Receive buffers are granted once and reused; the backend copies each
// packet into them. A packet over several slots (more_data, with
// scatter-gather) is reassembled; extra-info slots are skipped (nothing
// that sends them is negotiated). Packets that the backend marks
// csum_blank carry only the pseudo-header sum, and the driver completes
// the TCP or UDP checksum (checksum.go) before the stack checks it.
// Transmitted frames carry full checksums and are copied into pages
// granted read-only on first use and reused; a frame larger than a page
// takes several slots. A transmit waits for ring space (never drops).
// Received packets are never dropped by the driver either: when the stack
// is a ring's worth of packets behind, the driver stops taking the
// backend's until it catches up (the backend then queues or drops, as for
// a busy NIC).
//
// Not implemented, on purpose: GSO/TSO (the stack segments; measured
// throughput is bounded by the emulated CPU, not by per-packet ring
// costs), multiple queues and split event channels (one vCPU: one queue
// and one channel serve it), multicast control and XDP headroom.
//
// # An untrusted backend
//
// Every response is copied out of the ring once and checked: a transmit
// response must name a request in flight; a receive response must carry
// its slot's id and a size and offset inside its page; the response index
// may not pass the requests outstanding. Packet data is copied out of the
// shared page once, before it is parsed. A backend that breaks these
// rules, leaves Connected (xl network-detach) or frees no transmit slot
// for Config.TxTimeout breaks the vif: Receive and Transmit fail from then
// on, Done is closed, and the stack removes the interface; pages whose
// grants the backend still holds are never reused.
//
// The logic is plain Go over interfaces (xenstore client, event channels,
// grant table, page allocator) and is tested on the host against the fake
// backend of internal/xen/xenfake; netfront_xen.go binds it to the
// domain's own.
package netfront
