// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"github.com/fatih/color"
)

func main() {
	color.NoColor = false
	fmt.Printf("%q\n", color.New(color.FgRed, color.Bold).Sprint("red"))
}
