package main

import (
	"fmt"
	"os"

	"example.com/app/term"
	"example.com/isatty"
)

func main() {
	fmt.Println(isatty.IsTerminal(os.Stdout.Fd()), term.Check())
}
