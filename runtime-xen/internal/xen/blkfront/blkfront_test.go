// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Host tests of the driver against xenfake's blkback; the driver against
// Linux's blkback runs on the test host (test/e2e).

//go:build !xen

package blkfront_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"internal/xen/blkfront"
	"internal/xen/gnttab"
	"internal/xen/xenbus"
	"internal/xen/xenfake"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"
)

const guest, back = 7, 0

type env struct {
	store  *xenfake.Store
	x      *xenfake.Xen
	mem    *xenfake.Memory
	grants *xenfake.Grants
	bb     *xenfake.Blkback
	cfg    blkfront.Config
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

// newEnv makes a fake host with a blkback over a zeroed disk of size
// bytes, set up by tweak before it starts.
func newEnv(t testing.TB, size int64, tweak func(*xenfake.Blkback)) *env {
	t.Helper()
	e := &env{store: xenfake.NewStore(), x: xenfake.NewXen(), mem: xenfake.NewMemory()}
	e.grants = xenfake.NewGrants(guest, e.mem, 4)
	e.bb = xenfake.NewBlkback(t, e.store, e.x, e.grants, guest, "51712", back, xenfake.NewImage(size))
	if tweak != nil {
		tweak(e.bb)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := e.bb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.cfg = blkfront.Config{Store: e.store.Dial(t, guest), Xen: e.x.Domain(guest), Grants: e.grants.Table, Memory: e.mem,
		Log: func(s string) { t.Logf("log: %s", s) }}
	return e
}

func (e *env) connect(t testing.TB) *blkfront.Disk {
	t.Helper()
	d, err := blkfront.Connect(ctxFor(t, 10*time.Second), e.cfg, "51712")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(ctxFor(t, 5*time.Second)) })
	return d
}

func TestConnect(t *testing.T) {
	e := newEnv(t, 64<<20, nil)
	d := e.connect(t)
	if d.Name() != "xvda" || d.Size() != 64<<20 || d.SectorSize() != 512 || d.ReadOnly() || d.Rdev() != 202<<8 {
		t.Errorf("name %s size %d sector %d ro %v rdev %#x", d.Name(), d.Size(), d.SectorSize(), d.ReadOnly(), d.Rdev())
	}
	want := blkfront.Features{RingPages: 16, MaxSegments: 256, Persistent: true, Flush: "flush-cache"}
	if f := d.Features(); f != want {
		t.Errorf("features %+v, want %+v", f, want)
	}
	fr := "/local/domain/7/device/vbd/51712/"
	for k, v := range map[string]string{"ring-page-order": "4", "protocol": "x86_64-abi", "feature-persistent": "1", "state": "4"} {
		if got, _ := e.store.Get(fr + k); got != v {
			t.Errorf("frontend %s = %q, want %q", k, got, v)
		}
	}
	for i := 0; i < 16; i++ {
		if _, ok := e.store.Get(fr + "ring-ref" + fmt.Sprint(i)); !ok {
			t.Errorf("no ring-ref%d", i)
		}
	}
	if _, ok := e.store.Get(fr + "ring-ref"); ok {
		t.Error("ring-ref written with a multi-page ring")
	}
	// A disk costs its ring until it is used.
	if s := d.Stats(); s.PoolPages != 0 {
		t.Errorf("pool has %d pages before any I/O", s.PoolPages)
	}
}

// model checks a disk against a []byte that has every write applied.
type model struct {
	d    *blkfront.Disk
	data []byte
}

func (m *model) write(t *testing.T, off int64, n int, seed uint64) {
	t.Helper()
	p := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, uint64(off)))
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	got, err := m.d.WriteAt(p, off)
	want := min(n, int(int64(len(m.data))-off))
	if err != nil || got != want {
		t.Fatalf("WriteAt(%d bytes, %d) = %d, %v; want %d", n, off, got, err, want)
	}
	copy(m.data[off:], p)
}

func (m *model) check(t *testing.T, off int64, n int) {
	t.Helper()
	p := make([]byte, n)
	got, err := m.d.ReadAt(p, off)
	want := min(n, max(0, int(int64(len(m.data))-off)))
	if err != nil || got != want {
		t.Fatalf("ReadAt(%d bytes, %d) = %d, %v; want %d", n, off, got, err, want)
	}
	if !bytes.Equal(p[:got], m.data[off:off+int64(got)]) {
		i := 0
		for p[i] == m.data[off+int64(i)] {
			i++
		}
		t.Fatalf("ReadAt(%d bytes, %d): byte %d differs", n, off, i)
	}
}

