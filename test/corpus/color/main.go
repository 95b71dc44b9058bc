// Copyright 2026 The Go for Xen Authors.

package main

import (
	"fmt"

	"github.com/fatih/color"
)

func main() {
	color.NoColor = false
	fmt.Printf("%q\n", color.New(color.FgRed, color.Bold).Sprint("red"))
}
