// stdin reads its console input to the end: it prints a prompt without a
// newline first (the runner's input mark must not show in the output), then
// the number of lines and bytes and their SHA-256, then what a read after the
// end gives.
package main

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"os"
)

func main() {
	fmt.Print("input? ")
	h := sha256.New()
	sc := bufio.NewScanner(os.Stdin)
	lines, bytes := 0, 0
	for sc.Scan() {
		lines++
		bytes += len(sc.Bytes()) + 1
		h.Write(sc.Bytes())
		h.Write([]byte{'\n'})
	}
	fmt.Printf("\nlines %d bytes %d sha256 %x err %v\n", lines, bytes, h.Sum(nil), sc.Err())
	n, err := os.Stdin.Read(make([]byte, 10))
	fmt.Printf("after the end: %d %v\n", n, err)
}
