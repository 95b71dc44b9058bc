// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// IfMode is how an interface gets its IPv4 address.
type IfMode int

const (
	IfDHCP   IfMode = iota // DHCPv4 (dhcpclient.go); the zero value
	IfOff                  // no configuration
	IfStatic               // the addresses and settings of IfConfig
)

func (m IfMode) String() string {
	switch m {
	case IfDHCP:
		return "dhcp"
	case IfOff:
		return "off"
	case IfStatic:
		return "static"
	}
	return "IfMode(" + strconv.Itoa(int(m)) + ")"
}

// An IfConfig is one interface's configuration, one IFACE of GOXEN_NET.
// Its zero value is DHCP. Only IfStatic uses the other fields.
type IfConfig struct {
	Mode     IfMode
	Addrs    []netip.Prefix // addresses, IPv4 or IPv6, each routing its subnet
	Gateways []netip.Addr   // default routers, at most one per address family
	DNS      []netip.Addr   // name servers
	Search   []string       // DNS search domains
	MTU      int            // 0: the device's
	Hostname string         // written to /etc/hostname

	timing *dhcpTiming // DHCP's clock for tests; nil: RFC 2131's
}

// Limits of an interface MTU given by GOXEN_NET or DHCP option 26: 576 is
// the datagram every IPv4 host must accept (RFC 791, RFC 1122 §3.3.3); the
// device's MTU is the upper bound (checked by Configure).
const (
	minMTU = 576
	maxMTU = 65535
)

// ParseConfig parses GOXEN_NET, the environment variable that configures a
// GOOS=xen program's interfaces:
//
//	GOXEN_NET = IFACE [";" IFACE]...
//	IFACE     = NAME "=" ( "dhcp" | "off" | ADDR/PREFIX ["," ADDR/PREFIX]... ["," KEY "=" VALUE]... )
//	KEY       = gw | dns | search | mtu | hostname   (dns and search may repeat)
//
// NAME is an interface name (eth0, eth1, ... for the domain's vifs).
// Interfaces that GOXEN_NET does not name use DHCP.
//
//   - dhcp: the address, default route, MTU, name servers, search domains and
//     host name come from a DHCPv4 server.
//   - off: nothing is configured (IPv6 link-local addresses and SLAAC, which
//     the stack does on every interface, still happen).
//   - ADDR/PREFIX: a static address, IPv4 or IPv6 (10.0.0.50/24, fd00::50/64);
//     each routes its subnet through the interface. gw=ADDR is the default
//     router (one per address family), dns=ADDR a name server, search=DOMAIN a
//     search domain, mtu=N the interface MTU (576 to the device's), and
//     hostname=NAME the host name (/etc/hostname, os.Hostname).
//
// Spaces around the parts are ignored. Example:
//
//	GOXEN_NET=eth0=10.0.0.50/24,gw=10.0.0.1,dns=10.0.0.1,search=test;eth1=off
//
// Errors name the interface and the bad part:
// `GOXEN_NET: eth0: bad address "10.0.0.500/24"`.
func ParseConfig(s string) (map[string]IfConfig, error) {
	cfg := map[string]IfConfig{}
	for _, item := range strings.Split(s, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, ok := strings.Cut(item, "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if !ok {
			return nil, fmt.Errorf("GOXEN_NET: %q: want NAME=dhcp, NAME=off or NAME=ADDR/PREFIX,...", item)
		}
		if name == "" || strings.ContainsAny(name, " \t,%/") {
			return nil, fmt.Errorf("GOXEN_NET: bad interface name %q", name)
		}
		if _, dup := cfg[name]; dup {
			return nil, fmt.Errorf("GOXEN_NET: %s: configured twice", name)
		}
		c, err := parseIface(val)
		if err != nil {
			return nil, fmt.Errorf("GOXEN_NET: %s: %v", name, err)
		}
		cfg[name] = c
	}
	return cfg, nil
}

