// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"context"
	"encoding/binary"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
)

func TestParseConfig(t *testing.T) {
	pfx := netip.MustParsePrefix
	ip := netip.MustParseAddr
	for _, tc := range []struct {
		in   string
		want map[string]IfConfig
	}{
		{"", map[string]IfConfig{}},
		{" ; ", map[string]IfConfig{}},
		{"eth0=dhcp", map[string]IfConfig{"eth0": {Mode: IfDHCP}}},
		{"eth0=dhcp;eth1=off", map[string]IfConfig{"eth0": {}, "eth1": {Mode: IfOff}}},
		{"eth0=10.0.0.50/24,gw=10.0.0.1,dns=10.0.0.1,search=test", map[string]IfConfig{"eth0": {
			Mode: IfStatic, Addrs: []netip.Prefix{pfx("10.0.0.50/24")}, Gateways: []netip.Addr{ip("10.0.0.1")},
			DNS: []netip.Addr{ip("10.0.0.1")}, Search: []string{"test"},
		}}},
		{" eth1 = 192.168.0.2/16 , fd00::2/64 , gw=192.168.0.1, gw=fe80::1, dns=fd00::1, dns=1.1.1.1, search=a.example, search=B.example., mtu=1400, hostname=web1 ;", map[string]IfConfig{"eth1": {
			Mode: IfStatic, Addrs: []netip.Prefix{pfx("192.168.0.2/16"), pfx("fd00::2/64")},
			Gateways: []netip.Addr{ip("192.168.0.1"), ip("fe80::1")}, DNS: []netip.Addr{ip("fd00::1"), ip("1.1.1.1")},
			Search: []string{"a.example", "b.example"}, MTU: 1400, Hostname: "web1",
		}}},
	} {
		got, err := ParseConfig(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseConfig(%q) =\n%+v, %v\nwant\n%+v", tc.in, got, err, tc.want)
		}
	}
	for in, want := range map[string]string{
		"eth0=10.0.0.500/24":         `GOXEN_NET: eth0: bad address "10.0.0.500/24"`,
		"eth0=10.0.0.5":              `GOXEN_NET: eth0: bad address "10.0.0.5"`,
		"eth0=0.0.0.0/0":             `GOXEN_NET: eth0: bad address "0.0.0.0/0"`,
		"eth0=dhcp;eth1=10.0.0.2/33": `GOXEN_NET: eth1: bad address "10.0.0.2/33"`,
		"eth0":                       `GOXEN_NET: "eth0": want NAME=dhcp, NAME=off or NAME=ADDR/PREFIX,...`,
		"=dhcp":                      `GOXEN_NET: bad interface name ""`,
		"eth 0=dhcp":                 `GOXEN_NET: bad interface name "eth 0"`,
		"eth0=dhcp;eth0=off":         `GOXEN_NET: eth0: configured twice`,
		"eth0=":                      `GOXEN_NET: eth0: empty configuration (want dhcp, off or ADDR/PREFIX,...)`,
		"eth0=dhcp,dns=10.0.0.1":     `GOXEN_NET: eth0: "dhcp" takes no options`,
		"eth0=off,mtu=1400":          `GOXEN_NET: eth0: "off" takes no options`,
		"eth0=DHCP":                  `GOXEN_NET: eth0: bad address "DHCP"`,
		"eth0=gw=10.0.0.1":           `GOXEN_NET: eth0: "gw=10.0.0.1" before any address (want ADDR/PREFIX first)`,
		"eth0=10.0.0.2/24,dns=1.1.1.1,fd00::2/64":  `GOXEN_NET: eth0: address "fd00::2/64" after KEY=VALUE`,
		"eth0=10.0.0.2/24,gw=10.0.0.x":             `GOXEN_NET: eth0: bad gw "10.0.0.x"`,
		"eth0=10.0.0.2/24,gw=0.0.0.0":              `GOXEN_NET: eth0: bad gw "0.0.0.0"`,
		"eth0=10.0.0.2/24,gw=10.0.0.1,gw=10.0.0.3": `GOXEN_NET: eth0: second gw "10.0.0.3" for the same address family`,
		"eth0=10.0.0.2/24,dns=":                    `GOXEN_NET: eth0: bad dns ""`,
		"eth0=10.0.0.2/24,dns=224.0.0.1":           `GOXEN_NET: eth0: bad dns "224.0.0.1"`,
		"eth0=10.0.0.2/24,search=a..b":             `GOXEN_NET: eth0: bad search "a..b"`,
		"eth0=10.0.0.2/24,search=-a":               `GOXEN_NET: eth0: bad search "-a"`,
		"eth0=10.0.0.2/24,mtu=100":                 `GOXEN_NET: eth0: bad mtu "100" (want 576 to 65535)`,
		"eth0=10.0.0.2/24,mtu=big":                 `GOXEN_NET: eth0: bad mtu "big" (want 576 to 65535)`,
		"eth0=10.0.0.2/24,mtu=1400,mtu=1300":       `GOXEN_NET: eth0: mtu given twice`,
		"eth0=10.0.0.2/24,hostname=a_b":            `GOXEN_NET: eth0: bad hostname "a_b"`,
		"eth0=10.0.0.2/24,hostname=a,hostname=b":   `GOXEN_NET: eth0: hostname given twice`,
		"eth0=10.0.0.2/24,route=10.1.0.0/16":       `GOXEN_NET: eth0: unknown key "route" (want gw, dns, search, mtu or hostname)`,
	} {
		got, err := ParseConfig(in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseConfig(%q) = %+v, %v\nwant error %s", in, got, err, want)
		}
	}
}

