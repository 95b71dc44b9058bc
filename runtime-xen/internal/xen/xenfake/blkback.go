// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenfake

// A block backend playing Linux's blkback (drivers/block/xen-blkback:
// xenbus.c for the handshake, blkback.c for the ring), over an in-memory
// disk image, for host tests of frontends. It decodes blkif.h's x86_64
// layout on its own, so that a frontend's encoding is checked against a
// second reading of the header, and it has hostile modes: a Tamper hook
// that rewrites, drops or repeats responses, a stall, and going away.

import (
	"context"
	"errors"
	"fmt"
	"internal/byteorder"
	"internal/xen/evtchn"
	"internal/xen/gnttab"
	"internal/xen/ring"
	"internal/xen/xenbus"
	"strconv"
	"sync"
	"time"
)

// blkif.h values, decoded independently of internal/xen/blkfront.
const (
	BlkOpRead         = 0
	BlkOpWrite        = 1
	BlkOpWriteBarrier = 2
	BlkOpFlush        = 3
	BlkOpIndirect     = 6

	BlkRspOkay        = 0
	BlkRspError       = -1
	BlkRspEOPNOTSUPP  = -2
	blkReqSize        = 112
	blkRspSize        = 16
	blkMaxSegs        = 11
	blkMaxIndirectPgs = 8
)

// BlkSegment is one segment of a request.
type BlkSegment struct {
	Ref         gnttab.Ref
	First, Last uint8
}

// BlkRequest is a request as the backend decoded it.
type BlkRequest struct {
	Op         uint8 // for an indirect request, BlkOpIndirect
	IndirectOp uint8
	Nseg       int
	Handle     uint16
	ID         uint64
	Sector     uint64
	Segs       []BlkSegment
}

// DataOp is the operation the request performs (its indirect_op for an
// indirect request).
func (r *BlkRequest) DataOp() uint8 {
	if r.Op == BlkOpIndirect {
		return r.IndirectOp
	}
	return r.Op
}

// BlkStats counts what the backend saw.
type BlkStats struct {
	Requests, Reads, Writes, Indirect, Flushes, Barriers, Errors int
	MaxSegments                                                  int // in one request
	MaxQueued                                                    int // requests found on the ring at once
	Maps, Unmaps                                                 int // grant mappings made and undone
	PersistentRefs                                               int // grants kept mapped
}

// A Blkback is the backend of one vbd. Set its fields, then Start it.
type Blkback struct {
	Backend *Backend // the xenbus side (Store.NewDevice(..., "vbd", ...))
	Dom     *Domain  // the backend domain's event channels
	Grants  *Grants  // the frontend's grant table
	Image   *Image   // the disk

	// What the backend offers (written as Linux's blkback writes them).
	MaxRingPageOrder    int // max-ring-page-order; -1: not written (one page)
	MaxIndirectSegments int // feature-max-indirect-segments; 0: none
	Persistent          bool
	FlushCache, Barrier bool
	SectorSize          int    // logical; default 512
	PhysicalSectorSize  int    // default SectorSize
	Info                uint32 // VDISK_* bits
	Mode                string // "w" (default) or "r"
	// Override replaces the values the backend writes for these keys
	// (a malformed sector-size, say); "" removes the key.
	Override map[string]string
	// Delay, if set, is how long the backend waits before serving what
	// it finds on the ring, so that requests pile up.
	Delay time.Duration

	// Tamper, if set, sees each response before it is produced (rsp is
	// the 16-byte response in the x86_64 layout: id @0, operation @8,
	// status @10) and may rewrite it; it returns how many copies to put
	// on the ring: 0 drops the response, 2 repeats it.
	Tamper func(req *BlkRequest, rsp []byte) int

	mu         sync.Mutex
	stats      BlkStats
	stalled    bool
	persistent map[gnttab.Ref][]byte
	ringMem    []byte
	ringRefs   []gnttab.Ref
	front      uint16
	done       chan struct{}
	err        error
}

// NewBlkback makes the backend of vbd id for domain frontDom, served by
// domain backDom of x, over image; the frontend's grants are g.
func NewBlkback(t Cleaner, s *Store, x *Xen, g *Grants, frontDom uint16, id string, backDom uint16, image *Image) *Blkback {
	return &Blkback{
		Backend:             s.NewDevice(t, frontDom, "vbd", id, backDom),
		Dom:                 x.Domain(backDom),
		Grants:              g,
		Image:               image,
		MaxRingPageOrder:    4,
		MaxIndirectSegments: 256,
		Persistent:          true,
		FlushCache:          true,
		front:               frontDom,
	}
}

