// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

func main() {
	fmt.Println(cases.Title(language.Dutch).String("ijssel go for xen"))
	message.NewPrinter(language.German).Printf("%d\n", 1234567)
}
