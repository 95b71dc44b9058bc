// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package blkfront

import (
	"context"
	"errors"
	"internal/strconv"
	"internal/xen/evtchn"
	"internal/xen/gnttab"
	"internal/xen/ring"
	"internal/xen/xenbus"
	"internal/xen/xenstore"
	"sync"
	"syscall"
	"time"
)

// Config is what a disk is connected with: the platform's parts, and the
// protocol features the frontend uses (the zero value uses everything the
// backend offers).
type Config struct {
	Store  *xenstore.Client
	Xen    evtchn.Xen
	Grants gnttab.Grants
	Memory gnttab.Memory

	// RingPages is the most ring pages to use (a power of two, at most
	// 16, and at most what the backend's max-ring-page-order allows).
	// Default 16.
	RingPages int
	// NoIndirect: do not use indirect segments even if the backend
	// offers them (requests carry at most 11 pages, 44 KiB).
	NoIndirect bool
	// NoPersistent: do not advertise feature-persistent. The pool's
	// pages are reused either way; without it the backend maps and
	// unmaps them for each request.
	NoPersistent bool
	// MaxPages bounds the pool of data pages shared with the backend.
	// Default 512 (2 MiB in flight).
	MaxPages int
	// RequestTimeout is how long a request may go unanswered before the
	// disk is declared broken. Default 60 s.
	RequestTimeout time.Duration
	// Log receives a line when a disk breaks or cannot be connected.
	Log func(msg string)
}

const (
	defaultMaxPages       = 512
	defaultRequestTimeout = 60 * time.Second
)

var (
	// ErrBroken is the cause of EIO on a disk whose backend broke the
	// protocol, went away, or stopped answering.
	ErrBroken = errors.New("blkfront: the backend is gone or broke the protocol")
	// ErrClosed: the disk was closed.
	ErrClosed = errors.New("blkfront: disk closed")
)

// A page of the pool: shared with the backend for as long as the disk
// lives.
type page struct {
	mem []byte
	ref gnttab.Ref
}

// A request in flight, by its id (the index in Disk.reqs).
type request struct {
	inUse    bool
	op       uint8 // the operation its response must carry
	indirect bool
	pages    []*page
	ind      *page  // the indirect page, if indirect
	dst      []byte // a read's destination
	b        *batch
	start    time.Time
}

// A batch is one caller's set of requests; it is done when all have
// completed (and the caller has stopped adding to it).
type batch struct {
	pending int // requests in flight, plus one while the caller adds
	err     error
	done    chan struct{}
}

func newBatch() *batch { return &batch{pending: 1, done: make(chan struct{})} }

// finish records one request's outcome (d.mu held).
func (b *batch) finish(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
	if b.pending--; b.pending == 0 {
		close(b.done)
	}
}

// A Disk is one connected virtual block device.
type Disk struct {
	cfg    Config
	dev    *xenbus.Device
	vdev   vdev
	name   string
	handle uint16

	// Set at connection, then constant.
	size       int64 // bytes, a multiple of sectorSize
	sectorSize int   // logical
	physSector int
	info       uint32
	readOnly   bool
	persistent bool // both ends use persistent grants
	maxSegs    int  // pages per request
	ringPages  int

	ctx    context.Context
	cancel context.CancelFunc
	ch     *evtchn.Channel

	mu         sync.Mutex
	cond       sync.Cond
	front      *ring.Front
	ringMem    []byte
	ringRefs   []gnttab.Ref
	reqs       []request
	freeIDs    []int
	free       []*page // the pool's free pages, reused last-in first-out
	npages     int     // pages in the pool
	maxPages   int
	freeInd    []*page
	nind       int
	flushOp    int    // opFlush, opWriteBarrier, or -1
	err        error  // once set, every request fails
	ticket     uint64 // arrival order of requests waiting for room
	serving    uint64
	inFlight   int
	locked     []span // byte ranges being written
	kick       chan struct{}
	stats      Stats
	loopsDone  sync.WaitGroup
	closed     bool
	brokenOnce sync.Once
}

// Stats counts a disk's requests.
type Stats struct {
	Requests, Indirect, Flushes, Errors int
	MaxInFlight                         int
	PoolPages                           int
}

