// Probe is a GOOS=xen program that the runner's tests run: its first
// argument says what to do.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: probe hello|exit N|panic MSG|sleep D|echo ARGS...|both|flood N")
		os.Exit(1)
	}
	switch os.Args[1] {
	case "hello":
		fmt.Println("hello from xen")
	case "exit":
		n, _ := strconv.Atoi(os.Args[2])
		fmt.Println("exiting with", n)
		os.Exit(n)
	case "panic":
		panic(os.Args[2])
	case "sleep":
		d, _ := time.ParseDuration(os.Args[2])
		fmt.Println("sleeping", d)
		time.Sleep(d)
		fmt.Println("woke up")
	case "echo":
		fmt.Printf("argv0 %q\n", os.Args[0])
		for _, a := range os.Args[2:] {
			fmt.Printf("arg %q\n", a)
		}
		for _, kv := range os.Environ() {
			fmt.Printf("env %q\n", kv)
		}
		wd, err := os.Getwd()
		fmt.Printf("wd %q %v\n", wd, err)
	case "both":
		fmt.Println("to stdout")
		fmt.Fprintln(os.Stderr, "to stderr")
		fmt.Print("stdout, no newline")
		fmt.Fprint(os.Stderr, "stderr, no newline")
	case "flood":
		n, _ := strconv.Atoi(os.Args[2])
		line := strings.Repeat("0123456789", 10)
		for i := 0; i < n; i++ {
			fmt.Printf("%06d %s\n", i, line)
		}
	default:
		fmt.Println("unknown mode", os.Args[1])
		os.Exit(1)
	}
}
