// Holds a 400 MiB live heap (run in a 512 MiB domain).
package main

import (
	"fmt"
	"runtime"
)

func main() {
	const chunk = 1 << 20
	var live [][]byte
	for i := 0; i < 400; i++ {
		b := make([]byte, chunk)
		for j := 0; j < len(b); j += 4096 {
			b[j] = byte(i)
		}
		live = append(live, b)
	}
	runtime.GC()
	sum := 0
	for i, b := range live {
		if b[0] != byte(i) {
			panic("corrupted")
		}
		sum += len(b)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("live=%dMiB heap>=400MiB:%v\n", sum>>20, ms.HeapAlloc >= 400<<20)
}
