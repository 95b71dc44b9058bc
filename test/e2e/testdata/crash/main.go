// Executes an invalid instruction (UD2): an unexpected trap, which prints the
// registers and a traceback and ends the domain as crashed.
package main

import "fmt"

func ud2()

func main() {
	fmt.Println("about to trap")
	ud2()
	fmt.Println("not reached")
}
