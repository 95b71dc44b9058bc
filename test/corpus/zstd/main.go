// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

func main() {
	data := bytes.Repeat([]byte("go for xen "), 1000)
	enc, _ := zstd.NewWriter(nil)
	c := enc.EncodeAll(data, nil)
	dec, _ := zstd.NewReader(nil)
	d, err := dec.DecodeAll(c, nil)
	fmt.Println(len(data), len(c) < len(data)/10, bytes.Equal(d, data), err)
}
