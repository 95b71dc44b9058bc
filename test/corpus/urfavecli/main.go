// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func main() {
	app := &cli.App{Name: "app", Flags: []cli.Flag{&cli.IntFlag{Name: "n", Value: 1}},
		Action: func(c *cli.Context) error { fmt.Println("n =", c.Int("n"), "args", c.Args().Slice()); return nil }}
	if err := app.Run([]string{"app", "-n", "5", "a", "b"}); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}
