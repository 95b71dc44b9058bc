// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"net/netip"
	"sync"
	"sync/atomic"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/ethernet"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// A Device is an Ethernet device driver, such as netfront for a vif.
//
// Receive blocks until a frame has arrived and copies it into frame, which
// has room for MTU()+14 bytes (the Ethernet header); the stack calls it from
// one goroutine of its own, so a driver waits for its event channel in the
// netpoller and never polls. An error from Receive ends the device's input.
//
// Transmit sends one frame, copying it: it waits for room in the driver's
// ring rather than dropping the frame when the ring is full (between
// cooperative goroutines, drops turn into retransmission storms), and fails
// only when the device is broken or gone. The stack calls it from one
// goroutine of its own (deviceEndpoint.transmit), never with a lock of
// gVisor's held.
type Device interface {
	Name() string
	HardwareAddr() []byte
	MTU() int
	Receive(frame []byte) (int, error)
	Transmit(frame []byte) error
}

// An OffloadDevice is a Device whose backend does part of the stack's
// work, as a NIC's hardware does: it may deliver TCP segments of more
// than the MTU (frames of up to MaxFrame bytes, their checksums
// checked or completed by the driver), and, when GSOMaxSize is not 0, it
// takes TCP segments of up to GSOMaxSize bytes with only the
// pseudo-header sum in their checksum field (TransmitOffload), which the
// backend completes and, for mss > 0, cuts into segments of mss payload
// bytes (GSO: netfront's feature-gso-tcpv4/6).
type OffloadDevice interface {
	Device
	MaxFrame() int
	GSOMaxSize() int
	TransmitOffload(frame []byte, mss int, v6 bool) error
}

// AddDevice makes d an interface of the stack, with the addresses given (each
// routes its subnet through d), and starts delivering its frames. It returns
// the interface index.
func (s *Stack) AddDevice(d Device, addrs ...netip.Prefix) (int, error) {
	st := s.Stack()
	s.mu.Lock()
	id := s.nextID
	s.nextID++
	s.nics[id] = &nicInfo{name: d.Name(), hwaddr: append([]byte(nil), d.HardwareAddr()...)}
	s.mu.Unlock()

	ep := newDeviceEndpoint(d)
	link := ethernet.New(ep)
	if err := st.CreateNICWithOptions(id, link, stack.NICOptions{Name: d.Name()}); err != nil {
		return 0, errnoOf(err)
	}
	for _, p := range addrs {
		if err := s.addAddress(id, p); err != nil {
			return 0, err
		}
	}
	return int(id), nil
}

// deviceEndpoint is the gVisor link endpoint of a Device, below
// ethernet.Endpoint (which adds and parses the Ethernet header): frames pass
// unchanged, and gVisor computes and checks every checksum, except that
// TCP over an OffloadDevice with GSO sends segments of up to 64 KiB with
// a partial checksum, for the backend to cut and complete (gVisor's "host
// GSO", as over a Linux tap device).
type deviceEndpoint struct {
	dev      Device
	offload  OffloadDevice // dev, if it offloads; else nil
	maxFrame int           // the largest frame dev delivers
	gsoMax   int           // the largest GSO frame it takes; 0: none
	mtu      atomic.Uint32 // the link MTU (the IP MTU plus the Ethernet header), at most the device's

	// The transmit queue, like a NIC's: WritePackets must not wait for
	// the device, because gVisor calls it with the TCP endpoint's lock
	// held, and its TCP processor goroutine spins without yielding while
	// that lock is taken (dispatcher.go: a failed TryLock requeues the
	// endpoint and loops). On one vCPU with cooperative scheduling the
	// waiting sender would never run again and the guest hangs at 100%
	// CPU (seen in TestNetfront's 16 MiB download).
	txq      chan txFrame // frames to transmit, in order
	txFree   chan []byte  // their buffers (of at most a page), for reuse
	txBroken atomic.Bool  // Transmit failed: the device is gone
	stop     chan struct{}
	stopOnce sync.Once

	mu         sync.Mutex
	dispatcher stack.NetworkDispatcher
	receiving  bool
	onClose    func()
}

