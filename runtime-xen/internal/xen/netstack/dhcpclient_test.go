// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
)

func init() {
	// No test writes the host's /etc; tests that look at the files set
	// their own paths (useTempFiles).
	resolvConfPath, hostnamePath = "", ""
}

// useTempFiles points resolv.conf and hostname into a temporary directory
// for the stacks the test makes after it, and returns their paths.
func useTempFiles(t *testing.T) (resolv, hostname string) {
	dir := t.TempDir()
	resolv, hostname = filepath.Join(dir, "resolv.conf"), filepath.Join(dir, "hostname")
	setPaths := func(r, h string) {
		netStates.Lock()
		resolvConfPath, hostnamePath = r, h
		netStates.Unlock()
	}
	setPaths(resolv, hostname)
	t.Cleanup(func() { setPaths("", "") })
	return resolv, hostname
}

// testTiming is a DHCP clock for tests: a lease second lasts 50 ms.
var testTiming = dhcpTiming{
	second:   50 * time.Millisecond,
	retry:    100 * time.Millisecond,
	retryMax: 400 * time.Millisecond,
	jitter:   10 * time.Millisecond,
	minWait:  20 * time.Millisecond,
	requests: 3,
	nakWait:  50 * time.Millisecond,
}

// A pipeDev is one end of an Ethernet cable between two stacks.
type pipeDev struct {
	name string
	mac  []byte
	in   chan []byte
	peer *pipeDev
	done chan struct{}
}

func (d *pipeDev) Name() string         { return d.name }
func (d *pipeDev) HardwareAddr() []byte { return d.mac }
func (d *pipeDev) MTU() int             { return 1500 }

func (d *pipeDev) Receive(frame []byte) (int, error) {
	select {
	case b := <-d.in:
		return copy(frame, b), nil
	case <-d.done:
		return 0, errors.New("device removed")
	}
}

func (d *pipeDev) Transmit(frame []byte) error {
	select {
	case d.peer.in <- append([]byte(nil), frame...):
	default: // a full cable drops, as a switch would
	}
	return nil
}

// link returns a client stack and a server stack joined by a cable, with the
// client's and server's NIC ids and the client's device. The server has
// 10.0.0.1/24.
func link(t *testing.T) (c *Stack, cid int, srv *Stack, sid int, cdev *pipeDev) {
	t.Helper()
	c, srv = &Stack{}, &Stack{}
	cid, sid, cdev = cable(t, c, 9, srv, "10.0.0.1/24")
	return c, cid, srv, sid, cdev
}

// cable joins a new interface of c (MAC 02:00:00:00:00:mac) to a new one
// of srv with address srvAddr, and returns their ids and c's device.
func cable(t *testing.T, c *Stack, mac byte, srv *Stack, srvAddr string) (cid, sid int, cdev *pipeDev) {
	t.Helper()
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	cdev = &pipeDev{name: fmt.Sprintf("eth%d", len(c.Interfaces())-1), mac: []byte{0x02, 0, 0, 0, 0, mac}, in: make(chan []byte, 512), done: done}
	sdev := &pipeDev{name: "eth0", mac: []byte{0x02, 0, 0, 0, 0, 0x01}, in: make(chan []byte, 512), done: done}
	cdev.peer, sdev.peer = sdev, cdev
	var err error
	if cid, err = c.AddDevice(cdev); err != nil {
		t.Fatal(err)
	}
	if sid, err = srv.AddDevice(sdev, netip.MustParsePrefix(srvAddr)); err != nil {
		t.Fatal(err)
	}
	return cid, sid, cdev
}

// A seenMsg is a client message as the fake server received it.
type seenMsg struct {
	typ       byte
	ciaddr    netip.Addr
	from, dst netip.Addr
	broadcast bool // the flag
	clientID  []byte
	requested netip.Addr
}

// A fakeServer is a DHCP server for one client, on the server stack.
type fakeServer struct {
	mu       sync.Mutex
	addr     netip.Prefix // what it offers
	lease    [3]uint32    // lease, T1, T2 (0: not sent)
	opts     map[byte][]byte
	silent   bool // answer nothing
	naks     int  // NAK the next REQUESTs
	seen     []seenMsg
	received chan struct{} // a message arrived
}

