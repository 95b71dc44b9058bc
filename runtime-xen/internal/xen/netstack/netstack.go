// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"net/netip"
	"slices"
	"sync"
	"syscall"

	"internal/xen/netapi"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/link/loopback"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/raw"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

func init() {
	netapi.Register(Default)
}

// Default is the program's stack.
var Default = &Stack{}

// loopbackNIC is the loopback interface's NIC ID (and interface index, as lo
// is 1 on Linux).
const loopbackNIC = 1

// sendBufferDefault is a TCP socket's initial send buffer: Linux's
// tcp_wmem[1].
const sendBufferDefault = 16 << 10

// A Stack is a gVisor stack with its interfaces. Its zero value is ready:
// the gVisor stack is made on first use.
type Stack struct {
	once sync.Once
	s    *stack.Stack

	mu     sync.Mutex
	nics   map[tcpip.NICID]*nicInfo
	nextID tcpip.NICID
}

// nicInfo is what the stack keeps of an interface for net.Interfaces.
type nicInfo struct {
	name     string
	loopback bool
	hwaddr   []byte
}

// Stack returns the gVisor stack, making it on first use.
func (s *Stack) Stack() *stack.Stack {
	s.once.Do(s.init)
	return s.s
}

func (s *Stack) init() {
	// IPv6 configures itself on every device (RFC 4862): a link-local
	// address, and from router advertisements (RFC 4861 §6.3.4) default
	// routers, on-link prefixes and SLAAC addresses; ndpDispatcher
	// (netconfig.go) adds their routes and records RDNSS and DNSSL (RFC
	// 8106) in resolv.conf. Duplicate address detection is off, as it was:
	// with it a static address would be unusable for its first second.
	ndp := ipv6.DefaultNDPConfigurations()
	ndp.HandleRAs = ipv6.HandlingRAsEnabledWhenForwardingDisabled
	ndp.DiscoverDefaultRouters = true
	ndp.DiscoverOnLinkPrefixes = true
	ndp.AutoGenGlobalAddresses = true
	ip6 := ipv6.NewProtocolWithOptions(ipv6.Options{NDPConfigs: ndp, AutoGenLinkLocal: true, NDPDisp: ndpDispatcher{s}})
	st := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, ip6, arp.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol, icmp.NewProtocol4, icmp.NewProtocol6},
		HandleLocal:        true,
		RawFactory:         raw.EndpointFactory{}, // raw IP sockets (net.IPConn)
	})
	// Linux's defaults: selective acknowledgements on, and receive buffers
	// that grow with the connection's throughput.
	sack := tcpip.TCPSACKEnabled(true)
	st.SetTransportProtocolOption(tcp.ProtocolNumber, &sack)
	moderate := tcpip.TCPModerateReceiveBufferOption(true)
	st.SetTransportProtocolOption(tcp.ProtocolNumber, &moderate)
	// Loss recovery by SACK (RFC 6675) without gVisor's RACK-TLP. gVisor's
	// RACK marks segments lost without telling the SACK scoreboard: when an
	// ACK after a retransmission timeout makes it enter recovery, SetPipe
	// (transport/tcp/snd.go) still counts every unacknowledged segment as
	// in flight, and the sender retransmits one or two segments per timeout.
	// A gVisor peer that had dropped 1,671 one-byte segments (see
	// coalesce.go) got them back in 168 s with RACK, and 0.3 s after it
	// started reading without (most of it the wait for the next timeout).
	// Tailscale turns RACK off in its gVisor stack too
	// (tailscale/tailscale#14896).
	recovery := tcpip.TCPRecovery(0)
	st.SetTransportProtocolOption(tcp.ProtocolNumber, &recovery)
	// Send buffers as Linux's (tcp_wmem): they start small and grow with
	// the congestion window (see coalesce.go for what gVisor counts).
	sndbuf := tcpip.TCPSendBufferSizeRangeOption{Min: 4 << 10, Default: sendBufferDefault, Max: 4 << 20}
	st.SetTransportProtocolOption(tcp.ProtocolNumber, &sndbuf)

	s.s = st
	s.nics = map[tcpip.NICID]*nicInfo{}
	s.nextID = loopbackNIC + 1
	if err := st.CreateNICWithOptions(loopbackNIC, loopback.New(), stack.NICOptions{Name: "lo"}); err != nil {
		panic("netstack: creating lo: " + err.String())
	}
	s.nics[loopbackNIC] = &nicInfo{name: "lo", loopback: true}
	for _, p := range []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8"), netip.MustParsePrefix("::1/128")} {
		if err := s.addAddress(loopbackNIC, p); err != nil {
			panic("netstack: adding " + p.String() + " to lo: " + err.Error())
		}
	}
}

