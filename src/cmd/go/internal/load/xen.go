// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package load

import (
	"context"

	"cmd/go/internal/cfg"
	"cmd/go/internal/modload"
)

// xenNetstack is GOOS=xen's network stack. There are no kernel sockets on
// xen: package net opens its sockets on the stack, which registers itself
// with net's side of it (internal/xen/netapi) when it initializes. So every
// GOOS=xen program whose dependencies include net links the stack, with no
// import by the program; the linker loads it and initializes it before the
// program's own packages (cmd/link/internal/ld/xenelf.go). A program that does
// not use net does not carry it.
//
// It is loaded as the linker's implicit dependencies of a test main are (the
// importer is the command line, not the program), so it can stay internal:
// the program itself still cannot import it.
const xenNetstack = "internal/xen/netstack"

// xenLinkDep returns the network stack when a GOOS=xen main package's
// dependencies, given by roots, include net; otherwise nil.
func xenLinkDep(s *modload.State, ctx context.Context, opts PackageOpts, pre *preload, stk *ImportStack, roots ...*Package) *Package {
	if cfg.Goos != "xen" {
		return nil
	}
	var list []*Package
	for _, r := range roots {
		if r != nil {
			list = append(list, r)
		}
	}
	usesNet := false
	for _, p := range PackageList(list) {
		switch {
		case p.ImportPath == xenNetstack:
			return nil // already there (its own tests)
		case p.ImportPath == "net" && p.Standard:
			usesNet = true
		}
	}
	if !usesNet {
		return nil
	}
	p, _ := loadImport(s, ctx, opts, pre, xenNetstack, "", nil, stk, nil, 0)
	return p
}
