// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"github.com/jackc/pgx/v5"
)

func main() {
	c, err := pgx.ParseConfig("postgres://user:pw@db.example.com:5433/app?sslmode=disable")
	fmt.Println(c.Host, c.Port, c.Database, c.User, err)
}