func newFakeServer(t *testing.T, srv *Stack, sid int) *fakeServer {
	f := &fakeServer{
		addr:     netip.MustParsePrefix("10.0.0.9/24"),
		lease:    [3]uint32{3600, 0, 0},
		received: make(chan struct{}, 1),
		opts: map[byte][]byte{
			optRouter: {10, 0, 0, 1},
			optDNS:    {10, 0, 0, 1, 10, 0, 0, 2},
		},
	}
	var wq waiter.Queue
	ep, err := srv.Stack().NewEndpoint(udp.ProtocolNumber, ipv4.ProtocolNumber, &wq)
	if err != nil {
		t.Fatal(err)
	}
	ep.SocketOptions().SetBroadcast(true)
	ep.SocketOptions().SetReceivePacketInfo(true)
	if err := ep.Bind(tcpip.FullAddress{NIC: tcpip.NICID(sid), Port: dhcpServerPort}); err != nil {
		t.Fatal(err)
	}
	entry, ready := waiter.NewChannelEntry(waiter.ReadableEvents)
	wq.EventRegister(&entry)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop); ep.Close() })
	go func() {
		var buf bytes.Buffer
		for {
			buf.Reset()
			res, err := ep.Read(&buf, tcpip.ReadOptions{NeedRemoteAddr: true})
			if err != nil {
				select {
				case <-ready:
					continue
				case <-stop:
					return
				}
			}
			m, perr := parseDHCP(buf.Bytes())
			if perr != nil {
				continue
			}
			from, _ := netip.AddrFromSlice(res.RemoteAddr.Addr.AsSlice())
			dst, _ := netip.AddrFromSlice(res.ControlMessages.PacketInfo.DestinationAddr.AsSlice())
			if reply, to := f.answer(m, from, dst); reply != nil {
				var r bytes.Reader
				r.Reset(reply.encode())
				ep.Write(&r, tcpip.WriteOptions{To: &tcpip.FullAddress{NIC: tcpip.NICID(sid), Addr: tcpipAddr(to), Port: dhcpClientPort}})
			}
			select {
			case f.received <- struct{}{}:
			default:
			}
		}
	}()
	return f
}

// answer records m and returns the reply and where it goes.
func (f *fakeServer) answer(m *dhcpMsg, from, dst netip.Addr) (*dhcpMsg, netip.Addr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := seenMsg{typ: m.msgType(), ciaddr: m.ciaddr, from: from, dst: dst, broadcast: m.flags&flagBroadcast != 0, clientID: m.opts[optClientID]}
	if v := m.opts[optRequestedIP]; len(v) == 4 {
		s.requested = netip.AddrFrom4([4]byte(v))
	}
	f.seen = append(f.seen, s)
	if f.silent || m.op != bootRequest {
		return nil, netip.Addr{}
	}
	r := &dhcpMsg{op: bootReply, xid: m.xid, flags: m.flags, chaddr: m.chaddr, yiaddr: f.addr.Addr(), opts: map[byte][]byte{
		optServerID:   {10, 0, 0, 1},
		optSubnetMask: binary.BigEndian.AppendUint32(nil, ^uint32(0)<<(32-f.addr.Bits())),
	}}
	for k, v := range f.opts {
		if r.opts[k] = v; v == nil { // nil: not sent
			delete(r.opts, k)
		}
	}
	for i, code := range []byte{optLeaseTime, optT1, optT2} {
		if f.lease[i] != 0 {
			r.opts[code] = binary.BigEndian.AppendUint32(nil, f.lease[i])
		}
	}
	switch s.typ {
	case dhcpDiscover:
		r.opts[optMessageType] = []byte{dhcpOffer}
	case dhcpRequest:
		r.opts[optMessageType] = []byte{dhcpAck}
		if f.naks > 0 {
			f.naks--
			r.yiaddr = netip.IPv4Unspecified()
			r.opts = map[byte][]byte{optMessageType: {dhcpNak}, optServerID: {10, 0, 0, 1}, optMessage: []byte("wrong network")}
		}
	default:
		return nil, netip.Addr{}
	}
	// RFC 2131 §4.1: a NAK is broadcast; others go to ciaddr when set,
	// else broadcast when the flag asks.
	to := broadcast4
	switch {
	case r.msgType() == dhcpNak:
	case !m.ciaddr.IsUnspecified():
		to = m.ciaddr
	case m.flags&flagBroadcast == 0:
		to = r.yiaddr
	}
	return r, to
}

