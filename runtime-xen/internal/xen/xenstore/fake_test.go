// Copyright 2026 The Go for Xen Authors.

// These are host tests of the protocol against a fake xenstored. On xen,
// package os imports this package (it watches control/shutdown), so tests
// in the package could not import testing there.

//go:build !xen

package xenstore

// An in-memory xenstored: the server side of the wire protocol, over any
// io.ReadWriter (the server end of a Ring in most tests).

import (
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

type fakeStore struct {
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

func newFakeStore() *fakeStore {
	return &fakeStore{root: &fnode{gen: 1}, gen: 1, conns: map[*fakeConn]bool{}, deny: map[string]bool{}}
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

func (t ftree) rm(abs string) (removed bool, err Error) {
	t.note(abs, parent(abs))
	if abs == "/" {
		return false, EINVAL
	}
	p := t.lookup(parent(abs))
	if p == nil {
		return false, ENOENT
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
	s       *fakeStore
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
	typ         MsgType
	path, value string
}

// serve runs the server side of one connection until rw fails.
func (s *fakeStore) serve(rw io.ReadWriter, domid uint16) {
	fc := &fakeConn{s: s, domid: domid, txs: map[uint32]*ftx{}}
	fc.cond.L = &fc.mu
	s.mu.Lock()
	s.conns[fc] = true
	s.mu.Unlock()
	go fc.writer(rw)
	for {
		m, err := ReadMessage(rw)
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

func (fc *fakeConn) send(typ MsgType, reqID, txID uint32, payload string) {
	b, err := (&Message{Type: typ, ReqID: reqID, TxID: txID, Payload: []byte(payload)}).Append(nil)
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
func (fc *fakeConn) abs(p string) (string, Error) {
	if p == "" || strings.Contains(p, "//") || (p != "/" && strings.HasSuffix(p, "/")) {
		return "", EINVAL
	}
	for _, c := range []byte(p) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-/_@", c) >= 0) {
			return "", EINVAL
		}
	}
	if p[0] != '/' {
		p = fc.home() + "/" + p
	}
	if fc.s.deny[p] {
		return "", EACCES
	}
	return p, ""
}

func isChild(p, parent string) bool {
	return p == parent || parent == "/" || strings.HasPrefix(p, parent+"/")
}

// fire sends the watch events of a change at abs (the store is locked).
func (s *fakeStore) fire(abs string, removed bool) {
	for fc := range s.conns {
		for _, w := range fc.watches {
			switch {
			case isChild(abs, w.abs):
				ev := abs
				if w.path[0] != '/' {
					ev = strings.TrimPrefix(abs, fc.home()+"/")
				}
				fc.send(TypeWatchEvent, 0, 0, ev+"\x00"+w.token+"\x00")
			case removed && isChild(w.abs, abs):
				fc.send(TypeWatchEvent, 0, 0, w.path+"\x00"+w.token+"\x00")
			}
		}
	}
}

// apply performs a write, mkdir or rm on the store or a snapshot.
func (s *fakeStore) apply(t ftree, op fop, fire bool) Error {
	switch op.typ {
	case TypeWrite:
		t.write(op.path, op.value)
	case TypeMkdir:
		fire = t.mkdir(op.path) && fire
	case TypeRm:
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

func (fc *fakeConn) handle(m *Message) {
	s := fc.s
	s.mu.Lock()
	defer s.mu.Unlock()
	reply, err := fc.op(m)
	if err != "" {
		fc.send(TypeError, m.ReqID, m.TxID, string(err)+"\x00")
		return
	}
	fc.send(m.Type, m.ReqID, m.TxID, reply)
	if m.Type == TypeWatch { // fires once on registration, after the reply
		w := fc.watches[len(fc.watches)-1]
		fc.send(TypeWatchEvent, 0, 0, w.path+"\x00"+w.token+"\x00")
	}
}

// op executes a request with the store locked. Write-like operations in
// the store itself fire watches before their reply is sent.
func (fc *fakeConn) op(m *Message) (reply string, err Error) {
	s := fc.s
	args := strings.Split(string(m.Payload), "\x00")
	arg := func(i int) string { // the i-th NUL-terminated argument
		if i >= len(args)-1 {
			return ""
		}
		return args[i]
	}
	switch m.Type {
	case TypeTransactionStart:
		if m.TxID != 0 {
			return "", EINVAL
		}
		s.lastTx++
		fc.txs[s.lastTx] = &ftx{tree: ftree{root: s.root.clone(), gen: new(uint64), seen: map[string]uint64{}}}
		return strconv.FormatUint(uint64(s.lastTx), 10) + "\x00", ""
	case TypeTransactionEnd:
		tx := fc.txs[m.TxID]
		if tx == nil {
			return "", ENOENT
		}
		delete(fc.txs, m.TxID)
		switch arg(0) {
		case "F":
			return "OK\x00", ""
		case "T":
		default:
			return "", EINVAL
		}
		store := ftree{root: s.root, gen: &s.gen}
		for p, g := range tx.tree.seen {
			var now uint64
			if n := store.lookup(p); n != nil {
				now = n.gen
			}
			if now != g {
				s.eagains++
				return "", EAGAIN
			}
		}
		for _, op := range tx.log {
			s.apply(store, op, true)
		}
		s.commits++
		return "OK\x00", ""
	case TypeGetDomainPath:
		id, perr := strconv.ParseUint(arg(0), 10, 16)
		if perr != nil {
			return "", EINVAL
		}
		return "/local/domain/" + strconv.FormatUint(id, 10) + "\x00", ""
	case TypeWatch, TypeUnwatch:
		path, token := arg(0), arg(1)
		if path == "" || token == "" {
			return "", EINVAL
		}
		abs := path
		if path[0] != '@' {
			if abs, err = fc.abs(path); err != "" {
				return "", err
			}
		}
		i := slices.IndexFunc(fc.watches, func(w fwatch) bool { return w.path == path && w.token == token })
		if m.Type == TypeUnwatch {
			if i < 0 {
				return "", ENOENT
			}
			fc.watches = slices.Delete(fc.watches, i, i+1)
			return "OK\x00", ""
		}
		if i >= 0 {
			return "", EEXIST
		}
		fc.watches = append(fc.watches, fwatch{path, abs, token})
		return "OK\x00", ""
	case TypeRead, TypeDirectory, TypeWrite, TypeMkdir, TypeRm:
	default:
		return "", ENOSYS
	}

	// Node operations, in the store or in a transaction.
	var path, value string
	if m.Type == TypeWrite {
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
			return "", ENOENT
		}
		t = tx.tree
	}
	switch m.Type {
	case TypeRead, TypeDirectory:
		t.note(abs)
		n := t.lookup(abs)
		if n == nil {
			return "", ENOENT
		}
		if m.Type == TypeRead {
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

// Direct access for tests, bypassing the protocol.

func (s *fakeStore) get(abs string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := ftree{root: s.root}.lookup(abs)
	if n == nil {
		return "", false
	}
	return n.value, true
}

func (s *fakeStore) set(abs, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apply(ftree{root: s.root, gen: &s.gen}, fop{TypeWrite, abs, value}, true)
}

// A latched event channel: notify sets it, wait blocks until it is set and
// clears it. stop makes wait return at once, for shutting a test down.
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

// ringPair returns both ends of a xenstore page whose indices start at
// start, with the guest's wait hook wrapped by hook if it is not nil.
func ringPair(t testing.TB, start uint32, hook func(wait func()) func()) (guest, server *Ring, page *[PageSize]byte) {
	page = new([PageSize]byte)
	for _, off := range []int{reqConsOff, reqProdOff, rspConsOff, rspProdOff} {
		page[off], page[off+1], page[off+2], page[off+3] = byte(start), byte(start>>8), byte(start>>16), byte(start>>24)
	}
	stop := make(chan struct{})
	toGuest, toServer := newLatch(stop), newLatch(stop)
	gwait := toGuest.wait
	if hook != nil {
		gwait = hook(gwait)
	}
	guest = NewRing(page, toServer.notify, gwait)
	server = newRing(newHalf(page, reqOff, reqConsOff, reqProdOff), newHalf(page, rspOff, rspConsOff, rspProdOff),
		toGuest.notify, toServer.wait)
	t.Cleanup(func() {
		guest.Close()
		server.Close()
		close(stop)
	})
	return guest, server, page
}

// dial connects a new client of domain domid to the store over a ring.
func (s *fakeStore) dial(t testing.TB, domid uint16) *Client {
	guest, server, _ := ringPair(t, 0xffffff00, nil)
	go s.serve(server, domid)
	c := NewClient(guest)
	t.Cleanup(func() { c.Close() })
	return c
}

// scriptConn is a client transport whose replies come from a function:
// each complete request written is passed to respond, and the bytes it
// returns are what Read returns next. After Close, or once eof is set and
// the replies are consumed, Read fails.
type scriptConn struct {
	mu      sync.Mutex
	cond    sync.Cond
	in, out []byte
	reqs    []*Message
	closed  bool
	eof     bool
	respond func(req *Message) []byte
	stalled func(reqs []*Message) bool // if set and true, Read reports EOF instead of waiting
}

func newScriptConn(respond func(req *Message) []byte) *scriptConn {
	sc := &scriptConn{respond: respond}
	sc.cond.L = &sc.mu
	return sc
}

func (sc *scriptConn) Write(p []byte) (int, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.closed {
		return 0, io.ErrClosedPipe
	}
	sc.in = append(sc.in, p...)
	for len(sc.in) >= HeaderSize {
		n := HeaderSize + int(uint32(sc.in[12])|uint32(sc.in[13])<<8|uint32(sc.in[14])<<16|uint32(sc.in[15])<<24)
		if len(sc.in) < n {
			break
		}
		m, _ := ReadMessage(strings.NewReader(string(sc.in[:n])))
		sc.in = sc.in[n:]
		sc.reqs = append(sc.reqs, m)
		sc.out = append(sc.out, sc.respond(m)...)
	}
	sc.cond.Broadcast()
	return len(p), nil
}

func (sc *scriptConn) Read(p []byte) (int, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for len(sc.out) == 0 && !sc.closed && !sc.eof && (sc.stalled == nil || !sc.stalled(sc.reqs)) {
		sc.cond.Wait()
	}
	if sc.closed {
		return 0, io.ErrClosedPipe
	}
	if len(sc.out) == 0 {
		return 0, io.EOF
	}
	n := copy(p, sc.out)
	sc.out = sc.out[n:]
	return n, nil
}

// feed queues bytes for Read outside a reply.
func (sc *scriptConn) feed(b []byte) {
	sc.mu.Lock()
	sc.out = append(sc.out, b...)
	sc.cond.Broadcast()
	sc.mu.Unlock()
}

func (sc *scriptConn) Close() error {
	sc.mu.Lock()
	sc.closed = true
	sc.cond.Broadcast()
	sc.mu.Unlock()
	return nil
}

func (sc *scriptConn) requests() []*Message {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return slices.Clone(sc.reqs)
}

func raw(typ MsgType, reqID, txID uint32, payload string) []byte {
	b := make([]byte, 0, HeaderSize+len(payload))
	for _, v := range []uint32{uint32(typ), reqID, txID, uint32(len(payload))} {
		b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	return append(b, payload...)
}
