// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package net

import "internal/xen/netapi"

// The interfaces are the stack's: lo, and one per vif.

func interfaceTable(ifindex int) ([]Interface, error) {
	var ift []Interface
	for _, ni := range netapi.Interfaces() {
		if ifindex != 0 && ni.Index != ifindex {
			continue
		}
		ifi := Interface{Index: ni.Index, MTU: ni.MTU, Name: ni.Name}
		if len(ni.HardwareAddr) > 0 {
			ifi.HardwareAddr = HardwareAddr(append([]byte(nil), ni.HardwareAddr...))
		}
		for _, f := range []struct {
			netapi int
			net    Flags
		}{
			{netapi.FlagUp, FlagUp},
			{netapi.FlagBroadcast, FlagBroadcast},
			{netapi.FlagLoopback, FlagLoopback},
			{netapi.FlagPointToPoint, FlagPointToPoint},
			{netapi.FlagMulticast, FlagMulticast},
			{netapi.FlagRunning, FlagRunning},
		} {
			if ni.Flags&f.netapi != 0 {
				ifi.Flags |= f.net
			}
		}
		ift = append(ift, ifi)
	}
	return ift, nil
}

// interfaceAddrTable returns the addresses as Linux's does: *IPNet, an IPv4
// address in 16 bytes with a 4-byte mask.
func interfaceAddrTable(ifi *Interface) ([]Addr, error) {
	var ifat []Addr
	for _, ni := range netapi.Interfaces() {
		if ifi != nil && ni.Index != ifi.Index {
			continue
		}
		for _, p := range ni.Addrs {
			if p.Addr().Is4() {
				a := p.Addr().As4()
				ifat = append(ifat, &IPNet{IP: IPv4(a[0], a[1], a[2], a[3]), Mask: CIDRMask(p.Bits(), 8*IPv4len)})
			} else {
				ifat = append(ifat, &IPNet{IP: IP(p.Addr().AsSlice()), Mask: CIDRMask(p.Bits(), 8*IPv6len)})
			}
		}
	}
	return ifat, nil
}

func interfaceMulticastAddrTable(ifi *Interface) ([]Addr, error) {
	var ifmat []Addr
	for _, ni := range netapi.Interfaces() {
		if ni.Index != ifi.Index {
			continue
		}
		for _, a := range ni.Multicast {
			ifmat = append(ifmat, &IPAddr{IP: IP(a.AsSlice())})
		}
	}
	return ifmat, nil
}
