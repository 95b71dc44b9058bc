// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenfake

// A xenstored in memory: the server side of the wire protocol
// (docs/misc/xenstore.txt), over any io.ReadWriter, usually the server end
// of a xenstore ring (Dial).

import (
	"internal/xen/xenstore"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Store is a xenstored: a tree of nodes, connections with their watches and
// transactions. Transactions are optimistic, as in oxenstored: a commit
// fails with EAGAIN if a node the transaction read or wrote changed
// meanwhile. Permissions are not modelled beyond Deny.
type Store struct {
	mu      sync.Mutex
	root    *fnode
	gen     uint64
	conns   map[*fakeConn]bool
	lastTx  uint32
	deny    map[string]bool // absolute paths that answer EACCES
	commits int             // committed transactions
	eagains int             // commits refused with EAGAIN
}

type fnode struct {
	value    string
	children map[string]*fnode
	gen      uint64 // changes whenever the value or the set of children does
}

func NewStore() *Store {
	return &Store{root: &fnode{gen: 1}, gen: 1, conns: map[*fakeConn]bool{}, deny: map[string]bool{}}
}

func (n *fnode) clone() *fnode {
	c := &fnode{value: n.value, gen: n.gen}
	for k, v := range n.children {
		if c.children == nil {
			c.children = map[string]*fnode{}
		}
		c.children[k] = v.clone()
	}
	return c
}

// ftree is the store's tree or a transaction's snapshot of it. In a
// snapshot, seen records the generation of every path the transaction
// touched, as it was when first touched (0: absent).
type ftree struct {
	root *fnode
	gen  *uint64
	seen map[string]uint64
}

func split(abs string) []string {
	if abs == "/" {
		return nil
	}
	return strings.Split(abs[1:], "/")
}

func parent(abs string) string {
	i := strings.LastIndexByte(abs, '/')
	if i <= 0 {
		return "/"
	}
	return abs[:i]
}

func (t ftree) lookup(abs string) *fnode {
	n := t.root
	for _, e := range split(abs) {
		if n = n.children[e]; n == nil {
			return nil
		}
	}
	return n
}

func (t ftree) note(abs ...string) {
	if t.seen == nil {
		return
	}
	for _, p := range abs {
		if _, ok := t.seen[p]; !ok {
			var g uint64
			if n := t.lookup(p); n != nil {
				g = n.gen
			}
			t.seen[p] = g
		}
	}
}

func (t ftree) bump(n *fnode) { *t.gen++; n.gen = *t.gen }

// create returns the node at abs, creating it and its parents.
func (t ftree) create(abs string) (n *fnode, created bool) {
	n = t.root
	for _, e := range split(abs) {
		c := n.children[e]
		if c == nil {
			if n.children == nil {
				n.children = map[string]*fnode{}
			}
			c = &fnode{}
			n.children[e] = c
			t.bump(n)
			t.bump(c)
			created = true
		}
		n = c
	}
	return n, created
}

func (t ftree) write(abs, value string) {
	t.note(abs, parent(abs))
	n, _ := t.create(abs)
	n.value = value
	t.bump(n)
}

func (t ftree) mkdir(abs string) bool {
	t.note(abs, parent(abs))
	_, created := t.create(abs)
	return created
}

func (t ftree) rm(abs string) (removed bool, err xenstore.Error) {
	t.note(abs, parent(abs))
	if abs == "/" {
		return false, xenstore.EINVAL
	}
	p := t.lookup(parent(abs))
	if p == nil {
		return false, xenstore.ENOENT
	}
	name := abs[strings.LastIndexByte(abs, '/')+1:]
	if p.children[name] == nil {
		return false, ""
	}
	delete(p.children, name)
	t.bump(p)
	return true, ""
}

type fakeConn struct {
	s       *Store
	domid   uint16
	watches []fwatch
	txs     map[uint32]*ftx

	mu     sync.Mutex // guards the out queue
	cond   sync.Cond
	out    [][]byte
	closed bool
}

type fwatch struct{ path, abs, token string }

type ftx struct {
	tree ftree
	log  []fop // replayed on the store at commit
}

type fop struct {
	typ         xenstore.MsgType
	path, value string
}

// Serve runs the server side of one connection until rw fails.
func (s *Store) Serve(rw io.ReadWriter, domid uint16) {
	fc := &fakeConn{s: s, domid: domid, txs: map[uint32]*ftx{}}
	fc.cond.L = &fc.mu
	s.mu.Lock()
	s.conns[fc] = true
	s.mu.Unlock()
	go fc.writer(rw)
	for {
		m, err := xenstore.ReadMessage(rw)
		if err != nil {
			break
		}
		fc.handle(m)
	}
	s.mu.Lock()
	delete(s.conns, fc)
	s.mu.Unlock()
	fc.mu.Lock()
	fc.closed = true
	fc.cond.Broadcast()
	fc.mu.Unlock()
}

func (fc *fakeConn) send(typ xenstore.MsgType, reqID, txID uint32, payload string) {
	b, err := (&xenstore.Message{Type: typ, ReqID: reqID, TxID: txID, Payload: []byte(payload)}).Append(nil)
	if err != nil {
		panic("fake xenstored: reply too long")
	}
	fc.mu.Lock()
	fc.out = append(fc.out, b)
	fc.cond.Broadcast()
	fc.mu.Unlock()
}

func (fc *fakeConn) writer(w io.Writer) {
	for {
		fc.mu.Lock()
		for len(fc.out) == 0 && !fc.closed {
			fc.cond.Wait()
		}
		if len(fc.out) == 0 {
			fc.mu.Unlock()
			return
		}
		b := fc.out[0]
		fc.out = fc.out[1:]
		fc.mu.Unlock()
		if _, err := w.Write(b); err != nil {
			return
		}
	}
}

func (fc *fakeConn) home() string { return "/local/domain/" + strconv.Itoa(int(fc.domid)) }

// abs checks a path and makes it absolute.
func (fc *fakeConn) abs(p string) (string, xenstore.Error) {
	if p == "" || strings.Contains(p, "//") || (p != "/" && strings.HasSuffix(p, "/")) {
		return "", xenstore.EINVAL
	}
	for _, c := range []byte(p) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-/_@", c) >= 0) {
			return "", xenstore.EINVAL
		}
	}
	if p[0] != '/' {
		p = fc.home() + "/" + p
	}
	if fc.s.deny[p] {
		return "", xenstore.EACCES
	}
	return p, ""
}

