// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// These are host tests of the protocol against a fake xenstored. On xen,
// package os imports this package (it watches control/shutdown), so tests
// in the package could not import testing there.

//go:build !xen

package xenstore_test

import (
	"context"
	"errors"
	"internal/xen/xenfake"
	"internal/xen/xenstore"
	"io/fs"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// timeout bounds every wait of these tests, so a hang is a failure.
const timeout = 10 * time.Second

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

func recv(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case p, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed")
		}
		return p
	case <-time.After(timeout):
		t.Fatal("no watch event")
	}
	return ""
}

func noEvent(t *testing.T, ch <-chan string) {
	t.Helper()
	select {
	case p := <-ch:
		t.Fatalf("unexpected watch event %q", p)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestClientBasic(t *testing.T) {
	s := xenfake.NewStore()
	c := s.Dial(t, 7)
	ctx := testCtx(t)

	if err := c.Write(ctx, "/a/b/c", "hello"); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Read(ctx, "/a/b/c"); v != "hello" || err != nil {
		t.Errorf("Read = %q, %v", v, err)
	}
	if v, err := c.Read(ctx, "/a/b"); v != "" || err != nil {
		t.Errorf("Read of a created parent = %q, %v", v, err)
	}
	bin := "x\x00y\xff"
	if err := c.Write(ctx, "/a/bin", bin); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Read(ctx, "/a/bin"); v != bin || err != nil {
		t.Errorf("Read of a binary value = %q, %v", v, err)
	}
	if err := c.Mkdir(ctx, "/a/d"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mkdir(ctx, "/a/b/c"); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Read(ctx, "/a/b/c"); v != "hello" {
		t.Errorf("Mkdir changed an existing value to %q", v)
	}
	if names, err := c.Directory(ctx, "/a"); !reflect.DeepEqual(names, []string{"b", "bin", "d"}) || err != nil {
		t.Errorf("Directory = %q, %v", names, err)
	}
	if names, err := c.Directory(ctx, "/a/d"); len(names) != 0 || err != nil {
		t.Errorf("Directory of an empty node = %q, %v", names, err)
	}
	if err := c.Rm(ctx, "/a/b"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rm(ctx, "/a/b"); err != nil {
		t.Errorf("Rm of a missing node: %v", err)
	}
	_, err := c.Read(ctx, "/a/b/c")
	var oe *xenstore.OpError
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, xenstore.ENOENT) || !errors.As(err, &oe) || oe.Op != "read" || oe.Path != "/a/b/c" {
		t.Errorf("Read of a removed node: %v", err)
	}
	if err := c.Rm(ctx, "/nope/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Rm with a missing parent: %v", err)
	}

	// Relative paths are under the domain's home.
	if err := c.Write(ctx, "device/vif/0/state", "4"); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Get("/local/domain/7/device/vif/0/state"); v != "4" || !ok {
		t.Errorf("relative write landed elsewhere: %q %v", v, ok)
	}
	if p, err := c.GetDomainPath(ctx, 7); p != "/local/domain/7" || err != nil {
		t.Errorf("GetDomainPath = %q, %v", p, err)
	}

	// Errors.
	s.Deny("/secret")
	if _, err := c.Read(ctx, "/secret"); !errors.Is(err, fs.ErrPermission) || !errors.Is(err, xenstore.EACCES) {
		t.Errorf("Read of a denied node: %v", err)
	}
	if err := c.Write(ctx, "/bad//path", "x"); !errors.Is(err, xenstore.EINVAL) {
		t.Errorf("Write of a bad path: %v", err)
	}
	for _, p := range []string{"", "/a\x00b"} {
		if _, err := c.Read(ctx, p); !errors.Is(err, xenstore.EINVAL) {
			t.Errorf("Read(%q): %v", p, err)
		}
	}
	if _, err := c.RoundTrip(ctx, xenstore.TypeSetQuota, 0, []byte("x\x00"), nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("unknown request: %v", err)
	}
}

// TestClientLargeMessages streams messages of up to the maximum size, four
// times the ring, through the ring.
func TestClientLargeMessages(t *testing.T) {
	s := xenfake.NewStore()
	c := s.Dial(t, 1)
	ctx := testCtx(t)
	path := "/big"
	for _, n := range []int{xenstore.RingSize - xenstore.HeaderSize - len(path) - 1, xenstore.RingSize, 3000, xenstore.PayloadMax - len(path) - 1} {
		v := strings.Repeat(strconv.Itoa(n%10), n)
		if err := c.Write(ctx, path, v); err != nil {
			t.Fatalf("Write of %d bytes: %v", n, err)
		}
		if got, err := c.Read(ctx, path); got != v || err != nil {
			t.Fatalf("Read of %d bytes: %d bytes, %v", n, len(got), err)
		}
	}
	// One byte too many is refused before it reaches xenstored, which
	// would drop the connection.
	if err := c.Write(ctx, path, strings.Repeat("x", xenstore.PayloadMax-len(path))); !errors.Is(err, xenstore.E2BIG) {
		t.Errorf("Write of a too long value: %v", err)
	}
	// A directory listing near the payload limit.
	var want []string
	for i := 0; len(strings.Join(want, "..")) < xenstore.PayloadMax-200; i++ {
		name := "node-" + strings.Repeat("n", 40) + strconv.Itoa(1000+i)
		want = append(want, name)
		if err := c.Write(ctx, "/dir/"+name, ""); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := c.Directory(ctx, "/dir"); !reflect.DeepEqual(got, want) || err != nil {
		t.Errorf("Directory: %d names, %v", len(got), err)
	}
	if _, err := c.Read(ctx, path); err != nil {
		t.Errorf("client unusable after refusing a request: %v", err)
	}
}

func TestClientConcurrent(t *testing.T) {
	s := xenfake.NewStore()
	c := s.Dial(t, 3)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	for g := range 40 {
		wg.Go(func() {
			for i := range 25 {
				p := "data/g" + strconv.Itoa(g) + "/k" + strconv.Itoa(i)
				v := strings.Repeat(strconv.Itoa(g*100+i), 1+(g*i)%300)
				if err := c.Write(ctx, p, v); err != nil {
					select {
					case errc <- err:
					default:
					}
					return
				}
				if got, err := c.Read(ctx, p); got != v || err != nil {
					select {
					case errc <- errors.New("read " + p + ": got " + got):
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
	names, err := c.Directory(ctx, "data")
	if len(names) != 40 || err != nil {
		t.Errorf("Directory = %d names, %v", len(names), err)
	}
}

func TestWatch(t *testing.T) {
	s := xenfake.NewStore()
	c := s.Dial(t, 5)
	other := s.Dial(t, 0)
	ctx := testCtx(t)

	w, err := c.Watch(ctx, "/a")
	if err != nil {
		t.Fatal(err)
	}
	if p := recv(t, w.C); p != "/a" {
		t.Errorf("first event %q, want the watched path", p)
	}
	other.Write(ctx, "/a/b", "1")
	if p := recv(t, w.C); p != "/a/b" {
		t.Errorf("event %q, want /a/b", p)
	}
	other.Write(ctx, "/a", "2")
	if p := recv(t, w.C); p != "/a" {
		t.Errorf("event %q, want /a", p)
	}
	other.Write(ctx, "/ab", "x") // not below /a
	other.Write(ctx, "/b", "x")
	noEvent(t, w.C)

	// Relative watches get relative paths.
	rw, err := c.Watch(ctx, "device")
	if err != nil {
		t.Fatal(err)
	}
	recv(t, rw.C)
	other.Write(ctx, "/local/domain/5/device/vif/0", "x")
	if p := recv(t, rw.C); p != "device/vif/0" {
		t.Errorf("relative event %q", p)
	}

	// Removing a parent fires with the watched path.
	deep, err := c.Watch(ctx, "/a/b/c")
	if err != nil {
		t.Fatal(err)
	}
	recv(t, deep.C)
	other.Rm(ctx, "/a")
	if p := recv(t, deep.C); p != "/a/b/c" {
		t.Errorf("event on parent removal %q", p)
	}
	if p := recv(t, w.C); p != "/a" {
		t.Errorf("event on removal %q", p)
	}

	// Two watches on one path both fire.
	w2, err := c.Watch(ctx, "/a")
	if err != nil {
		t.Fatal(err)
	}
	recv(t, w2.C)
	s.Set("/a/z", "1")
	if recv(t, w.C) != "/a/z" || recv(t, w2.C) != "/a/z" {
		t.Error("second watch missed an event")
	}

	if err := w.Unwatch(ctx); err != nil {
		t.Fatal(err)
	}
	s.Set("/a/z", "2")
	if p := recv(t, w2.C); p != "/a/z" {
		t.Errorf("event %q", p)
	}
	if p, ok := <-w.C; ok {
		t.Errorf("event %q after Unwatch", p)
	}
	if err := w.Unwatch(ctx); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Unwatch: %v", err)
	}

	if _, err := c.Watch(ctx, "/bad//"); !errors.Is(err, xenstore.EINVAL) {
		t.Errorf("Watch of a bad path: %v", err)
	}
	c.Close()
	if _, ok := <-w2.C; ok {
		t.Error("watch channel open after Close")
	}
}

// TestWatchSlowReceiver checks that an unread watch does not hold up
// the client, and that queued events for one path are merged.
func TestWatchSlowReceiver(t *testing.T) {
	s := xenfake.NewStore()
	c := s.Dial(t, 0)
	ctx := testCtx(t)
	w, err := c.Watch(ctx, "/q")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if err := c.Write(ctx, "/q/"+strconv.Itoa(i%3), strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for p := recv(t, w.C); ; p = recv(t, w.C) {
		got[p]++
		if len(got) == 4 {
			break
		}
	}
	noEvent(t, w.C)
	for p, n := range got {
		if n != 1 {
			t.Errorf("%d events for %s", n, p)
		}
	}
}

func TestTransaction(t *testing.T) {
	s := xenfake.NewStore()
	c := s.Dial(t, 0)
	ctx := testCtx(t)
	c.Write(ctx, "/t/x", "1")

	w, _ := c.Watch(ctx, "/t")
	recv(t, w.C)
	err := c.Transaction(ctx, func(tx *xenstore.Tx) error {
		if err := tx.Write(ctx, "/t/y", "2"); err != nil {
			return err
		}
		if v, err := tx.Read(ctx, "/t/y"); v != "2" || err != nil {
			t.Errorf("Read of own write = %q, %v", v, err)
		}
		if v, _ := s.Get("/t/y"); v != "" {
			t.Errorf("write visible before commit")
		}
		noEvent(t, w.C)
		if err := tx.Mkdir(ctx, "/t/m"); err != nil {
			return err
		}
		if names, err := tx.Directory(ctx, "/t"); !reflect.DeepEqual(names, []string{"m", "x", "y"}) || err != nil {
			t.Errorf("Directory = %q, %v", names, err)
		}
		return tx.Rm(ctx, "/t/x")
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Get("/t/y"); v != "2" || !ok {
		t.Errorf("after commit /t/y = %q, %v", v, ok)
	}
	if _, ok := s.Get("/t/x"); ok {
		t.Error("rm in transaction not applied")
	}
	got := map[string]bool{recv(t, w.C): true, recv(t, w.C): true, recv(t, w.C): true}
	if !got["/t/y"] || !got["/t/m"] || !got["/t/x"] {
		t.Errorf("events after commit: %v", got)
	}

	// An error in f aborts.
	boom := errors.New("boom")
	err = c.Transaction(ctx, func(tx *xenstore.Tx) error {
		tx.Write(ctx, "/t/y", "3")
		return boom
	})
	if err != boom {
		t.Errorf("Transaction = %v, want f's error", err)
	}
	if v, _ := s.Get("/t/y"); v != "2" {
		t.Errorf("aborted write applied: %q", v)
	}

	// A finished transaction refuses work.
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Read(ctx, "/t/y"); !errors.Is(err, xenstore.ErrTxDone) {
		t.Errorf("Read after Abort: %v", err)
	}
	if err := tx.Commit(ctx); !errors.Is(err, xenstore.ErrTxDone) {
		t.Errorf("Commit after Abort: %v", err)
	}
}

// TestTransactionRetry races a transaction with a direct write: the commit
// must fail with xenstore.EAGAIN, and the retry succeed.
func TestTransactionRetry(t *testing.T) {
	s := xenfake.NewStore()
	c := s.Dial(t, 0)
	other := s.Dial(t, 0)
	ctx := testCtx(t)
	c.Write(ctx, "/counter", "10")
	attempts := 0
	err := c.Transaction(ctx, func(tx *xenstore.Tx) error {
		attempts++
		v, err := tx.Read(ctx, "/counter")
		if err != nil {
			return err
		}
		if attempts == 1 {
			if err := other.Write(ctx, "/counter", "100"); err != nil {
				return err
			}
		}
		n, _ := strconv.Atoi(v)
		return tx.Write(ctx, "/counter", strconv.Itoa(n+1))
	})
	if err != nil || attempts != 2 {
		t.Fatalf("Transaction = %v after %d attempts", err, attempts)
	}
	if v, _ := s.Get("/counter"); v != "101" {
		t.Errorf("counter = %q, want 101", v)
	}
	if s.EAGAINs() != 1 {
		t.Errorf("%d conflicts", s.EAGAINs())
	}

	// Conflicting every time: gives up with xenstore.EAGAIN.
	attempts = 0
	err = c.Transaction(ctx, func(tx *xenstore.Tx) error {
		attempts++
		tx.Read(ctx, "/counter")
		return other.Write(ctx, "/counter", strconv.Itoa(attempts))
	})
	if !errors.Is(err, xenstore.EAGAIN) || attempts != xenstore.MaxTxAttempts {
		t.Errorf("Transaction = %v after %d attempts", err, attempts)
	}
}

func TestTransactionConcurrent(t *testing.T) {
	s := xenfake.NewStore()
	ctx := testCtx(t)
	const n = 8
	clients := []*xenstore.Client{s.Dial(t, 0), s.Dial(t, 0)}
	clients[0].Write(ctx, "/n", "0")
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range n {
		c := clients[i%2]
		wg.Go(func() {
			err := c.Transaction(ctx, func(tx *xenstore.Tx) error {
				v, err := tx.Read(ctx, "/n")
				if err != nil {
					return err
				}
				k, _ := strconv.Atoi(v)
				return tx.Write(ctx, "/n", strconv.Itoa(k+1))
			})
			if err != nil {
				t.Error(err)
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if v, _ := s.Get("/n"); v != strconv.Itoa(n-int(failed.Load())) {
		t.Errorf("/n = %s after %d increments", v, n)
	}
}

// TestTwoRings connects two domains' clients and checks watch delivery across
// them.
func TestTwoRings(t *testing.T) {
	s := xenfake.NewStore()
	front, back := s.Dial(t, 5), s.Dial(t, 0)
	ctx := testCtx(t)
	w, err := back.Watch(ctx, "/local/domain/5/device/vif/0/state")
	if err != nil {
		t.Fatal(err)
	}
	recv(t, w.C)
	front.Write(ctx, "device/vif/0/state", "3")
	if p := recv(t, w.C); p != "/local/domain/5/device/vif/0/state" {
		t.Errorf("event %q", p)
	}
}

func TestClientClose(t *testing.T) {
	sc := newScriptConn(func(*xenstore.Message) []byte { return nil }) // never answers
	c := xenstore.NewClient(sc)
	ctx := testCtx(t)
	errc := make(chan error, 3)
	for range 3 {
		go func() { _, err := c.Read(ctx, "/x"); errc <- err }()
	}
	for len(sc.requests()) < 3 {
		time.Sleep(time.Millisecond)
	}
	c.Close()
	for range 3 {
		if err := <-errc; !errors.Is(err, xenstore.ErrClosed) {
			t.Errorf("pending request: %v", err)
		}
	}
	if _, err := c.Read(ctx, "/x"); !errors.Is(err, xenstore.ErrClosed) {
		t.Errorf("request after Close: %v", err)
	}
	if _, err := c.Watch(ctx, "/x"); !errors.Is(err, xenstore.ErrClosed) {
		t.Errorf("Watch after Close: %v", err)
	}
	if err := c.Transaction(ctx, func(*xenstore.Tx) error { return nil }); !errors.Is(err, xenstore.ErrClosed) {
		t.Errorf("Transaction after Close: %v", err)
	}
	if !sc.closed {
		t.Error("transport not closed")
	}
}

// TestClientCloseOverRing closes a client whose reader is blocked in the
// ring's wait hook.
func TestClientCloseOverRing(t *testing.T) {
	guest, _ := xenfake.RingPair(t, 0, nil) // no server
	c := xenstore.NewClient(guest)
	errc := make(chan error)
	go func() { _, err := c.Read(context.Background(), "/x"); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, xenstore.ErrClosed) {
			t.Errorf("pending request: %v", err)
		}
	case <-time.After(timeout):
		t.Fatal("Close left a request hanging")
	}
}

func TestContextAbandon(t *testing.T) {
	var mu sync.Mutex
	var held []*xenstore.Message
	sc := newScriptConn(func(m *xenstore.Message) []byte {
		mu.Lock()
		defer mu.Unlock()
		switch m.Type {
		case xenstore.TypeTransactionStart, xenstore.TypeWatch, xenstore.TypeRead:
			held = append(held, m) // answered later
			return nil
		case xenstore.TypeTransactionEnd, xenstore.TypeUnwatch:
			return xenstore.Raw(m.Type, m.ReqID, m.TxID, "OK\x00")
		}
		return xenstore.Raw(m.Type, m.ReqID, m.TxID, "quick")
	})
	c := xenstore.NewClient(sc)
	defer c.Close()

	for _, f := range []func(ctx context.Context) error{
		func(ctx context.Context) error { _, err := c.Read(ctx, "/slow"); return err },
		func(ctx context.Context) error { _, err := c.Begin(ctx); return err },
		func(ctx context.Context) error { _, err := c.Watch(ctx, "/w"); return err },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := f(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("abandoned request: %v", err)
		}
	}
	ctx := testCtx(t)
	// The client still works, and late replies are dropped or cleaned up.
	mu.Lock()
	late := held
	mu.Unlock()
	if len(late) != 3 {
		t.Fatalf("%d held requests", len(late))
	}
	sc.feed(xenstore.Raw(xenstore.TypeRead, late[0].ReqID, 0, "late"))
	sc.feed(xenstore.Raw(xenstore.TypeTransactionStart, late[1].ReqID, 0, "42\x00"))
	sc.feed(xenstore.Raw(xenstore.TypeWatch, late[2].ReqID, 0, "OK\x00"))
	sc.feed(xenstore.Raw(xenstore.TypeWatchEvent, 0, 0, "/w\x00go1\x00"))
	if err := c.Write(ctx, "/fast", "x"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(timeout)
	for {
		var end, unwatch bool
		for _, m := range sc.requests() {
			end = end || m.Type == xenstore.TypeTransactionEnd && m.TxID == 42 && string(m.Payload) == "F\x00"
			unwatch = unwatch || m.Type == xenstore.TypeUnwatch && string(m.Payload) == "/w\x00go1\x00"
		}
		if end && unwatch {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("abandoned transaction ended: %v, watch removed: %v", end, unwatch)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGarbageReplies answers requests with malformed replies: each request
// gets an error, never a hang.
func TestGarbageReplies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reply  func(m *xenstore.Message) []byte
		want   error
		broken bool // the connection is unusable afterwards
	}{
		{"wrong type", func(m *xenstore.Message) []byte { return xenstore.Raw(xenstore.TypeWrite, m.ReqID, 0, "OK\x00") }, xenstore.ErrProtocol, false},
		{"unknown type", func(m *xenstore.Message) []byte { return xenstore.Raw(9999, m.ReqID, 0, "") }, xenstore.ErrProtocol, false},
		{"error without name", func(m *xenstore.Message) []byte { return xenstore.Raw(xenstore.TypeError, m.ReqID, 0, "\x00") }, xenstore.ErrProtocol, false},
		{"error with NULs", func(m *xenstore.Message) []byte { return xenstore.Raw(xenstore.TypeError, m.ReqID, 0, "E\x00IO\x00") }, xenstore.ErrProtocol, false},
		{"error without NUL", func(m *xenstore.Message) []byte { return xenstore.Raw(xenstore.TypeError, m.ReqID, 0, "EIO") }, xenstore.EIO, false},
		{"directory without NUL", func(m *xenstore.Message) []byte { return xenstore.Raw(m.Type, m.ReqID, 0, "a\x00b") }, xenstore.ErrProtocol, false},
		{"bad tx id", func(m *xenstore.Message) []byte { return xenstore.Raw(m.Type, m.ReqID, 0, "x1\x00") }, xenstore.ErrProtocol, false},
		{"oversized", func(m *xenstore.Message) []byte {
			b := xenstore.Raw(m.Type, m.ReqID, 0, "")
			b[12], b[13] = 0x01, 0x10 // 4097
			return b
		}, xenstore.ErrClosed, true},
		{"truncated", func(m *xenstore.Message) []byte { return xenstore.Raw(m.Type, m.ReqID, 0, "abcdef")[:19] }, xenstore.ErrClosed, true},
		{"short header", func(m *xenstore.Message) []byte { return []byte{1, 2, 3} }, xenstore.ErrClosed, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sc *scriptConn
			sc = newScriptConn(func(m *xenstore.Message) []byte {
				if m.Type == xenstore.TypeTransactionEnd {
					return xenstore.Raw(m.Type, m.ReqID, m.TxID, "OK\x00")
				}
				sc.eof = tc.broken // after a broken reply the transport ends
				return tc.reply(m)
			})
			c := xenstore.NewClient(sc)
			defer c.Close()
			ctx := testCtx(t)
			var err error
			switch tc.name {
			case "directory without NUL":
				_, err = c.Directory(ctx, "/d")
			case "bad tx id":
				err = c.Transaction(ctx, func(*xenstore.Tx) error { return nil })
			default:
				_, err = c.Read(ctx, "/r")
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Error("request hung")
			}
			if tc.broken {
				if _, err := c.Read(ctx, "/r"); !errors.Is(err, xenstore.ErrClosed) {
					t.Errorf("request on a broken client: %v", err)
				}
			}
		})
	}
}

// TestStrayMessages sends replies nobody asked for and malformed watch
// events: they are dropped.
func TestStrayMessages(t *testing.T) {
	sc := newScriptConn(func(m *xenstore.Message) []byte {
		var b []byte
		b = append(b, xenstore.Raw(xenstore.TypeRead, m.ReqID+1000, 0, "stray")...)
		b = append(b, xenstore.Raw(xenstore.TypeWatchEvent, 0, 0, "/x")...)
		b = append(b, xenstore.Raw(xenstore.TypeWatchEvent, 0, 0, "/x\x00unknown-token\x00")...)
		b = append(b, xenstore.Raw(xenstore.TypeError, 0, 0, "EIO\x00")...)
		return append(b, xenstore.Raw(m.Type, m.ReqID, m.TxID, "fine")...)
	})
	c := xenstore.NewClient(sc)
	defer c.Close()
	for range 3 {
		if v, err := c.Read(testCtx(t), "/r"); v != "fine" || err != nil {
			t.Fatalf("Read = %q, %v", v, err)
		}
	}
}
