// sigterm waits for SIGTERM (xl shutdown on the test host), or, with the
// argument "ignore", waits without handling it.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "ignore" {
		fmt.Println("ready")
		time.Sleep(time.Hour)
		return
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM)
	fmt.Println("ready")
	s := <-c
	fmt.Println("got", s)
	fmt.Println("cleaning up")
}