func isChild(p, parent string) bool {
	return p == parent || parent == "/" || strings.HasPrefix(p, parent+"/")
}

// fire sends the watch events of a change at abs (the store is locked).
func (s *Store) fire(abs string, removed bool) {
	for fc := range s.conns {
		for _, w := range fc.watches {
			switch {
			case isChild(abs, w.abs):
				ev := abs
				if w.path[0] != '/' {
					ev = strings.TrimPrefix(abs, fc.home()+"/")
				}
				fc.send(xenstore.TypeWatchEvent, 0, 0, ev+"\x00"+w.token+"\x00")
			case removed && isChild(w.abs, abs):
				fc.send(xenstore.TypeWatchEvent, 0, 0, w.path+"\x00"+w.token+"\x00")
			}
		}
	}
}

// apply performs a write, mkdir or rm on the store or a snapshot.
func (s *Store) apply(t ftree, op fop, fire bool) xenstore.Error {
	switch op.typ {
	case xenstore.TypeWrite:
		t.write(op.path, op.value)
	case xenstore.TypeMkdir:
		fire = t.mkdir(op.path) && fire
	case xenstore.TypeRm:
		removed, err := t.rm(op.path)
		if err != "" {
			return err
		}
		if fire && removed {
			s.fire(op.path, true)
		}
		return ""
	}
	if fire {
		s.fire(op.path, false)
	}
	return ""
}

func (fc *fakeConn) handle(m *xenstore.Message) {
	s := fc.s
	s.mu.Lock()
	defer s.mu.Unlock()
	reply, err := fc.op(m)
	if err != "" {
		fc.send(xenstore.TypeError, m.ReqID, m.TxID, string(err)+"\x00")
		return
	}
	fc.send(m.Type, m.ReqID, m.TxID, reply)
	if m.Type == xenstore.TypeWatch { // fires once on registration, after the reply
		w := fc.watches[len(fc.watches)-1]
		fc.send(xenstore.TypeWatchEvent, 0, 0, w.path+"\x00"+w.token+"\x00")
	}
}