// Reads and writes at every kind of offset and length, against a model:
// sector-aligned or not, within one sector, across sector and page
// boundaries, larger than a request and than the pool.
func TestPatterns(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tweak func(*xenfake.Blkback)
		cfg   func(*blkfront.Config)
	}{
		{"default", nil, nil},
		{"4k-sectors", func(b *xenfake.Blkback) { b.SectorSize = 4096 }, nil},
		{"direct-only", func(b *xenfake.Blkback) { b.MaxIndirectSegments = 0; b.MaxRingPageOrder = -1 }, nil},
		{"small-pool", nil, func(c *blkfront.Config) { c.MaxPages = 3 }},
		{"no-persistent", func(b *xenfake.Blkback) { b.Persistent = false }, func(c *blkfront.Config) { c.NoPersistent = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const size = 8 << 20
			e := newEnv(t, size, tc.tweak)
			if tc.cfg != nil {
				tc.cfg(&e.cfg)
			}
			m := &model{d: e.connect(t), data: make([]byte, size)}
			cases := []struct {
				off int64
				n   int
			}{
				{0, 512}, {512, 4096}, {1, 1}, {511, 2}, {100, 300}, {4095, 4098},
				{8191, 1}, {12345, 67890}, {4096 * 3, 3 << 20}, {777, 1<<20 + 3},
				{size - 512, 512}, {size - 3, 3}, {size - 5000, 5000},
			}
			for i, c := range cases {
				m.write(t, c.off, c.n, uint64(i))
				m.check(t, c.off, c.n)
			}
			r := rand.New(rand.NewPCG(1, 2))
			for i := 0; i < 200; i++ {
				off := r.Int64N(size)
				n := 1 + r.IntN(min(64<<10, int(size-off)))
				if i%2 == 0 {
					m.write(t, off, n, uint64(100+i))
				} else {
					m.check(t, off, n)
				}
			}
			m.check(t, 0, size)
			// What the backend holds is what the model says.
			img := make([]byte, size)
			e.bb.Image.ReadAt(img, 0)
			if !bytes.Equal(img, m.data) {
				t.Error("the backend's image differs from the model")
			}
			s, bs := m.d.Stats(), e.bb.Stats()
			t.Logf("frontend %+v backend %+v", s, bs)
			if tc.name == "direct-only" && (bs.Indirect != 0 || bs.MaxSegments > 11 || m.d.Features().RingPages != 1) {
				t.Errorf("direct-only: indirect %d, max segments %d, ring pages %d", bs.Indirect, bs.MaxSegments, m.d.Features().RingPages)
			}
			if tc.name == "default" && (bs.Indirect == 0 || bs.MaxSegments != 256) {
				t.Errorf("indirect requests %d, max segments %d: large I/O did not use 1 MiB requests", bs.Indirect, bs.MaxSegments)
			}
			if tc.name == "small-pool" && s.PoolPages > 3 {
				t.Errorf("pool grew to %d pages, limit 3", s.PoolPages)
			}
			// Persistent grants: the backend maps each pool page once;
			// without, it maps per segment.
			if tc.name == "default" && bs.Maps > s.PoolPages+20 {
				t.Errorf("persistent: %d maps for a pool of %d pages", bs.Maps, s.PoolPages)
			}
			if tc.name == "no-persistent" && bs.Maps < s.Requests {
				t.Errorf("not persistent: %d maps for %d requests", bs.Maps, s.Requests)
			}
		})
	}
}

