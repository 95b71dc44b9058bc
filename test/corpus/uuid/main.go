// Copyright 2026 The Go for Xen Authors.

package main

import (
	"fmt"

	"github.com/google/uuid"
)

func main() {
	fmt.Println(uuid.NewSHA1(uuid.NameSpaceDNS, []byte("example.com")))
	fmt.Println(uuid.New().Version())
}
