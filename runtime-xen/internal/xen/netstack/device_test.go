// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"bytes"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// stuckDev is a device whose ring is full until unstuck is closed.
type stuckDev struct {
	unstuck chan struct{}
	sent    chan []byte
}

func (d *stuckDev) Name() string                      { return "eth0" }
func (d *stuckDev) HardwareAddr() []byte              { return []byte{2, 0, 0, 0, 0, 1} }
func (d *stuckDev) MTU() int                          { return 1500 }
func (d *stuckDev) Receive(frame []byte) (int, error) { select {} }
func (d *stuckDev) Transmit(frame []byte) error {
	<-d.unstuck
	d.sent <- append([]byte(nil), frame...)
	return nil
}

func frames(n int, tag byte) stack.PacketBufferList {
	var l stack.PacketBufferList
	for i := 0; i < n; i++ {
		l.PushBack(stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithData([]byte{tag, byte(i >> 8), byte(i), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})}))
	}
	return l
}

// WritePackets never waits for the device (gVisor calls it with a TCP
// endpoint's lock held): with the device's ring full it queues txQueueLen
// frames at once, then refuses more, and the device later gets the queued
// ones in order.
func TestWritePacketsDoesNotWait(t *testing.T) {
	d := &stuckDev{unstuck: make(chan struct{}), sent: make(chan []byte, 2*txQueueLen)}
	e := newDeviceEndpoint(d)
	defer e.Close()
	done := make(chan struct{})
	var n1, n2 int
	var err2 tcpip.Error
	go func() {
		defer close(done)
		l := frames(txQueueLen, 'a')
		n1, _ = e.WritePackets(l)
		l2 := frames(10, 'b')
		n2, err2 = e.WritePackets(l2)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("WritePackets waited for a device with a full ring")
	}
	// The transmit goroutine holds one frame in Transmit: the queue
	// takes all the first batch and at most one of the second.
	if n1 != txQueueLen {
		t.Errorf("first batch: queued %d frames, want %d", n1, txQueueLen)
	}
	if _, full := err2.(*tcpip.ErrNoBufferSpace); n2 > 1 || (n2 == 0 && !full) {
		t.Errorf("second batch: queued %d frames (error %v), want at most 1 and then ErrNoBufferSpace", n2, err2)
	}
	close(d.unstuck)
	for i := 0; i < txQueueLen; i++ {
		select {
		case f := <-d.sent:
			if f[0] != 'a' || int(f[1])<<8|int(f[2]) != i {
				t.Fatalf("frame %d: got %q, want 'a' and its index", i, f[:3])
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the device got %d queued frames, want %d", i, txQueueLen)
		}
	}
	if n2 == 1 {
		if f := <-d.sent; !bytes.Equal(f[:3], []byte{'b', 0, 0}) {
			t.Errorf("the last frame: got %q", f[:3])
		}
	}
}
