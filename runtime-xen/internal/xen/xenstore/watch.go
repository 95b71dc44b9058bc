// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xenstore

import (
	"context"
	"internal/strconv"
	"sync"
)

// A Watch delivers the paths of changes at or below a watched path.
type Watch struct {
	// C receives the path of each change: the watched path itself once when
	// the watch is set up, then the changed path (relative if the watched
	// path is). Watches may fire spuriously, so receivers re-read what they
	// care about. A change to a path that is still queued, not yet received,
	// is not queued again; events are never lost otherwise. C is closed by
	// Unwatch and when the client stops.
	C <-chan string

	c     *Client
	path  string
	token string
	ch    chan string

	mu     sync.Mutex
	queue  []string
	queued map[string]bool
	signal chan struct{} // buffered: something was queued
	done   chan struct{} // closed by stop
	once   sync.Once
}

// Watch sets a watch on path (a node path, or a special one such as
// "@releaseDomain") and starts a goroutine that feeds its channel.
func (c *Client) Watch(ctx context.Context, path string) (*Watch, error) {
	if path == "" || containsNUL(path) {
		return nil, &OpError{"watch", path, EINVAL}
	}
	w := &Watch{
		c:      c,
		path:   path,
		ch:     make(chan string),
		queued: make(map[string]bool),
		signal: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	w.C = w.ch
	// Register before asking: the first event may come before the reply.
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, &OpError{"watch", path, c.err}
	}
	c.lastTok++
	w.token = "go" + strconv.FormatUint(c.lastTok, 10)
	c.watches[w.token] = w
	c.mu.Unlock()
	go w.pump()

	orphan := func(m *Message) {
		if checkReply(m, TypeWatch) == nil {
			c.unwatch(context.Background(), path, w.token)
		}
	}
	_, err := c.roundTrip(ctx, TypeWatch, 0, w.payload(), orphan)
	if err != nil {
		w.remove()
		return nil, &OpError{"watch", path, err}
	}
	return w, nil
}

// Path returns the watched path.
func (w *Watch) Path() string { return w.path }

// Unwatch removes the watch and closes C.
func (w *Watch) Unwatch(ctx context.Context) error {
	w.remove()
	if err := w.c.unwatch(ctx, w.path, w.token); err != nil {
		return &OpError{"unwatch", w.path, err}
	}
	return nil
}

func (c *Client) unwatch(ctx context.Context, path, token string) error {
	_, err := c.roundTrip(ctx, TypeUnwatch, 0, watchPayload(path, token), nil)
	return err
}

func (w *Watch) payload() []byte { return watchPayload(w.path, w.token) }

func watchPayload(path, token string) []byte {
	p := append([]byte(path), 0)
	p = append(p, token...)
	return append(p, 0)
}

// remove unregisters the watch from its client and stops it.
func (w *Watch) remove() {
	w.c.mu.Lock()
	if w.c.watches[w.token] == w {
		delete(w.c.watches, w.token)
	}
	w.c.mu.Unlock()
	w.stop()
}

func (w *Watch) stop() { w.once.Do(func() { close(w.done) }) }

// deliver queues an event; the reader goroutine calls it and must not block.
func (w *Watch) deliver(path string) {
	w.mu.Lock()
	if !w.queued[path] {
		w.queued[path] = true
		w.queue = append(w.queue, path)
	}
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// pump moves queued events to C until the watch stops.
func (w *Watch) pump() {
	defer close(w.ch)
	for {
		w.mu.Lock()
		if len(w.queue) == 0 {
			w.mu.Unlock()
			select {
			case <-w.signal:
				continue
			case <-w.done:
				return
			}
		}
		p := w.queue[0]
		w.queue = w.queue[1:]
		if len(w.queue) == 0 {
			w.queue = nil // let the array go
		}
		delete(w.queued, p)
		w.mu.Unlock()
		select {
		case w.ch <- p:
		case <-w.done:
			return
		}
	}
}
