// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Hello is the sample unikernel: GOOS=xen go run ./examples/hello boots it on
// Xen (in QEMU) and it says where it is.
package main

import (
	"fmt"
	"os"
	"runtime"
	"time"
)

func main() {
	fmt.Printf("hello from Go %s on %s/%s, running as a Xen guest\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("arguments: %q\n", os.Args[1:])
	fmt.Printf("the time is %s\n", time.Now().UTC().Format(time.RFC1123))
}
