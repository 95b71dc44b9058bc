// Copyright 2026 The Go for Xen Authors.

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
