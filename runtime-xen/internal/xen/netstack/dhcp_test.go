// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"
)

// ackBytes is a DHCPACK as a server sends it.
func ackBytes() []byte {
	m := &dhcpMsg{op: bootReply, xid: 0x01020304, yiaddr: netip.MustParseAddr("192.168.1.20"), opts: map[byte][]byte{
		optMessageType: {dhcpAck},
		optServerID:    {192, 168, 1, 1},
		optSubnetMask:  {255, 255, 255, 0},
		optRouter:      {192, 168, 1, 1, 192, 168, 1, 2},
		optDNS:         {192, 168, 1, 1, 0, 0, 0, 0, 8, 8, 8, 8},
		optHostname:    []byte("Guest"),
		optDomainName:  []byte("lan."),
		optSearch:      encodeSearch([]string{"lan", "example.org"}),
		optMTU:         {0x05, 0xdc},
		optBroadcast:   {192, 168, 1, 255},
		optLeaseTime:   binary.BigEndian.AppendUint32(nil, 7200),
		optT1:          binary.BigEndian.AppendUint32(nil, 9000), // after T2: ignored
		optT2:          binary.BigEndian.AppendUint32(nil, 6000),
		optMessage:     make([]byte, 600), // longer than an option: split (RFC 3396)
	}}
	copy(m.chaddr[:], []byte{2, 0, 0, 0, 0, 9})
	return m.encode()
}