// Stats returns the counts so far.
func (b *Blkback) Stats() BlkStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// Stall stops (true) or resumes answering requests.
func (b *Blkback) Stall(on bool) {
	b.mu.Lock()
	b.stalled = on
	b.mu.Unlock()
}

// RingMem is the mapped ring (nil before the frontend connected), for
// tests that write its indices as a hostile backend would.
func (b *Blkback) RingMem() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ringMem
}

// Done is closed when the backend's loop has ended; Err says why.
func (b *Blkback) Done() <-chan struct{} { return b.done }
func (b *Blkback) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// Start publishes the backend's features, goes to InitWait, and serves
// the frontend in the background until ctx ends.
func (b *Blkback) Start(ctx context.Context) error {
	if b.SectorSize == 0 {
		b.SectorSize = 512
	}
	if b.PhysicalSectorSize == 0 {
		b.PhysicalSectorSize = b.SectorSize
	}
	if b.Mode == "" {
		b.Mode = "w"
	}
	be := b.Backend
	// What xen_blkbk_probe and the toolstack write before InitWait.
	if b.MaxRingPageOrder >= 0 {
		if err := b.write(ctx, "max-ring-page-order", strconv.Itoa(b.MaxRingPageOrder)); err != nil {
			return err
		}
	}
	if b.MaxIndirectSegments > 0 {
		if err := b.write(ctx, "feature-max-indirect-segments", strconv.Itoa(b.MaxIndirectSegments)); err != nil {
			return err
		}
	}
	if err := b.write(ctx, "mode", b.Mode); err != nil {
		return err
	}
	if err := be.SetState(ctx, xenbus.InitWait); err != nil {
		return err
	}
	b.done = make(chan struct{})
	go func() {
		err := b.run(ctx)
		b.mu.Lock()
		b.err = err
		b.mu.Unlock()
		close(b.done)
	}()
	return nil
}

// write writes a key of the backend's directory, or its override.
func (b *Blkback) write(ctx context.Context, key, value string) error {
	if v, ok := b.Override[key]; ok {
		if v == "" {
			b.Backend.C.Rm(ctx, b.Backend.Dir+"/"+key)
			return nil
		}
		value = v
	}
	return b.Backend.Write(ctx, key, value)
}

func (b *Blkback) readUint(ctx context.Context, key string, def uint64) (uint64, error) {
	v, err := b.Backend.ReadFrontend(ctx, key)
	if err != nil {
		return def, nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("frontend %s = %q: %v", key, v, err)
	}
	return n, nil
}

