// Copyright 2026 The Go for Xen Authors.

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
