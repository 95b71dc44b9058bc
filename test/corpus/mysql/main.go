// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"github.com/go-sql-driver/mysql"
)

func main() {
	c, err := mysql.ParseDSN("user:pw@tcp(db.example.com:3306)/app?parseTime=true")
	fmt.Println(c.Addr, c.DBName, c.ParseTime, err)
}
