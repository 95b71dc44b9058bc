// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netfront

import (
	"context"
	"errors"
	"internal/byteorder"
	"internal/strconv"
	"internal/xen/evtchn"
	"internal/xen/gnttab"
	"internal/xen/ring"
	"internal/xen/xenbus"
	"internal/xen/xenstore"
	"io/fs"
	"sync"
	"syscall"
	"time"
)

// Config is what a vif is connected with.
type Config struct {
	Store  *xenstore.Client
	Xen    evtchn.Xen
	Grants gnttab.Grants
	Memory gnttab.Memory

	// RxBuffers is the number of receive buffers (pages) posted to the
	// backend, a power of two, at most the ring's 256 slots. Default 256, as Linux's
	// netfront (NET_RX_RING_SIZE): a burst of that many packets is taken
	// without a drop.
	RxBuffers int
	// TxTimeout is how long a transmit waits for ring space before the
	// vif is declared broken (the backend stopped answering). Default
	// 10 s.
	TxTimeout time.Duration
	// ConnectTimeout bounds the handshake of one vif. Default 30 s.
	ConnectTimeout time.Duration
	// Log receives a line when a vif breaks or cannot be connected.
	Log func(msg string)
	// NoGSO leaves GSO out of the negotiation in both directions
	// (GOXEN_NETFRONT=no-gso), for comparisons.
	NoGSO bool
}

const (
	ringSlots        = 256 // NET_TX_RING_SIZE and NET_RX_RING_SIZE for one page
	defaultTxTimeout = 10 * time.Second
	// The toolstack starts the domain once the backends wait for it, so
	// a handshake normally takes milliseconds.
	defaultConnectTimeout = 30 * time.Second
	ethHeader             = 14
	defaultMTU            = 1500 // ETH_DATA_LEN: what libxl and Linux assume without an mtu key
	minMTU                = 68   // RFC 791's smallest datagram every link must carry
	maxMTU                = 65535 - ethHeader
	// maxRxSlots bounds the slots one received packet may take: Linux's
	// netfront accepts MAX_SKB_FRAGS+1 (18) and drops longer chains.
	maxRxSlots = 18
	// maxTxFrame is the largest frame a transmit can carry: the first
	// request's size, the packet's, is 16 bits (netif.h).
	maxTxFrame = 65535
	// maxRxFrame is the most a received GSO packet can be: maxRxSlots
	// full pages.
	maxRxFrame = maxRxSlots * pageSize
)

var (
	// ErrBroken is the error of I/O on a vif whose backend went away,
	// broke the protocol or stopped answering.
	ErrBroken = errors.New("netfront: the vif's backend is gone or broke the protocol")
	// ErrClosed: the vif was closed.
	ErrClosed = errors.New("netfront: vif closed")
)

// A Vif is one connected virtual network interface: an Ethernet device
// (internal/xen/netstack.Device).
type Vif struct {
	cfg Config
	dev *xenbus.Device
	id  string

	// Set at connection, then constant.
	mac [6]byte
	mtu int
	sg  bool // the backend takes and sends packets over several slots
	// txGSO: the backend takes TCP segments of up to 64 KiB and cuts
	// them (feature-gso-tcpv4 and -tcpv6). rxGSO: the frontend offered
	// to take such segments from it.
	txGSO, rxGSO bool

	ctx    context.Context
	cancel context.CancelFunc
	ch     *evtchn.Channel
	gone   chan struct{} // closed when the vif breaks or closes
	loops  sync.WaitGroup

	mu        sync.Mutex
	err       error
	closed    bool
	tx        *ring.Front
	txMem     []byte
	txRef     gnttab.Ref
	txPages   [ringSlots]*page // by request id, granted on first use
	txBusy    [ringSlots]bool  // id in flight
	txFreeIDs []uint16
	txWake    chan struct{} // closed (and replaced) when tx slots are freed
	rx        *ring.Front
	rxMem     []byte
	rxRef     gnttab.Ref
	rxPages   []page // by ring index modulo their number (the request's id)
	rxPosted  uint32 // requests produced (the ring's req_prod_pvt)
	rxCons    uint32 // responses consumed
	rxPkt     []byte // the packet being assembled from several slots
	rxSlots   int    // slots it has taken
	rxBad     bool   // drop it when it ends
	rxFlags   uint16 // its first slot's flags
	rxMore    bool   // more data slots follow
	rxExtras  bool   // the next slot is an extra-info slot
	rxIsGSO   bool   // a GSO extra came with it: it may exceed the MTU
	rxqBytes  int    // bytes in rxq
	rxStalled bool   // receiveRx stopped on a full queue
	stats     Stats

	rxq    chan []byte // received packets, private copies
	rxFree chan []byte // their buffers, for reuse
}

