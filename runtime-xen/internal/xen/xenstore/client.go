// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenstore

import (
	"context"
	"errors"
	"internal/strconv"
	"io"
	"sync"
)

// A Client sends requests to xenstored over a transport (a Ring, or any byte
// stream carrying the protocol) and matches the replies to them by req_id.
// Its methods may be called from many goroutines at once. One goroutine,
// started by NewClient, reads the transport and hands out replies and watch
// events.
//
// Paths are as the protocol has them: absolute ("/local/domain/0/name") or
// relative to the domain's home, /local/domain/<domid> ("device/vif/0").
// Values are byte strings carried in Go strings.
//
// A context that is done abandons the wait for a request's reply (a request
// already being written is written whole first); a late reply is discarded,
// and a transaction or watch it created is ended or removed.
type Client struct {
	t     io.ReadWriter
	wlock chan struct{} // holds one token while a request is being written

	mu      sync.Mutex
	err     error // why the client stopped; nil while it works
	done    chan struct{}
	lastID  uint32
	pending map[uint32]*call
	watches map[string]*Watch // by token
	lastTok uint64
}

type call struct {
	reply  chan *Message  // buffered; receives the reply, sent under Client.mu
	orphan func(*Message) // set once the caller gave up: run for the late reply
}

// NewClient returns a client speaking over t and starts its reader
// goroutine. If t is an io.Closer, Close and connection failures close it.
func NewClient(t io.ReadWriter) *Client {
	c := &Client{
		t:       t,
		wlock:   make(chan struct{}, 1),
		done:    make(chan struct{}),
		pending: make(map[uint32]*call),
		watches: make(map[string]*Watch),
	}
	go c.readLoop()
	return c
}

// Close stops the client: pending and later requests fail with ErrClosed
// and watch channels are closed. It closes the transport if it can.
func (c *Client) Close() error {
	c.fail(ErrClosed)
	return nil
}

func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	close(c.done)
	ws := c.watches
	c.watches = nil
	c.pending = nil
	c.mu.Unlock()
	for _, w := range ws {
		w.stop()
	}
	if cl, ok := c.t.(io.Closer); ok {
		cl.Close()
	}
}

func (c *Client) readLoop() {
	for {
		m, err := ReadMessage(c.t)
		if err != nil {
			c.fail(&brokenError{err})
			return
		}
		if m.Type == TypeWatchEvent {
			path, token, ok := parseWatchEvent(m.Payload)
			c.mu.Lock()
			w := c.watches[token]
			c.mu.Unlock()
			if ok && w != nil {
				w.deliver(path)
			}
			continue
		}
		c.mu.Lock()
		cl := c.pending[m.ReqID]
		delete(c.pending, m.ReqID)
		if cl != nil && cl.orphan == nil {
			cl.reply <- m
		}
		c.mu.Unlock()
		if cl != nil && cl.orphan != nil {
			go cl.orphan(m)
		}
	}
}

// roundTrip sends a request and waits for its reply, which it checks
// against the request's type. If ctx ends the wait, orphan (if not nil) gets
// the reply when it arrives.
func (c *Client) roundTrip(ctx context.Context, typ MsgType, tx uint32, payload []byte, orphan func(*Message)) (*Message, error) {
	req := &Message{Type: typ, TxID: tx, Payload: payload}
	if len(payload) > PayloadMax {
		return nil, E2BIG // xenstored would drop the connection
	}
	cl := &call{reply: make(chan *Message, 1)}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	for {
		c.lastID++
		if _, busy := c.pending[c.lastID]; c.lastID != 0 && !busy {
			break
		}
	}
	req.ReqID = c.lastID
	c.pending[req.ReqID] = cl
	c.mu.Unlock()

	select {
	case c.wlock <- struct{}{}:
	case <-ctx.Done():
		c.abandon(req.ReqID, cl, nil)
		return nil, ctx.Err()
	case <-c.done:
		return nil, c.err
	}
	b, _ := req.Append(make([]byte, 0, HeaderSize+len(payload)))
	_, err := c.t.Write(b)
	<-c.wlock
	if err != nil {
		c.fail(&brokenError{err})
		return nil, c.err
	}

	select {
	case m := <-cl.reply:
		return m, checkReply(m, typ)
	case <-ctx.Done():
		if c.abandon(req.ReqID, cl, orphan) {
			return nil, ctx.Err()
		}
		m := <-cl.reply // already delivered
		return m, checkReply(m, typ)
	case <-c.done:
		return nil, c.err
	}
}

