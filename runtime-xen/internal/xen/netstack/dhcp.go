// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

// DHCPv4 messages (RFC 2131) and their options (RFC 2132), encoded and parsed
// here rather than by a third-party module: insomniacslk/dhcp, the usual Go
// client, does not build for GOOS=xen without stubs in its dependencies
// (u-root/uio, mdlayher/packet), and third-party source is not copied or
// patched into the port. The client (dhcpclient.go) needs little of DHCP:
// one message layout and a dozen options.
//
// A server is untrusted input: parseDHCP and lease check every length and
// return an error (never panic) for what they cannot use.

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Ports, RFC 2131 §4.1.
const (
	dhcpServerPort = 67
	dhcpClientPort = 68
)

// Message layout, RFC 2131 §2 figure 1: a fixed part of 236 bytes, then the
// magic cookie (RFC 2132 §2) and the options.
const (
	dhcpFixedLen  = 236
	dhcpMinLen    = dhcpFixedLen + 4
	dhcpMagic     = 0x63825363
	bootRequest   = 1      // op
	bootReply     = 2      // op
	htypeEthernet = 1      // htype, RFC 1700 (ARP hardware type)
	flagBroadcast = 0x8000 // flags, RFC 2131 §2 figure 2
	// bootpMinLen is the smallest message sent: RFC 1542 §2.1 (BOOTP relay
	// agents may drop shorter ones).
	bootpMinLen = 300
)

// Option codes, RFC 2132 sections 3 to 9 (and RFC 3397 for 119).
const (
	optPad          = 0
	optSubnetMask   = 1  // §3.3
	optRouter       = 3  // §3.5
	optDNS          = 6  // §3.8
	optHostname     = 12 // §3.14
	optDomainName   = 15 // §3.17
	optMTU          = 26 // §5.1
	optBroadcast    = 28 // §5.3
	optRequestedIP  = 50 // §9.1
	optLeaseTime    = 51 // §9.2
	optOverload     = 52 // §9.3: ignored, sname and file are not read
	optMessageType  = 53 // §9.6
	optServerID     = 54 // §9.7
	optParamRequest = 55 // §9.8
	optMessage      = 56 // §9.9
	optMaxSize      = 57 // §9.10
	optT1           = 58 // §9.11
	optT2           = 59 // §9.12
	optClientID     = 61 // §9.14
	optSearch       = 119
	optEnd          = 255
)

// Message types (option 53), RFC 2132 §9.6.
const (
	dhcpDiscover = 1
	dhcpOffer    = 2
	dhcpRequest  = 3
	dhcpDecline  = 4
	dhcpAck      = 5
	dhcpNak      = 6
	dhcpRelease  = 7
)

var dhcpTypeNames = [...]string{1: "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM"}

func dhcpTypeName(t byte) string {
	if int(t) < len(dhcpTypeNames) && dhcpTypeNames[t] != "" {
		return dhcpTypeNames[t]
	}
	return "DHCP type " + strconv.Itoa(int(t))
}

// A dhcpMsg is a DHCP message: the fields of the fixed part the client uses,
// and the options by code.
type dhcpMsg struct {
	op     byte
	xid    uint32
	secs   uint16
	flags  uint16
	ciaddr netip.Addr // all four are IPv4 (0.0.0.0 when zero)
	yiaddr netip.Addr
	siaddr netip.Addr
	giaddr netip.Addr
	chaddr [16]byte
	opts   map[byte][]byte
}

// msgType returns option 53, or 0.
func (m *dhcpMsg) msgType() byte {
	if v := m.opts[optMessageType]; len(v) == 1 {
		return v[0]
	}
	return 0
}

// encode returns the message as sent: options in increasing code order
// except 53 first (RFC 2131 does not require it; some servers look for it
// there), padded to bootpMinLen.
func (m *dhcpMsg) encode() []byte {
	b := make([]byte, dhcpMinLen, 576)
	b[0] = m.op
	b[1] = htypeEthernet
	b[2] = 6 // hlen
	binary.BigEndian.PutUint32(b[4:], m.xid)
	binary.BigEndian.PutUint16(b[8:], m.secs)
	binary.BigEndian.PutUint16(b[10:], m.flags)
	for i, a := range []netip.Addr{m.ciaddr, m.yiaddr, m.siaddr, m.giaddr} {
		if a.Is4() {
			a4 := a.As4()
			copy(b[12+4*i:], a4[:])
		}
	}
	copy(b[28:44], m.chaddr[:])
	binary.BigEndian.PutUint32(b[dhcpFixedLen:], dhcpMagic)
	put := func(code byte, v []byte) {
		for len(v) > 255 { // RFC 3396: a long option is split into several
			b = append(b, code, 255)
			b = append(b, v[:255]...)
			v = v[255:]
		}
		b = append(b, code, byte(len(v)))
		b = append(b, v...)
	}
	if v, ok := m.opts[optMessageType]; ok {
		put(optMessageType, v)
	}
	for code := 1; code < optEnd; code++ {
		if v, ok := m.opts[byte(code)]; ok && code != optMessageType {
			put(byte(code), v)
		}
	}
	b = append(b, optEnd)
	for len(b) < bootpMinLen {
		b = append(b, optPad)
	}
	return b
}

