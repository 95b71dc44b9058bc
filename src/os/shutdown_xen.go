// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package os

import (
	"context"
	"internal/xen/xenstore"
	_ "unsafe" // for go:linkname
)

// The toolstack asks a domU to stop by writing "poweroff", "reboot" or
// "suspend" to its xenstore key control/shutdown (xl shutdown, xl reboot;
// docs/misc/xenstore-paths.pandoc). A program gets SIGTERM, through
// os/signal, as a Linux process does when its system shuts down; one that
// does not handle SIGTERM ends with status 143 (128+15), and the domain then
// powers off or reboots as asked. Suspend is not supported: the request is
// refused with a message.
func init() {
	if c, err := xenstore.Local(); err == nil {
		go watchShutdown(c)
	}
}

const shutdownKey = "control/shutdown"

func watchShutdown(c *xenstore.Client) {
	ctx := context.Background()
	// Say which requests are answered, as PV drivers do.
	c.Write(ctx, "control/feature-poweroff", "1")
	c.Write(ctx, "control/feature-reboot", "1")
	w, err := c.Watch(ctx, shutdownKey)
	if err != nil {
		return
	}
	for range w.C {
		req, err := c.Read(ctx, shutdownKey)
		if err != nil || req == "" {
			continue
		}
		// Acknowledge: the toolstack waits for the key to be cleared.
		c.Write(ctx, shutdownKey, "")
		switch req {
		case "poweroff", "halt":
			runtime_xenShutdownRequest(false)
		case "reboot":
			runtime_xenShutdownRequest(true)
		default:
			print("goxen: the toolstack asked for ", req, ", which is not supported\n")
		}
	}
}

// runtime_xenShutdownRequest delivers SIGTERM, or ends the program with
// status 143 if it does not handle SIGTERM; reboot makes the domain reboot
// rather than power off when the program ends.
//
//go:linkname runtime_xenShutdownRequest
func runtime_xenShutdownRequest(reboot bool)
