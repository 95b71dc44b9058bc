// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package gnttab keeps a domain's grant table: the pages it lets other
// domains (its backends) map or copy, one entry per grant (Xen's
// xen/include/public/grant_table.h, version 1 entries).
//
// The table is memory the domain shares with Xen: the runtime maps its frames
// (XENMEM_add_to_physmap, XENMAPSPACE_grant_table) and hands them to New.
// The logic here is plain Go on those frames, so it builds and is tested on
// any platform against frames in ordinary memory, with the test playing
// Xen's part (setting GTF_reading/GTF_writing as a mapping backend would).
package gnttab