// parseDHCP parses a DHCP message. Repeated options are concatenated (RFC
// 3396 §7); option overload (52) is ignored, so options in sname and file are
// not seen.
func parseDHCP(b []byte) (*dhcpMsg, error) {
	if len(b) < dhcpMinLen {
		return nil, errors.New("short message")
	}
	if binary.BigEndian.Uint32(b[dhcpFixedLen:]) != dhcpMagic {
		return nil, errors.New("no magic cookie")
	}
	m := &dhcpMsg{
		op:     b[0],
		xid:    binary.BigEndian.Uint32(b[4:]),
		secs:   binary.BigEndian.Uint16(b[8:]),
		flags:  binary.BigEndian.Uint16(b[10:]),
		ciaddr: netip.AddrFrom4([4]byte(b[12:16])),
		yiaddr: netip.AddrFrom4([4]byte(b[16:20])),
		siaddr: netip.AddrFrom4([4]byte(b[20:24])),
		giaddr: netip.AddrFrom4([4]byte(b[24:28])),
		chaddr: [16]byte(b[28:44]),
		opts:   map[byte][]byte{},
	}
	for o := b[dhcpMinLen:]; len(o) > 0; {
		code := o[0]
		if code == optEnd {
			break
		}
		if code == optPad {
			o = o[1:]
			continue
		}
		if len(o) < 2 || len(o) < 2+int(o[1]) {
			return nil, errors.New("option " + strconv.Itoa(int(code)) + " overruns the message")
		}
		end := 2 + int(o[1])
		m.opts[code] = append(m.opts[code], o[2:end]...)
		o = o[end:]
	}
	return m, nil
}

// A dhcpLease is what an ACK (or OFFER) gives the client.
type dhcpLease struct {
	addr      netip.Prefix // yiaddr with its subnet mask
	server    netip.Addr   // server identifier (54)
	router    netip.Addr   // the first router (3), or invalid
	dns       []netip.Addr // 6
	hostname  string       // 12
	domain    string       // 15
	search    []string     // 119
	mtu       int          // 26, or 0
	broadcast netip.Addr   // 28, or invalid
	// lease, t1 and t2 are in seconds as the server gave them (51, 58, 59),
	// made consistent: 0 < t1 < t2 < lease, unless lease is infinite.
	lease, t1, t2 uint32
}

// infiniteLease is the lease time that never expires, RFC 2131 §3.3.
const infiniteLease = 0xffffffff

// defaultLease is the lease of an ACK without option 51, which RFC 2131
// table 3 requires: one hour, as busybox udhcpc assumes.
const defaultLease = 3600

// lease returns the lease m offers or grants. from is the message's source
// address, the server identifier when option 54 is missing.
func (m *dhcpMsg) lease(from netip.Addr) (*dhcpLease, error) {
	a := m.yiaddr
	if !a.Is4() || a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return nil, errors.New("bad address " + a.String())
	}
	l := &dhcpLease{server: from}
	if v := m.opts[optServerID]; len(v) == 4 {
		l.server = netip.AddrFrom4([4]byte(v))
	}
	bits := classfulBits(a) // RFC 2131 §4.3.1 lets a server omit the mask
	if v, ok := m.opts[optSubnetMask]; ok {
		if bits = maskBits(v); bits < 0 || bits > 30 {
			return nil, errors.New("bad subnet mask")
		}
	}
	l.addr = netip.PrefixFrom(a, bits)
	if v := m.opts[optRouter]; len(v) >= 4 {
		if r := netip.AddrFrom4([4]byte(v)); r.IsGlobalUnicast() || r.IsPrivate() {
			l.router = r
		}
	}
	for v := m.opts[optDNS]; len(v) >= 4; v = v[4:] {
		if d := netip.AddrFrom4([4]byte(v)); !d.IsUnspecified() && !d.IsMulticast() && d != netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			l.dns = append(l.dns, d)
		}
	}
	l.hostname = cleanName(m.opts[optHostname])
	l.domain = cleanName(m.opts[optDomainName])
	l.search, _ = decodeSearch(m.opts[optSearch]) // a bad list is no list
	if v := m.opts[optMTU]; len(v) == 2 {
		l.mtu = int(binary.BigEndian.Uint16(v))
	}
	if v := m.opts[optBroadcast]; len(v) == 4 {
		l.broadcast = netip.AddrFrom4([4]byte(v))
	}
	u32 := func(code byte) uint32 {
		if v := m.opts[code]; len(v) == 4 {
			return binary.BigEndian.Uint32(v)
		}
		return 0
	}
	l.lease, l.t1, l.t2 = u32(optLeaseTime), u32(optT1), u32(optT2)
	if l.lease == 0 {
		l.lease = defaultLease
	}
	if l.lease != infiniteLease {
		// RFC 2131 §4.4.5: T1 defaults to half the lease, T2 to 7/8.
		if l.t2 == 0 || l.t2 >= l.lease {
			l.t2 = uint32(uint64(l.lease) * 7 / 8)
		}
		if l.t1 == 0 || l.t1 >= l.t2 {
			l.t1 = min(l.lease/2, l.t2)
		}
	}
	return l, nil
}

