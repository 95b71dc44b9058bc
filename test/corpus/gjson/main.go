// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"github.com/tidwall/gjson"
)

func main() {
	fmt.Println(gjson.Get(`{"a":{"b":[1,2,{"c":"xen"}]}}`, "a.b.2.c"), gjson.Get(`[1,2,3]`, "#"))
}
