// Big is a GOOS=xen program with a 12 MiB image, too large for a small
// domain.
package main

import "fmt"

var blob = [12 << 20]byte{1, 2, 3}

func main() {
	fmt.Println(len(blob), blob[1])
}
