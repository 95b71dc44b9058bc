// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenfake

// A network backend playing Linux's netback (drivers/net/xen-netback:
// xenbus.c for the handshake, netback.c for transmit, rx.c for receive),
// for host tests of frontends. It decodes netif.h on its own, so that a
// frontend's encoding is checked against a second reading of the header.
// What the guest transmits arrives on Sent; Inject delivers a frame to the
// guest as netback's copying receive path does; Tamper hooks rewrite
// responses as a hostile backend would.

import (
	"context"
	"errors"
	"fmt"
	"internal/byteorder"
	"internal/xen/evtchn"
	"internal/xen/gnttab"
	"internal/xen/ring"
	"internal/xen/xenbus"
	"strconv"
	"sync"
)

// netif.h values, decoded independently of internal/xen/netfront.
const (
	NetTxReqSize = 12
	NetTxRspSize = 4
	NetRxReqSize = 8
	NetRxRspSize = 8

	NetTxCsumBlank  = 1 << 0
	NetTxDataValid  = 1 << 1
	NetTxMoreData   = 1 << 2
	NetTxExtraInfo  = 1 << 3
	NetRxDataValid  = 1 << 0
	NetRxCsumBlank  = 1 << 1
	NetRxMoreData   = 1 << 2
	NetRxExtraInfo  = 1 << 3
	NetRspOkay      = 0
	NetRspError     = -1
	NetRspDropped   = -2
	NetRspNull      = 1
	NetExtraGSO     = 1 // XEN_NETIF_EXTRA_TYPE_GSO
	NetGSOTCPv4     = 1
	NetGSOTCPv6     = 2
	netPageSize     = gnttab.PageSize
	netMaxTxPackets = 65536
)

// A Netback is the backend of one vif. Set its fields, then Start it.
type Netback struct {
	Backend *Backend
	Dom     *Domain
	Grants  *Grants // the frontend's grant table
	MAC     string  // written to both directories, as libxl does
	MTU     int     // the frontend's mtu key; 0: not written
	NoSG    bool    // do not offer feature-sg
	NoCopy  bool    // do not offer feature-rx-copy
	NoGSO   bool    // do not offer feature-gso-tcpv4 and -tcpv6

	// Sent receives each frame the guest transmitted.
	Sent chan []byte
	// SentInfo, if not nil, receives how each frame of Sent was sent.
	SentInfo chan NetTxInfo
	// TamperTx sees each transmit response (id @0, status @2) and
	// returns how many copies to produce: 0 holds it back, 2 repeats it.
	TamperTx func(rsp []byte) int
	// TamperRx sees each receive response (id @0, offset @2, flags @4,
	// status @6) before it is produced.
	TamperRx func(rsp []byte)

	mu        sync.Mutex
	connected chan struct{}
	tx, rx    *ring.Back
	txMem     []byte
	rxMem     []byte
	txRef     gnttab.Ref
	txExtra   int
	rxRef     gnttab.Ref
	ch        *evtchn.Channel
	rxWake    chan struct{} // buffered: the frontend posted buffers
	front     uint16
	done      chan struct{}
	err       error
	features  map[string]string
}

// NewNetback makes the backend of vif id for domain frontDom, served by
// domain backDom of x; the frontend's grants are g.
func NewNetback(t Cleaner, s *Store, x *Xen, g *Grants, frontDom uint16, id string, backDom uint16, mac string) *Netback {
	nb := &Netback{
		Backend:   s.NewDevice(t, frontDom, "vif", id, backDom),
		Dom:       x.Domain(backDom),
		Grants:    g,
		MAC:       mac,
		Sent:      make(chan []byte, 1024),
		connected: make(chan struct{}),
		rxWake:    make(chan struct{}, 1),
		front:     frontDom,
	}
	s.Set(nb.Backend.Front+"/mac", mac)
	s.Set(nb.Backend.Dir+"/mac", mac)
	return nb
}

