// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	jsoniter "github.com/json-iterator/go"
)

func main() {
	b, _ := jsoniter.ConfigCompatibleWithStandardLibrary.Marshal(map[string]int{"b": 2, "a": 1})
	fmt.Println(string(b))
}
