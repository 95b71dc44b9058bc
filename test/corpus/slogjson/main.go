// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"log/slog"
	"os"

	"github.com/lmittmann/tint"
)

func main() {
	l := slog.New(tint.NewHandler(os.Stdout, &tint.Options{NoColor: true, TimeFormat: "-", ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	l.Info("tint works", "n", 3)
}