// classfulBits is the prefix length of a's class (RFC 791), the subnet mask
// a client assumes without option 1.
func classfulBits(a netip.Addr) int {
	switch b := a.As4()[0]; {
	case b < 128:
		return 8
	case b < 192:
		return 16
	}
	return 24
}

// maskBits returns the prefix length of a 4-byte contiguous mask, or -1.
func maskBits(v []byte) int {
	if len(v) != 4 {
		return -1
	}
	m := binary.BigEndian.Uint32(v)
	bits := 0
	for m&(1<<31) != 0 {
		m <<= 1
		bits++
	}
	if m != 0 {
		return -1
	}
	return bits
}

// cleanName returns a host or domain name from an option, or "" when it is
// not one (RFC 1123 §2.1: letters, digits, hyphens and dots). Servers are
// known to end names with a NUL or a dot; both are dropped.
func cleanName(v []byte) string {
	s := strings.TrimRight(string(v), "\x00")
	s = strings.TrimSuffix(s, ".")
	if !validName(s) {
		return ""
	}
	return strings.ToLower(s)
}

// validName reports whether s is a host or domain name as RFC 1123 §2.1
// allows: dot-separated labels of 1 to 63 letters, digits and hyphens, not
// starting or ending with a hyphen, 253 bytes at most.
func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// decodeSearch decodes option 119, RFC 3397 §2: a list of domain names in
// DNS wire format, compressed with pointers into the option as RFC 1035
// §4.1.4 describes. A pointer must point before the label that holds it, so
// that decoding ends.
func decodeSearch(v []byte) ([]string, error) {
	var names []string
	for i := 0; i < len(v); {
		var labels []string
		n, next, limit := 0, -1, i // next: where the following name starts
		for j := i; ; {
			if j >= len(v) {
				return nil, errors.New("truncated name")
			}
			c := int(v[j])
			switch {
			case c == 0:
				if next < 0 {
					next = j + 1
				}
			case c&0xc0 == 0xc0:
				if j+1 >= len(v) {
					return nil, errors.New("truncated pointer")
				}
				p := (c&0x3f)<<8 | int(v[j+1])
				if p >= limit {
					return nil, errors.New("pointer forward")
				}
				if next < 0 {
					next = j + 2
				}
				j, limit = p, p
				continue
			case c&0xc0 != 0:
				return nil, errors.New("bad label type")
			default:
				if j+1+c > len(v) {
					return nil, errors.New("truncated label")
				}
				labels = append(labels, string(v[j+1:j+1+c]))
				if n += c + 1; n > 255 {
					return nil, errors.New("name too long")
				}
				j += 1 + c
				continue
			}
			break
		}
		name := strings.Join(labels, ".")
		if !validName(name) {
			return nil, errors.New("bad name " + strconv.Quote(name))
		}
		names = append(names, strings.ToLower(name))
		i = next
	}
	return names, nil
}

// encodeSearch is decodeSearch's inverse, without compression (for tests and
// for symmetry; the client never sends option 119).
func encodeSearch(names []string) []byte {
	var b []byte
	for _, n := range names {
		for _, l := range strings.Split(n, ".") {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
		b = append(b, 0)
	}
	return b
}

// seconds converts a lease time to a duration, a lease second lasting unit.
func seconds(s uint32, unit time.Duration) time.Duration {
	return time.Duration(s) * unit
}