// Start publishes the backend's features (netback_probe), goes to
// InitWait and serves the frontend in the background until ctx ends.
func (nb *Netback) Start(ctx context.Context) error {
	if nb.MTU > 0 {
		if err := nb.Backend.C.Write(ctx, nb.Backend.Front+"/mtu", strconv.Itoa(nb.MTU)); err != nil {
			return err
		}
	}
	for _, kv := range [][2]string{
		{"feature-sg", boolKey(!nb.NoSG)},
		{"feature-rx-copy", boolKey(!nb.NoCopy)},
		{"feature-rx-flip", "0"},
		{"feature-gso-tcpv4", boolKey(!nb.NoGSO)},
		{"feature-gso-tcpv6", boolKey(!nb.NoGSO)},
	} {
		if err := nb.Backend.Write(ctx, kv[0], kv[1]); err != nil {
			return err
		}
	}
	if err := nb.Backend.SetState(ctx, xenbus.InitWait); err != nil {
		return err
	}
	nb.done = make(chan struct{})
	go func() {
		err := nb.run(ctx)
		nb.mu.Lock()
		nb.err = err
		nb.mu.Unlock()
		close(nb.done)
	}()
	return nil
}

// Connected is closed when the rings are connected.
func (nb *Netback) Connected() <-chan struct{} { return nb.connected }

// Done is closed when the backend's loop has ended; Err says why.
func (nb *Netback) Done() <-chan struct{} { return nb.done }
func (nb *Netback) Err() error {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	return nb.err
}

// Feature returns a key the frontend wrote, as read at connection.
func (nb *Netback) Feature(key string) string {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	return nb.features[key]
}

// RxRing and TxRing are the mapped rings, for tests that write their
// indices as a hostile backend would.
func (nb *Netback) RxRing() []byte { nb.mu.Lock(); defer nb.mu.Unlock(); return nb.rxMem }
func (nb *Netback) TxRing() []byte { nb.mu.Lock(); defer nb.mu.Unlock(); return nb.txMem }

func (nb *Netback) readUint(ctx context.Context, key string) (uint32, error) {
	v, err := nb.Backend.ReadFrontend(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("frontend %s: %v", key, err)
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("frontend %s = %q: %v", key, v, err)
	}
	return uint32(n), nil
}

// connect is connect_data_rings and connect of Linux's netback.
func (nb *Netback) connect(ctx context.Context) error {
	txRef, err := nb.readUint(ctx, "tx-ring-ref")
	if err != nil {
		return err
	}
	rxRef, err := nb.readUint(ctx, "rx-ring-ref")
	if err != nil {
		return err
	}
	port, err := nb.readUint(ctx, "event-channel")
	if err != nil {
		return err
	}
	feats := map[string]string{}
	for _, k := range []string{"request-rx-copy", "feature-rx-notify", "feature-sg", "feature-gso-tcpv4", "feature-gso-tcpv6", "feature-no-csum-offload"} {
		v, _ := nb.Backend.ReadFrontend(ctx, k)
		feats[k] = v
	}
	if feats["request-rx-copy"] != "1" {
		return errors.New("frontend did not request rx-copy")
	}
	txMem, err := nb.Grants.Map(nb.Backend.Dom, gnttab.Ref(txRef), true)
	if err != nil {
		return fmt.Errorf("mapping the tx ring: %v", err)
	}
	rxMem, err := nb.Grants.Map(nb.Backend.Dom, gnttab.Ref(rxRef), true)
	if err != nil {
		return fmt.Errorf("mapping the rx ring: %v", err)
	}
	tx, err := ring.NewBack(txMem, NetTxReqSize, NetTxRspSize)
	if err != nil {
		return err
	}
	rx, err := ring.NewBack(rxMem, NetRxReqSize, NetRxRspSize)
	if err != nil {
		return err
	}
	ch, err := evtchn.BindInterdomain(nb.Dom, int(nb.front), port)
	if err != nil {
		return fmt.Errorf("binding event channel %d: %v", port, err)
	}
	nb.mu.Lock()
	nb.tx, nb.rx, nb.txMem, nb.rxMem, nb.ch, nb.features = tx, rx, txMem, rxMem, ch, feats
	nb.txRef, nb.rxRef = gnttab.Ref(txRef), gnttab.Ref(rxRef)
	nb.mu.Unlock()
	if err := nb.Backend.SetState(ctx, xenbus.Connected); err != nil {
		return err
	}
	close(nb.connected)
	return nil
}

// NetTxInfo is how a frame was transmitted: its first request's flags
// and the GSO extra that came with it (GSOType 0: none).
type NetTxInfo struct {
	Flags   uint16
	GSOType uint8
	GSOSize uint16
}

