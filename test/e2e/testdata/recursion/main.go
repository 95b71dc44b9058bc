// Deep recursion grows goroutine stacks (here to hundreds of MiB of frames).
package main

import "fmt"

func depth(n int) int {
	var pad [128]byte
	pad[n%128] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return depth(n-1) + int(pad[n%128]&1)
}

func main() {
	fmt.Println("main:", depth(1_000_000))
	done := make(chan int)
	go func() { done <- depth(200_000) }()
	fmt.Println("goroutine:", <-done)
}
