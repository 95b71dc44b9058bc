// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	var loud bool
	root := &cobra.Command{Use: "app"}
	greet := &cobra.Command{Use: "greet NAME", Args: cobra.ExactArgs(1), Run: func(cmd *cobra.Command, args []string) {
		s := "hello, " + args[0]
		if loud {
			s += "!"
		}
		fmt.Println(s)
	}}
	greet.Flags().BoolVar(&loud, "loud", false, "shout")
	root.AddCommand(greet)
	root.SetArgs([]string{"greet", "--loud", "xen"})
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
