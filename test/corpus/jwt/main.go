// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

func main() {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "xen", "iat": 1700000000})
	s, err := t.SignedString([]byte("secret"))
	fmt.Println(s, err)
	p, err := jwt.Parse(s, func(*jwt.Token) (any, error) { return []byte("secret"), nil })
	fmt.Println(p.Valid, err)
}
