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
// event-channel, request-rx-copy=1, feature-rx-notify=1, feature-sg and,
// with scatter-gather, feature-gso-tcpv4=1 and feature-gso-tcpv6=1 in one
// transaction with the state Connected (netback connects on that
// transition only).
//
// Receive buffers are granted once and reused; the backend copies each
// packet into them. A packet over several slots (more_data, with
// scatter-gather) is reassembled. A GSO extra after its first slot marks
// a TCP segment that dom0 did not cut (up to 18 pages; one with a zero
// segment size or an unknown type is dropped, as by Linux's netfront);
// other extras are skipped. Packets that the backend marks csum_blank
// carry only the pseudo-header sum, and the driver completes the TCP or
// UDP checksum (checksum.go) before the stack checks it.
// Transmitted frames are copied into pages granted read-only on first use
// and reused; a frame larger than a page takes several slots. When the
// backend offers feature-gso-tcpv4 and -tcpv6, the stack hands over TCP
// segments of up to 64 KiB with only the pseudo-header in their checksum
// (TransmitOffload): they go out with csum_blank|data_validated and a GSO
// extra after the first request, and netback cuts and completes them (or,
// for dom0's own stack, passes them up whole). The extras' responses have
// only a status (NULL) and free no id. A transmit waits for ring space
// (never drops).
// Received packets are never dropped by the driver either: when the stack
// is a ring's worth of packets behind, the driver stops taking the
// backend's until it catches up (the backend then queues or drops, as for
// a busy NIC).
//
// GSO is what makes the vif fast: gVisor's work per TCP segment, not the
// ring, bounded throughput (a 1500-byte segment cost the guest about
// 260 µs of emulated CPU), and with GSO one segment carries 44. Not
// implemented, on purpose: multiple queues and split event channels (one
// vCPU: one queue and one channel serve it), multicast control and XDP
// headroom. GOXEN_NETFRONT=no-gso turns GSO off, for comparisons.
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