// abandon forgets a pending call, leaving orphan to handle a late reply. It
// reports false if the reply has already been delivered.
func (c *Client) abandon(id uint32, cl *call, orphan func(*Message)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending[id] != cl {
		// Either the reply is in cl.reply (it is sent under c.mu) or the
		// client has failed.
		return len(cl.reply) == 0
	}
	if orphan == nil {
		delete(c.pending, id)
	} else {
		cl.orphan = orphan
	}
	return true
}

// do sends a request whose payload is path, NUL, extra (the operations
// shared by Client and Tx).
func (c *Client) do(ctx context.Context, op string, typ MsgType, tx uint32, path string, extra []byte) (*Message, error) {
	if path == "" || containsNUL(path) {
		return nil, &OpError{op, path, EINVAL}
	}
	p := append(append([]byte(path), 0), extra...)
	m, err := c.roundTrip(ctx, typ, tx, p, nil)
	if err != nil {
		return nil, &OpError{op, path, err}
	}
	return m, nil
}

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

func (c *Client) read(ctx context.Context, tx uint32, path string) (string, error) {
	m, err := c.do(ctx, "read", TypeRead, tx, path, nil)
	if err != nil {
		return "", err
	}
	return string(m.Payload), nil
}

func (c *Client) write(ctx context.Context, tx uint32, path, value string) error {
	_, err := c.do(ctx, "write", TypeWrite, tx, path, []byte(value))
	return err
}

func (c *Client) directory(ctx context.Context, tx uint32, path string) ([]string, error) {
	m, err := c.do(ctx, "directory", TypeDirectory, tx, path, nil)
	if err != nil {
		return nil, err
	}
	names, err := stringList(m.Payload)
	if err != nil {
		return nil, &OpError{"directory", path, err}
	}
	return names, nil
}

// Read returns the value at path.
func (c *Client) Read(ctx context.Context, path string) (string, error) {
	return c.read(ctx, 0, path)
}

// Write stores value at path, creating missing parents with empty values.
func (c *Client) Write(ctx context.Context, path, value string) error {
	return c.write(ctx, 0, path, value)
}

// Mkdir makes path exist, with its parents; existing values are kept.
func (c *Client) Mkdir(ctx context.Context, path string) error {
	_, err := c.do(ctx, "mkdir", TypeMkdir, 0, path, nil)
	return err
}

// Rm removes path and everything below it. A missing path is not an error
// if its parent exists.
func (c *Client) Rm(ctx context.Context, path string) error {
	_, err := c.do(ctx, "rm", TypeRm, 0, path, nil)
	return err
}

// Directory returns the names of the children of path.
func (c *Client) Directory(ctx context.Context, path string) ([]string, error) {
	return c.directory(ctx, 0, path)
}

// GetDomainPath returns the home path of domain domid, /local/domain/<domid>.
func (c *Client) GetDomainPath(ctx context.Context, domid uint16) (string, error) {
	p := strconv.AppendUint(nil, uint64(domid), 10)
	m, err := c.roundTrip(ctx, TypeGetDomainPath, 0, append(p, 0), nil)
	var s string
	if err == nil {
		s, err = oneString(m.Payload)
	}
	if err != nil {
		return "", &OpError{"get domain path", string(p), err}
	}
	return s, nil
}

// Tx is a xenstore transaction: its operations see a snapshot of the store
// and take effect together at Commit, unless something they read or wrote
// changed meanwhile, in which case Commit fails with EAGAIN.
type Tx struct {
	c  *Client
	id uint32

	mu    sync.Mutex
	ended bool
}

// ErrTxDone is the error of using a transaction after Commit or Abort.
var ErrTxDone = errors.New("xenstore: transaction already ended")