func TestStaticConfig(t *testing.T) {
	resolv, hostname := useTempFiles(t)
	c, cid, srv, _, _ := link(t)
	cfg, err := ParseConfig("eth0=10.0.0.50/24,fd00::50/64,gw=10.0.0.1,gw=fd00::1,dns=fd00::1,dns=10.0.0.1,search=test,hostname=web1")
	if err != nil {
		t.Fatal(err)
	}
	log := &logger{t: t}
	life, cancel := context.WithCancel(context.Background())
	up := c.Configure(life, cid, "eth0", cfg["eth0"], log.logf)
	select {
	case <-up:
	default:
		t.Fatal("up not closed at once for a static configuration")
	}
	for _, a := range []string{"10.0.0.50/24", "fd00::50/64"} {
		if !hasAddr(c, cid, a) {
			t.Errorf("addresses %v, want %s", addrsOf(c, cid), a)
		}
	}
	for _, r := range []string{"0.0.0.0/0 via 10.0.0.1 nic 2", "::/0 via fd00::1 nic 2", "10.0.0.0/24 via  nic 2", "fd00::/64 via  nic 2"} {
		if !hasRoute(c, r) {
			t.Errorf("no route %q in %q", r, routes(c))
		}
	}
	want := "# Written by Go for Xen's network stack from GOXEN_NET, DHCP and IPv6 router advertisements.\n" +
		"nameserver 10.0.0.1\nnameserver fd00::1\nsearch test\n"
	if got := readFile(resolv); got != want {
		t.Errorf("resolv.conf:\n%s\nwant:\n%s", got, want)
	}
	if got := readFile(hostname); got != "web1\n" {
		t.Errorf("hostname %q, want web1", got)
	}
	if log.count("eth0: 10.0.0.50/24, fd00::50/64, gw 10.0.0.1, gw fd00::1 (static)") != 1 {
		t.Errorf("log %q", log.lines)
	}
	dialServer(t, c, srv)
	cancel()
	waitFor(t, "the static configuration to go", func() bool {
		return !hasAddr(c, cid, "10.0.0.50/24") && !hasAddr(c, cid, "fd00::50/64") && !hasRoute(c, "0.0.0.0/0 via 10.0.0.1 nic 2") &&
			!hasRoute(c, "::/0 via fd00::1 nic 2") && !hasRoute(c, "10.0.0.0/24 via  nic 2") && readFile(resolv) == "(none)" && readFile(hostname) == "(none)"
	})
}

func TestConfigureOff(t *testing.T) {
	c, cid, _, _, _ := link(t)
	life, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	up := c.Configure(life, cid, "eth0", IfConfig{Mode: IfOff}, nil)
	select {
	case <-up:
		t.Fatal("up closed for off")
	case <-life.Done():
	}
	if hasIPv4(c, cid) {
		t.Errorf("addresses %v for off", addrsOf(c, cid))
	}
}

func TestResolvConf(t *testing.T) {
	resolv, hostname := useTempFiles(t)
	c, cid, _, _, _ := link(t)
	ns := c.netState()
	nic := tcpip.NICID(cid)
	ip := netip.MustParseAddr
	ns.raUpdate(nic, []netip.Addr{ip("fe80::1"), ip("fd00::1")}, []string{"v6.example"}, time.Hour)
	ns.set(confKey{nic, srcIPv4}, &resolverConf{servers: []netip.Addr{ip("10.0.0.1"), ip("10.0.0.2")}, search: []string{"test", "v6.example"}, hostname: "h"})
	// IPv4 first, three at most, link-local with the zone.
	want := "# Written by Go for Xen's network stack from GOXEN_NET, DHCP and IPv6 router advertisements.\n" +
		"nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver fd00::1\nsearch test v6.example\n"
	if got := readFile(resolv); got != want {
		t.Errorf("resolv.conf:\n%s\nwant:\n%s", got, want)
	}
	ns.set(confKey{nic, srcIPv4}, nil)
	want = "# Written by Go for Xen's network stack from GOXEN_NET, DHCP and IPv6 router advertisements.\n" +
		"nameserver fd00::1\nnameserver fe80::1%eth0\nsearch v6.example\n"
	if got := readFile(resolv); got != want {
		t.Errorf("resolv.conf:\n%s\nwant:\n%s", got, want)
	}
	if got := readFile(hostname); got != "(none)" {
		t.Errorf("hostname %q, want none", got)
	}
	// Lifetime 0 removes (RFC 8106 §5.1); a short one expires.
	ns.raUpdate(nic, []netip.Addr{ip("fe80::1")}, nil, 0)
	ns.raUpdate(nic, []netip.Addr{ip("fd00::1")}, []string{"v6.example"}, 100*time.Millisecond)
	want = "# Written by Go for Xen's network stack from GOXEN_NET, DHCP and IPv6 router advertisements.\n" +
		"nameserver fd00::1\nsearch v6.example\n"
	if got := readFile(resolv); got != want {
		t.Errorf("resolv.conf:\n%s\nwant:\n%s", got, want)
	}
	waitFor(t, "the RA entries to expire", func() bool { return readFile(resolv) == "(none)" })
}