type page struct {
	mem []byte
	ref gnttab.Ref
}

// Stats counts a vif's traffic.
type Stats struct {
	RxPackets, RxBytes, RxDropped, RxErrors, RxCsumCompleted int
	TxPackets, TxBytes, TxErrors, TxWaits                    int
}

// Connect connects the vif device/vif/ID: the xenbus handshake with its
// backend, the two rings and the receive buffers.
func Connect(ctx context.Context, cfg Config, id string) (*Vif, error) {
	if cfg.RxBuffers <= 0 || cfg.RxBuffers > ringSlots {
		cfg.RxBuffers = ringSlots
	}
	for cfg.RxBuffers&(cfg.RxBuffers-1) != 0 {
		cfg.RxBuffers &= cfg.RxBuffers - 1 // a power of two, so buffers follow ring indices across the wrap
	}
	if cfg.TxTimeout <= 0 {
		cfg.TxTimeout = defaultTxTimeout
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	dev, err := xenbus.Open(ctx, cfg.Store, "vif", id)
	if err != nil {
		return nil, errors.New("netfront: device/vif/" + id + ": " + err.Error())
	}
	v := &Vif{cfg: cfg, dev: dev, id: id, gone: make(chan struct{}), txWake: make(chan struct{}),
		rxq: make(chan []byte, cfg.RxBuffers), rxFree: make(chan []byte, cfg.RxBuffers)}
	if err := v.connect(ctx); err != nil {
		v.release()
		return nil, errors.New("netfront: device/vif/" + id + ": " + err.Error())
	}
	return v, nil
}

// readMAC reads the vif's MAC address: the frontend's mac key, which
// libxl writes (libxl_nic.c), or else the backend's.
func (v *Vif) readMAC(ctx context.Context) error {
	path := v.dev.Path + "/mac"
	s, err := v.cfg.Store.Read(ctx, path)
	if errors.Is(err, fs.ErrNotExist) {
		path = v.dev.Backend + "/mac"
		s, err = v.cfg.Store.Read(ctx, path)
	}
	if err != nil {
		return err
	}
	mac, ok := parseMAC(s)
	if !ok {
		return errors.New(path + ": malformed MAC address \"" + s + "\"")
	}
	v.mac = mac
	return nil
}

// parseMAC parses six colon-separated two-digit hex bytes.
func parseMAC(s string) (mac [6]byte, ok bool) {
	if len(s) != 17 {
		return mac, false
	}
	for i := range mac {
		if i > 0 && s[3*i-1] != ':' {
			return mac, false
		}
		hi, ok1 := unhex(s[3*i])
		lo, ok2 := unhex(s[3*i+1])
		if !ok1 || !ok2 {
			return mac, false
		}
		mac[i] = hi<<4 | lo
	}
	return mac, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// readMTU reads the frontend's mtu key (libxl writes it; netif.h does not
// define it), 1500 without one. Without scatter-gather a frame must fit
// one page and Linux's netfront caps the MTU at 1500; so does this.
func (v *Vif) readMTU(ctx context.Context) error {
	path := v.dev.Path + "/mtu"
	s, err := v.cfg.Store.Read(ctx, path)
	v.mtu = defaultMTU
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	n, perr := strconv.Atoi(s)
	if perr != nil || n < minMTU || n > maxMTU {
		return errors.New(path + ": bad MTU \"" + s + "\"")
	}
	if !v.sg {
		n = min(n, defaultMTU)
	}
	v.mtu = n
	return nil
}

func (v *Vif) connect(ctx context.Context) error {
	dev := v.dev
	if _, err := dev.WaitBackend(ctx, func(s xenbus.State) bool { return s >= xenbus.InitWait && s <= xenbus.Connected }); err != nil {
		return err
	}
	// Linux's netback has only the copying receive path (notes: without
	// request-rx-copy it refuses the frontend's features).
	if !dev.BackendFeature(ctx, "feature-rx-copy") {
		return errors.New("the backend cannot copy received packets (no feature-rx-copy)")
	}
	v.sg = dev.BackendFeature(ctx, "feature-sg")
	// GSO needs scatter-gather: a segment takes up to 17 slots. Linux's
	// netback offers both TCP types or neither; the stack asks for
	// either, so both are needed.
	v.rxGSO = v.sg && !v.cfg.NoGSO
	v.txGSO = v.rxGSO && dev.BackendFeature(ctx, "feature-gso-tcpv4") && dev.BackendFeature(ctx, "feature-gso-tcpv6")
	if err := v.readMAC(ctx); err != nil {
		return err
	}
	if err := v.readMTU(ctx); err != nil {
		return err
	}

	// The rings: one page each.
	mem, frames, err := v.cfg.Memory.Pages(2)
	if err != nil {
		return err
	}
	if len(mem) != 2*pageSize || len(frames) != 2 {
		return errors.New("page allocator returned the wrong size")
	}
	v.txMem, v.rxMem = mem[:pageSize:pageSize], mem[pageSize:]
	if v.tx, err = ring.NewFront(v.txMem, txRequestSize, txResponseSize); err != nil {
		return err
	}
	if v.rx, err = ring.NewFront(v.rxMem, rxRequestSize, rxResponseSize); err != nil {
		return err
	}
	if v.tx.Size() != ringSlots || v.rx.Size() != ringSlots {
		return errors.New("unexpected ring size")
	}
	if v.txRef, err = v.cfg.Grants.Grant(dev.BackendID, frames[0], false); err != nil {
		return err
	}
	if v.rxRef, err = v.cfg.Grants.Grant(dev.BackendID, frames[1], false); err != nil {
		return err
	}
	for id := ringSlots - 1; id >= 0; id-- {
		v.txFreeIDs = append(v.txFreeIDs, uint16(id))
	}

	// The receive buffers, granted once and reused: with rx-copy the
	// backend copies each packet into them (GNTTABOP_copy) and never
	// maps them.
	rxmem, rxframes, err := v.cfg.Memory.Pages(v.cfg.RxBuffers)
	if err != nil {
		return err
	}
	v.rxPages = make([]page, v.cfg.RxBuffers)
	for i := 0; i < v.cfg.RxBuffers; i++ {
		r, err := v.cfg.Grants.Grant(dev.BackendID, rxframes[i], false)
		if err != nil {
			return err
		}
		v.rxPages[i] = page{mem: rxmem[i*pageSize : (i+1)*pageSize : (i+1)*pageSize], ref: r}
	}
	for i := 0; i < v.cfg.RxBuffers; i++ {
		v.postRx()
	}
	v.rx.PushRequests()

	if v.ch, err = evtchn.AllocUnbound(v.cfg.Xen, int(dev.BackendID)); err != nil {
		return err
	}
	// The frontend's keys (netif.h, "Frontend feature flags"): one queue,
	// one event channel, copying receive with notifications of new
	// buffers, scatter-gather if the backend has it, and then GSO:
	// the backend may hand over TCP segments of up to 64 KiB that its
	// side did not cut (dom0's TSO), marked by a GSO extra. Checksum
	// offload stays on: packets the backend sends with a blank checksum
	// are completed here (checksum.go); transmitted ones carry full
	// checksums, or, as GSO segments, the pseudo-header sum for the
	// backend to complete.
	keys := []xenbus.KV{
		{Key: "tx-ring-ref", Value: strconv.Itoa(int(v.txRef))},
		{Key: "rx-ring-ref", Value: strconv.Itoa(int(v.rxRef))},
		{Key: "event-channel", Value: strconv.Itoa(int(v.ch.Port()))},
		{Key: "request-rx-copy", Value: "1"},
		{Key: "feature-rx-notify", Value: "1"},
		{Key: "feature-sg", Value: boolKey(v.sg)},
		{Key: "feature-gso-tcpv4", Value: boolKey(v.rxGSO)},
		{Key: "feature-gso-tcpv6", Value: boolKey(v.rxGSO)},
	}
	// Linux's netback connects the rings when the frontend reaches
	// Connected; Initialised means nothing to it (xenbus.c,
	// frontend_changed), so the frontend goes straight there, as
	// Linux's netfront does.
	if err := dev.Publish(ctx, keys, xenbus.Connected); err != nil {
		return err
	}
	if _, err := dev.WaitBackend(ctx, func(s xenbus.State) bool { return s == xenbus.Connected }); err != nil {
		return err
	}

	v.ctx, v.cancel = context.WithCancel(context.Background())
	// A backend that leaves Connected (xl network-detach, a backend that
	// dies) breaks the vif; once the frontend has followed it to Closed
	// the grants go.
	if err := dev.FollowBackend(v.ctx, func(s xenbus.State) {
		v.mu.Lock()
		v.broken("the backend went to state " + s.String())
		v.mu.Unlock()
	}, func() {
		v.loops.Wait()
		v.release()
	}); err != nil {
		return err
	}
	v.loops.Add(1)
	go v.events()
	return nil
}

func boolKey(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// ID is the vif's device id (device/vif/ID, the toolstack's devid).
func (v *Vif) ID() string { return v.id }

// HardwareAddr is the MAC address.
func (v *Vif) HardwareAddr() []byte { return v.mac[:] }

// MTU is the largest IP packet the vif carries.
func (v *Vif) MTU() int { return v.mtu }

// Features says what was negotiated with the backend.
func (v *Vif) Features() string {
	f := "rx-copy rx-notify"
	if v.sg {
		f += " sg"
	}
	if v.rxGSO {
		f += " rx-gso"
	}
	if v.txGSO {
		f += " tx-gso"
	}
	return f
}

// MaxFrame is the size of the largest frame Receive delivers: MTU()+14,
// or 18 pages when the backend may send GSO segments.
func (v *Vif) MaxFrame() int {
	if v.rxGSO {
		return maxRxFrame
	}
	return v.mtu + ethHeader
}

// GSOMaxSize is the largest frame TransmitOffload takes with an mss (a
// TCP segment the backend cuts), 0 if the backend takes none.
func (v *Vif) GSOMaxSize() int {
	if v.txGSO {
		return maxTxFrame
	}
	return 0
}

// Stats returns the traffic counts.
func (v *Vif) Stats() Stats {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.stats
}

// Done is closed when the vif stops working: its backend went away or
// broke the protocol, or it was closed. Err then says why.
func (v *Vif) Done() <-chan struct{} { return v.gone }

// Err is nil while the vif works.
func (v *Vif) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

func (v *Vif) log(msg string) {
	if v.cfg.Log != nil {
		v.cfg.Log("vif " + v.id + ": " + msg)
	}
}

// broken stops the vif for good (v.mu held): receives and transmits fail
// from now on, and the pages the backend may map are never reused.
func (v *Vif) broken(why string) {
	if v.err != nil {
		return
	}
	v.err = ErrBroken
	if v.closed {
		v.err = ErrClosed
	} else {
		v.log(why + "; the interface is down from now on")
	}
	close(v.gone)
	close(v.txWake)
	if v.cancel != nil {
		v.cancel()
	}
}

// postRx posts the receive buffer of the next ring index (v.mu held, or
// during connection).
func (v *Vif) postRx() {
	slot, err := v.rx.NextRequest()
	if err != nil {
		return // cannot happen: a buffer is posted for each slot consumed
	}
	i := v.rxPosted % uint32(len(v.rxPages))
	putRxRequest(slot, uint16(i), v.rxPages[i].ref)
	v.rxPosted++
}

// events serves the event channel: transmit completions and received
// packets, whenever the backend signals.
func (v *Vif) events() {
	defer v.loops.Done()
	for {
		if err := v.ch.Wait(v.ctx); err != nil {
			return
		}
		v.mu.Lock()
		if v.err != nil {
			v.mu.Unlock()
			return
		}
		v.completeTx()
		notify := v.receiveRx()
		v.mu.Unlock()
		if notify {
			v.notify()
		}
	}
}

func (v *Vif) notify() {
	if err := v.ch.Notify(); err != nil {
		v.mu.Lock()
		v.broken("cannot notify the backend: " + err.Error())
		v.mu.Unlock()
	}
}

// completeTx consumes transmit responses (v.mu held): each must name a
// request in flight.
func (v *Vif) completeTx() {
	var buf [txResponseSize]byte
	freed := false
	err := v.tx.Drain(buf[:], func(b []byte) bool {
		r := parseTxResponse(b)
		if r.status == rspNull {
			// An extra-info request's response: netback sets only
			// its status (make_tx_response), so the id means nothing.
			return true
		}
		if int(r.id) >= ringSlots || !v.txBusy[r.id] {
			v.broken("transmit response for id " + strconv.Itoa(int(r.id)) + ", which is not in flight")
			return false
		}
		if r.status != rspOkay {
			v.stats.TxErrors++ // dropped or refused by the backend: TCP retransmits
		}
		v.txBusy[r.id] = false
		v.txFreeIDs = append(v.txFreeIDs, r.id)
		freed = true
		return true
	})
	if err != nil {
		v.broken("the backend's transmit response index is beyond the requests in flight")
	}
	if freed && v.err == nil {
		close(v.txWake)
		v.txWake = make(chan struct{})
	}
}

// receiveRx consumes receive responses (v.mu held), copies each complete
// packet out of the shared pages once, and reposts the buffers. It stops
// while the queue of received packets is full, leaving the backend
// without buffers (it queues or drops, as for a busy NIC), until Receive
// takes a packet. It reports whether the backend must be told of the new
// buffers.
func (v *Vif) receiveRx() bool {
	var buf [rxResponseSize]byte
	consumed := false
	for v.err == nil {
		// The queue holds at most a ring's worth of packets, and of
		// bytes (the buffers' size): GSO packets are up to 18 pages.
		if len(v.rxq) == cap(v.rxq) || v.rxqBytes >= len(v.rxPages)*pageSize {
			v.rxStalled = true
			break
		}
		n, err := v.rx.Unconsumed()
		if err == nil && n == 0 {
			n, err = v.rx.FinalCheck()
		}
		if err != nil {
			v.broken("the backend's receive response index is beyond the buffers posted")
			break
		}
		if n == 0 {
			break
		}
		v.rx.ConsumeResponse(buf[:])
		// Responses come in the order of the requests, each in its
		// request's slot with its id (rx.c): the buffer is known by the
		// index, and the id must match it.
		i := v.rxCons % uint32(len(v.rxPages))
		v.rxCons++
		consumed = true
		if !v.receiveSlot(i, buf[:]) {
			break
		}
		v.postRx()
	}
	if !consumed || v.err != nil {
		return false
	}
	return v.rx.PushRequests()
}

// receiveSlot handles the response in ring slot i (a copy of it in b);
// false if the vif broke.
func (v *Vif) receiveSlot(i uint32, b []byte) bool {
	if v.rxExtras {
		// struct netif_extra_info in place of a response (netback's
		// rx.c, xenvif_rx_extra_slot). A GSO extra says the packet may
		// exceed the MTU; it is dropped, as by Linux's netfront
		// (xennet_set_skb_gso), unless GSO was offered and its segment
		// size and type make sense. Others are skipped.
		v.rxExtras = b[1]&extraFlagMore != 0
		if b[0] == extraTypeGSO {
			if !v.rxGSO || byteorder.LEUint16(b[2:]) == 0 || (b[4] != gsoTypeTCPv4 && b[4] != gsoTypeTCPv6) {
				v.rxBad = true
			}
			v.rxIsGSO = true
		}
		if v.rxExtras || v.rxMore {
			return true
		}
		return v.endRx()
	}
	r := parseRxResponse(b)
	if uint32(r.id) != i {
		v.broken("receive response id " + strconv.Itoa(int(r.id)) + " in slot " + strconv.Itoa(int(i)))
		return false
	}
	v.rxSlots++
	if v.rxSlots == 1 {
		// Only the first slot's flags count, as in Linux's netfront;
		// the backend sets the checksum flags on every slot of the
		// packet (rx.c, xenvif_rx_data_slot), and extras follow the
		// first one only.
		v.rxFlags = r.flags
		v.rxExtras = r.flags&rxfExtraInfo != 0
	}
	if r.status < 0 {
		v.rxBad = true
		v.stats.RxErrors++
	} else {
		off, size := int(r.offset), int(r.status)
		if off+size > pageSize {
			v.broken("receive response of " + strconv.Itoa(size) + " bytes at offset " + strconv.Itoa(off) + " runs past its page")
			return false
		}
		if v.rxSlots > maxRxSlots || (v.rxSlots > 1 && !v.sg) {
			v.rxBad = true
		}
		if !v.rxBad {
			if v.rxPkt == nil {
				v.rxPkt = v.rxBuffer()
			}
			v.rxPkt = append(v.rxPkt, v.rxPages[i].mem[off:off+size]...)
		}
	}
	v.rxMore = r.flags&rxfMoreData != 0
	if v.rxMore || v.rxExtras {
		return true
	}
	return v.endRx()
}

// endRx hands over the packet assembled from the slots so far, or drops
// it (v.mu held).
func (v *Vif) endRx() bool {
	pkt := v.rxPkt
	limit := v.mtu + ethHeader
	if v.rxIsGSO {
		limit = maxRxFrame
	}
	bad := v.rxBad || len(pkt) < ethHeader || len(pkt) > limit
	flags := v.rxFlags
	v.rxPkt, v.rxBad, v.rxSlots, v.rxIsGSO, v.rxMore = nil, false, 0, false, false
	if !bad && flags&rxfCsumBlank != 0 {
		if completeChecksum(pkt) {
			v.stats.RxCsumCompleted++
		} else {
			bad = true
			v.stats.RxErrors++
		}
	}
	if bad {
		if pkt != nil {
			v.recycle(pkt)
		}
		v.stats.RxDropped++
		return true
	}
	select {
	case v.rxq <- pkt:
		v.rxqBytes += len(pkt)
		v.stats.RxPackets++
		v.stats.RxBytes += len(pkt)
	default: // cannot happen: receiveRx checks for room first
		v.recycle(pkt)
		v.stats.RxDropped++
	}
	return true
}

func (v *Vif) rxBuffer() []byte {
	select {
	case p := <-v.rxFree:
		return p[:0]
	default:
		return make([]byte, 0, min(v.mtu+ethHeader, pageSize))
	}
}

// recycle keeps a packet's buffer for the next one, unless it grew past
// a page (a GSO packet's): those go, so that the pool stays small.
func (v *Vif) recycle(p []byte) {
	if cap(p) > pageSize {
		return
	}
	select {
	case v.rxFree <- p[:0]:
	default:
	}
}

// Receive waits for a packet and copies it into frame, which has room for
// MaxFrame() bytes (a longer packet is dropped and counted, never cut).
// It fails once the vif is broken or closed.
func (v *Vif) Receive(frame []byte) (int, error) {
	for {
		select {
		case p := <-v.rxq:
			n := copy(frame, p)
			v.recycle(p)
			v.mu.Lock()
			v.rxqBytes -= len(p)
			if n < len(p) {
				v.stats.RxDropped++
			}
			notify := false
			if v.rxStalled && v.err == nil {
				v.rxStalled = false
				notify = v.receiveRx()
			}
			v.mu.Unlock()
			if notify {
				v.notify()
			}
			if n == len(p) {
				return n, nil
			}
		case <-v.gone:
			return 0, v.Err()
		}
	}
}

// Transmit sends one Ethernet frame, copying it into pages shared with
// the backend; it waits for ring space (up to Config.TxTimeout, then the
// vif is broken) rather than dropping.
func (v *Vif) Transmit(frame []byte) error {
	return v.transmit(frame, 0, 0, 0)
}

// TransmitOffload is Transmit of a TCP frame whose checksum field holds
// only the pseudo-header sum, which the backend completes
// (NETTXF_csum_blank). With mss > 0 the frame is a TCP segment of up to
// GSOMaxSize() bytes that the backend cuts into segments of mss payload
// bytes (a GSO extra, XEN_NETIF_GSO_TYPE_TCPV6 if v6); only a frame with
// more than mss bytes of payload needs one.
func (v *Vif) TransmitOffload(frame []byte, mss int, v6 bool) error {
	if mss == 0 {
		return v.transmit(frame, txfCsumBlank|txfDataValidated, 0, 0)
	}
	if !v.txGSO || mss < 0 || mss > 65535 {
		return syscall.EINVAL
	}
	gsoType := uint8(gsoTypeTCPv4)
	if v6 {
		gsoType = gsoTypeTCPv6
	}
	return v.transmit(frame, txfCsumBlank|txfDataValidated, gsoType, uint16(mss))
}

// transmit sends frame with the first request's flags, and a GSO extra
// after the first request if gsoType is not 0 (Linux's netfront puts it
// there too: xennet_start_xmit).
func (v *Vif) transmit(frame []byte, flags uint16, gsoType uint8, mss uint16) error {
	n := len(frame)
	limit := v.mtu + ethHeader
	if gsoType != 0 {
		limit = maxTxFrame
	}
	if n < ethHeader || n > limit {
		return syscall.EMSGSIZE
	}
	slots := (n + pageSize - 1) / pageSize
	if slots > 1 && !v.sg {
		return syscall.EMSGSIZE
	}
	reqs := slots // the extra takes a ring slot but no id
	if gsoType != 0 {
		reqs++
	}
	v.mu.Lock()
	var timer *time.Timer
	for v.err == nil && (v.tx.Free() < reqs || len(v.txFreeIDs) < slots) {
		wake := v.txWake
		v.stats.TxWaits++
		v.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(v.cfg.TxTimeout)
			defer timer.Stop()
		}
		select {
		case <-wake:
		case <-timer.C:
			v.mu.Lock()
			v.broken("the backend freed no transmit slot in " + strconv.Itoa(int(v.cfg.TxTimeout/time.Second)) + " s")
			v.mu.Unlock()
		}
		v.mu.Lock()
	}
	if v.err != nil {
		err := v.err
		v.mu.Unlock()
		return err
	}
	// Take the ids and their pages first, so that a failure to grant a
	// page leaves the ring untouched.
	var ids [65536/pageSize + 1]uint16
	for k := 0; k < slots; k++ {
		id := v.txFreeIDs[len(v.txFreeIDs)-1-k]
		if v.txPages[id] == nil {
			mem, frames, err := v.cfg.Memory.Pages(1)
			var ref gnttab.Ref
			if err == nil {
				ref, err = v.cfg.Grants.Grant(v.dev.BackendID, frames[0], true)
			}
			if err != nil {
				v.stats.TxErrors++
				v.mu.Unlock()
				return syscall.ENOBUFS
			}
			v.txPages[id] = &page{mem: mem, ref: ref}
		}
		ids[k] = id
	}
	v.txFreeIDs = v.txFreeIDs[:len(v.txFreeIDs)-slots]
	for k := 0; k < slots; k++ {
		id := ids[k]
		p := v.txPages[id]
		chunk := frame[k*pageSize : min(n, (k+1)*pageSize)]
		copy(p.mem, chunk)
		req := txRequest{gref: p.ref, id: id, size: uint16(len(chunk))}
		if k == 0 {
			req.size = uint16(n) // netif.h: the first slot's size is the packet's
			req.flags = flags
			if gsoType != 0 {
				req.flags |= txfExtraInfo
			}
		}
		if k < slots-1 {
			req.flags |= txfMoreData
		}
		slot, _ := v.tx.NextRequest() // Free() was checked
		req.put(slot)
		v.txBusy[id] = true
		if k == 0 && gsoType != 0 {
			slot, _ := v.tx.NextRequest()
			putGSOExtra(slot, mss, gsoType)
		}
	}
	v.stats.TxPackets++
	v.stats.TxBytes += n
	notify := v.tx.PushRequests()
	v.mu.Unlock()
	if notify {
		v.notify()
	}
	return nil
}

// Close disconnects the vif: receives and transmits fail from now on, the
// frontend goes to Closed (waiting, within ctx, for the backend) and the
// grants are revoked.
func (v *Vif) Close(ctx context.Context) error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return ErrClosed
	}
	v.closed = true
	v.broken("closed")
	v.mu.Unlock()
	v.loops.Wait()
	err := v.dev.Close(ctx)
	v.release()
	return err
}

// release revokes the grants and closes the event channel; a page whose
// grant the backend still holds stays referenced, never reused.
func (v *Vif) release() {
	if v.cancel != nil {
		v.cancel()
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ch != nil {
		v.ch.Close()
		v.ch = nil
	}
	revoke := func(mem []byte, r gnttab.Ref) {
		if mem != nil && v.cfg.Grants.Revoke(r) != nil {
			gnttab.Keep(mem)
		}
	}
	revoke(v.txMem, v.txRef)
	revoke(v.rxMem, v.rxRef)
	v.txMem, v.rxMem = nil, nil
	for i := range v.rxPages {
		revoke(v.rxPages[i].mem, v.rxPages[i].ref)
		v.rxPages[i] = page{}
	}
	for i, p := range v.txPages {
		if p != nil {
			revoke(p.mem, p.ref)
			v.txPages[i] = nil
		}
	}
}