// The end of the disk as Linux's block devices have it.
func TestEndOfDisk(t *testing.T) {
	const size = 1 << 20
	e := newEnv(t, size, nil)
	d := e.connect(t)
	p := make([]byte, 1000)
	for _, tc := range []struct {
		name string
		f    func() (int, error)
		n    int
		err  error
	}{
		{"read at end", func() (int, error) { return d.ReadAt(p, size) }, 0, nil},
		{"read past end", func() (int, error) { return d.ReadAt(p, size+4096) }, 0, nil},
		{"read across end", func() (int, error) { return d.ReadAt(p, size-10) }, 10, nil},
		{"write across end", func() (int, error) { return d.WriteAt(p, size-10) }, 10, nil},
		{"write at end", func() (int, error) { return d.WriteAt(p, size) }, 0, syscall.ENOSPC},
		{"write past end", func() (int, error) { return d.WriteAt(p, size+1) }, 0, syscall.ENOSPC},
		{"empty write at end", func() (int, error) { return d.WriteAt(nil, size) }, 0, nil},
		{"negative read", func() (int, error) { return d.ReadAt(p, -1) }, 0, syscall.EINVAL},
		{"negative write", func() (int, error) { return d.WriteAt(p, -1) }, 0, syscall.EINVAL},
	} {
		n, err := tc.f()
		if n != tc.n || err != tc.err {
			t.Errorf("%s: %d, %v; want %d, %v", tc.name, n, err, tc.n, tc.err)
		}
	}
}

func TestReadOnlyAndInfo(t *testing.T) {
	for _, tc := range []struct {
		tweak             func(*xenfake.Blkback)
		ro, cdrom, remove bool
	}{
		{func(b *xenfake.Blkback) { b.Mode = "r" }, true, false, false},
		{func(b *xenfake.Blkback) { b.Info = 4 }, true, false, false},
		{func(b *xenfake.Blkback) { b.Info = 1 | 2 | 4 }, true, true, true},
		{func(b *xenfake.Blkback) { b.Info = 2 }, false, false, true},
	} {
		e := newEnv(t, 1<<20, tc.tweak)
		d := e.connect(t)
		if d.ReadOnly() != tc.ro || d.CDROM() != tc.cdrom || d.Removable() != tc.remove {
			t.Errorf("ro %v cdrom %v removable %v; want %v %v %v", d.ReadOnly(), d.CDROM(), d.Removable(), tc.ro, tc.cdrom, tc.remove)
		}
		if _, err := d.WriteAt([]byte("x"), 0); tc.ro && err != syscall.EROFS {
			t.Errorf("write to a read-only disk: %v, want EROFS", err)
		}
		if _, err := d.ReadAt(make([]byte, 10), 0); err != nil {
			t.Errorf("read: %v", err)
		}
	}
}

