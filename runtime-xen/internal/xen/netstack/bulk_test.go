// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"crypto/sha256"
	"encoding/binary"
	"net/netip"
	"syscall"
	"testing"

	"internal/xen/netapi"

	"gvisor.dev/gvisor/pkg/tcpip"
)

// TestBulkOverCable moves 16 MiB each way between two stacks joined by a
// cable, written in 64 KiB chunks from one reused buffer, and checks that
// what arrives is what was written (the test host's upload and download
// check the same over a vif).
func TestBulkOverCable(t *testing.T) {
	c, cid, srv, _, _ := link(t)
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
