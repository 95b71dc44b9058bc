// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

func main() {
	var v struct {
		Title string
		Owner struct{ Name string }
	}
	_, err := toml.Decode("title = \"corpus\"\n[owner]\nname = \"xen\"\n", &v)
	fmt.Println(v.Title, v.Owner.Name, err)
}