// A txFrame is a frame waiting for the device.
type txFrame struct {
	b       []byte
	partial bool // its TCP checksum holds the pseudo-header sum: TransmitOffload
	mss     int  // and a GSO segment of mss-byte segments, if not 0
	v6      bool
}

// txQueueLen is how many frames wait for the device, Linux's default
// txqueuelen (1000, GSO segments counting one each, as in Linux); past it
// frames are dropped, as by a full NIC queue, and TCP backs off.
const txQueueLen = 1000

// txPooled is the size of the largest transmit buffer kept for reuse: a
// page holds any MTU-sized frame; GSO segments are allocated each time,
// so that a thousand idle 64 KiB buffers do not stay behind.
const txPooled = 4096

// newDeviceEndpoint makes d's endpoint and starts its transmit goroutine.
func newDeviceEndpoint(d Device) *deviceEndpoint {
	e := &deviceEndpoint{dev: d, txq: make(chan txFrame, txQueueLen), txFree: make(chan []byte, txQueueLen), stop: make(chan struct{})}
	e.maxFrame = d.MTU() + header.EthernetMinimumSize
	if od, ok := d.(OffloadDevice); ok {
		e.offload, e.gsoMax = od, od.GSOMaxSize()
		e.maxFrame = max(e.maxFrame, od.MaxFrame())
	}
	e.mtu.Store(uint32(d.MTU() + header.EthernetMinimumSize))
	go e.transmit()
	return e
}

// GSOMaxSize and SupportedGSO make the endpoint a stack.GSOEndpoint
// (ethernet.Endpoint passes them on): with the device's GSO, TCP builds
// segments of up to GSOMaxSize bytes, frame headers included (gVisor
// leaves TCPTotalHeaderMaximumSize for them).
func (e *deviceEndpoint) GSOMaxSize() uint32 { return uint32(e.gsoMax) }

func (e *deviceEndpoint) SupportedGSO() stack.SupportedGSO {
	if e.gsoMax > 0 {
		return stack.HostGSOSupported
	}
	return stack.GSONotSupported
}

func (e *deviceEndpoint) MTU() uint32 { return e.mtu.Load() }

// SetMTU lowers the MTU (a DHCP lease's MTU option, GOXEN_NET's mtu=); the
// device's own is the most it can be.
func (e *deviceEndpoint) SetMTU(mtu uint32) {
	if max := uint32(e.dev.MTU() + header.EthernetMinimumSize); mtu <= max {
		e.mtu.Store(mtu)
	}
}
func (e *deviceEndpoint) MaxHeaderLength() uint16 { return 0 }
func (e *deviceEndpoint) LinkAddress() tcpip.LinkAddress {
	return tcpip.LinkAddress(e.dev.HardwareAddr())
}
func (e *deviceEndpoint) SetLinkAddress(tcpip.LinkAddress)             {}
func (e *deviceEndpoint) Capabilities() stack.LinkEndpointCapabilities { return 0 }
func (e *deviceEndpoint) Wait()                                        {}
func (e *deviceEndpoint) ARPHardwareType() header.ARPHardwareType      { return header.ARPHardwareEther }
func (e *deviceEndpoint) AddHeader(*stack.PacketBuffer)                {}
func (e *deviceEndpoint) ParseHeader(*stack.PacketBuffer) bool         { return true }

func (e *deviceEndpoint) IsAttached() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dispatcher != nil
}

func (e *deviceEndpoint) Attach(d stack.NetworkDispatcher) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dispatcher = d
	if d != nil && !e.receiving {
		e.receiving = true
		go e.receive()
	}
}

