// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package testhost

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// The live console of a case (Case.LiveOutput, Case.LiveInput) travels on a
// virtio serial port of dom0 named xth.live, which QEMU connects to two
// FIFOs in the run's directory (its "pipe" character device: QEMU reads
// live.in and writes live.out). In dom0 the agent copies the guest's
// console log (xenconsoled's, as it grows: tail -F) to the port and the
// port to the domain's console pty, whose input xenconsoled puts into the
// console ring. Unlike the serial console this is exact and flow
// controlled.

// liveQEMUArgs are QEMU's arguments for the live port in dir.
func liveQEMUArgs(dir string) []string {
	return []string{
		"-device", "virtio-serial-pci,id=xthvs",
		"-chardev", "pipe,id=xthlive,path=" + filepath.Join(dir, "live"),
		"-device", "virtserialport,bus=xthvs.0,chardev=xthlive,name=xth.live",
	}
}

// liveConsole is the build machine's end of the live port for one boot.
type liveConsole struct {
	in, out *os.File // live.in (we write), live.out (we read)
	c       *Case
	readEnd chan struct{}

	mu       sync.Mutex
	streamed bytes.Buffer // what reached c.LiveOutput, to finish it exactly
	err      error
}

// startLive makes the FIFOs in dir and starts copying for c. They are
// opened read-write, so that neither open waits for QEMU.
func startLive(dir string, c *Case) (*liveConsole, error) {
	l := &liveConsole{c: c, readEnd: make(chan struct{})}
	for _, name := range []string{"live.in", "live.out"} {
		p := filepath.Join(dir, name)
		os.Remove(p)
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			return nil, fmt.Errorf("testhost: live console: %v", err)
		}
	}
	var err error
	if l.in, err = os.OpenFile(filepath.Join(dir, "live.in"), os.O_RDWR, 0); err != nil {
		return nil, err
	}
	if l.out, err = os.OpenFile(filepath.Join(dir, "live.out"), os.O_RDWR, 0); err != nil {
		l.in.Close()
		return nil, err
	}
	go func() {
		defer close(l.readEnd)
		buf := make([]byte, 32<<10)
		for {
			n, err := l.out.Read(buf)
			if n > 0 {
				l.mu.Lock()
				l.streamed.Write(buf[:n])
				if c.LiveOutput != nil && l.err == nil {
					_, l.err = c.LiveOutput.Write(buf[:n])
				}
				l.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	if c.LiveInput != nil {
		go io.Copy(l.in, c.LiveInput)
	}
	return l, nil
}

// stop takes what is left in the port after QEMU has exited and closes it.
func (l *liveConsole) stop() {
	l.out.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	<-l.readEnd
	l.out.Close()
	l.in.Close()
}

// finish writes to LiveOutput what the stream missed of the case's whole
// console log (raw), after stop.
func (l *liveConsole) finish(raw []byte, log io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.c.LiveOutput == nil || l.err != nil {
		return
	}
	got := l.streamed.Bytes()
	if !bytes.HasPrefix(raw, got) {
		fmt.Fprintf(log, "testhost: case %s: the live console (%d bytes) is not a prefix of the console log (%d bytes); not completing it\n",
			l.c.Name, len(got), len(raw))
		return
	}
	if len(raw) > len(got) {
		_, l.err = l.c.LiveOutput.Write(raw[len(got):])
	}
}
