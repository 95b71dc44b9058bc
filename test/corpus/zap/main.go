// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import "go.uber.org/zap"

func main() {
	l := zap.NewExample()
	defer l.Sync()
	l.Info("zap works", zap.String("goos", "any"), zap.Int("n", 3))
	l.Sugar().Warnw("sugared", "k", "v")
}
