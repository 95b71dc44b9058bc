// Copyright 2026 The Go for Xen Authors.

package main

import (
	"fmt"

	"github.com/redis/go-redis/v9"
)

func main() {
	o, err := redis.ParseURL("redis://:pw@cache.example.com:6380/2")
	fmt.Println(o.Addr, o.DB, err)
}
