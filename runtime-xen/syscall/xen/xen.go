// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package xen

import (
	"context"
	"internal/xen/xenstore"
	"strconv"
)

// ErrNoStore is the error of every xenstore call in a domain without xenstore.
var ErrNoStore = xenstore.ErrNoStore

func client() (*xenstore.Client, error) { return xenstore.Local() }

// DomID returns the domain's id (its xenstore key "domid").
func DomID() (int, error) {
	s, err := Read("domid")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// Read returns the value of the key at path.
func Read(path string) (string, error) {
	c, err := client()
	if err != nil {
		return "", err
	}
	return c.Read(context.Background(), path)
}

// Write sets the key at path to value, making it and its parents as needed.
func Write(path, value string) error {
	c, err := client()
	if err != nil {
		return err
	}
	return c.Write(context.Background(), path, value)
}

// Remove removes the key at path and everything below it.
func Remove(path string) error {
	c, err := client()
	if err != nil {
		return err
	}
	return c.Rm(context.Background(), path)
}

// List returns the names of the keys directly below path.
func List(path string) ([]string, error) {
	c, err := client()
	if err != nil {
		return nil, err
	}
	return c.Directory(context.Background(), path)
}

// A Watcher reports changes at or below a path.
type Watcher struct {
	// C receives the path of each change: the watched path once when the
	// watch is set up, then each changed path. Changes can be reported
	// spuriously, and changes that come close together once: read what
	// matters again on each receive. C is closed by Stop.
	C <-chan string
	w *xenstore.Watch
}

// Watch starts watching path.
func Watch(path string) (*Watcher, error) {
	c, err := client()
	if err != nil {
		return nil, err
	}
	w, err := c.Watch(context.Background(), path)
	if err != nil {
		return nil, err
	}
	return &Watcher{C: w.C, w: w}, nil
}

// Stop ends the watch and closes C.
func (w *Watcher) Stop() error { return w.w.Unwatch(context.Background()) }

// A Tx is a xenstore transaction: its reads see one state of the store and
// its writes apply together or not at all.
type Tx struct{ tx *xenstore.Tx }

// Transaction runs f in a transaction and commits it; when the commit fails
// because another writer changed what the transaction read, it runs f again
// in a new one. An error from f aborts the transaction and is returned.
func Transaction(f func(tx *Tx) error) error {
	c, err := client()
	if err != nil {
		return err
	}
	return c.Transaction(context.Background(), func(tx *xenstore.Tx) error { return f(&Tx{tx}) })
}

// Read returns the value of the key at path, as the transaction sees it.
func (t *Tx) Read(path string) (string, error) { return t.tx.Read(context.Background(), path) }

// Write sets the key at path to value within the transaction.
func (t *Tx) Write(path, value string) error { return t.tx.Write(context.Background(), path, value) }

// Remove removes the key at path within the transaction.
func (t *Tx) Remove(path string) error { return t.tx.Rm(context.Background(), path) }

// List returns the names of the keys directly below path.
func (t *Tx) List(path string) ([]string, error) { return t.tx.Directory(context.Background(), path) }
