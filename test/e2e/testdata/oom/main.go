// Keeps allocating live memory until there is none: Go's "fatal error: out of
// memory", not a hang.
package main

import "fmt"

func main() {
	var live [][]byte
	for i := 0; ; i++ {
		b := make([]byte, 1<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		live = append(live, b)
		if i%64 == 0 {
			fmt.Printf("%d MiB\n", i)
		}
	}
}
