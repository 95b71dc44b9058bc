// streams writes to stdout and stderr in turn: numbered lines, then a last
// piece of each without a newline. With the argument "panic" it then
// panics (the panic and its traceback go to stderr, as on Linux).
package main

import (
	"fmt"
	"os"
)

func main() {
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(os.Stdout, "out %d\n", i)
		fmt.Fprintf(os.Stderr, "err %d\n", i)
		if i%7 == 0 {
			fmt.Fprintf(os.Stderr, "err %d again\n", i)
		}
	}
	fmt.Fprint(os.Stdout, "out end")
	fmt.Fprint(os.Stderr, "err end")
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		panic("boom")
	}
}
