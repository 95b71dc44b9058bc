// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"
	"strings"

	"github.com/spf13/viper"
)

func main() {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(strings.NewReader("server:\n  port: 8080\n  name: corpus\n")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.GetInt("server.port"), v.GetString("server.name"))
}
