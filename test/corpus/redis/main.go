// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"github.com/redis/go-redis/v9"
)

func main() {
	o, err := redis.ParseURL("redis://:pw@cache.example.com:6380/2")
	fmt.Println(o.Addr, o.DB, err)
}
