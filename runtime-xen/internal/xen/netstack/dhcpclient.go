// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

// The DHCPv4 client (RFC 2131 §4.4), our own code over the gVisor stack (see
// dhcp.go for why not a third-party module).
//
// How it talks from a NIC without an address: one UDP endpoint bound to port
// 68 on the NIC (any address, SO_BINDTODEVICE) with SO_BROADCAST, for the whole life of the
// interface. gVisor routes nothing from a NIC without an address ("network
// is unreachable", stack.FindRoute), so while the client has no lease the NIC
// holds 0.0.0.0/32, which makes 0.0.0.0 the source of DISCOVER and REQUEST
// as RFC 2131 §4.1 wants, and no route is added with it. Broadcasts to
// 255.255.255.255 reach the endpoint without it (the IPv4 endpoint always
// accepts them), but a unicast to the offered address would be dropped
// before the address is assigned, so DISCOVER and REQUEST set the broadcast
// flag (RFC 2131 §4.1). Renewals go from the leased address (ciaddr), the
// server unicasting its answer to it. A transport/packet endpoint (Fuchsia's
// client) would also see unicast answers before the address is assigned, at
// the cost of building IP and UDP headers here; every server we know
// honours the broadcast flag.

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand"
	"net/netip"
	"strings"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// dhcpTiming is the client's clock: RFC 2131's values, shortened by tests.
type dhcpTiming struct {
	second   time.Duration // how long a second of the lease's times lasts
	retry    time.Duration // first retransmission timeout, §4.1: 4 s
	retryMax time.Duration // its upper bound, §4.1: 64 s
	jitter   time.Duration // each timeout ± up to this, §4.1: 1 s
	minWait  time.Duration // shortest retransmission wait in RENEWING and REBINDING, §4.4.5: 60 s
	requests int           // REQUESTs sent in REQUESTING before going back to INIT (§4.4.1 leaves it open)
	nakWait  time.Duration // pause after a NAK before discovering again (against a NAK storm)
}

var rfcTiming = dhcpTiming{
	second:   time.Second,
	retry:    4 * time.Second,
	retryMax: 64 * time.Second,
	jitter:   time.Second,
	minWait:  60 * time.Second,
	requests: 4,
	nakWait:  4 * time.Second,
}

// paramRequest is option 55: the options the client uses.
var paramRequest = []byte{optSubnetMask, optRouter, optDNS, optHostname, optDomainName, optMTU, optBroadcast, optLeaseTime, optServerID, optT1, optT2, optSearch}

var broadcast4 = netip.AddrFrom4([4]byte{255, 255, 255, 255})

type dhcpClient struct {
	s    *Stack
	nic  tcpip.NICID
	name string
	logf func(string, ...any)
	t    dhcpTiming

	mac      [6]byte
	clientID []byte // option 61: type 1 (Ethernet) and the MAC, RFC 2132 §9.14

	ep    tcpip.Endpoint
	wq    waiter.Queue
	ready chan struct{}

	lease      *dhcpLease // the lease applied to the NIC, or nil
	restoreMTU func()
}

func newDHCPClient(s *Stack, nic tcpip.NICID, name string, t *dhcpTiming, logf func(string, ...any)) *dhcpClient {
	c := &dhcpClient{s: s, nic: nic, name: name, logf: logf, t: rfcTiming, restoreMTU: func() {}}
	if t != nil {
		c.t = *t
	}
	s.mu.Lock()
	if ni := s.nics[nic]; ni != nil {
		copy(c.mac[:], ni.hwaddr)
	}
	s.mu.Unlock()
	c.clientID = append([]byte{htypeEthernet}, c.mac[:]...)
	return c
}

// run runs the client until life is done, then removes the lease's
// configuration. up is closed at the first lease.
func (c *dhcpClient) run(life context.Context, up chan struct{}) {
	if err := c.open(); err != nil {
		c.logf("%s: dhcp: %v", c.name, err)
		<-life.Done()
		return
	}
	defer c.ep.Close()
	defer c.unapply()
	for life.Err() == nil {
		l, start := c.acquire(life)
		if l == nil {
			return
		}
		c.apply(l)
		c.logf("%s: %v from %v, lease %s", c.name, l.addr, l.server, leaseString(l.lease))
		select {
		case <-up:
		default:
			close(up)
		}
		c.keep(life, l, start)
		c.unapply()
	}
}

