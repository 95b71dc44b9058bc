// Copyright 2026 The Go for Xen Authors.

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
