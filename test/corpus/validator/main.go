// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"github.com/go-playground/validator/v10"
)

type User struct {
	Name  string `validate:"required"`
	Email string `validate:"required,email"`
}

func main() {
	v := validator.New()
	fmt.Println(v.Struct(User{Name: "x", Email: "x@example.com"}))
	fmt.Println(v.Struct(User{Email: "nope"}))
}