func (c *dhcpClient) open() error {
	ep, err := c.s.s.NewEndpoint(udp.ProtocolNumber, ipv4.ProtocolNumber, &c.wq)
	if err != nil {
		return errnoOf(err)
	}
	ep.SocketOptions().SetBroadcast(true)
	// Bound to the device too (SO_BINDTODEVICE): gVisor reserves ports per
	// device, not per Bind's NIC, and every interface's client has port 68.
	err = ep.SocketOptions().SetBindToDevice(int32(c.nic))
	if err == nil {
		err = ep.Bind(tcpip.FullAddress{NIC: c.nic, Port: dhcpClientPort})
	}
	if err != nil {
		ep.Close()
		return errnoOf(err)
	}
	entry, ch := waiter.NewChannelEntry(waiter.ReadableEvents)
	c.wq.EventRegister(&entry)
	c.ep, c.ready = ep, ch
	return nil
}

// acquire runs INIT, SELECTING and REQUESTING (RFC 2131 §4.4.1) until a
// server grants a lease, and returns it with the time the REQUEST was sent,
// from which its times count. It returns nil when ctx is done.
func (c *dhcpClient) acquire(ctx context.Context) (*dhcpLease, time.Time) {
	any4 := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: header.IPv4Any.WithPrefix()}
	c.s.s.AddProtocolAddress(c.nic, any4, stack.AddressProperties{})
	defer c.s.s.RemoveAddress(c.nic, header.IPv4Any)
	for ctx.Err() == nil {
		begin := time.Now()
		xid := rand.Uint32()
		var offer *dhcpLease
		discover := c.msg(dhcpDiscover, xid, begin)
		if c.exchange(ctx, discover, broadcast4, c.backoff(0), func(m *dhcpMsg, from netip.Addr) bool {
			if m.msgType() == dhcpOffer {
				offer, _ = m.lease(from)
			}
			return offer != nil
		}) == nil {
			return nil, time.Time{}
		}

		sent := time.Now()
		req := c.msg(dhcpRequest, xid, begin)
		req.opts[optRequestedIP] = offer.addr.Addr().AsSlice()
		req.opts[optServerID] = offer.server.AsSlice()
		var ack *dhcpLease
		takeReply := ackOrNak(&ack)
		reply := c.exchange(ctx, req, broadcast4, c.backoff(c.t.requests), func(m *dhcpMsg, from netip.Addr) bool {
			if id := m.opts[optServerID]; len(id) == 4 && netip.AddrFrom4([4]byte(id)) != offer.server {
				return false // another server's answer to our REQUEST (§4.3.2: it must drop the offer)
			}
			return takeReply(m, from)
		})
		switch {
		case ctx.Err() != nil:
			return nil, time.Time{}
		case reply == nil:
			continue // §4.4.1: back to INIT
		case ack == nil:
			c.logf("%s: %v refused by %v (DHCPNAK%s), restarting", c.name, offer.addr.Addr(), offer.server, nakMessage(reply))
			sleep(ctx, c.t.nakWait)
			continue
		}
		return ack, sent
	}
	return nil, time.Time{}
}

// ackOrNak is the reply filter of a REQUEST: it takes a DHCPACK with a
// usable lease (recorded in *ack) or a DHCPNAK.
func ackOrNak(ack **dhcpLease) func(*dhcpMsg, netip.Addr) bool {
	return func(m *dhcpMsg, from netip.Addr) bool {
		switch m.msgType() {
		case dhcpAck:
			*ack, _ = m.lease(from)
			return *ack != nil
		case dhcpNak:
			return true
		}
		return false
	}
}

