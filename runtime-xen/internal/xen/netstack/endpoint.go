// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"bytes"
	"io"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"internal/xen/netapi"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// endpoint is a netapi.Endpoint over a gVisor endpoint: the gVisor calls
// that would block return ErrWouldBlock, and its waiter queue tells us when
// to try again.
type endpoint struct {
	st     *stack.Stack
	family int
	sotype int
	ep     tcpip.Endpoint
	wq     *waiter.Queue
	entry  waiter.Entry

	mu     sync.Mutex
	notify func(netapi.Events)

	coalescer // a stream's small writes while its queue is not moving; wmu serializes writes

	// Reused for every read and write, so that they do not allocate.
	rmu         sync.Mutex
	sliceWriter tcpip.SliceWriter
	truncWriter truncatingWriter
	reader      bytes.Reader // under wmu
}

// watched are the events that wake a netapi.Socket.
const watched = waiter.ReadableEvents | waiter.WritableEvents | waiter.EventErr | waiter.EventHUp

func newEndpoint(st *stack.Stack, family, sotype int, trans tcpip.TransportProtocolNumber, netProto tcpip.NetworkProtocolNumber) (*endpoint, error) {
	wq := new(waiter.Queue)
	var ep tcpip.Endpoint
	var err tcpip.Error
	if sotype == syscall.SOCK_RAW {
		ep, err = st.NewRawEndpoint(trans, netProto, wq, true)
	} else {
		ep, err = st.NewEndpoint(trans, netProto, wq)
	}
	if err != nil {
		return nil, errnoOf(err)
	}
	if family == syscall.AF_INET6 {
		ep.SocketOptions().SetV6Only(false) // Linux's default (bindv6only=0)
	}
	return wrapEndpoint(st, family, sotype, ep, wq), nil
}

func wrapEndpoint(st *stack.Stack, family, sotype int, ep tcpip.Endpoint, wq *waiter.Queue) *endpoint {
	e := &endpoint{st: st, family: family, sotype: sotype, ep: ep, wq: wq, notify: func(netapi.Events) {}}
	e.entry = waiter.NewFunctionEntry(watched, e.event)
	wq.EventRegister(&e.entry)
	return e
}

func (e *endpoint) event(m waiter.EventMask) {
	e.mu.Lock()
	f := e.notify
	e.mu.Unlock()
	f(eventsOf(m))
}

func eventsOf(m waiter.EventMask) netapi.Events {
	var ev netapi.Events
	if m&waiter.ReadableEvents != 0 {
		ev |= netapi.EventIn
	}
	if m&waiter.WritableEvents != 0 {
		ev |= netapi.EventOut
	}
	if m&waiter.EventErr != 0 {
		ev |= netapi.EventErr
	}
	if m&waiter.EventHUp != 0 {
		ev |= netapi.EventHUp
	}
	return ev
}

func (e *endpoint) SetNotify(f func(netapi.Events)) {
	e.mu.Lock()
	e.notify = f
	e.mu.Unlock()
}

func (e *endpoint) Readiness(mask netapi.Events) netapi.Events {
	var m waiter.EventMask
	if mask&netapi.EventIn != 0 {
		m |= waiter.ReadableEvents
	}
	if mask&netapi.EventOut != 0 {
		m |= waiter.WritableEvents
	}
	if mask&netapi.EventErr != 0 {
		m |= waiter.EventErr
	}
	if mask&netapi.EventHUp != 0 {
		m |= waiter.EventHUp
	}
	return eventsOf(e.ep.Readiness(m)) & mask
}

// fullAddress converts a to gVisor's form for an endpoint of e's family: an
// IPv4 address as 4 bytes on an AF_INET endpoint, 16 (v4-mapped for IPv4) on
// an AF_INET6 one; the zone names the NIC.
func (e *endpoint) fullAddress(a netapi.Addr) (tcpip.FullAddress, error) {
	ip := a.IP.Addr()
	fa := tcpip.FullAddress{Port: a.IP.Port()}
	if !ip.IsValid() {
		return fa, nil
	}
	if z := ip.Zone(); z != "" {
		id, err := nicByName(e.st, z)
		if err != nil {
			return fa, err
		}
		fa.NIC = id
		ip = ip.WithZone("")
	}
	switch e.family {
	case syscall.AF_INET:
		ip = ip.Unmap()
		if !ip.Is4() {
			return fa, syscall.EAFNOSUPPORT
		}
	case syscall.AF_INET6:
		if ip.Is4() {
			ip = netip.AddrFrom16(ip.As16())
		}
	}
	if !ip.IsUnspecified() {
		fa.Addr = tcpip.AddrFromSlice(ip.AsSlice())
	}
	return fa, nil
}

// nicByName returns the NIC of an IPv6 zone: an interface name or index.
func nicByName(st *stack.Stack, zone string) (tcpip.NICID, error) {
	for id, info := range st.NICInfo() {
		if info.Name == zone {
			return id, nil
		}
	}
	n := 0
	for _, c := range zone {
		if c < '0' || c > '9' {
			return 0, syscall.ENODEV
		}
		n = n*10 + int(c-'0')
		if n > 1<<16 {
			return 0, syscall.ENODEV
		}
	}
	if !st.CheckNIC(tcpip.NICID(n)) {
		return 0, syscall.ENODEV
	}
	return tcpip.NICID(n), nil
}