// receive delivers the device's frames to the stack, from its own goroutine.
func (e *deviceEndpoint) receive() {
	frame := make([]byte, e.maxFrame)
	for {
		n, err := e.dev.Receive(frame)
		if err != nil {
			return
		}
		e.mu.Lock()
		d := e.dispatcher
		e.mu.Unlock()
		if d == nil {
			return
		}
		pkt := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithData(frame[:n])})
		d.DeliverNetworkPacket(0, pkt)
		pkt.DecRef()
	}
}

// WritePackets queues copies of the frames for transmit, in order, without
// waiting: see deviceEndpoint.txq.
func (e *deviceEndpoint) WritePackets(pkts stack.PacketBufferList) (int, tcpip.Error) {
	if e.txBroken.Load() {
		return 0, &tcpip.ErrClosedForSend{}
	}
	sent := 0
	for _, pkt := range pkts.AsSlice() {
		f := txFrame{}
		if g := pkt.GSOOptions; (g.Type == stack.GSOTCPv4 || g.Type == stack.GSOTCPv6) && g.NeedsCsum && e.gsoMax > 0 {
			f.partial, f.v6 = true, g.Type == stack.GSOTCPv6
			if pkt.Data().Size() > int(g.MSS) {
				f.mss = int(g.MSS)
			}
		}
		size := pkt.Size()
		if size <= txPooled {
			select {
			case f.b = <-e.txFree:
				f.b = f.b[:0]
			default:
			}
		}
		if f.b == nil {
			f.b = make([]byte, 0, max(size, e.dev.MTU()+header.EthernetMinimumSize))
		}
		for _, b := range pkt.AsSlices() {
			f.b = append(f.b, b...)
		}
		select {
		case e.txq <- f:
			sent++
		default:
			if sent == 0 {
				return 0, &tcpip.ErrNoBufferSpace{}
			}
			return sent, nil
		}
	}
	return sent, nil
}

// transmit hands the queued frames to the device, from a goroutine of its
// own that may wait for it.
func (e *deviceEndpoint) transmit() {
	for {
		select {
		case f := <-e.txq:
			if !e.txBroken.Load() {
				var err error
				if f.partial {
					err = e.offload.TransmitOffload(f.b, f.mss, f.v6)
				} else {
					err = e.dev.Transmit(f.b)
				}
				if err != nil {
					e.txBroken.Store(true)
				}
			}
			if cap(f.b) <= txPooled {
				select {
				case e.txFree <- f.b:
				default:
				}
			}
		case <-e.stop:
			return
		}
	}
}

func (e *deviceEndpoint) Close() {
	e.stopOnce.Do(func() { close(e.stop) })
	e.mu.Lock()
	f := e.onClose
	e.mu.Unlock()
	if f != nil {
		f()
	}
}

func (e *deviceEndpoint) SetOnCloseAction(f func()) {
	e.mu.Lock()
	e.onClose = f
	e.mu.Unlock()
}

// RemoveDevice takes interface id out of the stack, as when its device is
// gone (xl network-detach): the connections and sockets bound to its
// addresses are aborted, so that their reads and writes fail at once
// rather than wait for timeouts that may never come, and its addresses
// and routes go with it.
func (s *Stack) RemoveDevice(id int) {
	st := s.Stack()
	nic := tcpip.NICID(id)
	addrs := map[tcpip.Address]bool{}
	if info, ok := st.NICInfo()[nic]; ok {
		for _, pa := range info.ProtocolAddresses {
			addrs[pa.AddressWithPrefix.Address] = true
		}
	}
	for _, ep := range st.RegisteredEndpoints() {
		i, ok := ep.(interface{ Info() tcpip.EndpointInfo })
		if !ok {
			continue
		}
		if ti, ok := i.Info().(*stack.TransportEndpointInfo); ok && (addrs[ti.ID.LocalAddress] || ti.RegisterNICID == nic) {
			ep.Abort()
		}
	}
	st.RemoveNIC(nic)
	s.mu.Lock()
	delete(s.nics, nic)
	s.mu.Unlock()
}
