// Run-time errors panic and can be recovered, as on Linux.
package main

import (
	"errors"
	"fmt"
	"runtime"
)

var (
	nilp  *int
	zero  = 0
	slice = []int{1, 2, 3}
	index = 5
	nilm  map[string]int
	nilf  func()
)

type big struct{ a [1 << 16]byte }

var nilBig *big

func try(name string, f func()) {
	defer func() {
		r := recover()
		kind := "value"
		var re runtime.Error
		if err, ok := r.(error); ok && errors.As(err, &re) {
			kind = "runtime.Error"
		}
		fmt.Printf("%s: %s: %v\n", name, kind, r)
	}()
	f()
}

func main() {
	try("nil", func() { fmt.Println(*nilp) })
	try("nilfield", func() { fmt.Println(nilBig.a[40000]) })
	try("divide", func() { fmt.Println(10 / zero) })
	try("bounds", func() { fmt.Println(slice[index]) })
	try("nilmap", func() { nilm["x"] = 1 })
	try("nilfunc", func() { nilf() })
	try("custom", func() { panic("custom value") })
	// After all that the program still works.
	fmt.Println("still running")
}