func (nb *Netback) run(ctx context.Context) error {
	if _, err := nb.Backend.WaitFrontend(ctx, func(s xenbus.State) bool { return s == xenbus.Connected }); err != nil {
		return err
	}
	if err := nb.connect(ctx); err != nil {
		nb.Backend.SetState(context.WithoutCancel(ctx), xenbus.Closing)
		return err
	}
	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		if _, err := nb.Backend.WaitFrontend(ctx, func(s xenbus.State) bool {
			return s == xenbus.Closing || s == xenbus.Closed
		}); err == nil {
			cancel()
		}
	}()
	defer func() {
		nb.ch.Close()
		nb.Grants.Unmap(nb.txRef)
		nb.Grants.Unmap(nb.rxRef)
		if outer.Err() == nil {
			nb.Backend.SetState(outer, xenbus.Closed)
		}
	}()
	var pkt []byte
	var info NetTxInfo
	extra := false // the next request is an extra-info slot
	more := false  // more data requests follow
	var req [NetTxReqSize]byte
	deliver := func() {
		select {
		case nb.Sent <- pkt:
		default:
		}
		if nb.SentInfo != nil {
			select {
			case nb.SentInfo <- info:
			default:
			}
		}
		pkt = nil
	}
	for {
		if err := nb.ch.Wait(ctx); err != nil {
			return err
		}
		// The event may be for either ring: new rx buffers wake Inject.
		select {
		case nb.rxWake <- struct{}{}:
		default:
		}
		for {
			nb.mu.Lock()
			n, err := nb.tx.Unconsumed()
			if err == nil && n == 0 {
				n, err = nb.tx.FinalCheck()
			}
			nb.mu.Unlock()
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
			for ; n > 0; n-- {
				nb.mu.Lock()
				nb.tx.ConsumeRequest(req[:])
				nb.mu.Unlock()
				if extra {
					// struct netif_extra_info: type @0, flags @1,
					// u.gso.size @2, u.gso.type @4. Its response
					// has only a status, as netback's: the id
					// left in the slot is the request's bytes.
					extra = req[1]&1 != 0
					if req[0] == NetExtraGSO {
						info.GSOType, info.GSOSize = req[4], byteorder.LEUint16(req[2:])
					}
					nb.respondTx(byteorder.LEUint16(req[0:]), NetRspNull)
					if !extra && !more {
						deliver()
					}
					continue
				}
				gref := gnttab.Ref(byteorder.LEUint32(req[0:]))
				off := int(byteorder.LEUint16(req[4:]))
				flags := byteorder.LEUint16(req[6:])
				id := byteorder.LEUint16(req[8:])
				size := int(byteorder.LEUint16(req[10:]))
				status := NetRspOkay
				if pkt == nil {
					pkt = make([]byte, 0, size)
					info = NetTxInfo{Flags: flags}
					extra = flags&NetTxExtraInfo != 0
				}
				// The first slot's size is the packet's: its own data is
				// what the later slots do not carry, which is known only
				// at the end; take min(size, page) now and trim later.
				chunk := size
				if len(pkt) == 0 {
					chunk = min(size, netPageSize-off)
				}
				p, err := nb.Grants.Map(nb.Backend.Dom, gref, false)
				if err != nil || off+chunk > netPageSize {
					status = NetRspError
				} else {
					pkt = append(pkt, p[off:off+chunk]...)
					nb.Grants.Unmap(gref)
				}
				nb.respondTx(id, status)
				more = flags&NetTxMoreData != 0
				if !more && !extra {
					deliver()
				}
			}
			nb.mu.Lock()
			notify := nb.tx.PushResponses()
			if nb.txExtra > 0 {
				_, _, rp, _ := ring.Indices(nb.txMem)
				ring.SetIndex(nb.txMem, ring.RspProd, rp+uint32(nb.txExtra))
				notify, nb.txExtra = true, 0
			}
			nb.mu.Unlock()
			if notify {
				nb.ch.Notify()
			}
		}
	}
}

