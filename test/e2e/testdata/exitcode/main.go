// Exits as its first argument says: a status, "return", or "panic".
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	fmt.Print("before exit") // no newline: the status line must still start a line
	switch arg := os.Args[1]; arg {
	case "return":
		return
	case "panic":
		panic("boom")
	default:
		n, err := strconv.Atoi(arg)
		if err != nil {
			panic(err)
		}
		os.Exit(n)
	}
}