// addrOf converts a gVisor address back, in e's family.
func (e *endpoint) addrOf(fa tcpip.FullAddress) netapi.Addr {
	var ip netip.Addr
	switch fa.Addr.Len() {
	case 4:
		ip = netip.AddrFrom4(fa.Addr.As4())
		if e.family == syscall.AF_INET6 {
			ip = netip.AddrFrom16(ip.As16()) // v4-mapped, as Linux reports it
		}
	case 16:
		ip = netip.AddrFrom16(fa.Addr.As16())
	default:
		if e.family == syscall.AF_INET {
			ip = netip.IPv4Unspecified()
		} else {
			ip = netip.IPv6Unspecified()
		}
	}
	if ip.Is6() && ip.IsLinkLocalUnicast() && fa.NIC != 0 {
		if name := e.st.FindNICNameFromID(fa.NIC); name != "" {
			ip = ip.WithZone(name)
		}
	}
	return netapi.Addr{IP: netip.AddrPortFrom(ip, fa.Port)}
}

func (e *endpoint) Bind(a netapi.Addr) error {
	fa, err := e.fullAddress(a)
	if err != nil {
		return err
	}
	return errnoOf(e.ep.Bind(fa))
}

func (e *endpoint) Listen(backlog int) error {
	return errnoOf(e.ep.Listen(backlog))
}

func (e *endpoint) Connect(a netapi.Addr) error {
	fa, err := e.fullAddress(a)
	if err != nil {
		return err
	}
	return errnoOf(e.ep.Connect(fa))
}

func (e *endpoint) ConnectResult() error {
	if err := e.ep.LastError(); err != nil {
		return errnoOf(err)
	}
	if e.sotype != syscall.SOCK_STREAM {
		return nil
	}
	switch tcp.EndpointState(e.ep.State()) {
	case tcp.StateConnecting, tcp.StateSynSent, tcp.StateSynRecv:
		return syscall.EINPROGRESS
	case tcp.StateEstablished, tcp.StateCloseWait, tcp.StateFinWait1, tcp.StateFinWait2,
		tcp.StateTimeWait, tcp.StateLastAck, tcp.StateClosing:
		return nil
	}
	return syscall.ECONNREFUSED
}

func (e *endpoint) Accept() (netapi.Endpoint, netapi.Addr, error) {
	var peer tcpip.FullAddress
	ep, wq, err := e.ep.Accept(&peer)
	if err != nil {
		return nil, netapi.Addr{}, errnoOf(err)
	}
	return wrapEndpoint(e.st, e.family, e.sotype, ep, wq), e.addrOf(peer), nil
}

func (e *endpoint) Read(p []byte) (int, error) {
	n, _, err := e.read(p, false)
	return n, err
}

func (e *endpoint) ReadFrom(p []byte) (int, netapi.Addr, error) {
	return e.read(p, true)
}

func (e *endpoint) read(p []byte, from bool) (int, netapi.Addr, error) {
	e.rmu.Lock()
	defer e.rmu.Unlock()
	var w io.Writer
	if e.sotype == syscall.SOCK_STREAM {
		// gVisor keeps what does not fit for the next read.
		e.sliceWriter = p
		w = &e.sliceWriter
	} else {
		// A datagram that does not fit is truncated, as on Linux.
		e.truncWriter = truncatingWriter{buf: p}
		w = &e.truncWriter
	}
	res, err := e.ep.Read(w, tcpip.ReadOptions{NeedRemoteAddr: from})
	e.sliceWriter, e.truncWriter.buf = nil, nil
	if err != nil {
		if _, eof := err.(*tcpip.ErrClosedForReceive); eof {
			return 0, netapi.Addr{}, nil
		}
		return 0, netapi.Addr{}, errnoOf(err)
	}
	n := res.Count
	if e.sotype != syscall.SOCK_STREAM {
		n = e.truncWriter.n
	}
	var a netapi.Addr
	if from {
		a = e.addrOf(res.RemoteAddr)
	}
	return n, a, nil
}

// truncatingWriter takes all that is written and keeps what fits in buf.
type truncatingWriter struct {
	buf []byte
	n   int
}

func (w *truncatingWriter) Write(b []byte) (int, error) {
	w.n += copy(w.buf[w.n:], b)
	return len(b), nil
}