// TestSLAAC sends the client a router advertisement with a prefix for
// SLAAC, a name server (RDNSS) and a search list (DNSSL).
func TestSLAAC(t *testing.T) {
	resolv, _ := useTempFiles(t)
	c, cid, _, _, cdev := link(t)
	life, cancel := context.WithCancel(context.Background())
	c.Configure(life, cid, "eth0", IfConfig{Mode: IfOff}, nil)
	cdev.in <- routerAdvert()
	// EUI-64 of 02:00:00:00:00:09 (RFC 4291 appendix A).
	waitFor(t, "a SLAAC address", func() bool { return hasAddr(c, cid, "fd00:1::ff:fe00:9/64") })
	if !hasAddr(c, cid, "fe80::ff:fe00:9/64") {
		t.Errorf("addresses %v: no link-local address", addrsOf(c, cid))
	}
	waitFor(t, "the RA's routes", func() bool {
		return hasRoute(c, "::/0 via fe80::1 nic 2") && hasRoute(c, "fd00:1::/64 via  nic 2")
	})
	want := "# Written by Go for Xen's network stack from GOXEN_NET, DHCP and IPv6 router advertisements.\n" +
		"nameserver fd00:1::53\nsearch v6.example\n"
	waitFor(t, "resolv.conf from the RA", func() bool { return readFile(resolv) == want })
	// The interface goes: its entries go.
	cancel()
	waitFor(t, "resolv.conf to go", func() bool { return readFile(resolv) == "(none)" })
}

// routerAdvert returns an Ethernet frame with a router advertisement (RFC
// 4861 §4.2) from fe80::1: router lifetime 1800 s, prefix fd00:1::/64 on-link
// and autonomous (§4.6.2), RDNSS fd00:1::53 and DNSSL v6.example (RFC 8106
// §5.1, §5.2).
func routerAdvert() []byte {
	ra := []byte{134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0}
	prefix := []byte{3, 4, 64, 0xc0, 0, 0, 0x0e, 0x10, 0, 0, 0x0e, 0x10, 0, 0, 0, 0}
	prefix = append(prefix, netip.MustParseAddr("fd00:1::").AsSlice()...)
	rdnss := []byte{25, 3, 0, 0, 0, 0, 0x0e, 0x10}
	rdnss = append(rdnss, netip.MustParseAddr("fd00:1::53").AsSlice()...)
	dnssl := append([]byte{31, 3, 0, 0, 0, 0, 0x0e, 0x10}, encodeSearch([]string{"v6.example"})...)
	dnssl = append(dnssl, make([]byte, 24-len(dnssl))...)
	icmp := append(append(append(ra, prefix...), rdnss...), dnssl...)
	src, dst := netip.MustParseAddr("fe80::1").As16(), netip.MustParseAddr("ff02::1").As16()
	// The checksum over the pseudo-header (RFC 8200 §8.1) and the message.
	pseudo := append(append(append(src[:], dst[:]...), binary.BigEndian.AppendUint32(nil, uint32(len(icmp)))...), 0, 0, 0, 58)
	var sum uint32
	for _, b := range [][]byte{pseudo, icmp} {
		for i := 0; i < len(b); i += 2 {
			sum += uint32(b[i]) << 8
			if i+1 < len(b) {
				sum += uint32(b[i+1])
			}
		}
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(icmp[2:], ^uint16(sum))
	ip6 := []byte{0x60, 0, 0, 0}
	ip6 = binary.BigEndian.AppendUint16(ip6, uint16(len(icmp)))
	ip6 = append(ip6, 58, 255)
	ip6 = append(append(ip6, src[:]...), dst[:]...)
	eth := []byte{0x33, 0x33, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd}
	return append(append(eth, ip6...), icmp...)
}