// parseIface parses what follows NAME= in GOXEN_NET.
func parseIface(val string) (IfConfig, error) {
	parts := strings.Split(val, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	switch parts[0] {
	case "":
		if len(parts) == 1 {
			return IfConfig{}, errors.New("empty configuration (want dhcp, off or ADDR/PREFIX,...)")
		}
	case "dhcp", "off":
		if len(parts) > 1 {
			return IfConfig{}, fmt.Errorf("%q takes no options", parts[0])
		}
		if parts[0] == "off" {
			return IfConfig{Mode: IfOff}, nil
		}
		return IfConfig{Mode: IfDHCP}, nil
	}
	c := IfConfig{Mode: IfStatic}
	var gw4, gw6 bool
	for _, p := range parts {
		key, v, isKey := strings.Cut(p, "=")
		if !isKey {
			a, err := netip.ParsePrefix(p)
			if err != nil || a.Addr().IsUnspecified() || a.Addr().IsMulticast() || a.Addr().Zone() != "" {
				return c, fmt.Errorf("bad address %q", p)
			}
			if len(c.DNS)+len(c.Gateways)+len(c.Search) > 0 || c.MTU != 0 || c.Hostname != "" {
				return c, fmt.Errorf("address %q after KEY=VALUE", p)
			}
			c.Addrs = append(c.Addrs, a)
			continue
		}
		if len(c.Addrs) == 0 {
			return c, fmt.Errorf("%q before any address (want ADDR/PREFIX first)", p)
		}
		switch key = strings.TrimSpace(key); key {
		case "gw":
			a, err := netip.ParseAddr(v)
			if err != nil || !a.IsGlobalUnicast() && !a.IsLinkLocalUnicast() && !a.IsPrivate() {
				return c, fmt.Errorf("bad gw %q", v)
			}
			if a.Is4() && gw4 || a.Is6() && gw6 {
				return c, fmt.Errorf("second gw %q for the same address family", v)
			}
			if a.Is4() {
				gw4 = true
			} else {
				gw6 = true
			}
			c.Gateways = append(c.Gateways, a)
		case "dns":
			a, err := netip.ParseAddr(v)
			if err != nil || a.IsUnspecified() || a.IsMulticast() {
				return c, fmt.Errorf("bad dns %q", v)
			}
			c.DNS = append(c.DNS, a)
		case "search":
			if !validName(strings.TrimSuffix(v, ".")) {
				return c, fmt.Errorf("bad search %q", v)
			}
			c.Search = append(c.Search, strings.ToLower(strings.TrimSuffix(v, ".")))
		case "mtu":
			if c.MTU != 0 {
				return c, errors.New("mtu given twice")
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < minMTU || n > maxMTU {
				return c, fmt.Errorf("bad mtu %q (want %d to %d)", v, minMTU, maxMTU)
			}
			c.MTU = n
		case "hostname":
			if c.Hostname != "" {
				return c, errors.New("hostname given twice")
			}
			if !validName(v) {
				return c, fmt.Errorf("bad hostname %q", v)
			}
			c.Hostname = v
		default:
			return c, fmt.Errorf("unknown key %q (want gw, dns, search, mtu or hostname)", key)
		}
	}
	return c, nil
}

// Configure configures NIC id (interface name name, from AddDevice) as c
// says, in goroutines that live until life is done (the device was removed;
// then what was added is removed: addresses, routes, resolv.conf entries).
// up is closed when the interface has its IPv4 address: at once for static,
// at the first ACK for DHCP, never for off. logf reports lease events, one
// line each ("eth0: 10.0.0.9/24 from 10.0.0.1, lease 1h"); it may be nil.
func (s *Stack) Configure(life context.Context, id int, name string, c IfConfig, logf func(format string, args ...any)) (up <-chan struct{}) {
	s.Stack()
	if logf == nil {
		logf = func(string, ...any) {}
	}
	nic := tcpip.NICID(id)
	upc := make(chan struct{})
	ns := s.netState()
	switch c.Mode {
	case IfOff:
		go func() {
			<-life.Done()
			ns.forget(nic)
		}()
	case IfStatic:
		undo := s.configureStatic(nic, name, c, logf)
		close(upc)
		go func() {
			<-life.Done()
			undo()
			ns.forget(nic)
		}()
	default:
		cl := newDHCPClient(s, nic, name, c.timing, logf)
		go func() {
			cl.run(life, upc) // returns when life is done, having undone its lease
			ns.forget(nic)
		}()
	}
	return upc
}

// configureStatic applies c to the NIC and returns what undoes it.
func (s *Stack) configureStatic(nic tcpip.NICID, name string, c IfConfig, logf func(string, ...any)) (undo func()) {
	var added []netip.Prefix
	for _, p := range c.Addrs {
		if err := s.addAddress(nic, p); err != nil {
			logf("%s: %v: %v", name, p, err)
			continue
		}
		added = append(added, p)
	}
	for _, gw := range c.Gateways {
		s.s.AddRoute(defaultRoute(nic, gw))
	}
	restoreMTU := s.setMTU(nic, name, c.MTU, logf)
	ns := s.netState()
	ns.set(confKey{nic, srcIPv4}, &resolverConf{servers: c.DNS, search: c.Search, hostname: c.Hostname})
	var msg []string
	for _, p := range added {
		msg = append(msg, p.String())
	}
	for _, gw := range c.Gateways {
		msg = append(msg, "gw "+gw.String())
	}
	logf("%s: %s (static)", name, strings.Join(msg, ", "))
	return func() {
		ns.set(confKey{nic, srcIPv4}, nil)
		for _, gw := range c.Gateways {
			s.removeRoute(defaultRoute(nic, gw))
		}
		for _, p := range added {
			s.removeAddress(nic, p)
		}
		restoreMTU()
	}
}

// tcpipAddr converts a.
func tcpipAddr(a netip.Addr) tcpip.Address { return tcpip.AddrFromSlice(a.AsSlice()) }

// defaultRoute is the route of everything in gw's family through gw.
func defaultRoute(nic tcpip.NICID, gw netip.Addr) tcpip.Route {
	dst := header.IPv4EmptySubnet
	if gw.Is6() {
		dst = header.IPv6EmptySubnet
	}
	return tcpip.Route{Destination: dst, Gateway: tcpipAddr(gw), NIC: nic}
}

// removeRoute removes the routes equal to r.
func (s *Stack) removeRoute(r tcpip.Route) {
	s.s.RemoveRoutes(func(x tcpip.Route) bool {
		return x.NIC == r.NIC && x.Destination == r.Destination && x.Gateway == r.Gateway
	})
}

// removeAddress undoes addAddress. The NIC may be gone already, with its
// addresses and routes: errors are ignored.
func (s *Stack) removeAddress(nic tcpip.NICID, p netip.Prefix) {
	a := tcpipAddr(p.Addr())
	s.s.RemoveAddress(nic, a)
	sub := tcpip.AddressWithPrefix{Address: a, PrefixLen: p.Bits()}.Subnet()
	s.removeRoute(tcpip.Route{Destination: sub, NIC: nic})
}

// setMTU sets the NIC's MTU to mtu (0: leave it) if it is in [minMTU, the
// device's MTU], and returns what restores it.
func (s *Stack) setMTU(nic tcpip.NICID, name string, mtu int, logf func(string, ...any)) (restore func()) {
	info, ok := s.s.NICInfo()[nic]
	if mtu == 0 || !ok || uint32(mtu) == info.MTU {
		return func() {}
	}
	if mtu < minMTU || uint32(mtu) > info.MTU {
		logf("%s: mtu %d ignored (want %d to the device's %d)", name, mtu, minMTU, info.MTU)
		return func() {}
	}
	// The NIC's link endpoint (ethernet over the device) counts the
	// Ethernet header in the MTU it is given.
	s.s.SetNICMTU(nic, uint32(mtu+header.EthernetMinimumSize))
	if got := s.s.NICInfo()[nic].MTU; got != uint32(mtu) {
		logf("%s: mtu %d not applied: the device keeps %d", name, mtu, got)
	}
	return func() { s.s.SetNICMTU(nic, info.MTU+header.EthernetMinimumSize) }
}

// Files the configuration writes, variables for tests ("": not written).
// A stack takes them when it makes its netState; netStates' mutex guards
// them.
var (
	resolvConfPath = "/etc/resolv.conf"
	hostnamePath   = "/etc/hostname"
)

// maxNameservers is how many nameserver lines Go's resolver reads
// (net/dnsconfig_unix.go), as glibc's MAXNS.
const maxNameservers = 3

// A confSource is where a NIC's resolver configuration came from.
type confSource int

const (
	srcIPv4 confSource = iota // GOXEN_NET or DHCPv4
	srcRA                     // IPv6 router advertisements (RDNSS, DNSSL: RFC 8106)
)

type confKey struct {
	nic tcpip.NICID
	src confSource
}

// A resolverConf is what one source says of name resolution.
type resolverConf struct {
	servers  []netip.Addr
	search   []string
	hostname string
	// expiry of RA's servers and search domains (RFC 8106 §5.1, §5.2:
	// their lifetimes); the zero time never expires.
	serverExp map[netip.Addr]time.Time
	searchExp map[string]time.Time
}

// A netState is a stack's configuration beyond gVisor's: the resolver's and
// the host name's sources, and a queue of work that NDP events leave (NDP
// dispatchers may not call into the stack).
type netState struct {
	s                    *Stack
	resolvPath, hostPath string

	mu    sync.Mutex
	confs map[confKey]*resolverConf
	timer *time.Timer // the next RA lifetime's end

	wmu                  sync.Mutex // held while writing the files
	wroteResolv, wroteHN string     // what was last written

	qmu      sync.Mutex
	queue    []func()
	draining bool
}

var netStates struct {
	sync.Mutex
	m map[*Stack]*netState
}

// netState returns s's netState, made on first use.
func (s *Stack) netState() *netState {
	netStates.Lock()
	defer netStates.Unlock()
	if netStates.m == nil {
		netStates.m = map[*Stack]*netState{}
	}
	ns := netStates.m[s]
	if ns == nil {
		ns = &netState{s: s, resolvPath: resolvConfPath, hostPath: hostnamePath, confs: map[confKey]*resolverConf{}}
		netStates.m[s] = ns
	}
	return ns
}

// set replaces (nil: removes) k's resolver configuration and rewrites the
// files.
func (ns *netState) set(k confKey, c *resolverConf) {
	ns.mu.Lock()
	if c == nil {
		delete(ns.confs, k)
	} else {
		ns.confs[k] = c
	}
	ns.mu.Unlock()
	ns.write()
}

// forget removes everything known of the NIC (it is gone).
func (ns *netState) forget(nic tcpip.NICID) {
	ns.mu.Lock()
	delete(ns.confs, confKey{nic, srcIPv4})
	delete(ns.confs, confKey{nic, srcRA})
	ns.mu.Unlock()
	ns.write()
}

// raUpdate records servers or search domains from a router advertisement on
// the NIC with their lifetime (0 removes them).
func (ns *netState) raUpdate(nic tcpip.NICID, servers []netip.Addr, search []string, lifetime time.Duration) {
	ns.mu.Lock()
	k := confKey{nic, srcRA}
	c := ns.confs[k]
	if c == nil {
		c = &resolverConf{serverExp: map[netip.Addr]time.Time{}, searchExp: map[string]time.Time{}}
		ns.confs[k] = c
	}
	var exp time.Time
	if lifetime < header.NDPInfiniteLifetime {
		exp = time.Now().Add(lifetime)
	}
	for _, a := range servers {
		if lifetime == 0 {
			delete(c.serverExp, a)
		} else {
			c.serverExp[a] = exp
		}
	}
	for _, d := range search {
		if lifetime == 0 {
			delete(c.searchExp, d)
		} else {
			c.searchExp[d] = exp
		}
	}
	ns.expireLocked()
	ns.mu.Unlock()
	ns.write()
}

// expireLocked drops RA entries whose lifetime has ended, rebuilds the RA
// lists, and arms the timer for the next end.
func (ns *netState) expireLocked() {
	now := time.Now()
	var next time.Time
	for k, c := range ns.confs {
		if k.src != srcRA {
			continue
		}
		c.servers, c.search = nil, nil
		for a, t := range c.serverExp {
			if !t.IsZero() && !t.After(now) {
				delete(c.serverExp, a)
				continue
			}
			c.servers = append(c.servers, a)
			if !t.IsZero() && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
		for d, t := range c.searchExp {
			if !t.IsZero() && !t.After(now) {
				delete(c.searchExp, d)
				continue
			}
			c.search = append(c.search, d)
			if !t.IsZero() && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
		slices.SortFunc(c.servers, netip.Addr.Compare)
		slices.Sort(c.search)
	}
	if ns.timer != nil {
		ns.timer.Stop()
		ns.timer = nil
	}
	if !next.IsZero() {
		ns.timer = time.AfterFunc(time.Until(next), func() {
			ns.mu.Lock()
			ns.expireLocked()
			ns.mu.Unlock()
			ns.write()
		})
	}
}

// files returns the contents of resolv.conf and hostname as the sources say
// ("": no file). nicName names a NIC (for link-local name servers' zones).
func (ns *netState) files(nicName func(tcpip.NICID) string) (resolv, hostname string) {
	ns.mu.Lock()
	keys := make([]confKey, 0, len(ns.confs))
	for k := range ns.confs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b confKey) int {
		if a.nic != b.nic {
			return int(a.nic) - int(b.nic)
		}
		return int(a.src) - int(b.src)
	})
	var v4, v6 []string
	var search []string
	for _, k := range keys {
		c := ns.confs[k]
		for _, a := range c.servers {
			if a.Is4() {
				v4 = append(v4, a.String())
			} else if a.IsLinkLocalUnicast() {
				v6 = append(v6, a.WithZone(nicName(k.nic)).String())
			} else {
				v6 = append(v6, a.String())
			}
		}
		search = append(search, c.search...)
		if hostname == "" {
			hostname = c.hostname
		}
	}
	ns.mu.Unlock()
	servers := dedup(append(v4, v6...))
	search = dedup(search)
	if len(servers)+len(search) > 0 {
		var b strings.Builder
		b.WriteString("# Written by Go for Xen's network stack from GOXEN_NET, DHCP and IPv6 router advertisements.\n")
		for _, a := range servers[:min(len(servers), maxNameservers)] {
			b.WriteString("nameserver " + a + "\n")
		}
		if len(search) > 0 {
			b.WriteString("search " + strings.Join(search, " ") + "\n")
		}
		resolv = b.String()
	}
	if hostname != "" {
		hostname += "\n"
	}
	return resolv, hostname
}

func dedup(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// write brings resolv.conf and hostname up to date: each is written when
// its content changes (through a new file renamed over the old, so that a
// reader sees the old or the new), and removed when no source has anything
// for it (only if this stack wrote it).
func (ns *netState) write() {
	ns.wmu.Lock()
	defer ns.wmu.Unlock()
	resolv, hostname := ns.files(ns.s.nicName)
	writeFile(ns.resolvPath, resolv, &ns.wroteResolv)
	writeFile(ns.hostPath, hostname, &ns.wroteHN)
}

func writeFile(path, content string, last *string) {
	if path == "" || content == *last {
		return
	}
	if content == "" {
		os.Remove(path)
		*last = ""
		return
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return
	}
	*last = content
}

// nicName returns the NIC's interface name.
func (s *Stack) nicName(nic tcpip.NICID) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ni := s.nics[nic]; ni != nil {
		return ni.name
	}
	return strconv.Itoa(int(nic))
}

// do runs f after the work queued before it, on a goroutine of its own: NDP
// events call into the stack from there.
func (ns *netState) do(f func()) {
	ns.qmu.Lock()
	ns.queue = append(ns.queue, f)
	start := !ns.draining
	ns.draining = true
	ns.qmu.Unlock()
	if start {
		go ns.drain()
	}
}

func (ns *netState) drain() {
	for {
		ns.qmu.Lock()
		if len(ns.queue) == 0 {
			ns.draining = false
			ns.qmu.Unlock()
			return
		}
		f := ns.queue[0]
		ns.queue = ns.queue[1:]
		ns.qmu.Unlock()
		f()
	}
}

// An ndpDispatcher receives the IPv6 stack's NDP events: routes from router
// advertisements (RFC 4861 §6.3.4), which gVisor leaves to its integrator
// (SLAAC addresses, RFC 4862, it adds itself), and name servers and search
// domains (RDNSS and DNSSL, RFC 8106). It may not call into the stack or
// block: the work is queued.
type ndpDispatcher struct{ s *Stack }

func (d ndpDispatcher) OnDuplicateAddressDetectionResult(tcpip.NICID, tcpip.Address, stack.DADResult) {
}

func (d ndpDispatcher) OnOffLinkRouteUpdated(nic tcpip.NICID, dst tcpip.Subnet, router tcpip.Address, _ header.NDPRoutePreference) {
	d.s.netState().do(func() {
		r := tcpip.Route{Destination: dst, Gateway: router, NIC: nic}
		d.s.Stack()
		d.s.removeRoute(r) // a preference change updates a known route
		d.s.s.AddRoute(r)
	})
}

func (d ndpDispatcher) OnOffLinkRouteInvalidated(nic tcpip.NICID, dst tcpip.Subnet, router tcpip.Address) {
	d.s.netState().do(func() { d.s.Stack(); d.s.removeRoute(tcpip.Route{Destination: dst, Gateway: router, NIC: nic}) })
}

func (d ndpDispatcher) OnOnLinkPrefixDiscovered(nic tcpip.NICID, prefix tcpip.Subnet) {
	d.s.netState().do(func() { d.s.Stack(); d.s.s.AddRoute(tcpip.Route{Destination: prefix, NIC: nic}) })
}

func (d ndpDispatcher) OnOnLinkPrefixInvalidated(nic tcpip.NICID, prefix tcpip.Subnet) {
	d.s.netState().do(func() { d.s.Stack(); d.s.removeRoute(tcpip.Route{Destination: prefix, NIC: nic}) })
}

func (d ndpDispatcher) OnAutoGenAddress(tcpip.NICID, tcpip.AddressWithPrefix) stack.AddressDispatcher {
	return nil
}
func (d ndpDispatcher) OnAutoGenAddressDeprecated(tcpip.NICID, tcpip.AddressWithPrefix)  {}
func (d ndpDispatcher) OnAutoGenAddressInvalidated(tcpip.NICID, tcpip.AddressWithPrefix) {}

func (d ndpDispatcher) OnRecursiveDNSServerOption(nic tcpip.NICID, addrs []tcpip.Address, lifetime time.Duration) {
	var servers []netip.Addr
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.AsSlice()); ok && !ip.IsUnspecified() && !ip.IsMulticast() {
			servers = append(servers, ip)
		}
	}
	ns := d.s.netState()
	ns.do(func() { ns.raUpdate(nic, servers, nil, lifetime) })
}

func (d ndpDispatcher) OnDNSSearchListOption(nic tcpip.NICID, names []string, lifetime time.Duration) {
	var search []string
	for _, n := range names {
		if n = strings.TrimSuffix(n, "."); validName(n) {
			search = append(search, strings.ToLower(n))
		}
	}
	ns := d.s.netState()
	ns.do(func() { ns.raUpdate(nic, nil, search, lifetime) })
}

// OnDHCPv6Configuration: there is no DHCPv6 client; SLAAC and RDNSS are
// what IPv6 gets.
func (d ndpDispatcher) OnDHCPv6Configuration(tcpip.NICID, ipv6.DHCPv6ConfigurationFromNDPRA) {}
