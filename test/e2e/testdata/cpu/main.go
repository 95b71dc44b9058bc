// Reports whether the start-of-day code enabled the vector state the CPU
// offers (CR4.OSXSAVE and XCR0), and uses an AVX instruction, which faults
// unless it did.
package main

import "fmt"

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() uint32
func avxXor(a, b [4]uint64) [4]uint64

func main() {
	_, _, ecx, _ := cpuid(1, 0)
	hasAVX, osxsave := ecx&(1<<28) != 0, ecx&(1<<27) != 0
	fmt.Printf("cpu has AVX: %v, OSXSAVE: %v\n", hasAVX, osxsave)
	if !osxsave {
		return
	}
	xcr0 := xgetbv()
	fmt.Printf("XCR0 has SSE: %v, AVX: %v\n", xcr0&2 != 0, xcr0&4 != 0)
	if hasAVX && xcr0&6 == 6 {
		r := avxXor([4]uint64{1, 2, 3, 4}, [4]uint64{1, 1, 1, 1})
		fmt.Printf("vpxor: %v\n", r)
	}
}