type span struct{ start, end int64 }

// Connect connects the disk device/vbd/ID.
func Connect(ctx context.Context, cfg Config, id string) (*Disk, error) {
	v, err := parseVdev(id)
	if err != nil {
		return nil, errors.New("blkfront: device/vbd/" + id + ": " + err.Error())
	}
	n, _ := strconv.Atoi(id)
	dev, err := xenbus.Open(ctx, cfg.Store, "vbd", id)
	if err != nil {
		return nil, err
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = defaultMaxPages
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	if cfg.RingPages <= 0 || cfg.RingPages > 1<<maxRingPageOrd {
		cfg.RingPages = 1 << maxRingPageOrd
	}
	d := &Disk{cfg: cfg, dev: dev, vdev: v, name: v.name(), handle: uint16(n),
		maxPages: cfg.MaxPages, flushOp: -1, kick: make(chan struct{}, 1)}
	d.cond.L = &d.mu
	if err := d.connect(ctx); err != nil {
		d.release()
		return nil, errors.New("blkfront: " + d.name + " (device/vbd/" + id + "): " + err.Error())
	}
	return d, nil
}

func (d *Disk) connect(ctx context.Context) error {
	dev := d.dev
	if _, err := dev.WaitBackend(ctx, func(s xenbus.State) bool { return s >= xenbus.InitWait && s <= xenbus.Connected }); err != nil {
		return err
	}
	// Transport parameters the backend offers (blkif.h, "Request
	// Transport Parameters").
	maxOrder, err := dev.BackendUint(ctx, "max-ring-page-order", 0, 31)
	if err != nil {
		return err
	}
	order := 0
	for order < int(maxOrder) && 2<<order <= d.cfg.RingPages {
		order++
	}
	d.maxSegs = maxDirectSegments
	if !d.cfg.NoIndirect {
		segs, err := dev.BackendUint(ctx, "feature-max-indirect-segments", 0, 1<<32-1)
		if err != nil {
			return err
		}
		if segs > maxDirectSegments {
			d.maxSegs = int(min(segs, maxIndirectSegs))
		}
	}
	d.maxSegs = min(d.maxSegs, d.maxPages)

	// The ring.
	d.ringPages = 1 << order
	mem, frames, err := d.cfg.Memory.Pages(d.ringPages)
	if err != nil {
		return err
	}
	if len(mem) != d.ringPages*pageSize || len(frames) != d.ringPages {
		return errors.New("page allocator returned the wrong size")
	}
	d.ringMem = mem
	if d.front, err = ring.NewFront(mem, requestSize, responseSize); err != nil {
		return err
	}
	for _, f := range frames {
		r, err := d.cfg.Grants.Grant(dev.BackendID, f, false)
		if err != nil {
			return err
		}
		d.ringRefs = append(d.ringRefs, r)
	}
	d.reqs = make([]request, d.front.Size())
	for id := len(d.reqs) - 1; id >= 0; id-- {
		d.freeIDs = append(d.freeIDs, id)
	}
	if d.ch, err = evtchn.AllocUnbound(d.cfg.Xen, int(dev.BackendID)); err != nil {
		return err
	}

	keys := make([]xenbus.KV, 0, 4+len(d.ringRefs))
	if len(d.ringRefs) == 1 {
		keys = append(keys, xenbus.KV{Key: "ring-ref", Value: strconv.Itoa(int(d.ringRefs[0]))})
	} else {
		keys = append(keys, xenbus.KV{Key: "ring-page-order", Value: strconv.Itoa(order)})
		for i, r := range d.ringRefs {
			keys = append(keys, xenbus.KV{Key: "ring-ref" + strconv.Itoa(i), Value: strconv.Itoa(int(r))})
		}
	}
	keys = append(keys,
		xenbus.KV{Key: "event-channel", Value: strconv.Itoa(int(d.ch.Port()))},
		xenbus.KV{Key: "protocol", Value: protocolX86_64})
	if !d.cfg.NoPersistent {
		keys = append(keys, xenbus.KV{Key: "feature-persistent", Value: "1"})
	}
	if err := dev.Publish(ctx, keys, xenbus.Initialised); err != nil {
		return err
	}
	if _, err := dev.WaitBackend(ctx, func(s xenbus.State) bool { return s == xenbus.Connected }); err != nil {
		return err
	}

	// The disk's properties (blkif.h, "Backend Device Properties").
	const missing = 1<<64 - 1
	sectors, err := dev.BackendUint(ctx, "sectors", missing, 1<<(63-sectorShift)-1)
	if err != nil {
		return err
	}
	if sectors == missing {
		return errors.New("the backend did not write sectors")
	}
	ss, err := dev.BackendUint(ctx, "sector-size", 512, pageSize)
	if err != nil {
		return err
	}
	if ss < 512 || ss&(ss-1) != 0 {
		return errors.New("sector-size " + strconv.Itoa(int(ss)) + " is not a power of two from 512 to 4096")
	}
	ps, err := dev.BackendUint(ctx, "physical-sector-size", ss, 1<<20)
	if err != nil {
		return err
	}
	if ps < ss || ps&(ps-1) != 0 {
		return errors.New("physical-sector-size " + strconv.Itoa(int(ps)) + " is not a power-of-two multiple of sector-size")
	}
	info, err := dev.BackendUint(ctx, "info", 0, 1<<32-1)
	if err != nil {
		return err
	}
	mode, _ := dev.ReadBackend(ctx, "mode")
	d.sectorSize, d.physSector, d.info = int(ss), int(ps), uint32(info)
	// sectors is in 512-byte units (as blkback writes it and Linux's
	// blkfront reads it); a partial logical sector at the end cannot be
	// addressed.
	d.size = int64(sectors<<sectorShift) &^ int64(ss-1)
	d.readOnly = d.info&infoReadOnly != 0 || mode == "r"
	switch {
	case dev.BackendFeature(ctx, "feature-flush-cache"):
		d.flushOp = opFlush
	case dev.BackendFeature(ctx, "feature-barrier"):
		d.flushOp = opWriteBarrier
	}
	d.persistent = !d.cfg.NoPersistent && dev.BackendFeature(ctx, "feature-persistent")

	d.ctx, d.cancel = context.WithCancel(context.Background())
	// A backend that leaves Connected breaks the disk.
	if err := dev.FollowBackend(d.ctx, func(s xenbus.State) {
		d.mu.Lock()
		d.broken("the backend went to state " + s.String())
		d.mu.Unlock()
	}, nil); err != nil {
		return err
	}
	if err := dev.SetState(ctx, xenbus.Connected); err != nil {
		return err
	}
	d.loopsDone.Add(2)
	go d.completions()
	go d.watchdog()
	return nil
}

// Name is the disk's name in /dev: xvda, xvdb, ...
func (d *Disk) Name() string { return d.name }

// Size is the disk's size in bytes.
func (d *Disk) Size() int64 { return d.size }

// SectorSize is the logical sector size: the unit the backend reads and
// writes.
func (d *Disk) SectorSize() int { return d.sectorSize }

// PhysicalSectorSize is the backend storage's own sector size.
func (d *Disk) PhysicalSectorSize() int { return d.physSector }

// ReadOnly reports a disk the backend offers read-only (info
// VDISK_READONLY or mode "r").
func (d *Disk) ReadOnly() bool { return d.readOnly }

// CDROM and Removable report the backend's info bits.
func (d *Disk) CDROM() bool     { return d.info&infoCDROM != 0 }
func (d *Disk) Removable() bool { return d.info&infoRemovable != 0 }

// Rdev is the device number a stat reports, as on Linux.
func (d *Disk) Rdev() uint64 { return d.vdev.rdev() }

// BlockSize is the preferred I/O size.
func (d *Disk) BlockSize() int { return max(d.physSector, pageSize) }

// Features describes what was negotiated with the backend.
type Features struct {
	RingPages   int
	MaxSegments int  // pages per request: 11, or more with indirect segments
	Persistent  bool // both ends use persistent grants
	Flush       string
}

// Features returns the protocol features in use.
func (d *Disk) Features() Features {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := Features{RingPages: d.ringPages, MaxSegments: d.maxSegs, Persistent: d.persistent, Flush: "none"}
	switch d.flushOp {
	case opFlush:
		f.Flush = "flush-cache"
	case opWriteBarrier:
		f.Flush = "barrier"
	}
	return f
}

// Stats returns the disk's request counts.
func (d *Disk) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.stats
	s.PoolPages = d.npages
	return s
}

