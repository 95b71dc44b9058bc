// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package qemuxen

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// flowWriter is the serial line in TestConsoleInputFlow: it checks the
// window on each write, and a guest goroutine takes what was written.
type flowWriter struct {
	mu      sync.Mutex
	data    []byte
	taken   int
	maxLead int
}

// The runner never has more than consoleInputWindow bytes sent but not
// taken, sends everything in order, and ends with EOT.
func TestConsoleInputFlow(t *testing.T) {
	in := make([]byte, 5000)
	for i := range in {
		in[i] = 'a' + byte(i%26)
	}
	ci := newConsoleInput()
	w := &flowWriter{}
	done := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		ci.send(w, bytes.NewReader(in), done)
		close(sent)
	}()
	ci.ack(0) // the program reads
	for {
		select {
		case <-sent:
			close(done)
			if w.maxLead > consoleInputWindow {
				t.Errorf("%d bytes in flight, more than the window of %d", w.maxLead, consoleInputWindow)
			}
			if string(w.data) != string(in)+"\x04" {
				t.Errorf("sent %d bytes, not the input and EOT", len(w.data))
			}
			return
		case <-time.After(time.Millisecond):
			// The guest takes some of what arrived, not always all.
			w.mu.Lock()
			w.taken += (len(w.data) - w.taken + 1) / 2
			taken := w.taken
			w.mu.Unlock()
			ci.ack(uint64(taken))
		}
	}
}

func (w *flowWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.data = append(w.data, p...)
	w.maxLead = max(w.maxLead, len(w.data)-w.taken)
	return len(p), nil
}
