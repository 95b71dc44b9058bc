// Copyright 2026 The Go for Xen Authors.

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