func (d *Disk) log(msg string) {
	if d.cfg.Log != nil {
		d.cfg.Log(d.name + ": " + msg)
	}
}

// broken fails the disk for good (d.mu held): every request in flight
// completes with EIO, and its pages, which the backend may still map, are
// kept out of the pool.
func (d *Disk) broken(why string) {
	if d.err != nil {
		return
	}
	d.err = syscall.EIO
	if !d.closed {
		d.log(why + "; I/O fails with EIO from now on")
	}
	for id := range d.reqs {
		q := &d.reqs[id]
		if !q.inUse {
			continue
		}
		for _, p := range q.pages {
			gnttab.Keep(p.mem)
		}
		if q.ind != nil {
			gnttab.Keep(q.ind.mem)
		}
		b := q.b
		*q = request{}
		b.finish(syscall.EIO)
	}
	d.inFlight = 0
	d.cond.Broadcast()
	if d.cancel != nil {
		d.cancel()
	}
}

// completions consumes the backend's responses whenever the event channel
// fires.
func (d *Disk) completions() {
	defer d.loopsDone.Done()
	var buf [responseSize]byte
	for {
		if err := d.ch.Wait(d.ctx); err != nil {
			return
		}
		d.mu.Lock()
		if d.err != nil {
			d.mu.Unlock()
			return
		}
		if err := d.front.Drain(buf[:], func(b []byte) bool {
			d.complete(parseResponse(b))
			return d.err == nil
		}); err != nil {
			d.broken("the backend's response index is beyond the requests in flight")
		}
		d.mu.Unlock()
	}
}

