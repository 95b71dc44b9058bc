// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"net/netip"
	"sync/atomic"
	"syscall"
	"testing"

	"internal/xen/netapi"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/checksum"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// TestBulkOverCable moves 16 MiB each way between two stacks joined by a
// cable, written in 64 KiB chunks from one reused buffer, and checks that
// what arrives is what was written (the test host's upload and download
// check the same over a vif).
func TestBulkOverCable(t *testing.T) {
	c, cid, srv, _, _ := link(t)
	bulk(t, c, cid, srv)
}

// A gsoDev is a pipeDev with a NIC's offloads, as netfront's with GSO:
// it carries TCP segments of up to 64 KiB, and completes the partial
// checksums of what it is given to transmit (on the wire that is the
// backend's work; here the peer's stack checks the result).
type gsoDev struct {
	*pipeDev
	segments atomic.Int64 // GSO segments transmitted (mss > 0)
	partial  atomic.Int64 // frames with a partial checksum
}

func (d *gsoDev) MaxFrame() int   { return 65535 + header.EthernetMinimumSize }
func (d *gsoDev) GSOMaxSize() int { return 65535 }

func (d *gsoDev) TransmitOffload(frame []byte, mss int, v6 bool) error {
	if len(frame) > d.GSOMaxSize() || v6 {
		return errors.New("gsoDev: frame too long, or IPv6")
	}
	f := append([]byte(nil), frame...)
	ip := header.IPv4(f[header.EthernetMinimumSize:])
	if !ip.IsValid(len(ip)) || ip.Protocol() != uint8(header.TCPProtocolNumber) {
		return errors.New("gsoDev: not a TCP/IPv4 frame")
	}
	tcp := header.TCP(ip.Payload())
	if mss > 0 {
		if len(tcp.Payload()) <= mss {
			return errors.New("gsoDev: a GSO segment of one MSS or less")
		}
		d.segments.Add(1)
	}
	d.partial.Add(1)
	// The field holds the pseudo-header sum: the sum over the segment
	// with it is the whole checksum.
	tcp.SetChecksum(^checksum.Checksum(tcp, 0))
	select {
	case d.peer.in <- f:
	default:
	}
	return nil
}

// TestBulkOverGSOCable is TestBulkOverCable over devices with GSO: TCP
// sends segments of up to 64 KiB with partial checksums each way, and the
// data arrives whole.
func TestBulkOverGSOCable(t *testing.T) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	cp := &pipeDev{name: "eth0", mac: []byte{0x02, 0, 0, 0, 0, 9}, in: make(chan []byte, 512), done: done}
	sp := &pipeDev{name: "eth0", mac: []byte{0x02, 0, 0, 0, 0, 1}, in: make(chan []byte, 512), done: done}
	cp.peer, sp.peer = sp, cp
	cdev, sdev := &gsoDev{pipeDev: cp}, &gsoDev{pipeDev: sp}
	c, srv := &Stack{}, &Stack{}
	cid, err := c.AddDevice(cdev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddDevice(sdev, netip.MustParsePrefix("10.0.0.1/24")); err != nil {
		t.Fatal(err)
	}
	bulk(t, c, cid, srv)
	for name, d := range map[string]*gsoDev{"client": cdev, "server": sdev} {
		t.Logf("%s: %d GSO segments, %d frames with partial checksums", name, d.segments.Load(), d.partial.Load())
		if d.segments.Load() < 100 {
			t.Errorf("%s sent %d GSO segments for 16 MiB", name, d.segments.Load())
		}
	}
}

// bulk is TestBulkOverCable's transfer between c (interface cid) and srv,
// which has 10.0.0.1.
func bulk(t *testing.T, c *Stack, cid int, srv *Stack) {
	if err := c.addAddress(tcpip.NICID(cid), netip.MustParsePrefix("10.0.0.9/24")); err != nil {
		t.Fatal(err)
	}
	l, _ := listen(t, srv, syscall.AF_INET, "10.0.0.1:80")
	client := socket(t, c, syscall.AF_INET, syscall.SOCK_STREAM)
	if err := client.Connect(addr("10.0.0.1:80"), nil); err != nil {
		t.Fatal(err)
	}
	ep, _, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	server := netapi.NewSocket(ep, true)
	t.Cleanup(func() { server.Close() })
	const total = 16 << 20
	send := func(w interface{ Write([]byte) (int, error) }) [32]byte {
		h := sha256.New()
		buf := make([]byte, 64<<10)
		for i := 0; i*len(buf) < total; i++ {
			for j := 0; j < len(buf); j += 8 {
				binary.LittleEndian.PutUint64(buf[j:], uint64(i*len(buf)+j))
			}
			h.Write(buf)
			for p := buf; len(p) > 0; {
				n, err := w.Write(p)
				if err != nil {
					t.Error(err)
					return [32]byte{}
				}
				p = p[n:]
			}
		}
		return [32]byte(h.Sum(nil))
	}
	recv := func(r interface{ Read([]byte) (int, error) }) [32]byte {
		h := sha256.New()
		buf := make([]byte, 32<<10)
		for n := 0; n < total; {
			k, err := r.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			h.Write(buf[:k])
			n += k
		}
		return [32]byte(h.Sum(nil))
	}
	for _, dir := range []struct {
		name string
		w    interface{ Write([]byte) (int, error) }
		r    interface{ Read([]byte) (int, error) }
	}{{"upload", client, server}, {"download", server, client}} {
		sent := make(chan [32]byte)
		go func() { sent <- send(dir.w) }()
		got := recv(dir.r)
		if want := <-sent; got != want {
			t.Errorf("%s: received %x, sent %x", dir.name, got, want)
		}
	}
}
