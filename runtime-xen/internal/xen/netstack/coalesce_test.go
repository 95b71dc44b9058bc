// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package netstack

import (
	"bytes"
	"internal/poll"
	"io"
	"runtime"
	"syscall"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
)

// A program that writes byte by byte to a peer that stops reading must not
// queue a segment per byte (see coalesce.go): memory stays bounded, the
// writer blocks once its buffers are full, and everything arrives in order,
// promptly, once the peer reads.
func TestSmallWritesToAStalledPeer(t *testing.T) {
	s := &Stack{}
	c, srv := connectPair(t, s, syscall.AF_INET, "127.0.0.1:0")
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	written := make(chan []byte, 1)
	go func() {
		var sent bytes.Buffer
		// The writer has blocked when one byte-sized write waits a whole
		// second: a per-write deadline, not a budget for the loop, so a
		// loaded machine that runs the loop slowly does not look blocked.
		for i := 0; ; i++ {
			b := []byte{byte(i)}
			srv.SetWriteDeadline(time.Now().Add(time.Second))
			if _, err := srv.Write(b); err != nil {
				if err != poll.ErrDeadlineExceeded {
					t.Errorf("write: %v", err)
				}
				break
			}
			sent.Write(b)
		}
		srv.SetWriteDeadline(time.Time{})
		srv.Shutdown(3)
		written <- sent.Bytes()
	}()
	sent := <-written

	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 64<<20 {
		t.Errorf("the heap grew by %d MB while a peer did not read byte-sized writes", grew>>20)
	}
	// The writer blocks only when the coalescer's buffer and the send
	// buffer are full. (Linux takes megabytes from such a writer, as its
	// receiver merges tiny segments; gVisor's keeps each at ~300 bytes of
	// memory, so the peer holds only a few KB of them.)
	if least := coalesceMax + sendBufferDefault; len(sent) < least {
		t.Errorf("only %d bytes written before the writer blocked, want at least %d", len(sent), least)
	}

	// The peer dropped the one-byte segments that its memory could not
	// hold; getting them back must take a retransmission timeout or two,
	// not one per segment or two (which took minutes).
	stats := srv.Endpoint().(*endpoint).ep.Stats().(*tcp.Stats)
	timeouts := stats.SendErrors.Timeouts.Value()
	c.SetReadDeadline(time.Now().Add(time.Minute)) // one or two segments per timeout took three minutes
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the backlog of %d bytes: %v after %d bytes and %d retransmission timeouts", len(sent), err, len(got), stats.SendErrors.Timeouts.Value()-timeouts)
	}
	if !bytes.Equal(got, sent) {
		t.Errorf("read %d bytes, not the %d written", len(got), len(sent))
	}
	if n := stats.SendErrors.Timeouts.Value() - timeouts; n > 8 {
		t.Errorf("the backlog of %d bytes drained after %d retransmission timeouts", len(sent), n)
	}
}

// Small writes on a connection that is sending are not delayed: a
// byte-by-byte exchange takes no coalescing delay per round.
func TestSmallWritesPingPong(t *testing.T) {
	s := &Stack{}
	c, srv := connectPair(t, s, syscall.AF_INET, "127.0.0.1:0")
	go io.Copy(srv, srv)
	start := time.Now()
	const rounds = 2000
	b := []byte{1}
	for i := 0; i < rounds; i++ {
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, b); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > rounds*coalesceDelay/2 {
		t.Errorf("%d one-byte round trips took %v: writes were held back", rounds, d)
	}
}

// Byte-sized writes to a peer that has closed fail soon, even while they are
// being gathered.
func TestSmallWritesToAClosedPeer(t *testing.T) {
	s := &Stack{}
	c, srv := connectPair(t, s, syscall.AF_INET, "127.0.0.1:0")
	go func() {
		b := make([]byte, 1)
		for i := 0; i < 1000; i++ {
			c.Write(b)
			c.Read(b)
		}
		c.Close()
	}()
	go io.Copy(io.Discard, srv)
	deadline := time.Now().Add(10 * time.Second)
	srv.SetWriteDeadline(deadline)
	var err error
	for err == nil {
		_, err = srv.Write([]byte{1})
	}
	if err != syscall.ECONNRESET && err != syscall.EPIPE {
		t.Errorf("writing to a closed peer: %v, want ECONNRESET or EPIPE", err)
	}
}
