// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package time

import "syscall"

// Zone data on Xen comes from these directories when a boot module provides
// them, or from time/tzdata when the program embeds it.
var platformZoneSources = []string{
	"/usr/share/zoneinfo/",
	"/usr/share/lib/zoneinfo/",
	"/usr/lib/locale/TZ/",
}

// initLocal sets the local zone from $TZ as Unix does (TZ=Europe/Paris,
// TZ=:Europe/Paris, or TZ=/path/to/zonefile). A guest has no /etc/localtime,
// so without TZ, or with one that cannot be loaded, local time is UTC.
func initLocal() {
	tz, _ := syscall.Getenv("TZ")
	if tz != "" && tz[0] == ':' {
		tz = tz[1:]
	}
	if tz != "" && tz != "UTC" {
		sources := platformZoneSources
		if tz[0] == '/' {
			sources = []string{""}
		}
		if z, err := loadLocation(tz, sources); err == nil {
			localLoc = *z
			localLoc.name = tz
			return
		}
	}
	localLoc.name = "UTC"
}