// op executes a request with the store locked. Write-like operations in
// the store itself fire watches before their reply is sent.
func (fc *fakeConn) op(m *xenstore.Message) (reply string, err xenstore.Error) {
	s := fc.s
	args := strings.Split(string(m.Payload), "\x00")
	arg := func(i int) string { // the i-th NUL-terminated argument
		if i >= len(args)-1 {
			return ""
		}
		return args[i]
	}
	switch m.Type {
	case xenstore.TypeTransactionStart:
		if m.TxID != 0 {
			return "", xenstore.EINVAL
		}
		s.lastTx++
		fc.txs[s.lastTx] = &ftx{tree: ftree{root: s.root.clone(), gen: new(uint64), seen: map[string]uint64{}}}
		return strconv.FormatUint(uint64(s.lastTx), 10) + "\x00", ""
	case xenstore.TypeTransactionEnd:
		tx := fc.txs[m.TxID]
		if tx == nil {
			return "", xenstore.ENOENT
		}
		delete(fc.txs, m.TxID)
		switch arg(0) {
		case "F":
			return "OK\x00", ""
		case "T":
		default:
			return "", xenstore.EINVAL
		}
		store := ftree{root: s.root, gen: &s.gen}
		for p, g := range tx.tree.seen {
			var now uint64
			if n := store.lookup(p); n != nil {
				now = n.gen
			}
			if now != g {
				s.eagains++
				return "", xenstore.EAGAIN
			}
		}
		for _, op := range tx.log {
			s.apply(store, op, true)
		}
		s.commits++
		return "OK\x00", ""
	case xenstore.TypeGetDomainPath:
		id, perr := strconv.ParseUint(arg(0), 10, 16)
		if perr != nil {
			return "", xenstore.EINVAL
		}
		return "/local/domain/" + strconv.FormatUint(id, 10) + "\x00", ""
	case xenstore.TypeWatch, xenstore.TypeUnwatch:
		path, token := arg(0), arg(1)
		if path == "" || token == "" {
			return "", xenstore.EINVAL
		}
		abs := path
		if path[0] != '@' {
			if abs, err = fc.abs(path); err != "" {
				return "", err
			}
		}
		i := slices.IndexFunc(fc.watches, func(w fwatch) bool { return w.path == path && w.token == token })
		if m.Type == xenstore.TypeUnwatch {
			if i < 0 {
				return "", xenstore.ENOENT
			}
			fc.watches = slices.Delete(fc.watches, i, i+1)
			return "OK\x00", ""
		}
		if i >= 0 {
			return "", xenstore.EEXIST
		}
		fc.watches = append(fc.watches, fwatch{path, abs, token})
		return "OK\x00", ""
	case xenstore.TypeRead, xenstore.TypeDirectory, xenstore.TypeWrite, xenstore.TypeMkdir, xenstore.TypeRm:
	default:
		return "", xenstore.ENOSYS
	}

	// Node operations, in the store or in a transaction.
	var path, value string
	if m.Type == xenstore.TypeWrite {
		path, value, _ = strings.Cut(string(m.Payload), "\x00")
	} else {
		path = arg(0)
	}
	abs, err := fc.abs(path)
	if err != "" {
		return "", err
	}
	t := ftree{root: s.root, gen: &s.gen}
	var tx *ftx
	if m.TxID != 0 {
		if tx = fc.txs[m.TxID]; tx == nil {
			return "", xenstore.ENOENT
		}
		t = tx.tree
	}
	switch m.Type {
	case xenstore.TypeRead, xenstore.TypeDirectory:
		t.note(abs)
		n := t.lookup(abs)
		if n == nil {
			return "", xenstore.ENOENT
		}
		if m.Type == xenstore.TypeRead {
			return n.value, ""
		}
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(n.children)) {
			b.WriteString(k + "\x00")
		}
		return b.String(), ""
	}
	op := fop{m.Type, abs, value}
	if err := s.apply(t, op, tx == nil); err != "" {
		return "", err
	}
	if tx != nil {
		tx.log = append(tx.log, op)
	}
	return "OK\x00", ""
}

// Direct access for tests, bypassing the protocol: Get and Set take
// absolute paths; Set fires watches.

func (s *Store) Get(abs string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := ftree{root: s.root}.lookup(abs)
	if n == nil {
		return "", false
	}
	return n.value, true
}

func (s *Store) Set(abs, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apply(ftree{root: s.root, gen: &s.gen}, fop{xenstore.TypeWrite, abs, value}, true)
}

// Deny makes every request on the absolute path abs answer EACCES.
func (s *Store) Deny(abs string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny[abs] = true
}

// Commits returns the number of committed transactions, and EAGAINs the
// number of commits refused with EAGAIN.
func (s *Store) Commits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits
}

func (s *Store) EAGAINs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eagains
}

// A Cleaner runs functions at the end of a test (testing.TB is one).
type Cleaner interface{ Cleanup(func()) }

// Dial connects a new client of domain domid to the store over a xenstore
// ring page, as a domU's connection is, and closes it at t's cleanup.
func (s *Store) Dial(t Cleaner, domid uint16) *xenstore.Client {
	guest, server := RingPair(t, 0xffffff00, nil)
	go s.Serve(server, domid)
	c := xenstore.NewClient(guest)
	t.Cleanup(func() { c.Close() })
	return c
}

// A latch is a fake event channel: notify sets it, wait blocks until it is
// set and clears it. stop makes wait return at once, for shutting a test
// down.
type latch struct {
	c    chan struct{}
	stop chan struct{}
}

func newLatch(stop chan struct{}) latch { return latch{make(chan struct{}, 1), stop} }

func (l latch) notify() {
	select {
	case l.c <- struct{}{}:
	default:
	}
}

func (l latch) wait() {
	select {
	case <-l.c:
	case <-l.stop:
	}
}

// RingPair returns both ends of a xenstore page whose four indices start at
// start (to exercise their wrapping), the guest's wait hook wrapped by hook
// if it is not nil. They are closed at t's cleanup.
func RingPair(t Cleaner, start uint32, hook func(wait func()) func()) (guest, server *xenstore.Ring) {
	page := new([xenstore.PageSize]byte)
	xenstore.SetRingIndices(page, start)
	stop := make(chan struct{})
	toGuest, toServer := newLatch(stop), newLatch(stop)
	gwait := toGuest.wait
	if hook != nil {
		gwait = hook(gwait)
	}
	guest = xenstore.NewRing(page, toServer.notify, gwait)
	server = xenstore.NewServerRing(page, toGuest.notify, toServer.wait)
	t.Cleanup(func() {
		guest.Close()
		server.Close()
		close(stop)
	})
	return guest, server
}
