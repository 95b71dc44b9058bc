// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"os"

	"github.com/sirupsen/logrus"
)

func main() {
	l := logrus.New()
	l.SetOutput(os.Stdout)
	l.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true, DisableColors: true})
	l.WithField("port", "xen").Info("logrus works")
	l.SetFormatter(&logrus.JSONFormatter{DisableTimestamp: true})
	l.WithField("n", 3).Warn("as JSON")
}
