// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

func main() {
	k := argon2.IDKey([]byte("pw"), []byte("saltsalt"), 1, 8*1024, 1, 32)
	a, _ := chacha20poly1305.New(k)
	fmt.Printf("%x\n%x\n", k, a.Seal(nil, make([]byte, 12), []byte("hello"), nil))
}