func (f *fakeServer) set(fn func(f *fakeServer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeServer) messages() []seenMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenMsg(nil), f.seen...)
}

// A logger collects log lines and lets a test wait for one.
type logger struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (l *logger) logf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	l.t.Log(s)
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

func (l *logger) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.lines {
		if strings.Contains(s, substr) {
			n++
		}
	}
	return n
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// addrsOf returns the NIC's addresses.
func addrsOf(s *Stack, id int) []netip.Prefix {
	var list []netip.Prefix
	for _, pa := range s.Stack().NICInfo()[tcpip.NICID(id)].ProtocolAddresses {
		a, _ := netip.AddrFromSlice(pa.AddressWithPrefix.Address.AsSlice())
		list = append(list, netip.PrefixFrom(a, pa.AddressWithPrefix.PrefixLen))
	}
	return list
}

func hasAddr(s *Stack, id int, p string) bool {
	for _, a := range addrsOf(s, id) {
		if a.String() == p {
			return true
		}
	}
	return false
}

func hasIPv4(s *Stack, id int) bool {
	for _, a := range addrsOf(s, id) {
		if a.Addr().Is4() {
			return true
		}
	}
	return false
}

// routes returns the route table as "dst via gw nic" strings.
func routes(s *Stack) []string {
	var list []string
	for _, r := range s.Stack().GetRouteTable() {
		list = append(list, fmt.Sprintf("%v via %v nic %d", r.Destination, r.Gateway, r.NIC))
	}
	return list
}

func hasRoute(s *Stack, r string) bool {
	for _, x := range routes(s) {
		if x == r {
			return true
		}
	}
	return false
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(none)"
	}
	return string(b)
}

// dialServer connects from the client stack to a listener on the server's
// 10.0.0.1, which proves the address and routes work.
func dialServer(t *testing.T, c, srv *Stack) {
	t.Helper()
	_, la := listen(t, srv, syscall.AF_INET, "10.0.0.1:0")
	so := socket(t, c, syscall.AF_INET, syscall.SOCK_STREAM)
	if err := so.Connect(la, nil); err != nil {
		t.Fatalf("connect to %v: %v", la.IP, err)
	}
}

func waitUp(t *testing.T, up <-chan struct{}) {
	t.Helper()
	select {
	case <-up:
	case <-time.After(10 * time.Second):
		t.Fatal("no lease in 10 s")
	}
}

func TestDHCPLease(t *testing.T) {
	resolv, hostname := useTempFiles(t)
	c, cid, srv, sid, _ := link(t)
	f := newFakeServer(t, srv, sid)
	f.opts[optHostname] = []byte("guest1")
	f.opts[optDomainName] = []byte("test\x00")
	f.opts[optSearch] = []byte("\x04test\x00\x07example\x03org\x00\x03lab\xc0\x06") // lab.example.org by pointer
	log := &logger{t: t}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	up := c.Configure(life, cid, "eth0", IfConfig{timing: &testTiming}, log.logf)
	waitUp(t, up)
	t.Logf("lease in %v", time.Since(start))

	if !hasAddr(c, cid, "10.0.0.9/24") {
		t.Errorf("addresses %v, want 10.0.0.9/24", addrsOf(c, cid))
	}
	if hasAddr(c, cid, "0.0.0.0/32") {
		t.Errorf("the temporary 0.0.0.0 is left: %v", addrsOf(c, cid))
	}
	for _, r := range []string{"0.0.0.0/0 via 10.0.0.1 nic 2", "10.0.0.0/24 via  nic 2"} {
		if !hasRoute(c, r) {
			t.Errorf("no route %q in %q", r, routes(c))
		}
	}
	want := "# Written by Go for Xen's network stack from GOXEN_NET, DHCP and IPv6 router advertisements.\n" +
		"nameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch test example.org lab.example.org\n"
	if got := readFile(resolv); got != want {
		t.Errorf("resolv.conf:\n%s\nwant:\n%s", got, want)
	}
	if got := readFile(hostname); got != "guest1\n" {
		t.Errorf("hostname %q, want guest1", got)
	}
	if n := log.count("eth0: 10.0.0.9/24 from 10.0.0.1, lease 1h"); n != 1 {
		t.Errorf("log %q: want one lease line", log.lines)
	}
	dialServer(t, c, srv)

	msgs := f.messages()
	if len(msgs) < 2 || msgs[0].typ != dhcpDiscover || msgs[1].typ != dhcpRequest {
		t.Fatalf("server saw %+v, want DISCOVER, REQUEST", msgs)
	}
	for _, m := range msgs[:2] {
		if m.from != netip.IPv4Unspecified() || m.dst != broadcast4 || !m.broadcast || !bytes.Equal(m.clientID, []byte{1, 2, 0, 0, 0, 0, 9}) {
			t.Errorf("%s from %v to %v, broadcast flag %v, client id %x; want from 0.0.0.0 to 255.255.255.255, flag set, id 01+MAC", dhcpTypeName(m.typ), m.from, m.dst, m.broadcast, m.clientID)
		}
	}
	if msgs[1].requested != netip.MustParseAddr("10.0.0.9") {
		t.Errorf("REQUEST for %v, want 10.0.0.9", msgs[1].requested)
	}

	cancel()
	waitFor(t, "the lease's configuration to go", func() bool {
		return !hasIPv4(c, cid) && !hasRoute(c, "0.0.0.0/0 via 10.0.0.1 nic 2") && readFile(resolv) == "(none)" && readFile(hostname) == "(none)"
	})
}

