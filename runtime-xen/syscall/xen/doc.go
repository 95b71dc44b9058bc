// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

// Package xen gives a Go program running on Xen (GOOS=xen) access to its
// own domain, as syscall/js gives a js/wasm program the JavaScript host: its
// domain id and its keys in xenstore, which the toolstack and the control
// domain use to configure it and talk to it; event channels, the doorbells
// between domains; and grants, which let another domain map or copy pages
// of this one's memory (the two halves of every split device driver).
//
// Paths are xenstore paths; a relative one is relative to the domain's home
// path, /local/domain/ID (so "name" is the domain's name). Errors wrap
// xenstore's error replies and match io/fs's sentinels:
// errors.Is(err, fs.ErrNotExist) for a missing key, fs.ErrPermission for one
// the domain may not touch.
//
// The control domain (dom0) has no xenstore connection: there every
// xenstore call fails with ErrNoStore.
package xen