// complete checks one response and ends its request (d.mu held).
func (d *Disk) complete(r response) {
	if r.id >= uint64(len(d.reqs)) || !d.reqs[r.id].inUse {
		d.broken("response for id " + strconv.Itoa(int(r.id&0xffffffff)) + ", which is not in flight")
		return
	}
	q := &d.reqs[r.id]
	if r.op != q.op && !(q.indirect && r.op == opIndirect) {
		d.broken("response with operation " + strconv.Itoa(int(r.op)) + " to a request of operation " + strconv.Itoa(int(q.op)))
		return
	}
	var err error
	switch r.status {
	case rspOkay:
		if q.op == opRead {
			dst := q.dst
			for _, p := range q.pages {
				dst = dst[copy(dst, p.mem):]
			}
		}
	case rspEOPNOTSUPP:
		if q.op == opFlush || q.op == opWriteBarrier {
			// blkif.h: a flush or barrier may be refused at any time;
			// the backend then has nothing to flush (Linux's fsync
			// ignores EOPNOTSUPP the same way).
			d.log("the backend refused a cache flush; Sync does nothing from now on")
			d.flushOp = -1
		} else {
			err = syscall.EIO
		}
	default: // BLKIF_RSP_ERROR, or a status blkif.h does not define
		err = syscall.EIO
	}
	if err != nil {
		d.stats.Errors++
	}
	for i := len(q.pages) - 1; i >= 0; i-- {
		d.free = append(d.free, q.pages[i])
	}
	if q.ind != nil {
		d.freeInd = append(d.freeInd, q.ind)
	}
	b := q.b
	clear(q.pages)
	*q = request{pages: q.pages[:0]}
	d.freeIDs = append(d.freeIDs, int(r.id))
	d.inFlight--
	b.finish(err)
	d.cond.Broadcast()
}

// watchdog breaks the disk when a request stays unanswered for
// RequestTimeout. It only wakes while requests are in flight.
func (d *Disk) watchdog() {
	defer d.loopsDone.Done()
	period := d.cfg.RequestTimeout / 4
	for {
		select {
		case <-d.kick:
		case <-d.ctx.Done():
			return
		}
		for {
			t := time.NewTimer(period)
			select {
			case <-t.C:
			case <-d.ctx.Done():
				t.Stop()
				return
			}
			d.mu.Lock()
			now := time.Now()
			for id := range d.reqs {
				if q := &d.reqs[id]; q.inUse && now.Sub(q.start) > d.cfg.RequestTimeout {
					d.broken("a request was not answered in " + strconv.Itoa(int(d.cfg.RequestTimeout/time.Millisecond)) + " ms")
					break
				}
			}
			idle := d.inFlight == 0 || d.err != nil
			d.mu.Unlock()
			if idle {
				break
			}
		}
	}
}

