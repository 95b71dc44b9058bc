// Executes an invalid instruction (UD2): an unexpected trap, which prints the
// registers and a traceback and ends the domain as crashed. With the argument
// "wild" it writes to an unmapped address instead: "unexpected fault
// address", the trap's registers and a traceback, and a crash as well.
package main

import (
	"fmt"
	"os"
	"unsafe"
)

func ud2()

// wildAddress is canonical, far above the heap, and never mapped.
const wildAddress = 0x7f0000000000

func main() {
	fmt.Println("about to trap")
	if len(os.Args) > 1 && os.Args[1] == "wild" {
		*(*int)(unsafe.Pointer(uintptr(wildAddress))) = 1
	} else {
		ud2()
	}
	fmt.Println("not reached")
}