func TestDHCPMessage(t *testing.T) {
	b := ackBytes()
	m, err := parseDHCP(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.op != bootReply || m.xid != 0x01020304 || m.msgType() != dhcpAck || m.chaddr[5] != 9 || len(m.opts[optMessage]) != 600 {
		t.Fatalf("parsed %+v", m)
	}
	l, err := m.lease(netip.MustParseAddr("192.168.1.99"))
	if err != nil {
		t.Fatal(err)
	}
	want := dhcpLease{
		addr:      netip.MustParsePrefix("192.168.1.20/24"),
		server:    netip.MustParseAddr("192.168.1.1"),
		router:    netip.MustParseAddr("192.168.1.1"),
		dns:       []netip.Addr{netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("8.8.8.8")},
		hostname:  "guest",
		domain:    "lan",
		search:    []string{"lan", "example.org"},
		mtu:       1500,
		broadcast: netip.MustParseAddr("192.168.1.255"),
		lease:     7200, t1: 3600, t2: 6000,
	}
	if l.addr != want.addr || l.server != want.server || l.router != want.router || !slices.Equal(l.dns, want.dns) ||
		l.hostname != want.hostname || l.domain != want.domain || !slices.Equal(l.search, want.search) || l.mtu != want.mtu ||
		l.broadcast != want.broadcast || l.lease != want.lease || l.t1 != want.t1 || l.t2 != want.t2 {
		t.Errorf("lease\n%+v\nwant\n%+v", *l, want)
	}
	if len(b) < bootpMinLen {
		t.Errorf("message of %d bytes, want at least %d", len(b), bootpMinLen)
	}
}

func TestDHCPLeaseDefaults(t *testing.T) {
	m := &dhcpMsg{yiaddr: netip.MustParseAddr("172.16.0.5"), opts: map[byte][]byte{}}
	l, err := m.lease(netip.MustParseAddr("172.16.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	// No mask: class B's. No lease: an hour; T1 and T2 at 1/2 and 7/8
	// (RFC 2131 §4.4.5). No server identifier: the sender.
	if l.addr.String() != "172.16.0.5/16" || l.lease != 3600 || l.t1 != 1800 || l.t2 != 3150 || l.server.String() != "172.16.0.1" {
		t.Errorf("lease %+v", *l)
	}
	for _, bad := range []struct {
		yiaddr string
		opts   map[byte][]byte
	}{
		{"0.0.0.0", nil},
		{"255.255.255.255", nil},
		{"224.0.0.1", nil},
		{"127.0.0.1", nil},
		{"10.0.0.1", map[byte][]byte{optSubnetMask: {255, 0, 255, 0}}},
		{"10.0.0.1", map[byte][]byte{optSubnetMask: {255, 255, 255, 255}}},
		{"10.0.0.1", map[byte][]byte{optSubnetMask: {255, 255}}},
	} {
		m := &dhcpMsg{yiaddr: netip.MustParseAddr(bad.yiaddr), opts: bad.opts}
		if l, err := m.lease(netip.Addr{}); err == nil {
			t.Errorf("yiaddr %s, options %v: lease %+v, want an error", bad.yiaddr, bad.opts, *l)
		}
	}
}

func TestParseDHCPErrors(t *testing.T) {
	good := ackBytes()
	for name, b := range map[string][]byte{
		"empty":   nil,
		"short":   good[:dhcpMinLen-1],
		"cookie":  append(append(append([]byte(nil), good[:dhcpFixedLen]...), 1, 2, 3, 4), good[dhcpMinLen:]...),
		"overrun": append(append([]byte(nil), good[:dhcpMinLen]...), optHostname, 10, 'a'),
		"nolen":   append(append([]byte(nil), good[:dhcpMinLen]...), optHostname),
	} {
		if m, err := parseDHCP(b); err == nil {
			t.Errorf("%s: parsed %+v, want an error", name, m)
		}
	}
}

func TestDecodeSearch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // nil: an error
	}{
		{"", []string{}},
		// RFC 3397 §3's example: eng.apple.com and marketing.apple.com.
		{"\x03eng\x05apple\x03com\x00\x09marketing\xc0\x04", []string{"eng.apple.com", "marketing.apple.com"}},
		{"\x03Lab\x00", []string{"lab"}},
		{"\x03lab", nil},                // no end
		{"\x03la", nil},                 // label overruns
		{"\xc0\x00", nil},               // points at itself
		{"\x01a\x00\xc0\x03", nil},      // points at itself, after a name
		{"\x01a\xc0\x00", nil},          // a loop inside the name
		{"\x01a\x00\x01b\xc0\x05", nil}, // forward pointer
		{"\x80\x00", nil},               // label type 10
		{"\x03a_b\x00", nil},            // not a host name
		{"\x00", nil},                   // the root
	} {
		got, err := decodeSearch([]byte(tc.in))
		if tc.want == nil {
			if err == nil {
				t.Errorf("decodeSearch(%q) = %q, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) && len(tc.want) > 0 {
			t.Errorf("decodeSearch(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	// A long chain of pointers back, each to the one before it, ends.
	long := []byte("\x01a\x00")
	for i := 0; i < 200; i++ {
		p := len(long) - 2
		if i == 0 {
			p = 0
		}
		long = append(long, 1, 'b', 0xc0|byte(p>>8), byte(p))
	}
	decodeSearch(long)
}

func TestLeaseString(t *testing.T) {
	for secs, want := range map[uint32]string{3600: "1h", 5400: "1h30m", 60: "1m", 45: "45s", 3661: "1h1m1s", 86400: "24h", infiniteLease: "infinite"} {
		if got := leaseString(secs); got != want {
			t.Errorf("leaseString(%d) = %q, want %q", secs, got, want)
		}
	}
}

// FuzzParseDHCP feeds the parser what a hostile server may send: it must
// not panic, and what it accepts re-encodes to a message it parses again.
func FuzzParseDHCP(f *testing.F) {
	f.Add(ackBytes())
	f.Add(ackBytes()[:dhcpMinLen+3])
	f.Add(append(ackBytes()[:dhcpMinLen], optSearch, 4, 0xc0, 0, 0xc0, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseDHCP(b)
		if err != nil {
			return
		}
		m.msgType()
		if l, err := m.lease(netip.MustParseAddr("10.0.0.1")); err == nil {
			if !l.addr.IsValid() || l.lease != infiniteLease && !(l.t1 <= l.t2 && l.t2 <= l.lease) {
				t.Fatalf("lease %+v", *l)
			}
		}
		decodeSearch(m.opts[optSearch])
		if _, err := parseDHCP(m.encode()); err != nil {
			t.Fatalf("re-encoded message: %v", err)
		}
	})
}
