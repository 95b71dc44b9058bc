// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package blkfront

// The disk as a file: any offset and length, with Linux's buffered block
// device semantics (block/fops.c) at the end of the disk.

import "syscall"

// ReadAt reads len(p) bytes at off. A read at or past the end returns 0
// bytes and no error (as pread(2) does; os.File turns it into io.EOF), a
// read across the end returns the bytes up to it. Partial sectors at the
// edges are read whole and copied from.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, syscall.EINVAL
	}
	if off >= d.size || len(p) == 0 {
		return 0, d.failed()
	}
	n := min(int64(len(p)), d.size-off)
	p = p[:n]
	lss := int64(d.sectorSize)
	a, z := roundUp(off, lss), roundDown(off+n, lss)
	b := newBatch()
	var head, tail []byte
	var err error
	switch {
	case a > z: // within one sector
		head = make([]byte, lss)
		err = d.transfer(b, opRead, a-lss, head)
	default:
		if off < a {
			head = make([]byte, lss)
			err = d.transfer(b, opRead, a-lss, head)
		}
		if err == nil && a < z {
			err = d.transfer(b, opRead, a, p[a-off:z-off])
		}
		if err == nil && z < off+n {
			tail = make([]byte, lss)
			err = d.transfer(b, opRead, z, tail)
		}
	}
	if werr := d.wait(b); err == nil {
		err = werr
	}
	if err != nil {
		return 0, err
	}
	switch {
	case a > z:
		copy(p, head[off-(a-lss):])
	default:
		if head != nil {
			copy(p, head[off-(a-lss):])
		}
		if tail != nil {
			copy(p[z-off:], tail)
		}
	}
	return int(n), nil
}

// WriteAt writes len(p) bytes at off. A write at or past the end fails
// with ENOSPC; one across it writes up to the end and returns that count
// (a second write at the end then fails with ENOSPC, which is what
// os.File reports). Partial sectors at the edges are read, merged and
// written whole; writes to overlapping sectors are done one after the
// other, so concurrent unaligned writes do not lose each other's bytes.
func (d *Disk) WriteAt(p []byte, off int64) (int, error) {
	if d.readOnly {
		return 0, syscall.EROFS
	}
	if off < 0 {
		return 0, syscall.EINVAL
	}
	if len(p) == 0 {
		return 0, d.failed()
	}
	if off >= d.size {
		return 0, syscall.ENOSPC
	}
	n := min(int64(len(p)), d.size-off)
	p = p[:n]
	lss := int64(d.sectorSize)
	s := span{roundDown(off, lss), roundUp(off+n, lss)}
	d.lock(s)
	defer d.unlock(s)
	a, z := roundUp(off, lss), roundDown(off+n, lss)

	// Read the partial sectors at the edges.
	var head, tail []byte
	b := newBatch()
	var err error
	if a > z {
		head = make([]byte, lss)
		err = d.transfer(b, opRead, s.start, head)
	} else {
		if off < a {
			head = make([]byte, lss)
			err = d.transfer(b, opRead, a-lss, head)
		}
		if err == nil && z < off+n {
			tail = make([]byte, lss)
			err = d.transfer(b, opRead, z, tail)
		}
	}
	if head != nil || tail != nil {
		if werr := d.wait(b); err == nil {
			err = werr
		}
		b = newBatch()
	}
	if err != nil {
		d.wait(b)
		return 0, err
	}

	if a > z {
		copy(head[off-s.start:], p)
		err = d.transfer(b, opWrite, s.start, head)
	} else {
		if head != nil {
			copy(head[off-(a-lss):], p)
			err = d.transfer(b, opWrite, a-lss, head)
		}
		if err == nil && a < z {
			err = d.transfer(b, opWrite, a, p[a-off:z-off])
		}
		if err == nil && tail != nil {
			copy(tail, p[z-off:])
			err = d.transfer(b, opWrite, z, tail)
		}
	}
	if werr := d.wait(b); err == nil {
		err = werr
	}
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// Flush returns when every write that completed before it is on the
// backend's stable storage: a BLKIF_OP_FLUSH_DISKCACHE (or WRITE_BARRIER)
// request, or nothing when the backend offers neither (it has no volatile
// cache).
func (d *Disk) Flush() error {
	d.mu.Lock()
	op, err := d.flushOp, d.err
	d.mu.Unlock()
	if err != nil || op < 0 {
		return err
	}
	b := newBatch()
	_, err = d.start(b, uint8(op), 0, 0, nil)
	if werr := d.wait(b); err == nil {
		err = werr
	}
	return err
}

// failed is the disk's error, if it is broken.
func (d *Disk) failed() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// transfer adds to b the requests that read or write buf at off, both
// multiples of the sector size.
func (d *Disk) transfer(b *batch, op uint8, off int64, buf []byte) error {
	sector := uint64(off) >> sectorShift
	nsect := len(buf) >> sectorShift
	for nsect > 0 {
		k, err := d.start(b, op, sector, nsect, buf)
		if err != nil {
			return err
		}
		sector += uint64(k)
		nsect -= k
		buf = buf[k<<sectorShift:]
	}
	return nil
}

// lock waits until no write holds bytes of s, then holds them.
func (d *Disk) lock(s span) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		busy := false
		for _, l := range d.locked {
			if l.start < s.end && s.start < l.end {
				busy = true
				break
			}
		}
		if !busy {
			break
		}
		d.cond.Wait()
	}
	d.locked = append(d.locked, s)
}

func (d *Disk) unlock(s span) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, l := range d.locked {
		if l == s {
			d.locked[i] = d.locked[len(d.locked)-1]
			d.locked = d.locked[:len(d.locked)-1]
			break
		}
	}
	d.cond.Broadcast()
}

func roundDown(x, m int64) int64 { return x &^ (m - 1) }
func roundUp(x, m int64) int64   { return (x + m - 1) &^ (m - 1) }