// connect is connect_ring and connect of Linux's blkback.
func (b *Blkback) connect(ctx context.Context) (*ring.Back, *evtchn.Channel, bool, error) {
	be := b.Backend
	order, err := b.readUint(ctx, "ring-page-order", 0)
	if err != nil {
		return nil, nil, false, err
	}
	if int(order) > max(b.MaxRingPageOrder, 0) {
		return nil, nil, false, fmt.Errorf("ring-page-order %d above max-ring-page-order %d", order, b.MaxRingPageOrder)
	}
	var refs []gnttab.Ref
	if order == 0 {
		r, err := b.readUint(ctx, "ring-ref", 1<<32)
		if err != nil || r == 1<<32 {
			return nil, nil, false, fmt.Errorf("no ring-ref (%v)", err)
		}
		refs = append(refs, gnttab.Ref(r))
	} else {
		for i := 0; i < 1<<order; i++ {
			r, err := b.readUint(ctx, "ring-ref"+strconv.Itoa(i), 1<<32)
			if err != nil || r == 1<<32 {
				return nil, nil, false, fmt.Errorf("no ring-ref%d (%v)", i, err)
			}
			refs = append(refs, gnttab.Ref(r))
		}
	}
	if p, err := be.ReadFrontend(ctx, "protocol"); err == nil && p != "x86_64-abi" {
		return nil, nil, false, fmt.Errorf("protocol %q", p)
	}
	port, err := b.readUint(ctx, "event-channel", 1<<32)
	if err != nil || port == 1<<32 {
		return nil, nil, false, fmt.Errorf("no event-channel (%v)", err)
	}
	fp, _ := be.ReadFrontend(ctx, "feature-persistent")
	persistent := b.Persistent && fp == "1"

	mem, err := b.Grants.MapArea(be.Dom, refs, true)
	if err != nil {
		return nil, nil, false, fmt.Errorf("mapping the ring: %v", err)
	}
	back, err := ring.NewBack(mem, blkReqSize, blkRspSize)
	if err != nil {
		return nil, nil, false, err
	}
	ch, err := evtchn.BindInterdomain(b.Dom, int(b.front), uint32(port))
	if err != nil {
		return nil, nil, false, fmt.Errorf("binding event channel %d: %v", port, err)
	}
	b.mu.Lock()
	b.ringMem, b.ringRefs = mem, refs
	b.mu.Unlock()

	// The device's properties, then Connected (blkback's connect()).
	sectors := b.Image.Size() >> 9
	for _, kv := range [][2]string{
		{"sectors", strconv.FormatInt(sectors, 10)},
		{"info", strconv.Itoa(int(b.Info))},
		{"sector-size", strconv.Itoa(b.SectorSize)},
		{"physical-sector-size", strconv.Itoa(b.PhysicalSectorSize)},
		{"feature-flush-cache", boolKey(b.FlushCache)},
		{"feature-barrier", boolKey(b.Barrier)},
		{"feature-persistent", boolKey(b.Persistent)},
	} {
		if err := b.write(ctx, kv[0], kv[1]); err != nil {
			return nil, nil, false, err
		}
	}
	if err := be.SetState(ctx, xenbus.Connected); err != nil {
		return nil, nil, false, err
	}
	return back, ch, persistent, nil
}