// keep keeps the lease l, granted at start: at T1 it renews it with its
// server (RENEWING), at T2 with any server (REBINDING), RFC 2131 §4.4.5. It
// returns when the lease is lost (expired or refused) or ctx is done.
func (c *dhcpClient) keep(ctx context.Context, l *dhcpLease, start time.Time) {
	for {
		if l.lease == infiniteLease {
			<-ctx.Done()
			return
		}
		t2 := start.Add(seconds(l.t2, c.t.second))
		end := start.Add(seconds(l.lease, c.t.second))
		if !sleep(ctx, time.Until(start.Add(seconds(l.t1, c.t.second)))) {
			return
		}
		begin := time.Now()
		xid := rand.Uint32()
		req := c.msg(dhcpRequest, xid, begin)
		req.ciaddr, req.flags = l.addr.Addr(), 0
		var ack *dhcpLease
		accept := ackOrNak(&ack)
		reply := c.exchange(ctx, req, l.server, c.halfway(t2), accept)
		if reply == nil && ctx.Err() == nil {
			c.logf("%s: no answer from %v, rebinding", c.name, l.server)
			reply = c.exchange(ctx, req, broadcast4, c.halfway(end), accept)
		}
		switch {
		case ctx.Err() != nil:
			return
		case reply == nil:
			c.logf("%s: lease of %v expired", c.name, l.addr)
			return
		case ack == nil:
			c.logf("%s: %v refused by %v (DHCPNAK%s), restarting", c.name, l.addr.Addr(), l.server, nakMessage(reply))
			return
		}
		c.apply(ack)
		c.logf("%s: %v renewed from %v, lease %s", c.name, ack.addr, ack.server, leaseString(ack.lease))
		l, start = ack, begin
	}
}

// msg returns a client message of type typ.
func (c *dhcpClient) msg(typ byte, xid uint32, begin time.Time) *dhcpMsg {
	mtu := uint32(minMTU)
	if info, ok := c.s.s.NICInfo()[c.nic]; ok {
		mtu = max(mtu, min(info.MTU, maxMTU))
	}
	m := &dhcpMsg{
		op:    bootRequest,
		xid:   xid,
		secs:  uint16(min(time.Since(begin)/time.Second, 0xffff)), // RFC 2131 table 1
		flags: flagBroadcast,
		opts: map[byte][]byte{
			optMessageType:  {typ},
			optClientID:     c.clientID,
			optParamRequest: paramRequest,
			optMaxSize:      binary.BigEndian.AppendUint16(nil, uint16(mtu)), // RFC 2132 §9.10: the IP datagram
		},
	}
	copy(m.chaddr[:], c.mac[:])
	return m
}

// exchange sends m to dst and waits for an answer that accept takes; when
// none comes in the time wait gives for the attempt, it sends m again. It
// returns nil when wait says stop (a zero duration) or ctx is done.
func (c *dhcpClient) exchange(ctx context.Context, m *dhcpMsg, dst netip.Addr, wait func(try int) time.Duration, accept func(*dhcpMsg, netip.Addr) bool) *dhcpMsg {
	for try := 0; ctx.Err() == nil; try++ {
		d := wait(try)
		if d <= 0 {
			return nil
		}
		c.send(m.encode(), dst)
		if r := c.receive(ctx, m.xid, d, accept); r != nil {
			return r
		}
	}
	return nil
}

// backoff is the retransmission of RFC 2131 §4.1: 4 s, 8 s, 16 s, ... up to
// 64 s, each ± up to 1 s; tries > 0 limits the attempts.
func (c *dhcpClient) backoff(tries int) func(int) time.Duration {
	return func(try int) time.Duration {
		if tries > 0 && try >= tries {
			return 0
		}
		d := c.t.retry
		for range try {
			if d = 2 * d; d >= c.t.retryMax {
				d = c.t.retryMax
				break
			}
		}
		if c.t.jitter > 0 {
			d += time.Duration(rand.Int63n(int64(2*c.t.jitter)+1)) - c.t.jitter
		}
		return max(d, time.Millisecond)
	}
}

// halfway is the retransmission of RENEWING and REBINDING, RFC 2131 §4.4.5:
// half the time left until deadline, at least 60 s, none after deadline.
func (c *dhcpClient) halfway(deadline time.Time) func(int) time.Duration {
	return func(int) time.Duration {
		left := time.Until(deadline)
		return min(max(left/2, c.t.minWait), left)
	}
}