func TestDHCPRenew(t *testing.T) {
	c, cid, srv, sid, _ := link(t)
	f := newFakeServer(t, srv, sid)
	f.lease = [3]uint32{20, 6, 12} // 1 s, renewal at 0.3 s
	log := &logger{t: t}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	waitUp(t, c.Configure(life, cid, "eth0", IfConfig{timing: &testTiming}, log.logf))
	time.Sleep(seconds(50, testTiming.second)) // two and a half leases
	if !hasAddr(c, cid, "10.0.0.9/24") {
		t.Errorf("addresses %v after 2.5 leases, want 10.0.0.9/24", addrsOf(c, cid))
	}
	if n := log.count("eth0: 10.0.0.9/24 renewed from 10.0.0.1, lease 20s"); n < 3 {
		t.Errorf("%d renewals logged, want at least 3", n)
	}
	if n := log.count("expired") + log.count("rebinding"); n != 0 {
		t.Errorf("log %q: the lease was renewed in time", log.lines)
	}
	var renews int
	for _, m := range f.messages() {
		if m.typ == dhcpRequest && m.ciaddr == netip.MustParseAddr("10.0.0.9") {
			renews++
			if m.dst != netip.MustParseAddr("10.0.0.1") || m.from != netip.MustParseAddr("10.0.0.9") || m.broadcast {
				t.Errorf("renewal from %v to %v (flag %v), want 10.0.0.9 to 10.0.0.1 without the broadcast flag", m.from, m.dst, m.broadcast)
			}
		}
	}
	if renews < 3 {
		t.Errorf("server saw %d renewals, want at least 3", renews)
	}
	dialServer(t, c, srv)
}

