// Copyright 2026 The Go for Xen Authors.

package main

import (
	"fmt"

	jsoniter "github.com/json-iterator/go"
)

func main() {
	b, _ := jsoniter.ConfigCompatibleWithStandardLibrary.Marshal(map[string]int{"b": 2, "a": 1})
	fmt.Println(string(b))
}
