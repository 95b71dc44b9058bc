// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"io"
	"sync"
	"time"
)

// Console input flow control (dom0). Xen keeps serial input for dom0 in a
// 128-byte ring and drops what does not fit (SERIAL_RX_SIZE,
// xen/drivers/char/console.c). The runtime acknowledges (goxen.inputack=1,
// console.Demux.InputAck) when the program first reads input and each time
// it has taken input from that ring, with the count taken so far; the
// runner keeps what it has sent but not seen taken within
// consoleInputWindow.
const (
	consoleInputWindow = 96   // bytes; under Xen's 128
	consoleEOT         = 0x04 // ^D: the end of the input, as at a terminal
	consoleEOTRepeat   = time.Second
)

// consoleInput is the runner's side of the flow control.
type consoleInput struct {
	mu      sync.Mutex
	started bool   // the program has read
	taken   uint64 // the bytes it has taken, as last acknowledged
	changed chan struct{}
}

func newConsoleInput() *consoleInput {
	return &consoleInput{changed: make(chan struct{}, 1)}
}

// ack records an acknowledgement.
func (ci *consoleInput) ack(taken uint64) {
	ci.mu.Lock()
	ci.started = true
	if taken > ci.taken {
		ci.taken = taken
	}
	ci.mu.Unlock()
	select {
	case ci.changed <- struct{}{}:
	default:
	}
}

// waitFor waits until the program reads and has taken at least n bytes, or
// timeout passes (nil: no timeout); it reports false when done is closed.
func (ci *consoleInput) waitFor(n uint64, timeout <-chan time.Time, done <-chan struct{}) (ok, timedOut bool) {
	for {
		ci.mu.Lock()
		ready := ci.started && ci.taken >= n
		ci.mu.Unlock()
		if ready {
			return true, false
		}
		select {
		case <-ci.changed:
		case <-timeout:
			return false, true
		case <-done:
			return false, false
		}
	}
}

// send copies in to the serial line w within the window, then ends the input
// with EOT: the console has no end of input of its own, and the runtime reads
// EOT as one, for good. It returns when done is closed or w fails.
func (ci *consoleInput) send(w io.Writer, in io.Reader, done <-chan struct{}) {
	var sent uint64
	buf := make([]byte, consoleInputWindow/2)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			// Room for these n bytes: at most the window in flight.
			if ok, _ := ci.waitFor(sent+uint64(n)-min(sent+uint64(n), consoleInputWindow), nil, done); !ok {
				return
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			sent += uint64(n)
		}
		if err != nil {
			break
		}
	}
	if ok, _ := ci.waitFor(sent+1-min(sent+1, consoleInputWindow), nil, done); !ok {
		return
	}
	for {
		if _, err := w.Write([]byte{consoleEOT}); err != nil {
			return
		}
		t := time.NewTimer(consoleEOTRepeat)
		ok, timedOut := ci.waitFor(sent+1, t.C, done)
		t.Stop()
		if ok || !timedOut {
			return
		}
		// Resent EOTs add to sent only if taken; a second EOT changes
		// nothing (the input has ended).
	}
}