func pagesFor(nsect int) int { return (nsect + sectorsPerPage - 1) / sectorsPerPage }

// grow adds a granted page to the pool (d.mu held); false if the memory
// or the grant table is exhausted, which also lowers the pool's limit.
func (d *Disk) grow(list *[]*page, count *int) bool {
	mem, frames, err := d.cfg.Memory.Pages(1)
	if err == nil {
		var r gnttab.Ref
		// Writable even for the indirect pages and for writes: a backend
		// with persistent grants maps every grant writable (blkif.h,
		// feature-persistent, note 8).
		if r, err = d.cfg.Grants.Grant(d.dev.BackendID, frames[0], false); err == nil {
			*list = append(*list, &page{mem: mem, ref: r})
			*count++
			return true
		}
	}
	d.maxPages = d.npages
	return false
}

// room reports whether the next request may take a slot and want pages
// (and an indirect page if it needs one), growing the pool if it may.
func (d *Disk) room(want int) bool {
	if len(d.freeIDs) == 0 || d.front.Free() == 0 {
		return false
	}
	for len(d.free) < want && d.npages < d.maxPages {
		if !d.grow(&d.free, &d.npages) {
			break
		}
	}
	return len(d.free) >= min(want, d.maxPages)
}

// start queues a request for nsect 512-byte sectors from sector: a read
// into buf or a write of buf, or with nsect 0 a flush. It waits, in
// arrival order, for a ring slot and pages, and takes as many sectors as
// fit in one request; it returns that number.
func (d *Disk) start(b *batch, op uint8, sector uint64, nsect int, buf []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	want := min(pagesFor(nsect), d.maxSegs)
	t := d.ticket
	d.ticket++
	for {
		if d.err != nil {
			d.serving = max(d.serving, t+1)
			return 0, d.err
		}
		if d.serving == t {
			ok := d.room(want)
			if want > 0 && d.maxPages == 0 {
				// Not one page could be granted.
				d.serving++
				d.cond.Broadcast()
				return 0, syscall.ENOMEM
			}
			if ok {
				break
			}
		}
		d.cond.Wait()
	}
	d.serving++
	d.cond.Broadcast()

	k := min(want, len(d.free))
	taken := min(nsect, k*sectorsPerPage)
	id := d.freeIDs[len(d.freeIDs)-1]
	q := &d.reqs[id]
	indirect := k > maxDirectSegments
	if indirect && len(d.freeInd) == 0 && !d.grow(&d.freeInd, &d.nind) {
		// No grant for an indirect page: a direct request it is.
		k = maxDirectSegments
		taken = min(nsect, k*sectorsPerPage)
		indirect = false
	}
	d.freeIDs = d.freeIDs[:len(d.freeIDs)-1]
	q.inUse, q.op, q.indirect, q.b, q.start = true, op, indirect, b, time.Now()
	for i := 0; i < k && i*sectorsPerPage < taken; i++ {
		p := d.free[len(d.free)-1]
		d.free = d.free[:len(d.free)-1]
		q.pages = append(q.pages, p)
	}
	n := taken << sectorShift
	switch op {
	case opWrite:
		src := buf[:n]
		for _, p := range q.pages {
			src = src[copy(p.mem, src):]
		}
	case opRead:
		q.dst = buf[:n]
	}

	slot, err := d.front.NextRequest()
	if err != nil { // room() saw a free slot
		panic("blkfront: ring full with an id free")
	}
	if indirect {
		q.ind = d.freeInd[len(d.freeInd)-1]
		d.freeInd = d.freeInd[:len(d.freeInd)-1]
		left := taken
		for i, p := range q.pages {
			s := min(left, sectorsPerPage)
			putSegment(q.ind.mem[i*segmentSize:], segment{ref: p.ref, first: 0, last: uint8(s - 1)})
			left -= s
		}
		putIndirect(slot, op, d.handle, uint64(id), sector, len(q.pages), []gnttab.Ref{q.ind.ref})
		d.stats.Indirect++
	} else {
		var segs [maxDirectSegments]segment
		left := taken
		for i, p := range q.pages {
			s := min(left, sectorsPerPage)
			segs[i] = segment{ref: p.ref, first: 0, last: uint8(s - 1)}
			left -= s
		}
		putRequest(slot, op, d.handle, uint64(id), sector, segs[:len(q.pages)])
	}
	if op == opFlush || op == opWriteBarrier {
		d.stats.Flushes++
	}
	d.stats.Requests++
	b.pending++
	if d.inFlight++; d.inFlight == 1 {
		select {
		case d.kick <- struct{}{}:
		default:
		}
	}
	d.stats.MaxInFlight = max(d.stats.MaxInFlight, d.inFlight)
	if d.front.PushRequests() {
		if err := d.ch.Notify(); err != nil {
			d.broken("cannot notify the backend: " + err.Error())
		}
	}
	return taken, nil
}

