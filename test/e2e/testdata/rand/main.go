// rand prints 16 bytes from crypto/rand.
package main

import (
	"crypto/rand"
	"fmt"
)

func main() {
	b := make([]byte, 16)
	rand.Read(b)
	fmt.Printf("random %x\n", b)
}