// Many goroutines at once, with unaligned writes to the same sectors
// (each goroutine its own bytes of them): no write loses another's bytes,
// and requests queue for the ring (one page, 32 slots) and the pool
// without being dropped.
func TestConcurrent(t *testing.T) {
	const size = 4 << 20
	e := newEnv(t, size, func(b *xenfake.Blkback) { b.MaxRingPageOrder = -1; b.Delay = time.Millisecond })
	e.cfg.MaxPages = 64
	d := e.connect(t)
	const workers, rounds = 64, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for i := 0; i < rounds; i++ {
				// Its own 7 bytes in each of the first 16 sectors.
				p := []byte{byte(w), byte(i), 1, 2, 3, 4, byte(w)}
				sector := int64(r.IntN(16))
				if _, err := d.WriteAt(p, sector*512+int64(w)*7); err != nil {
					errs <- err
					return
				}
				// And a page-sized write of its own elsewhere.
				q := bytes.Repeat([]byte{byte(w)}, 4096)
				off := 1<<20 + int64(w)*4096*4 + int64(r.IntN(3))*4096
				if _, err := d.WriteAt(q, off); err != nil {
					errs <- err
					return
				}
				got := make([]byte, 4096)
				if _, err := d.ReadAt(got, off); err != nil || !bytes.Equal(got, q) {
					errs <- fmt.Errorf("worker %d read back %v", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Every goroutine's last bytes of each sector it wrote are there:
	// check that no sector has another goroutine's bytes in w's place.
	buf := make([]byte, 16*512)
	if _, err := d.ReadAt(buf, 0); err != nil {
		t.Fatal(err)
	}
	for s := 0; s < 16; s++ {
		for w := 0; w < workers; w++ {
			b := buf[s*512+w*7 : s*512+w*7+7]
			if b[0] != 0 && (b[0] != byte(w) || b[6] != byte(w) || !bytes.Equal(b[2:6], []byte{1, 2, 3, 4})) {
				t.Errorf("sector %d, worker %d's bytes: %v", s, w, b)
			}
		}
	}
	s := d.Stats()
	t.Logf("frontend %+v, backend %+v", s, e.bb.Stats())
	if s.MaxInFlight > 32 || s.MaxInFlight < 8 {
		t.Errorf("at most %d requests in flight on a 32-slot ring", s.MaxInFlight)
	}
}

// Offsets past 4 GiB on a sparse 6 GiB disk: sector numbers beyond 32 bits
// of bytes, and the last byte of the disk.
func TestLargeDisk(t *testing.T) {
	const size = 6 << 30
	e := newEnv(t, size, nil)
	m := &model{d: e.connect(t), data: nil}
	for _, off := range []int64{size - 1, size - 1<<20 - 77, 5<<30 + 3, 4<<30 - 100, 1 << 32} {
		p := []byte(fmt.Sprintf("at %d", off))
		n, err := m.d.WriteAt(p, off)
		if err != nil || n != min(len(p), int(size-off)) {
			t.Fatalf("WriteAt(%d) = %d, %v", off, n, err)
		}
		got := make([]byte, n)
		e.bb.Image.ReadAt(got, off)
		if !bytes.Equal(got, p[:n]) {
			t.Errorf("at %d the image has %q", off, got)
		}
		back := make([]byte, n)
		if _, err := m.d.ReadAt(back, off); err != nil || !bytes.Equal(back, p[:n]) {
			t.Errorf("ReadAt(%d) = %q, %v", off, back, err)
		}
	}
}

// Flush makes completed writes stable: the image's cache loses what was
// not flushed when it "crashes".
func TestFlush(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tweak   func(*xenfake.Blkback)
		flushes int // requests the backend sees for two Flushes
		durable bool
	}{
		{"flush-cache", nil, 2, true},
		{"barrier", func(b *xenfake.Blkback) { b.FlushCache, b.Barrier = false, true }, 2, true},
		// No feature: nothing to flush, no request.
		{"none", func(b *xenfake.Blkback) { b.FlushCache = false }, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1<<20, tc.tweak)
			d := e.connect(t)
			if _, err := d.WriteAt([]byte("durable"), 1000); err != nil {
				t.Fatal(err)
			}
			if err := d.Flush(); err != nil {
				t.Fatal(err)
			}
			if _, err := d.WriteAt([]byte("volatile"), 5000); err != nil {
				t.Fatal(err)
			}
			if err := d.Flush(); err != nil {
				t.Fatal(err)
			}
			if _, err := d.WriteAt([]byte("lost"), 9000); err != nil {
				t.Fatal(err)
			}
			e.bb.Image.Crash()
			got := make([]byte, 16)
			e.bb.Image.ReadAt(got, 1000)
			if tc.durable && !bytes.HasPrefix(got, []byte("durable")) {
				t.Errorf("flushed write lost: %q", got)
			}
			e.bb.Image.ReadAt(got, 9000)
			if bytes.HasPrefix(got, []byte("lost")) {
				t.Errorf("the fake's cache kept an unflushed write")
			}
			bs := e.bb.Stats()
			if n := bs.Flushes + bs.Barriers; n != tc.flushes {
				t.Errorf("backend saw %d flushes, want %d", n, tc.flushes)
			}
		})
	}
	// A backend that refuses the flush it offered: Sync succeeds (there is
	// nothing it can flush) and stops asking.
	e := newEnv(t, 1<<20, func(b *xenfake.Blkback) {
		b.Tamper = func(r *xenfake.BlkRequest, rsp []byte) int {
			if r.Op == xenfake.BlkOpFlush {
				rsp[10], rsp[11] = 0xfe, 0xff // BLKIF_RSP_EOPNOTSUPP
			}
			return 1
		}
	})
	d := e.connect(t)
	for i := 0; i < 3; i++ {
		if err := d.Flush(); err != nil {
			t.Fatalf("flush %d: %v", i, err)
		}
	}
	if f := d.Features().Flush; f != "none" {
		t.Errorf("after EOPNOTSUPP flush is %q", f)
	}
	if n := e.bb.Stats().Flushes; n != 1 {
		t.Errorf("backend saw %d flushes after refusing the first", n)
	}
}

