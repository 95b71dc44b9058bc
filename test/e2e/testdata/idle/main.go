// Blocks on a timer with nothing else to do: the vCPU halts until it fires.
// The first argument is the number of seconds (default 3).
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	secs := 3
	if len(os.Args) > 1 {
		secs, _ = strconv.Atoi(os.Args[1])
	}
	t0 := time.Now()
	<-time.After(time.Duration(secs) * time.Second)
	fmt.Printf("woke after %v\n", time.Since(t0).Round(100*time.Millisecond))
}