// addAddress assigns p to the NIC and routes p's subnet through it.
func (s *Stack) addAddress(nic tcpip.NICID, p netip.Prefix) error {
	proto := ipv4.ProtocolNumber
	if p.Addr().Is6() {
		proto = ipv6.ProtocolNumber
	}
	addr := tcpip.AddrFromSlice(p.Addr().AsSlice())
	pa := tcpip.ProtocolAddress{Protocol: proto, AddressWithPrefix: tcpip.AddressWithPrefix{Address: addr, PrefixLen: p.Bits()}}
	if err := s.s.AddProtocolAddress(nic, pa, stack.AddressProperties{}); err != nil {
		return errnoOf(err)
	}
	s.s.AddRoute(tcpip.Route{Destination: pa.AddressWithPrefix.Subnet(), NIC: nic})
	return nil
}

// NewEndpoint implements netapi.Stack.
func (s *Stack) NewEndpoint(family, sotype, proto int) (netapi.Endpoint, error) {
	st := s.Stack()
	var netProto tcpip.NetworkProtocolNumber
	switch family {
	case syscall.AF_INET:
		netProto = ipv4.ProtocolNumber
	case syscall.AF_INET6:
		netProto = ipv6.ProtocolNumber
	default:
		return nil, syscall.EAFNOSUPPORT
	}
	var transProto tcpip.TransportProtocolNumber
	switch {
	case sotype == syscall.SOCK_STREAM && (proto == 0 || proto == syscall.IPPROTO_TCP):
		transProto = tcp.ProtocolNumber
	case sotype == syscall.SOCK_DGRAM && (proto == 0 || proto == syscall.IPPROTO_UDP):
		transProto = udp.ProtocolNumber
	case sotype == syscall.SOCK_RAW && proto > 0 && proto < 256:
		transProto = tcpip.TransportProtocolNumber(proto)
	default:
		return nil, syscall.EPROTONOSUPPORT
	}
	return newEndpoint(st, family, sotype, transProto, netProto)
}

// Interfaces implements netapi.Stack.
func (s *Stack) Interfaces() []netapi.Interface {
	st := s.Stack()
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []netapi.Interface
	for id, info := range st.NICInfo() {
		ni := s.nics[id]
		if ni == nil {
			continue
		}
		ifc := netapi.Interface{
			Index:        int(id),
			Name:         info.Name,
			MTU:          int(info.MTU),
			HardwareAddr: ni.hwaddr,
		}
		if info.Flags.Up {
			ifc.Flags |= netapi.FlagUp
		}
		if info.Flags.Running {
			ifc.Flags |= netapi.FlagRunning
		}
		if info.Flags.Loopback {
			ifc.Flags |= netapi.FlagLoopback
		} else {
			ifc.Flags |= netapi.FlagBroadcast | netapi.FlagMulticast
		}
		for _, pa := range info.ProtocolAddresses {
			a, ok := netip.AddrFromSlice(pa.AddressWithPrefix.Address.AsSlice())
			// 0.0.0.0 is the DHCP client's source address while it asks
			// (dhcpclient.go), not an address of the interface: Linux
			// shows none then.
			if !ok || a.IsUnspecified() {
				continue
			}
			ifc.Addrs = append(ifc.Addrs, netip.PrefixFrom(a, pa.AddressWithPrefix.PrefixLen))
		}
		list = append(list, ifc)
	}
	slices.SortFunc(list, func(a, b netapi.Interface) int { return a.Index - b.Index })
	return list
}
