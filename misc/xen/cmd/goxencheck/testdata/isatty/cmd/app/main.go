package main

import (
	"fmt"
	"os"

	"example.com/app/du"
	"example.com/app/term"
	"example.com/isatty"
)

func main() {
	fmt.Println(isatty.IsTerminal(os.Stdout.Fd()), term.Check(), du.Free("/"))
}
