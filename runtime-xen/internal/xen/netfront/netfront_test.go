// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Host tests of the driver against xenfake's netback; the driver against
// Linux's netback runs on the test host (test/e2e TestNetfront).

//go:build !xen

package netfront_test

import (
	"bytes"
	"context"
	"errors"
	"internal/byteorder"
	"internal/strconv"
	"internal/xen/gnttab"
	"internal/xen/netfront"
	"internal/xen/xenfake"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

const guest, back = 7, 0

type env struct {
	store  *xenfake.Store
	x      *xenfake.Xen
	mem    *xenfake.Memory
	grants *xenfake.Grants
	nb     *xenfake.Netback
	cfg    netfront.Config
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

func newEnv(t testing.TB, tweak func(*xenfake.Netback)) *env {
	t.Helper()
	e := &env{store: xenfake.NewStore(), x: xenfake.NewXen(), mem: xenfake.NewMemory()}
	e.grants = xenfake.NewGrants(guest, e.mem, 4)
	e.nb = xenfake.NewNetback(t, e.store, e.x, e.grants, guest, "0", back, "00:16:3e:00:00:09")
	if tweak != nil {
		tweak(e.nb)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := e.nb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.cfg = netfront.Config{Store: e.store.Dial(t, guest), Xen: e.x.Domain(guest), Grants: e.grants.Table, Memory: e.mem,
		Log: func(s string) { t.Logf("log: %s", s) }}
	return e
}

func (e *env) connect(t testing.TB) *netfront.Vif {
	t.Helper()
	v, err := netfront.Connect(ctxFor(t, 10*time.Second), e.cfg, "0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close(ctxFor(t, 5*time.Second)) })
	select {
	case <-e.nb.Connected():
	case <-time.After(5 * time.Second):
		t.Fatal("backend not connected")
	}
	return v
}

func frame(n int, seed uint64) []byte {
	p := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	byteorder.BEPutUint16(p[12:], 0x88b5) // a local experimental EtherType: no checksum to complete
	return p
}

func (e *env) sent(t *testing.T) []byte {
	t.Helper()
	select {
	case p := <-e.nb.Sent:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("the backend got no frame")
		return nil
	}
}

func TestConnect(t *testing.T) {
	e := newEnv(t, nil)
	v := e.connect(t)
	if !bytes.Equal(v.HardwareAddr(), []byte{0, 0x16, 0x3e, 0, 0, 9}) || v.MTU() != 1500 {
		t.Errorf("mac %x mtu %d", v.HardwareAddr(), v.MTU())
	}
	for k, want := range map[string]string{"request-rx-copy": "1", "feature-rx-notify": "1", "feature-sg": "1", "feature-gso-tcpv4": "1", "feature-gso-tcpv6": "1"} {
		if got := e.nb.Feature(k); got != want {
			t.Errorf("frontend %s = %q, want %q", k, got, want)
		}
	}
	if got, _ := e.store.Get("/local/domain/7/device/vif/0/state"); got != "4" {
		t.Errorf("frontend state %q", got)
	}
}

// GSO is negotiated only with scatter-gather, and only what the backend
// offers is used for transmitting.
func TestGSONegotiation(t *testing.T) {
	for _, c := range []struct {
		name        string
		tweak       func(*xenfake.Netback)
		noGSO       bool
		rx, tx      bool
		feature     string
		maxFrame    int
		gsoMaxFrame int
	}{
		{"both", nil, false, true, true, "1", 18 * 4096, 65535},
		{"backend without gso", func(nb *xenfake.Netback) { nb.NoGSO = true }, false, true, false, "1", 18 * 4096, 0},
		{"no sg", func(nb *xenfake.Netback) { nb.NoSG = true }, false, false, false, "0", 1514, 0},
		{"GOXEN_NETFRONT=no-gso", nil, true, false, false, "0", 1514, 0},
	} {
		e := newEnv(t, c.tweak)
		e.cfg.NoGSO = c.noGSO
		v := e.connect(t)
		if got := e.nb.Feature("feature-gso-tcpv4"); got != c.feature {
			t.Errorf("%s: frontend feature-gso-tcpv4 = %q, want %q", c.name, got, c.feature)
		}
		if v.MaxFrame() != c.maxFrame || v.GSOMaxSize() != c.gsoMaxFrame {
			t.Errorf("%s: MaxFrame %d GSOMaxSize %d, want %d %d (features %s)", c.name, v.MaxFrame(), v.GSOMaxSize(), c.maxFrame, c.gsoMaxFrame, v.Features())
		}
		if strings.Contains(v.Features(), "rx-gso") != c.rx || strings.Contains(v.Features(), "tx-gso") != c.tx {
			t.Errorf("%s: features %q", c.name, v.Features())
		}
		if !c.tx {
			if err := v.TransmitOffload(tcpFrame(make([]byte, 3000)), 1460, false); err == nil {
				t.Errorf("%s: a GSO frame was sent without the backend's GSO", c.name)
			}
		}
	}
}

// TestTransmitGSO: TCP segments of up to 64 KiB go out with
// csum_blank|data_validated and a GSO extra after their first request;
// the extras' responses (status NULL, no id) free nothing, and many more
// segments than the ring holds pass through it.
func TestTransmitGSO(t *testing.T) {
	e := newEnv(t, func(nb *xenfake.Netback) { nb.SentInfo = make(chan xenfake.NetTxInfo, 1024) })
	v := e.connect(t)
	info := func() xenfake.NetTxInfo {
		select {
		case i := <-e.nb.SentInfo:
			return i
		case <-time.After(5 * time.Second):
			t.Fatal("no tx info")
			return xenfake.NetTxInfo{}
		}
	}
	const csum = xenfake.NetTxCsumBlank | xenfake.NetTxDataValid
	for i, n := range []int{1000, 4042, 30000, 65535 - 54} {
		f := tcpFrame(make([]byte, n))
		for j := 54; j < len(f); j++ {
			f[j] = byte(i + j)
		}
		v6 := i%2 == 1
		if err := v.TransmitOffload(f, 1460, v6); err != nil {
			t.Fatalf("TransmitOffload(%d bytes): %v", len(f), err)
		}
		if got := e.sent(t); !bytes.Equal(got, f) {
			t.Fatalf("%d bytes sent, backend got %d different ones", len(f), len(got))
		}
		want := xenfake.NetTxInfo{Flags: csum | xenfake.NetTxExtraInfo, GSOType: xenfake.NetGSOTCPv4, GSOSize: 1460}
		if v6 {
			want.GSOType = xenfake.NetGSOTCPv6
		}
		if len(f) > 4096 {
			want.Flags |= xenfake.NetTxMoreData
		}
		if got := info(); got != want {
			t.Errorf("%d bytes: sent as %+v, want %+v", len(f), got, want)
		}
	}
	// A segment of at most one MSS: only the checksum is left to the backend.
	if err := v.TransmitOffload(tcpFrame(make([]byte, 100)), 0, false); err != nil {
		t.Fatal(err)
	}
	e.sent(t)
	if got := info(); got != (xenfake.NetTxInfo{Flags: csum}) {
		t.Errorf("checksum only: sent as %+v", got)
	}
	if err := v.TransmitOffload(make([]byte, 65536), 1460, false); err == nil {
		t.Error("a frame over 65535 bytes was sent")
	}
	// 200 segments of 16 slots and an extra each: the ring (256) turns
	// over many times; ids must come back from the data responses only.
	big := tcpFrame(make([]byte, 60000))
	errc := make(chan error, 1)
	go func() {
		for i := 0; i < 200; i++ {
			if err := v.TransmitOffload(big, 1460, false); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for i := 0; i < 200; i++ {
		if got := e.sent(t); !bytes.Equal(got, big) {
			t.Fatalf("segment %d differs", i)
		}
		info()
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if v.Err() != nil {
		t.Fatal(v.Err())
	}
}

// TestReceiveGSO: a TCP segment of up to 18 pages that comes with a GSO
// extra arrives whole and with its checksum completed; a GSO extra with
// no segment size or an unknown type drops the packet (as Linux's
// netfront does), and a packet over the MTU without one is dropped.
func TestReceiveGSO(t *testing.T) {
	e := newEnv(t, nil)
	v := e.connect(t)
	buf := make([]byte, v.MaxFrame())
	ctx := ctxFor(t, 10*time.Second)
	payload := make([]byte, 65535-40)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	f := tcpFrame(payload)
	if err := e.nb.InjectGSO(ctx, f, xenfake.NetRxCsumBlank|xenfake.NetRxDataValid, xenfake.NetGSOTCPv4, 1460); err != nil {
		t.Fatal(err)
	}
	k, err := v.Receive(buf)
	if err != nil || k != len(f) {
		t.Fatalf("received %d bytes (%v), want %d", k, err, len(f))
	}
	if !bytes.Equal(buf[54:k], payload) || !checksumOK(buf[34:k], buf[26:30], buf[30:34]) {
		t.Error("the GSO segment arrived changed, or its checksum was not completed")
	}
	// A small GSO packet, in one data slot: the extra still belongs to it.
	small := tcpFrame([]byte("hello"))
	if err := e.nb.InjectGSO(ctx, small, xenfake.NetRxCsumBlank, xenfake.NetGSOTCPv6, 1440); err != nil {
		t.Fatal(err)
	}
	if k, err := v.Receive(buf); err != nil || !bytes.Equal(buf[54:k], []byte("hello")) {
		t.Fatalf("small GSO packet: %q, %v", buf[:k], err)
	}
	for name, inject := range map[string]func() error{
		"gso size 0":   func() error { return e.nb.InjectGSO(ctx, f, 0, xenfake.NetGSOTCPv4, 0) },
		"gso type 3":   func() error { return e.nb.InjectGSO(ctx, f, 0, 3, 1460) },
		"over the MTU": func() error { return e.nb.Inject(ctx, f, 0) },
	} {
		before := v.Stats().RxDropped
		if err := inject(); err != nil {
			t.Fatal(err)
		}
		// Then a good packet, which must be the next one received.
		if err := e.nb.Inject(ctx, frame(60, 5), 0); err != nil {
			t.Fatal(err)
		}
		if k, err := v.Receive(buf); err != nil || !bytes.Equal(buf[:k], frame(60, 5)) {
			t.Errorf("%s: the next packet received is %d bytes (%v)", name, k, err)
		}
		if v.Stats().RxDropped != before+1 {
			t.Errorf("%s: %d dropped, want %d", name, v.Stats().RxDropped, before+1)
		}
	}
	if v.Err() != nil {
		t.Fatal(v.Err())
	}
}

func TestMTU(t *testing.T) {
	for _, c := range []struct {
		mtu  int
		nosg bool
		want int
	}{{9000, false, 9000}, {9000, true, 1500}, {576, false, 576}} {
		e := newEnv(t, func(nb *xenfake.Netback) { nb.MTU, nb.NoSG = c.mtu, c.nosg })
		v := e.connect(t)
		if v.MTU() != c.want {
			t.Errorf("mtu key %d (no sg %v): MTU %d, want %d", c.mtu, c.nosg, v.MTU(), c.want)
		}
	}
}

func TestBadKeys(t *testing.T) {
	for name, tweak := range map[string]func(*env){
		"mac":     func(e *env) { e.store.Set("/local/domain/7/device/vif/0/mac", "00:16:3e:00:00") },
		"mtu":     func(e *env) { e.store.Set("/local/domain/7/device/vif/0/mtu", "70000") },
		"no copy": func(e *env) { e.store.Set("/local/domain/0/backend/vif/7/0/feature-rx-copy", "0") },
	} {
		e := newEnv(t, nil)
		tweak(e)
		_, err := netfront.Connect(ctxFor(t, 5*time.Second), e.cfg, "0")
		if err == nil {
			t.Errorf("%s: connected", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestTransmit(t *testing.T) {
	e := newEnv(t, func(nb *xenfake.Netback) { nb.MTU = 9000 })
	v := e.connect(t)
	for i, n := range []int{14, 60, 1514, 4096, 4097, 9014} {
		f := frame(n, uint64(i))
		if err := v.Transmit(f); err != nil {
			t.Fatalf("Transmit(%d bytes): %v", n, err)
		}
		if got := e.sent(t); !bytes.Equal(got, f) {
			t.Fatalf("%d bytes sent, backend got %d different ones", n, len(got))
		}
	}
	if err := v.Transmit(make([]byte, 9015)); err == nil {
		t.Error("a frame over the MTU was sent")
	}
}

func TestReceive(t *testing.T) {
	e := newEnv(t, func(nb *xenfake.Netback) { nb.MTU = 9000 })
	v := e.connect(t)
	buf := make([]byte, v.MTU()+14)
	for i, n := range []int{14, 60, 1514, 4096, 4097, 9014} {
		f := frame(n, uint64(i))
		if err := e.nb.Inject(ctxFor(t, 5*time.Second), f, 0); err != nil {
			t.Fatal(err)
		}
		k, err := v.Receive(buf)
		if err != nil || !bytes.Equal(buf[:k], f) {
			t.Fatalf("received %d bytes (%v), want the %d injected", k, err, n)
		}
	}
}

// TestBurst: more packets than the ring holds, back to back, with the
// guest reading: none is lost, and each arrives in order.
func TestBurst(t *testing.T) {
	e := newEnv(t, nil)
	v := e.connect(t)
	const n = 2000
	errc := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if err := e.nb.Inject(ctxFor(t, 10*time.Second), frame(1514, uint64(i)), 0); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	buf := make([]byte, 1514)
	for i := 0; i < n; i++ {
		k, err := v.Receive(buf)
		if err != nil || !bytes.Equal(buf[:k], frame(1514, uint64(i))) {
			t.Fatalf("packet %d: %d bytes, %v", i, k, err)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// And the other way: more frames than the ring has slots, while the
	// backend is slow to read; Transmit waits and nothing is dropped.
	go func() {
		for i := 0; i < n; i++ {
			if err := v.Transmit(frame(1514, uint64(i))); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for i := 0; i < n; i++ {
		if got := e.sent(t); !bytes.Equal(got, frame(1514, uint64(i))) {
			t.Fatalf("frame %d differs", i)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// tcpFrame is an Ethernet/IPv4/TCP frame with payload, its checksum field
// holding the pseudo-header sum only (CHECKSUM_PARTIAL, as netback sends
// it with NETRXF_csum_blank).
func tcpFrame(payload []byte) []byte {
	f := make([]byte, 14+20+20+len(payload))
	byteorder.BEPutUint16(f[12:], 0x0800)
	ip := f[14:]
	ip[0] = 0x45
	byteorder.BEPutUint16(ip[2:], uint16(40+len(payload)))
	ip[8], ip[9] = 64, 6
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 9})
	tcp := ip[20:]
	byteorder.BEPutUint16(tcp[0:], 8000)
	byteorder.BEPutUint16(tcp[2:], 40000)
	tcp[12] = 5 << 4
	copy(tcp[20:], payload)
	// pseudo-header: addresses, protocol, TCP length
	var s uint32
	for i := 12; i < 20; i += 2 {
		s += uint32(byteorder.BEUint16(ip[i:]))
	}
	s += 6 + uint32(20+len(payload))
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	byteorder.BEPutUint16(tcp[16:], uint16(s))
	return f
}

func checksumOK(seg []byte, src, dst []byte) bool {
	var s uint32
	for _, b := range [][]byte{src, dst} {
		s += uint32(byteorder.BEUint16(b)) + uint32(byteorder.BEUint16(b[2:]))
	}
	s += 6 + uint32(len(seg))
	for i := 0; i+1 < len(seg); i += 2 {
		s += uint32(byteorder.BEUint16(seg[i:]))
	}
	if len(seg)%2 == 1 {
		s += uint32(seg[len(seg)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return s == 0xffff
}

func TestChecksumCompleted(t *testing.T) {
	e := newEnv(t, nil)
	v := e.connect(t)
	buf := make([]byte, 1514)
	for _, n := range []int{0, 1, 7, 1000, 1460} {
		f := tcpFrame(bytes.Repeat([]byte{0xa5, 0x17, 0x3c}, n)[:n])
		if err := e.nb.Inject(ctxFor(t, 5*time.Second), f, xenfake.NetRxCsumBlank|xenfake.NetRxDataValid); err != nil {
			t.Fatal(err)
		}
		k, err := v.Receive(buf)
		if err != nil || k != len(f) {
			t.Fatalf("received %d bytes, %v", k, err)
		}
		if !checksumOK(buf[34:k], buf[26:30], buf[30:34]) {
			t.Errorf("payload %d: TCP checksum not completed", n)
		}
	}
	// A blank checksum on a frame that has none to complete is dropped,
	// not passed on wrong.
	e.nb.Inject(ctxFor(t, 5*time.Second), frame(100, 1), xenfake.NetRxCsumBlank)
	good := tcpFrame([]byte("x"))
	e.nb.Inject(ctxFor(t, 5*time.Second), good, xenfake.NetRxCsumBlank)
	if k, _ := v.Receive(buf); k != len(good) {
		t.Errorf("got a %d-byte frame, want the %d-byte TCP one after the dropped one", k, len(good))
	}
	if s := v.Stats(); s.RxDropped != 1 || s.RxCsumCompleted != 6 {
		t.Errorf("stats %+v", s)
	}
}

// A hostile or broken backend breaks the vif: I/O fails, nothing panics
// or hangs.
func TestHostileBackend(t *testing.T) {
	cases := map[string]struct {
		tweak func(*xenfake.Netback)
		act   func(*env, *netfront.Vif)
	}{
		"rx id": {func(nb *xenfake.Netback) {
			nb.TamperRx = func(r []byte) { byteorder.LEPutUint16(r[0:], 200) }
		}, func(e *env, v *netfront.Vif) { e.nb.Inject(context.Background(), frame(60, 1), 0) }},
		"rx size past page": {func(nb *xenfake.Netback) {
			nb.TamperRx = func(r []byte) { byteorder.LEPutUint16(r[2:], 4000) }
		}, func(e *env, v *netfront.Vif) { e.nb.Inject(context.Background(), frame(600, 1), 0) }},
		"tx repeated": {func(nb *xenfake.Netback) {
			nb.TamperTx = func([]byte) int { return 2 }
		}, func(e *env, v *netfront.Vif) { v.Transmit(frame(60, 1)); v.Transmit(frame(60, 2)) }},
		"tx never answered": {func(nb *xenfake.Netback) {
			nb.TamperTx = func([]byte) int { return 0 }
		}, func(e *env, v *netfront.Vif) {
			for i := 0; i < 300; i++ {
				if v.Transmit(frame(60, 1)) != nil {
					return
				}
			}
		}},
		"backend closes": {nil, func(e *env, v *netfront.Vif) { e.nb.Close(context.Background()) }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, c.tweak)
			e.cfg.TxTimeout = 300 * time.Millisecond
			v := e.connect(t)
			go c.act(e, v)
			select {
			case <-v.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("the vif did not break")
			}
			if !errors.Is(v.Err(), netfront.ErrBroken) {
				t.Errorf("Err = %v", v.Err())
			}
			if _, err := v.Receive(make([]byte, 1514)); err == nil {
				t.Error("Receive works on a broken vif")
			}
			if err := v.Transmit(frame(60, 3)); err == nil {
				t.Error("Transmit works on a broken vif")
			}
		})
	}
}

func TestWatch(t *testing.T) {
	e := newEnv(t, nil)
	ctx := ctxFor(t, 20*time.Second)
	got := make(chan *netfront.Vif, 4)
	if err := netfront.Watch(ctx, e.cfg, func(v *netfront.Vif) { got <- v }); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-got:
		if v.ID() != "0" {
			t.Errorf("vif %s", v.ID())
		}
		defer v.Close(ctxFor(t, 5*time.Second))
	default:
		t.Fatal("Watch returned before connecting vif 0")
	}
	// Hotplug: the toolstack adds vif 1.
	nb := xenfake.NewNetback(t, e.store, e.x, e.grants, guest, "1", back, "00:16:3e:00:00:0b")
	if err := nb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-got:
		if v.ID() != "1" || v.HardwareAddr()[5] != 0x0b {
			t.Errorf("vif %s %x", v.ID(), v.HardwareAddr())
		}
		v.Close(ctxFor(t, 5*time.Second))
	case <-time.After(10 * time.Second):
		t.Fatal("the added vif was not connected")
	}
}

// A receive buffer that the backend still maps when the vif closes
// cannot be revoked: its page is kept for the rest of the program
// (gnttab.Keep), never handed out again.
func TestPageMappedAtCloseIsKept(t *testing.T) {
	e := newEnv(t, nil)
	v := e.connect(t)
	rings := map[string]bool{}
	for _, k := range []string{"tx-ring-ref", "rx-ring-ref"} {
		r, _ := e.store.Get("/local/domain/7/device/vif/0/" + k)
		rings[r] = true
	}
	var held gnttab.Ref
	for r := gnttab.Ref(gnttab.ReservedEntries); r < 4*gnttab.EntriesPerFrame; r++ {
		if flags, domid, _ := e.grants.Entry(r); flags&gnttab.FlagPermitAccess != 0 && domid == back && !rings[strconv.Itoa(int(r))] {
			held = r
			break
		}
	}
	if held == 0 {
		t.Fatal("no receive buffer granted to the backend")
	}
	if _, err := e.grants.Map(back, held, true); err != nil {
		t.Fatal(err)
	}
	before := gnttab.Kept()
	if err := v.Close(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := gnttab.Kept() - before; got != gnttab.PageSize {
		t.Errorf("gnttab.Kept grew by %d bytes, want the one page still mapped", got)
	}
	if flags, _, _ := e.grants.Entry(held); flags&gnttab.FlagPermitAccess == 0 {
		t.Error("the grant of a mapped page was revoked")
	}
}