// Begin starts a transaction. Transaction is usually more convenient.
func (c *Client) Begin(ctx context.Context) (*Tx, error) {
	orphan := func(m *Message) {
		if checkReply(m, TypeTransactionStart) == nil {
			if id, err := parseTxID(m.Payload); err == nil {
				c.endTx(context.Background(), id, false)
			}
		}
	}
	m, err := c.roundTrip(ctx, TypeTransactionStart, 0, []byte{0}, orphan)
	var id uint32
	if err == nil {
		id, err = parseTxID(m.Payload)
	}
	if err != nil {
		return nil, &OpError{"transaction start", "", err}
	}
	return &Tx{c: c, id: id}, nil
}

func (c *Client) endTx(ctx context.Context, id uint32, commit bool) error {
	p := []byte("F\x00")
	if commit {
		p[0] = 'T'
	}
	_, err := c.roundTrip(ctx, TypeTransactionEnd, id, p, nil)
	return err
}

// MaxTxAttempts bounds how often Transaction starts a transaction over.
const MaxTxAttempts = 10

// Transaction runs f in a transaction and commits it. If f fails, the
// transaction is aborted and f's error returned. If the commit (or anything
// in f) fails with EAGAIN, because the data changed meanwhile, f is run again
// in a new transaction, up to MaxTxAttempts times in all; then the EAGAIN
// error is returned. f must not call Commit or Abort.
func (c *Client) Transaction(ctx context.Context, f func(tx *Tx) error) error {
	var err error
	for range MaxTxAttempts {
		var tx *Tx
		tx, err = c.Begin(ctx)
		if err != nil {
			if errors.Is(err, EAGAIN) {
				continue
			}
			return err
		}
		if err = f(tx); err != nil {
			if ctx.Err() != nil {
				go tx.Abort(context.Background()) // still end it in xenstored
			} else {
				tx.Abort(ctx)
			}
		} else {
			err = tx.Commit(ctx)
		}
		if !errors.Is(err, EAGAIN) {
			return err
		}
	}
	return err
}

func (tx *Tx) end(ctx context.Context, commit bool) error {
	op := "transaction abort"
	if commit {
		op = "transaction commit"
	}
	tx.mu.Lock()
	ended := tx.ended
	tx.ended = true
	tx.mu.Unlock()
	if ended {
		return &OpError{op, "", ErrTxDone}
	}
	if err := tx.c.endTx(ctx, tx.id, commit); err != nil {
		return &OpError{op, "", err}
	}
	return nil
}

// Commit ends the transaction, applying its writes. It fails with EAGAIN if
// the transaction conflicted with other changes; see Transaction.
func (tx *Tx) Commit(ctx context.Context) error { return tx.end(ctx, true) }

// Abort ends the transaction, discarding its writes.
func (tx *Tx) Abort(ctx context.Context) error { return tx.end(ctx, false) }

func (tx *Tx) check(op, path string) error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.ended {
		return &OpError{op, path, ErrTxDone}
	}
	return nil
}

// Read is Client.Read in the transaction.
func (tx *Tx) Read(ctx context.Context, path string) (string, error) {
	if err := tx.check("read", path); err != nil {
		return "", err
	}
	return tx.c.read(ctx, tx.id, path)
}

// Write is Client.Write in the transaction.
func (tx *Tx) Write(ctx context.Context, path, value string) error {
	if err := tx.check("write", path); err != nil {
		return err
	}
	return tx.c.write(ctx, tx.id, path, value)
}

// Mkdir is Client.Mkdir in the transaction.
func (tx *Tx) Mkdir(ctx context.Context, path string) error {
	if err := tx.check("mkdir", path); err != nil {
		return err
	}
	_, err := tx.c.do(ctx, "mkdir", TypeMkdir, tx.id, path, nil)
	return err
}

// Rm is Client.Rm in the transaction.
func (tx *Tx) Rm(ctx context.Context, path string) error {
	if err := tx.check("rm", path); err != nil {
		return err
	}
	_, err := tx.c.do(ctx, "rm", TypeRm, tx.id, path, nil)
	return err
}

// Directory is Client.Directory in the transaction.
func (tx *Tx) Directory(ctx context.Context, path string) ([]string, error) {
	if err := tx.check("directory", path); err != nil {
		return nil, err
	}
	return tx.c.directory(ctx, tx.id, path)
}