// A hostile or broken backend: I/O fails with EIO, never a hang, a panic
// or wrong data.
func TestHostile(t *testing.T) {
	op := func(r *xenfake.BlkRequest) bool { return r.DataOp() == xenfake.BlkOpRead && r.Sector == 2048 }
	for _, tc := range []struct {
		name   string
		tamper func(r *xenfake.BlkRequest, rsp []byte) int
		// broken: the whole disk fails; else only the tampered request.
		broken bool
	}{
		{"bad id", func(r *xenfake.BlkRequest, rsp []byte) int {
			if op(r) {
				rsp[0] ^= 0x55
				rsp[7] = 0x80
			}
			return 1
		}, true},
		{"wrong operation", func(r *xenfake.BlkRequest, rsp []byte) int {
			if op(r) {
				rsp[8] = xenfake.BlkOpWrite
			}
			return 1
		}, true},
		{"duplicate response", func(r *xenfake.BlkRequest, rsp []byte) int {
			if op(r) {
				return 2
			}
			return 1
		}, true},
		{"error status", func(r *xenfake.BlkRequest, rsp []byte) int {
			if op(r) {
				rsp[10], rsp[11] = 0xff, 0xff
			}
			return 1
		}, false},
		{"unknown status", func(r *xenfake.BlkRequest, rsp []byte) int {
			if op(r) {
				rsp[10], rsp[11] = 7, 0
			}
			return 1
		}, false},
		{"no response", func(r *xenfake.BlkRequest, rsp []byte) int {
			if op(r) {
				return 0
			}
			return 1
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 4<<20, func(b *xenfake.Blkback) { b.Tamper = tc.tamper })
			e.cfg.RequestTimeout = 300 * time.Millisecond
			d := e.connect(t)
			good := bytes.Repeat([]byte("good"), 1024)
			if _, err := d.WriteAt(good, 0); err != nil {
				t.Fatal(err)
			}
			p := make([]byte, 4096)
			start := time.Now()
			if _, err := d.ReadAt(p, 2048*512); err != syscall.EIO {
				t.Fatalf("tampered read: %v, want EIO", err)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("the failure took %v", time.Since(start))
			}
			_, err := d.ReadAt(p, 0)
			switch {
			case tc.broken && err != syscall.EIO:
				t.Errorf("later read: %v, want EIO", err)
			case !tc.broken && (err != nil || !bytes.Equal(p, good)):
				t.Errorf("later read: %v", err)
			}
			if tc.broken {
				if _, err := d.WriteAt(p, 0); err != syscall.EIO {
					t.Errorf("later write: %v, want EIO", err)
				}
				if err := d.Flush(); err != syscall.EIO {
					t.Errorf("later flush: %v, want EIO", err)
				}
			}
		})
	}
}

// The backend claims more responses than there are requests.
func TestHostileIndex(t *testing.T) {
	e := newEnv(t, 1<<20, func(b *xenfake.Blkback) {
		b.Tamper = func(r *xenfake.BlkRequest, rsp []byte) int { return 3 }
	})
	d := e.connect(t)
	if _, err := d.ReadAt(make([]byte, 512), 0); err != syscall.EIO {
		t.Fatalf("read: %v, want EIO", err)
	}
	if _, err := d.ReadAt(make([]byte, 512), 0); err != syscall.EIO {
		t.Fatalf("later read: %v, want EIO", err)
	}
}