func (c *dhcpClient) send(b []byte, dst netip.Addr) {
	var r bytes.Reader
	r.Reset(b)
	// An error (the device is gone, no route to the server) is a message
	// lost: retransmission and the lease's times decide what follows.
	c.ep.Write(&r, tcpip.WriteOptions{To: &tcpip.FullAddress{NIC: c.nic, Addr: tcpipAddr(dst), Port: dhcpServerPort}})
}

// receive returns the first answer to xid that accept takes, or nil after d
// or when ctx is done.
func (c *dhcpClient) receive(ctx context.Context, xid uint32, d time.Duration, accept func(*dhcpMsg, netip.Addr) bool) *dhcpMsg {
	timer := time.NewTimer(d)
	defer timer.Stop()
	var buf bytes.Buffer
	for {
		buf.Reset()
		res, err := c.ep.Read(&buf, tcpip.ReadOptions{NeedRemoteAddr: true})
		if err != nil {
			if _, ok := err.(*tcpip.ErrWouldBlock); !ok {
				// Not expected of a bound UDP endpoint; wait out the attempt.
				select {
				case <-timer.C:
				case <-ctx.Done():
				}
				return nil
			}
			select {
			case <-c.ready:
				continue
			case <-timer.C:
				return nil
			case <-ctx.Done():
				return nil
			}
		}
		m, perr := parseDHCP(buf.Bytes())
		if perr != nil || m.op != bootReply || m.xid != xid || !bytes.Equal(m.chaddr[:6], c.mac[:]) {
			continue
		}
		from, _ := netip.AddrFromSlice(res.RemoteAddr.Addr.AsSlice())
		if accept(m, from.Unmap()) {
			return m
		}
	}
}

// apply configures the NIC as l says, changing only what differs from the
// lease applied before (a renewal changes nothing, and connections keep
// their address).
func (c *dhcpClient) apply(l *dhcpLease) {
	if c.lease != nil && c.lease.addr != l.addr {
		c.unapply()
	}
	old := c.lease
	if old == nil {
		if err := c.s.addAddress(c.nic, l.addr); err != nil {
			c.logf("%s: adding %v: %v", c.name, l.addr, err)
		}
	}
	if old == nil || old.router != l.router {
		if old != nil && old.router.IsValid() {
			c.s.removeRoute(defaultRoute(c.nic, old.router))
		}
		if l.router.IsValid() {
			c.s.s.AddRoute(defaultRoute(c.nic, l.router))
		}
	}
	if old == nil || old.mtu != l.mtu {
		c.restoreMTU()
		c.restoreMTU = c.s.setMTU(c.nic, c.name, l.mtu, c.logf)
	}
	search := l.search
	if len(search) == 0 && l.domain != "" {
		search = []string{l.domain}
	}
	c.s.netState().set(confKey{c.nic, srcIPv4}, &resolverConf{servers: l.dns, search: search, hostname: l.hostname})
	c.lease = l
}

// unapply removes what apply added.
func (c *dhcpClient) unapply() {
	l := c.lease
	if l == nil {
		return
	}
	c.s.netState().set(confKey{c.nic, srcIPv4}, nil)
	if l.router.IsValid() {
		c.s.removeRoute(defaultRoute(c.nic, l.router))
	}
	c.s.removeAddress(c.nic, l.addr)
	c.restoreMTU()
	c.restoreMTU = func() {}
	c.lease = nil
}

// nakMessage is a NAK's option 56 (RFC 2132 §9.9) for a log line.
func nakMessage(m *dhcpMsg) string {
	s := strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return -1
		}
		return r
	}, string(m.opts[optMessage]))
	if s == "" {
		return ""
	}
	return ": " + s[:min(len(s), 80)]
}

// leaseString formats a lease time in seconds: 1h, 30m, 1h30m, 45s, infinite.
func leaseString(secs uint32) string {
	if secs == infiniteLease {
		return "infinite"
	}
	s := (time.Duration(secs) * time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// sleep waits d or until ctx is done, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
