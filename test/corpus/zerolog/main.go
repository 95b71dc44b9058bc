// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"os"

	"github.com/rs/zerolog"
)

func main() {
	l := zerolog.New(os.Stdout)
	l.Info().Str("lib", "zerolog").Int("n", 3).Msg("works")
	l.Error().Bool("ok", false).Send()
}
