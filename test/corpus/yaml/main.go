// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

func main() {
	var v struct {
		Name  string `yaml:"name"`
		Ports []int  `yaml:"ports"`
	}
	yaml.Unmarshal([]byte("name: xen\nports: [80, 443]\n"), &v)
	out, _ := yaml.Marshal(v)
	fmt.Printf("%+v\n%s", v, out)
}