func (nb *Netback) respondTx(id uint16, status int) {
	var rsp [NetTxRspSize]byte
	byteorder.LEPutUint16(rsp[0:], id)
	byteorder.LEPutUint16(rsp[2:], uint16(int16(status)))
	copies := 1
	if nb.TamperTx != nil {
		copies = nb.TamperTx(rsp[:])
	}
	nb.mu.Lock()
	defer nb.mu.Unlock()
	for ; copies > 0; copies-- {
		slot, err := nb.tx.NextResponse()
		if err != nil {
			nb.txExtra++ // claimed after the push, beyond the requests
			continue
		}
		copy(slot, rsp[:])
	}
}

// ErrNoBuffer: the frontend posted no receive buffer in time.
var ErrNoBuffer = errors.New("xenfake: netback: no receive buffer posted")

// Inject delivers frame to the guest with the given NETRXF_* flags, over
// as many slots as it needs (as netback's rx.c copies it, a page per
// slot), waiting within ctx for the frontend's buffers.
func (nb *Netback) Inject(ctx context.Context, frame []byte, flags uint16) error {
	return nb.inject(ctx, frame, flags, 0, 0)
}

// InjectGSO is Inject of a TCP segment the backend did not cut: a GSO
// extra of gsoType (NetGSOTCPv4, ...) and segment size gsoSize follows its
// first slot, as netback's rx.c sends it.
func (nb *Netback) InjectGSO(ctx context.Context, frame []byte, flags uint16, gsoType uint8, gsoSize uint16) error {
	return nb.inject(ctx, frame, flags|NetRxExtraInfo, gsoType, gsoSize)
}

func (nb *Netback) inject(ctx context.Context, frame []byte, flags uint16, gsoType uint8, gsoSize uint16) error {
	select {
	case <-nb.connected:
	case <-ctx.Done():
		return ctx.Err()
	}
	data := max(1, (len(frame)+netPageSize-1)/netPageSize)
	slots := data
	if gsoType != 0 {
		slots++
	}
	for {
		nb.mu.Lock()
		n, err := nb.rx.Unconsumed()
		if err == nil && n < slots {
			n, err = nb.rx.FinalCheck()
		}
		if err != nil {
			nb.mu.Unlock()
			return err
		}
		if n >= slots {
			break
		}
		nb.mu.Unlock()
		select {
		case <-nb.rxWake:
		case <-ctx.Done():
			return ErrNoBuffer
		}
	}
	defer nb.mu.Unlock()
	var req [NetRxReqSize]byte
	for k := 0; k < data; k++ {
		nb.rx.ConsumeRequest(req[:])
		id := byteorder.LEUint16(req[0:])
		gref := gnttab.Ref(byteorder.LEUint32(req[4:]))
		chunk := frame[min(len(frame), k*netPageSize):min(len(frame), (k+1)*netPageSize)]
		status := len(chunk)
		p, err := nb.Grants.Map(nb.Backend.Dom, gref, true)
		if err != nil {
			status = NetRspError
		} else {
			copy(p, chunk)
			nb.Grants.Unmap(gref)
		}
		f := flags
		if k > 0 {
			f &^= NetRxExtraInfo
		}
		if k < data-1 {
			f |= NetRxMoreData
		}
		var rsp [NetRxRspSize]byte
		byteorder.LEPutUint16(rsp[0:], id)
		byteorder.LEPutUint16(rsp[4:], f)
		byteorder.LEPutUint16(rsp[6:], uint16(int16(status)))
		if nb.TamperRx != nil {
			nb.TamperRx(rsp[:])
		}
		slot, _ := nb.rx.NextResponse()
		copy(slot, rsp[:])
		if k == 0 && gsoType != 0 {
			// The extra takes the next request's slot, its buffer
			// unused: type @0, flags @1, size @2, type @4.
			nb.rx.ConsumeRequest(req[:])
			var ext [NetRxRspSize]byte
			ext[0] = NetExtraGSO
			byteorder.LEPutUint16(ext[2:], gsoSize)
			ext[4] = gsoType
			slot, _ := nb.rx.NextResponse()
			copy(slot, ext[:])
		}
	}
	if nb.rx.PushResponses() {
		nb.ch.Notify()
	}
	return nil
}

// Close goes to Closing, as netback does when the toolstack removes the
// vif (xl network-detach).
func (nb *Netback) Close(ctx context.Context) error {
	return nb.Backend.SetState(ctx, xenbus.Closing)
}
