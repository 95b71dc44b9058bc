// Copyright 2026 The Go for Xen Authors.

package main

import (
	"fmt"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

func main() {
	fmt.Println(cases.Title(language.Dutch).String("ijssel go for xen"))
	message.NewPrinter(language.German).Printf("%d\n", 1234567)
}
