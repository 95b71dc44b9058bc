// Prints its arguments and selected environment variables, quoted.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	for i, a := range os.Args[1:] {
		fmt.Printf("arg%d=%q\n", i+1, a)
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOXENTEST_") {
			fmt.Printf("env %q\n", kv)
		}
	}
}