func TestDHCPExpiry(t *testing.T) {
	resolv, _ := useTempFiles(t)
	c, cid, srv, sid, _ := link(t)
	f := newFakeServer(t, srv, sid)
	f.lease = [3]uint32{20, 6, 12}
	log := &logger{t: t}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	waitUp(t, c.Configure(life, cid, "eth0", IfConfig{timing: &testTiming}, log.logf))
	f.set(func(f *fakeServer) { f.silent = true })
	n0 := len(f.messages())
	waitFor(t, "the lease to expire", func() bool { return log.count("eth0: lease of 10.0.0.9/24 expired") == 1 })
	if log.count("eth0: no answer from 10.0.0.1, rebinding") != 1 {
		t.Errorf("log %q: want the rebinding line", log.lines)
	}
	waitFor(t, "the address to go", func() bool { return !hasIPv4(c, cid) || hasAddr(c, cid, "0.0.0.0/32") })
	if hasAddr(c, cid, "10.0.0.9/24") || hasRoute(c, "0.0.0.0/0 via 10.0.0.1 nic 2") || hasRoute(c, "10.0.0.0/24 via  nic 2") {
		t.Errorf("after expiry: addresses %v, routes %q", addrsOf(c, cid), routes(c))
	}
	if got := readFile(resolv); got != "(none)" {
		t.Errorf("resolv.conf after expiry:\n%s", got)
	}
	waitFor(t, "a DISCOVER after expiry", func() bool {
		m := f.messages()
		return m[len(m)-1].typ == dhcpDiscover
	})
	var renew, rebind int
	for _, m := range f.messages()[n0:] {
		switch {
		case m.typ == dhcpRequest && m.dst == netip.MustParseAddr("10.0.0.1"):
			renew++
		case m.typ == dhcpRequest && m.dst == broadcast4 && m.ciaddr == netip.MustParseAddr("10.0.0.9"):
			rebind++
		}
	}
	if renew < 2 || rebind < 2 {
		t.Errorf("server saw %d renewals and %d rebinds, want at least 2 of each (retransmitted)", renew, rebind)
	}

	// The server returns: a new lease.
	f.set(func(f *fakeServer) { f.silent = false; f.lease = [3]uint32{3600} })
	waitFor(t, "a new lease", func() bool { return hasAddr(c, cid, "10.0.0.9/24") })
	if log.count("eth0: 10.0.0.9/24 from 10.0.0.1, lease 1h") != 1 {
		t.Errorf("log %q: want the new lease's line", log.lines)
	}
}

func TestDHCPNak(t *testing.T) {
	c, cid, srv, sid, _ := link(t)
	f := newFakeServer(t, srv, sid)
	f.naks = 1
	f.lease = [3]uint32{20, 6, 12}
	log := &logger{t: t}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	waitUp(t, c.Configure(life, cid, "eth0", IfConfig{timing: &testTiming}, log.logf))
	var types []string
	for _, m := range f.messages()[:4] {
		types = append(types, dhcpTypeName(m.typ))
	}
	if got := strings.Join(types, " "); got != "DHCPDISCOVER DHCPREQUEST DHCPDISCOVER DHCPREQUEST" {
		t.Errorf("server saw %s, want DISCOVER REQUEST (NAK) DISCOVER REQUEST", got)
	}
	if log.count("eth0: 10.0.0.9 refused by 10.0.0.1 (DHCPNAK: wrong network), restarting") != 1 {
		t.Errorf("log %q: want the NAK line", log.lines)
	}

	// A NAK of a renewal ends the lease at once (RFC 2131 §4.4.5) and the
	// client starts over.
	f.set(func(f *fakeServer) { f.naks = 1 })
	waitFor(t, "the renewal's NAK", func() bool { return log.count("refused") == 2 })
	waitFor(t, "a second lease", func() bool { return log.count("eth0: 10.0.0.9/24 from 10.0.0.1") == 2 })
	if !hasAddr(c, cid, "10.0.0.9/24") {
		t.Errorf("addresses %v, want 10.0.0.9/24", addrsOf(c, cid))
	}
}

func TestDHCPNoAnswer(t *testing.T) {
	c, cid, srv, sid, _ := link(t)
	f := newFakeServer(t, srv, sid)
	f.silent = true
	life, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	log := &logger{t: t}
	up := c.Configure(life, cid, "eth0", IfConfig{timing: &testTiming}, log.logf)
	select {
	case <-up:
		t.Fatal("up closed without a server")
	case <-life.Done():
	}
	var discovers int
	for _, m := range f.messages() {
		if m.typ == dhcpDiscover {
			discovers++
		}
	}
	// 100, 200, 400 ms (± 10): the third DISCOVER at about 300 ms, no fifth.
	if discovers < 3 || discovers > 4 {
		t.Errorf("%d DISCOVERs in 700 ms, want 3 or 4 (exponential backoff)", discovers)
	}
	waitFor(t, "the temporary address to go", func() bool { return !hasIPv4(c, cid) })
	if len(log.lines) != 0 {
		t.Errorf("log %q, want nothing", log.lines)
	}
}

func TestDHCPMTU(t *testing.T) {
	c, cid, srv, sid, _ := link(t)
	f := newFakeServer(t, srv, sid)
	f.opts[optMTU] = []byte{0x23, 0x28} // 9000: above the device's 1500
	log := &logger{t: t}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	waitUp(t, c.Configure(life, cid, "eth0", IfConfig{timing: &testTiming}, log.logf))
	if log.count("eth0: mtu 9000 ignored (want 576 to the device's 1500)") != 1 {
		t.Errorf("log %q: want the MTU line", log.lines)
	}
	if mtu := c.Stack().NICInfo()[tcpip.NICID(cid)].MTU; mtu != 1500 {
		t.Errorf("MTU %d, want 1500", mtu)
	}
}

