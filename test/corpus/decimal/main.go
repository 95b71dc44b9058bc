// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"github.com/shopspring/decimal"
)

func main() {
	a, _ := decimal.NewFromString("0.1")
	b, _ := decimal.NewFromString("0.2")
	fmt.Println(a.Add(b), a.Add(b).Equal(decimal.RequireFromString("0.3")))
}
