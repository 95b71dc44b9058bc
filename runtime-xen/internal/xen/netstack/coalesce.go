// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"sync"
	"syscall"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// gVisor makes one segment of every write and counts only the payload against
// the send buffer; it merges queued segments when it sends them. So while a
// connection cannot send (the peer's window is closed, or the congestion
// window is full), writes of a few bytes pile up as segments of a few bytes,
// each costing about 900 bytes of memory: a program that writes byte by
// byte to a peer that stops reading would queue a million of them (a
// gigabyte) before its send buffer fills. Linux charges each queued packet
// its real size instead.
//
// The coalescer does what Linux's accounting achieves: once a write has
// been queued without being sent, the small writes that follow are gathered
// in one buffer and handed to gVisor as one segment, when it fills or after
// coalesceDelay (the queue ahead of it could not go out before then anyway);
// as soon as a hand-over is sent at once, writes go straight to gVisor again.
// Nothing is delayed while the connection is sending.
//
// The receiving side cannot be helped from here: a gVisor receiver keeps
// every segment as it came (about 300 bytes of memory for one byte of
// data) and drops those that its receive buffer cannot hold, although they
// are within the window it advertised; Linux merges small segments into the
// tail of its receive queue instead. So a byte-by-byte writer to a gVisor
// peer that stops reading (a loopback connection) loses the last few
// thousand segments it sent, and sends them again on a retransmission
// timeout after the peer reads: promptly, as RACK is off (netstack.go), but
// no sooner than the timeout, which backs off while the peer does not read.
type coalescer struct {
	wmu     sync.Mutex
	piling  bool   // the last write was queued behind data not yet sent
	pending []byte // small writes gathered while piling
	timer   *time.Timer
	delay   time.Duration // the timer's current period (backs off while stuck)
	err     error         // how a hand-over of gathered writes failed, for the next write
}

const (
	coalesceMax      = 64 << 10 // a small write, and the most gathered at once
	coalesceDelay    = time.Millisecond
	coalesceMaxDelay = 256 * time.Millisecond
)

func (e *endpoint) segmentsSent() uint64 {
	if st, ok := e.ep.Stats().(*tcp.Stats); ok {
		return st.SegmentsSent.Value()
	}
	return 0
}

func (e *endpoint) writeStream(p []byte) (int, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.err; err != nil {
		// Gathered writes were lost with the connection: later writes fail
		// as they would have (the next error comes from gVisor).
		e.err = nil
		return 0, err
	}
	if e.piling && len(p) < coalesceMax && e.ep.Readiness(waiter.EventErr|waiter.EventHUp) == 0 {
		if len(e.pending)+len(p) <= coalesceMax {
			e.pending = append(e.pending, p...)
			e.armFlushLocked()
			return len(p), nil
		}
	}
	// What was gathered goes first.
	if len(e.pending) > 0 {
		if err := e.flushLocked(); err != nil {
			return 0, err
		}
		if len(e.pending) > 0 {
			return 0, syscall.EAGAIN // gVisor's send buffer is full
		}
	}
	return e.writeDirectLocked(p)
}

// writeDirectLocked hands p to gVisor and notes whether it was sent at once.
func (e *endpoint) writeDirectLocked(p []byte) (int, error) {
	before := e.segmentsSent()
	n, err := e.write(p)
	if n > 0 {
		e.piling = e.segmentsSent() == before
	}
	return n, err
}

// flushLocked hands the gathered writes to gVisor, as much as it takes.
func (e *endpoint) flushLocked() error {
	n, err := e.writeDirectLocked(e.pending)
	e.pending = e.pending[n:]
	if len(e.pending) == 0 {
		e.pending = nil
	}
	if err == syscall.EAGAIN {
		return nil
	}
	return err
}

func (e *endpoint) armFlushLocked() {
	if e.timer != nil {
		return
	}
	if e.delay == 0 {
		e.delay = coalesceDelay
	}
	e.timer = time.AfterFunc(e.delay, e.flushLater)
}

// flushLater runs from the timer: it hands over what was gathered, backing
// off while gVisor takes nothing.
func (e *endpoint) flushLater() {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.timer = nil
	if len(e.pending) == 0 {
		e.delay = 0
		return
	}
	had := len(e.pending)
	if err := e.flushLocked(); err != nil {
		e.pending = nil // the connection is gone: the next write reports it
		e.err = err
		return
	}
	if len(e.pending) == 0 {
		e.delay = 0
		return
	}
	if len(e.pending) == had {
		e.delay = min(2*e.delay, coalesceMaxDelay)
	} else {
		e.delay = coalesceDelay
	}
	e.armFlushLocked()
}

// flushBeforeClose hands over what was gathered before a FIN or a close,
// making room in the send buffer for it if need be: it was accepted.
func (e *endpoint) flushBeforeClose() {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	if len(e.pending) == 0 {
		return
	}
	so := e.ep.SocketOptions()
	so.SetSendBufferSize(so.GetSendBufferSize()+int64(len(e.pending)), false)
	e.flushLocked()
	e.pending = nil
}