// TestDHCPHostileServer answers the client with broken messages and then a
// good one: the client ignores the broken ones and takes the good one.
func TestDHCPHostileServer(t *testing.T) {
	c, cid, srv, sid, _ := link(t)
	f := newFakeServer(t, srv, sid)
	f.opts[optDNS] = []byte{10, 0, 0, 1, 10} // a length not a multiple of 4
	f.opts[optSubnetMask] = []byte{255, 0, 255, 0}
	log := &logger{t: t}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	up := c.Configure(life, cid, "eth0", IfConfig{timing: &testTiming}, log.logf)
	waitFor(t, "a few DISCOVERs", func() bool { return len(f.messages()) >= 2 })
	select {
	case <-up:
		t.Fatal("the client took an offer with a non-contiguous mask")
	default:
	}
	f.set(func(f *fakeServer) { f.opts[optSubnetMask] = nil })
	waitUp(t, up)
	// Without a mask, the class's: 10/8.
	if !hasAddr(c, cid, "10.0.0.9/8") {
		t.Errorf("addresses %v, want 10.0.0.9/8", addrsOf(c, cid))
	}
}

// TestDHCPTwoInterfaces runs a client on each of two interfaces, on two
// networks: each binds port 68 on its own NIC.
func TestDHCPTwoInterfaces(t *testing.T) {
	resolv, _ := useTempFiles(t)
	c, srv1, srv2 := &Stack{}, &Stack{}, &Stack{}
	id1, sid1, _ := cable(t, c, 9, srv1, "10.0.0.1/24")
	id2, sid2, _ := cable(t, c, 10, srv2, "10.0.0.1/24")
	newFakeServer(t, srv1, sid1)
	f2 := newFakeServer(t, srv2, sid2)
	f2.addr = netip.MustParsePrefix("10.0.0.10/24")
	f2.opts = map[byte][]byte{optDNS: {10, 0, 0, 3}, optDomainName: []byte("two")}
	log := &logger{t: t}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	up1 := c.Configure(life, id1, "eth0", IfConfig{timing: &testTiming}, log.logf)
	up2 := c.Configure(life, id2, "eth1", IfConfig{timing: &testTiming}, log.logf)
	waitUp(t, up1)
	waitUp(t, up2)
	if !hasAddr(c, id1, "10.0.0.9/24") || !hasAddr(c, id2, "10.0.0.10/24") {
		t.Errorf("addresses %v and %v", addrsOf(c, id1), addrsOf(c, id2))
	}
	want := "# Written by Go for Xen's network stack from GOXEN_NET, DHCP and IPv6 router advertisements.\n" +
		"nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch two\n"
	if got := readFile(resolv); got != want {
		t.Errorf("resolv.conf:\n%s\nwant:\n%s", got, want)
	}
}

// TestDHCPNICGone removes the NIC under a bound client, then ends its life,
// as the binding does when a vif is detached: the client stops and its
// resolv.conf entries go.
func TestDHCPNICGone(t *testing.T) {
	resolv, _ := useTempFiles(t)
	c, cid, srv, sid, _ := link(t)
	f := newFakeServer(t, srv, sid)
	f.lease = [3]uint32{20, 6, 12}
	life, cancel := context.WithCancel(context.Background())
	defer cancel()
	waitUp(t, c.Configure(life, cid, "eth0", IfConfig{timing: &testTiming}, (&logger{t: t}).logf))
	if readFile(resolv) == "(none)" {
		t.Fatal("no resolv.conf")
	}
	if err := c.Stack().RemoveNIC(tcpip.NICID(cid)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(seconds(15, testTiming.second)) // past T1 and T2: renewals fail
	cancel()
	waitFor(t, "resolv.conf to go", func() bool { return readFile(resolv) == "(none)" })
	if hasRoute(c, "0.0.0.0/0 via 10.0.0.1 nic 2") {
		t.Errorf("routes %q", routes(c))
	}
}