func boolKey(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

func (b *Blkback) run(ctx context.Context) error {
	if _, err := b.Backend.WaitFrontend(ctx, func(s xenbus.State) bool {
		return s == xenbus.Initialised || s == xenbus.Connected
	}); err != nil {
		return err
	}
	back, ch, persistent, err := b.connect(ctx)
	if err != nil {
		b.Backend.SetState(context.WithoutCancel(ctx), xenbus.Closing)
		return err
	}
	// When the frontend closes, unmap everything and follow it to Closed,
	// as blkback's frontend_changed does.
	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		if _, err := b.Backend.WaitFrontend(ctx, func(s xenbus.State) bool {
			return s == xenbus.Closing || s == xenbus.Closed
		}); err == nil {
			cancel()
		}
	}()
	defer func() {
		ch.Close()
		b.unmapAll()
		if outer.Err() == nil {
			b.Backend.SetState(outer, xenbus.Closed)
		}
	}()
	if persistent {
		b.persistent = map[gnttab.Ref][]byte{}
	}
	var req [blkReqSize]byte
	extra := 0
	for {
		if err := ch.Wait(ctx); err != nil {
			return err
		}
		if b.Delay > 0 {
			select {
			case <-time.After(b.Delay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		for {
			b.mu.Lock()
			stalled := b.stalled
			b.mu.Unlock()
			if stalled {
				break
			}
			n, err := back.Unconsumed()
			if err == nil && n == 0 {
				n, err = back.FinalCheck()
			}
			if err != nil {
				return err // the frontend's index is corrupt
			}
			if n == 0 {
				break
			}
			b.mu.Lock()
			b.stats.MaxQueued = max(b.stats.MaxQueued, n)
			b.mu.Unlock()
			for ; n > 0; n-- {
				back.ConsumeRequest(req[:])
				r, status := b.serve(req[:])
				var rsp [blkRspSize]byte
				byteorder.LEPutUint64(rsp[0:], r.ID)
				rsp[8] = r.DataOp()
				byteorder.LEPutUint16(rsp[10:], uint16(int16(status)))
				copies := 1
				if b.Tamper != nil {
					copies = b.Tamper(&r, rsp[:])
				}
				for ; copies > 0; copies-- {
					slot, err := back.NextResponse()
					if err != nil {
						// More responses than requests: the extra
						// ones only move rsp_prod, below.
						extra++
						continue
					}
					copy(slot, rsp[:])
				}
			}
			notify := back.PushResponses()
			if extra > 0 {
				// Claim responses beyond the requests, as a hostile
				// backend may.
				mem := b.RingMem()
				_, _, rp, _ := ring.Indices(mem)
				ring.SetIndex(mem, ring.RspProd, rp+uint32(extra))
				notify, extra = true, 0
			}
			if notify {
				ch.Notify()
			}
		}
	}
}

// serve decodes and performs one request and returns its status.
func (b *Blkback) serve(raw []byte) (BlkRequest, int) {
	r := BlkRequest{
		Op:     raw[0],
		ID:     byteorder.LEUint64(raw[8:]),
		Sector: byteorder.LEUint64(raw[16:]),
	}
	b.mu.Lock()
	b.stats.Requests++
	b.mu.Unlock()
	fail := func() (BlkRequest, int) {
		b.mu.Lock()
		b.stats.Errors++
		b.mu.Unlock()
		return r, BlkRspError
	}
	switch r.Op {
	case BlkOpFlush, BlkOpWriteBarrier:
		offered := b.FlushCache
		if r.Op == BlkOpWriteBarrier {
			offered = b.Barrier
		}
		if !offered {
			return r, BlkRspEOPNOTSUPP
		}
		b.mu.Lock()
		if r.Op == BlkOpFlush {
			b.stats.Flushes++
		} else {
			b.stats.Barriers++
		}
		b.mu.Unlock()
		b.Image.Flush()
		return r, BlkRspOkay
	case BlkOpRead, BlkOpWrite:
		r.Nseg = int(raw[1])
		r.Handle = byteorder.LEUint16(raw[2:])
		if r.Nseg == 0 || r.Nseg > blkMaxSegs {
			return fail()
		}
		for i := 0; i < r.Nseg; i++ {
			s := raw[24+8*i:]
			r.Segs = append(r.Segs, BlkSegment{gnttab.Ref(byteorder.LEUint32(s)), s[4], s[5]})
		}
	case BlkOpIndirect:
		r.IndirectOp = raw[1]
		r.Nseg = int(byteorder.LEUint16(raw[2:]))
		r.Handle = byteorder.LEUint16(raw[24:])
		if b.MaxIndirectSegments == 0 || (r.IndirectOp != BlkOpRead && r.IndirectOp != BlkOpWrite) ||
			r.Nseg == 0 || r.Nseg > b.MaxIndirectSegments {
			return fail()
		}
		npages := (r.Nseg + 511) / 512
		if npages > blkMaxIndirectPgs {
			return fail()
		}
		for p := 0; p < npages; p++ {
			ref := gnttab.Ref(byteorder.LEUint32(raw[28+4*p:]))
			page, err := b.mapPage(ref, false)
			if err != nil {
				return fail()
			}
			for i := p * 512; i < min(r.Nseg, (p+1)*512); i++ {
				s := page[(i%512)*8:]
				r.Segs = append(r.Segs, BlkSegment{gnttab.Ref(byteorder.LEUint32(s)), s[4], s[5]})
			}
			b.unmapPage(ref)
		}
		b.mu.Lock()
		b.stats.Indirect++
		b.mu.Unlock()
	default:
		return fail()
	}

	op := r.DataOp()
	if op == BlkOpWrite && b.Mode == "r" {
		return fail()
	}
	b.mu.Lock()
	b.stats.MaxSegments = max(b.stats.MaxSegments, r.Nseg)
	if op == BlkOpRead {
		b.stats.Reads++
	} else {
		b.stats.Writes++
	}
	b.mu.Unlock()
	// Check the whole request before touching the disk, as blkback's
	// dispatch_rw_block_io does.
	lss := uint64(b.SectorSize >> 9)
	total := uint64(0)
	for _, s := range r.Segs {
		if s.First > s.Last || s.Last >= 8 {
			return fail()
		}
		total += uint64(s.Last-s.First) + 1
	}
	if r.Sector%lss != 0 || total%lss != 0 || r.Sector+total > uint64(b.Image.Size()>>9) {
		return fail()
	}
	off := int64(r.Sector) << 9
	for _, s := range r.Segs {
		page, err := b.mapPage(s.Ref, op == BlkOpRead)
		if err != nil {
			return fail()
		}
		data := page[int(s.First)<<9 : (int(s.Last)+1)<<9]
		if op == BlkOpRead {
			b.Image.ReadAt(data, off)
		} else {
			b.Image.WriteAt(data, off)
		}
		b.unmapPage(s.Ref)
		off += int64(len(data))
	}
	return r, BlkRspOkay
}

// mapPage maps a grant, or finds it among the persistent ones (mapped
// writable, as blkback maps persistent grants).
func (b *Blkback) mapPage(ref gnttab.Ref, write bool) ([]byte, error) {
	if b.persistent != nil {
		if p, ok := b.persistent[ref]; ok {
			return p, nil
		}
		write = true
	}
	p, err := b.Grants.Map(b.Backend.Dom, ref, write)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.stats.Maps++
	if b.persistent != nil {
		b.persistent[ref] = p
		b.stats.PersistentRefs = len(b.persistent)
	}
	b.mu.Unlock()
	return p, nil
}

func (b *Blkback) unmapPage(ref gnttab.Ref) {
	if b.persistent != nil {
		return
	}
	b.Grants.Unmap(ref)
	b.mu.Lock()
	b.stats.Unmaps++
	b.mu.Unlock()
}

// unmapAll undoes the mappings that outlive a request: the ring and the
// persistent grants.
func (b *Blkback) unmapAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ref := range b.persistent {
		b.Grants.Unmap(ref)
	}
	b.persistent = nil
	for _, r := range b.ringRefs {
		b.Grants.Unmap(r)
	}
	b.ringRefs = nil
}

// Vanish removes the backend's directory, as a toolstack does when it
// tears the device down under a running guest.
func (b *Blkback) Vanish(ctx context.Context) error {
	return b.Backend.C.Rm(ctx, b.Backend.Dir)
}

// An Image is a disk in memory, sparse (a 6 GiB disk costs what is
// written), with a volatile cache: writes are kept apart until a flush,
// and Crash throws away what was not flushed, as a power cut would.
type Image struct {
	mu     sync.Mutex
	size   int64
	blocks map[int64]*[imageBlock]byte // current contents
	stable map[int64]*[imageBlock]byte // as of the last flush
	dirty  map[int64]bool
}

const imageBlock = 4096

// NewImage returns a zeroed disk of size bytes (a multiple of 512).
func NewImage(size int64) *Image {
	return &Image{size: size, blocks: map[int64]*[imageBlock]byte{}, stable: map[int64]*[imageBlock]byte{}, dirty: map[int64]bool{}}
}

// Size is the disk's size in bytes.
func (im *Image) Size() int64 { return im.size }

// ReadAt reads the current contents.
func (im *Image) ReadAt(p []byte, off int64) (int, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.readAt(im.blocks, p, off)
}

// ReadStable reads the contents as of the last flush.
func (im *Image) ReadStable(p []byte, off int64) (int, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.readAt(im.stable, p, off)
}

var errImageRange = errors.New("xenfake: image access out of range")

func (im *Image) readAt(m map[int64]*[imageBlock]byte, p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > im.size {
		return 0, errImageRange
	}
	for n := 0; n < len(p); {
		blk, in := (off+int64(n))/imageBlock, int((off+int64(n))%imageBlock)
		k := min(len(p)-n, imageBlock-in)
		if b := m[blk]; b != nil {
			copy(p[n:n+k], b[in:])
		} else {
			clear(p[n : n+k])
		}
		n += k
	}
	return len(p), nil
}

// WriteAt writes into the cache.
func (im *Image) WriteAt(p []byte, off int64) (int, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	if off < 0 || off+int64(len(p)) > im.size {
		return 0, errImageRange
	}
	for n := 0; n < len(p); {
		blk, in := (off+int64(n))/imageBlock, int((off+int64(n))%imageBlock)
		k := min(len(p)-n, imageBlock-in)
		b := im.blocks[blk]
		if b == nil {
			b = new([imageBlock]byte)
			im.blocks[blk] = b
		}
		copy(b[in:], p[n:n+k])
		im.dirty[blk] = true
		n += k
	}
	return len(p), nil
}

// Flush makes the cache stable.
func (im *Image) Flush() {
	im.mu.Lock()
	defer im.mu.Unlock()
	for blk := range im.dirty {
		c := *im.blocks[blk]
		im.stable[blk] = &c
	}
	clear(im.dirty)
}

// Crash drops what was written since the last flush.
func (im *Image) Crash() {
	im.mu.Lock()
	defer im.mu.Unlock()
	for blk := range im.dirty {
		if s := im.stable[blk]; s != nil {
			c := *s
			im.blocks[blk] = &c
		} else {
			delete(im.blocks, blk)
		}
	}
	clear(im.dirty)
}
