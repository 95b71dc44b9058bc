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
// unchanged, and gVisor computes and checks every checksum.
type deviceEndpoint struct {
	dev Device
	mtu atomic.Uint32 // the link MTU (the IP MTU plus the Ethernet header), at most the device's

	// The transmit queue, like a NIC's: WritePackets must not wait for
	// the device, because gVisor calls it with the TCP endpoint's lock
	// held, and its TCP processor goroutine spins without yielding while
	// that lock is taken (dispatcher.go: a failed TryLock requeues the
	// endpoint and loops). On one vCPU with cooperative scheduling the
	// waiting sender would never run again and the guest hangs at 100%
	// CPU (seen in TestNetfront's 16 MiB download).
	txq      chan []byte // frames to transmit, in order
	txFree   chan []byte // their buffers, for reuse
	txBroken atomic.Bool // Transmit failed: the device is gone
	stop     chan struct{}
	stopOnce sync.Once

	mu         sync.Mutex
	dispatcher stack.NetworkDispatcher
	receiving  bool
	onClose    func()
}

// txQueueLen is how many frames wait for the device, Linux's default
// txqueuelen (1000); past it frames are dropped, as by a full NIC queue,
// and TCP backs off.
const txQueueLen = 1000

// newDeviceEndpoint makes d's endpoint and starts its transmit goroutine.
func newDeviceEndpoint(d Device) *deviceEndpoint {
	e := &deviceEndpoint{dev: d, txq: make(chan []byte, txQueueLen), txFree: make(chan []byte, txQueueLen), stop: make(chan struct{})}
	e.mtu.Store(uint32(d.MTU() + header.EthernetMinimumSize))
	go e.transmit()
	return e
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
	frame := make([]byte, e.dev.MTU()+header.EthernetMinimumSize)
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
		var frame []byte
		select {
		case frame = <-e.txFree:
			frame = frame[:0]
		default:
			frame = make([]byte, 0, e.dev.MTU()+header.EthernetMinimumSize)
		}
		for _, b := range pkt.AsSlices() {
			frame = append(frame, b...)
		}
		select {
		case e.txq <- frame:
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
		case frame := <-e.txq:
			if !e.txBroken.Load() && e.dev.Transmit(frame) != nil {
				e.txBroken.Store(true)
			}
			select {
			case e.txFree <- frame:
			default:
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
