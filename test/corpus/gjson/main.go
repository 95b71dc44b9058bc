// Copyright 2026 The Go for Xen Authors.

package main

import (
	"fmt"

	"github.com/tidwall/gjson"
)

func main() {
	fmt.Println(gjson.Get(`{"a":{"b":[1,2,{"c":"xen"}]}}`, "a.b.2.c"), gjson.Get(`[1,2,3]`, "#"))
}
