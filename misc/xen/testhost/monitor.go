// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"goforxen.dev/misc/xen/internal/qemu"
)

// qemuMonitor watches the test host's QEMU through its serial console,
// where dom0 prints progress lines starting "xth: ".
type qemuMonitor struct {
	proc    *qemu.Process
	start   time.Time
	ready   chan struct{} // closed at "xth: ready"
	readyAt time.Time
	doneAt  time.Time // "xth: all N cases done"
	progAt  time.Time // the last "xth: " line

	mu        sync.Mutex
	log       io.Writer
	buf       bytes.Buffer // the serial console, up to maxSerial
	line      []byte       // the line being received
	readySeen bool
}

// maxSerial bounds the serial console kept in Report.Serial.
const maxSerial = 64 << 20

func (m *qemuMonitor) serial() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.buf.String()
}

func (m *qemuMonitor) lastProgress() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.progAt
}

func (m *qemuMonitor) kill() { m.proc.Kill() }

// exited is closed when QEMU has exited and its output is read.
func (m *qemuMonitor) exited() <-chan struct{} { return m.proc.Done() }

// Write takes QEMU's output (the serial console and QEMU's own messages)
// and notes the progress lines.
func (m *qemuMonitor) Write(p []byte) (int, error) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log.Write(p)
	if m.buf.Len() < maxSerial {
		m.buf.Write(p)
	}
	for _, b := range p {
		m.line = append(m.line, b)
		if b != '\n' && len(m.line) < 4096 {
			continue
		}
		line := string(m.line)
		m.line = m.line[:0]
		if !m.readySeen && strings.Contains(line, "xth: ready") {
			m.readySeen = true
			m.readyAt = now
			close(m.ready)
		}
		if strings.Contains(line, "xth: ") {
			m.progAt = now
		}
		if strings.Contains(line, "xth: all ") && strings.Contains(line, " cases done") {
			m.doneAt = now
		}
	}
	return len(p), nil
}

// startQEMU starts the test host's QEMU (args[0] the binary) with its
// output copied to log (nil: discarded).
func startQEMU(args []string, log io.Writer) (*qemuMonitor, error) {
	if log == nil {
		log = io.Discard
	}
	m := &qemuMonitor{ready: make(chan struct{}), log: log}
	m.start = time.Now()
	p, err := qemu.Start(qemu.Config{Path: args[0], Args: args[1:], Serial: m, Stderr: m})
	if err != nil {
		return nil, fmt.Errorf("testhost: %v (package qemu-system-x86)", err)
	}
	m.proc = p
	return m, nil
}