// wait ends the caller's part of b and waits for its requests.
func (d *Disk) wait(b *batch) error {
	d.mu.Lock()
	b.finish(nil)
	d.mu.Unlock()
	<-b.done
	return b.err
}

// Close disconnects the disk: requests in flight and later ones fail with
// EIO; the frontend goes to Closed (waiting, within ctx, for the backend)
// and the grants are revoked.
func (d *Disk) Close(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return ErrClosed
	}
	d.closed = true
	d.broken("closed")
	d.mu.Unlock()
	d.loopsDone.Wait()
	err := d.dev.Close(ctx)
	d.release()
	return err
}

// release revokes the disk's grants and closes its event channel; a page
// whose grant the backend still holds stays referenced so that its memory
// is never reused.
func (d *Disk) release() {
	if d.cancel != nil {
		d.cancel()
	}
	if d.ch != nil {
		d.ch.Close()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	revoke := func(mem []byte, r gnttab.Ref) {
		if d.cfg.Grants.Revoke(r) != nil {
			gnttab.Keep(mem)
		}
	}
	for i, r := range d.ringRefs {
		revoke(d.ringMem[i*pageSize:(i+1)*pageSize], r)
	}
	for _, p := range d.free {
		revoke(p.mem, p.ref)
	}
	for _, p := range d.freeInd {
		revoke(p.mem, p.ref)
	}
	d.ringRefs, d.free, d.freeInd = nil, nil, nil
}

// Probe connects every disk of the domain (its device/vbd directory), in
// parallel, and returns them ordered by disk and partition, with an error
// for each device that could not be connected.
func Probe(ctx context.Context, cfg Config) ([]*Disk, []error) {
	ids, err := xenbus.Devices(ctx, cfg.Store, "vbd")
	if err != nil {
		return nil, []error{err}
	}
	disks := make([]*Disk, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			disks[i], errs[i] = Connect(ctx, cfg, id)
		}()
	}
	wg.Wait()
	var ok []*Disk
	var failed []error
	for i, d := range disks {
		if errs[i] != nil {
			failed = append(failed, errs[i])
			continue
		}
		ok = append(ok, d)
	}
	// By disk and partition (insertion: a domain has a few disks, and
	// slices.SortFunc would cost every program its code).
	for i := 1; i < len(ok); i++ {
		for j := i; j > 0 && ok[j].vdev.before(ok[j-1].vdev); j-- {
			ok[j], ok[j-1] = ok[j-1], ok[j]
		}
	}
	// Two device numbers can name one disk (51712 and 768 are both disk
	// 0): keep the first, as Linux's blkfront refuses the second.
	out := ok[:0]
	for i, d := range ok {
		if i > 0 && d.name == out[len(out)-1].name {
			failed = append(failed, errors.New("blkfront: "+d.name+" (device/vbd/"+strconv.Itoa(int(d.handle))+"): another device has this name"))
			d.Close(ctx)
			continue
		}
		out = append(out, d)
	}
	return out, failed
}
