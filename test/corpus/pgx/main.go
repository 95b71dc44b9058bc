// Copyright 2026 The Go for Xen Authors.

package main

import (
	"fmt"

	"github.com/jackc/pgx/v5"
)

func main() {
	c, err := pgx.ParseConfig("postgres://user:pw@db.example.com:5433/app?sslmode=disable")
	fmt.Println(c.Host, c.Port, c.Database, c.User, err)
}
