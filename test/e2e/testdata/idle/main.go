// Blocks on a timer with nothing else to do: the vCPU halts until it fires.
package main

import (
	"fmt"
	"time"
)

func main() {
	t0 := time.Now()
	<-time.After(3 * time.Second)
	fmt.Printf("woke after %v\n", time.Since(t0).Round(100*time.Millisecond))
}