// A backend that goes away with requests in flight: they and every later
// request fail with EIO, and the frontend follows it to Closed.
func TestBackendGone(t *testing.T) {
	for _, how := range []string{"closing", "vanish"} {
		t.Run(how, func(t *testing.T) {
			e := newEnv(t, 1<<20, nil)
			d := e.connect(t)
			e.bb.Stall(true)
			done := make(chan error, 8)
			for i := 0; i < 8; i++ {
				go func() {
					_, err := d.ReadAt(make([]byte, 4096), int64(i)*4096)
					done <- err
				}()
			}
			time.Sleep(50 * time.Millisecond)
			ctx := ctxFor(t, 5*time.Second)
			if how == "closing" {
				e.bb.Backend.SetState(ctx, xenbus.Closing)
			} else {
				e.bb.Vanish(ctx)
			}
			for i := 0; i < 8; i++ {
				select {
				case err := <-done:
					if err != syscall.EIO {
						t.Errorf("in-flight read: %v, want EIO", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("in-flight reads did not end")
				}
			}
			if _, err := d.WriteAt([]byte("x"), 0); err != syscall.EIO {
				t.Errorf("later write: %v", err)
			}
			if how == "closing" {
				deadline := time.Now().Add(5 * time.Second)
				for {
					if v, _ := e.store.Get("/local/domain/7/device/vbd/51712/state"); v == "6" {
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("the frontend did not go to Closed")
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}
}

// Malformed keys from the backend: the disk is not connected, with an
// error naming the problem.
func TestBadBackendKeys(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"sector-size", "1000"},
		{"sector-size", "8192"},
		{"sector-size", "256"},
		{"sector-size", "x"},
		{"physical-sector-size", "256"},
		{"physical-sector-size", "1536"},
		{"sectors", "-1"},
		{"sectors", "18446744073709551615"},
		{"sectors", ""},
		{"info", "many"},
		{"max-ring-page-order", "99"},
		{"feature-max-indirect-segments", "-3"},
	} {
		e := newEnv(t, 1<<20, func(b *xenfake.Blkback) { b.Override = map[string]string{tc.key: tc.value} })
		_, err := blkfront.Connect(ctxFor(t, 5*time.Second), e.cfg, "51712")
		if err == nil {
			t.Errorf("%s=%q: connected", tc.key, tc.value)
			continue
		}
		t.Logf("%s=%q: %v", tc.key, tc.value, err)
	}
	// Not a device number.
	e := newEnv(t, 1<<20, nil)
	if _, err := blkfront.Connect(ctxFor(t, time.Second), e.cfg, "12"); err == nil {
		t.Error("device/vbd/12 connected")
	}
}

// A grant table with room for only a few pages: the pool stays within it,
// and I/O still works; with no room at all I/O fails with ENOMEM.
func TestGrantTableFull(t *testing.T) {
	e := newEnv(t, 1<<20, func(b *xenfake.Blkback) { b.MaxRingPageOrder = -1 })
	d := e.connect(t)
	var held []gnttab.Ref
	for e.grants.Table.Free() > 5 {
		_, gfn := e.mem.NewPage()
		r, err := e.grants.Table.Grant(back, gfn, false)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, r)
	}
	m := &model{d: d, data: make([]byte, 1<<20)}
	m.write(t, 100, 200<<10, 1)
	m.check(t, 100, 200<<10)
	if s := d.Stats(); s.PoolPages > 5 {
		t.Errorf("pool of %d pages with 5 grants free", s.PoolPages)
	}

	e2 := newEnv(t, 1<<20, func(b *xenfake.Blkback) { b.MaxRingPageOrder = -1 })
	d2 := e2.connect(t)
	for e2.grants.Table.Free() > 0 {
		_, gfn := e2.mem.NewPage()
		e2.grants.Table.Grant(back, gfn, false)
	}
	if _, err := d2.ReadAt(make([]byte, 512), 0); !errors.Is(err, syscall.ENOMEM) {
		t.Errorf("read with no grants: %v, want ENOMEM", err)
	}
	if err := d2.Flush(); err != nil {
		t.Errorf("flush needs no pages: %v", err)
	}
	_ = held
}

// Probe finds every disk and names them; Close disconnects and revokes
// the grants.
func TestProbeAndClose(t *testing.T) {
	s, x, mem := xenfake.NewStore(), xenfake.NewXen(), xenfake.NewMemory()
	g := xenfake.NewGrants(guest, mem, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, id := range []string{"51728", "51712", "268439552"} {
		bb := xenfake.NewBlkback(t, s, x, g, guest, id, back, xenfake.NewImage(1<<20))
		if err := bb.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cfg := blkfront.Config{Store: s.Dial(t, guest), Xen: x.Domain(guest), Grants: g.Table, Memory: mem}
	free := g.Table.Free()
	disks, errs := blkfront.Probe(ctxFor(t, 10*time.Second), cfg)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var names []string
	for _, d := range disks {
		names = append(names, d.Name())
		if _, err := d.WriteAt([]byte("hello"), 0); err != nil {
			t.Error(err)
		}
	}
	if fmt.Sprint(names) != "[xvda xvdb xvdq]" {
		t.Errorf("names %v", names)
	}
	for _, d := range disks {
		if err := d.Close(ctxFor(t, 5*time.Second)); err != nil {
			t.Errorf("close %s: %v", d.Name(), err)
		}
		if _, err := d.ReadAt(make([]byte, 1), 0); err != syscall.EIO {
			t.Errorf("read after close: %v", err)
		}
	}
	if g.Table.Free() != free {
		t.Errorf("%d grants free after closing, %d before connecting", g.Table.Free(), free)
	}
}
