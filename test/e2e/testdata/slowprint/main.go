// slowprint prints a line, sleeps for the duration in its first argument,
// and prints another: a runner that streams the console shows the first
// line while the program sleeps.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	d, err := time.ParseDuration(os.Args[1])
	if err != nil {
		panic(err)
	}
	fmt.Println("before the sleep")
	time.Sleep(d)
	fmt.Println("after the sleep")
}