func (e *endpoint) Write(p []byte) (int, error) {
	if e.sotype == syscall.SOCK_STREAM {
		return e.writeStream(p)
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	return e.write(p)
}

// write hands p to gVisor; e.wmu is held.
func (e *endpoint) write(p []byte) (int, error) {
	e.reader.Reset(p)
	n, err := e.ep.Write(&e.reader, tcpip.WriteOptions{})
	e.reader.Reset(nil)
	if err != nil {
		return int(n), errnoOf(err)
	}
	return int(n), nil
}

func (e *endpoint) WriteTo(p []byte, to netapi.Addr) (int, error) {
	fa, err := e.fullAddress(to)
	if err != nil {
		return 0, err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.reader.Reset(p)
	n, terr := e.ep.Write(&e.reader, tcpip.WriteOptions{To: &fa})
	e.reader.Reset(nil)
	if terr != nil {
		return int(n), errnoOf(terr)
	}
	return int(n), nil
}

func (e *endpoint) Shutdown(how int) error {
	if how&netapi.ShutWrite != 0 {
		e.flushBeforeClose()
	}
	var flags tcpip.ShutdownFlags
	if how&netapi.ShutRead != 0 {
		flags |= tcpip.ShutdownRead
	}
	if how&netapi.ShutWrite != 0 {
		flags |= tcpip.ShutdownWrite
	}
	return errnoOf(e.ep.Shutdown(flags))
}

func (e *endpoint) Close() error {
	e.flushBeforeClose()
	e.wq.EventUnregister(&e.entry)
	e.ep.Close()
	return nil
}

func (e *endpoint) LocalAddr() netapi.Addr {
	fa, err := e.ep.GetLocalAddress()
	if err != nil {
		return e.addrOf(tcpip.FullAddress{})
	}
	return e.addrOf(fa)
}

func (e *endpoint) RemoteAddr() (netapi.Addr, error) {
	fa, err := e.ep.GetRemoteAddress()
	if err != nil {
		return netapi.Addr{}, errnoOf(err)
	}
	return e.addrOf(fa), nil
}

func (e *endpoint) SetOption(o netapi.Option, v int) error {
	so := e.ep.SocketOptions()
	switch o {
	case netapi.ReuseAddr:
		so.SetReuseAddress(v != 0)
	case netapi.Broadcast:
		so.SetBroadcast(v != 0)
	case netapi.KeepAlive:
		so.SetKeepAlive(v != 0)
	case netapi.Linger:
		so.SetLinger(tcpip.LingerOption{Enabled: v >= 0, Timeout: time.Duration(max(v, 0)) * time.Second})
	case netapi.RecvBuffer:
		if v <= 0 {
			return syscall.EINVAL
		}
		so.SetReceiveBufferSize(int64(v), true)
	case netapi.SendBuffer:
		if v <= 0 {
			return syscall.EINVAL
		}
		so.SetSendBufferSize(int64(v), true)
	case netapi.V6Only:
		if e.family != syscall.AF_INET6 {
			return syscall.ENOPROTOOPT
		}
		so.SetV6Only(v != 0)
	case netapi.NoDelay:
		if e.sotype != syscall.SOCK_STREAM {
			return syscall.EOPNOTSUPP
		}
		so.SetDelayOption(v == 0)
	case netapi.KeepAliveIdle:
		if v < 1 {
			return syscall.EINVAL
		}
		opt := tcpip.KeepaliveIdleOption(time.Duration(v) * time.Second)
		return errnoOf(e.ep.SetSockOpt(&opt))
	case netapi.KeepAliveIntvl:
		if v < 1 {
			return syscall.EINVAL
		}
		opt := tcpip.KeepaliveIntervalOption(time.Duration(v) * time.Second)
		return errnoOf(e.ep.SetSockOpt(&opt))
	case netapi.KeepAliveCount:
		if v < 1 {
			return syscall.EINVAL
		}
		return errnoOf(e.ep.SetSockOptInt(tcpip.KeepaliveCountOption, v))
	default:
		return syscall.ENOPROTOOPT
	}
	return nil
}

func (e *endpoint) GetOption(o netapi.Option) (int, error) {
	so := e.ep.SocketOptions()
	b := func(v bool) (int, error) {
		if v {
			return 1, nil
		}
		return 0, nil
	}
	switch o {
	case netapi.ReuseAddr:
		return b(so.GetReuseAddress())
	case netapi.Broadcast:
		return b(so.GetBroadcast())
	case netapi.KeepAlive:
		return b(so.GetKeepAlive())
	case netapi.Linger:
		l := so.GetLinger()
		if !l.Enabled {
			return -1, nil
		}
		return int(l.Timeout / time.Second), nil
	case netapi.RecvBuffer:
		return int(so.GetReceiveBufferSize()), nil
	case netapi.SendBuffer:
		return int(so.GetSendBufferSize()), nil
	case netapi.V6Only:
		return b(so.GetV6Only())
	case netapi.NoDelay:
		return b(!so.GetDelayOption())
	case netapi.KeepAliveIdle:
		var opt tcpip.KeepaliveIdleOption
		if err := e.ep.GetSockOpt(&opt); err != nil {
			return 0, errnoOf(err)
		}
		return int(time.Duration(opt) / time.Second), nil
	case netapi.KeepAliveIntvl:
		var opt tcpip.KeepaliveIntervalOption
		if err := e.ep.GetSockOpt(&opt); err != nil {
			return 0, errnoOf(err)
		}
		return int(time.Duration(opt) / time.Second), nil
	case netapi.KeepAliveCount:
		v, err := e.ep.GetSockOptInt(tcpip.KeepaliveCountOption)
		return v, errnoOf(err)
	}
	return 0, syscall.ENOPROTOOPT
}
