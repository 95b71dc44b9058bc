// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

func main() {
	f := flock.New(filepath.Join(os.TempDir(), "corpus.lock"))
	ok, err := f.TryLock()
	fmt.Println(ok, err)
	f.Unlock()
}
