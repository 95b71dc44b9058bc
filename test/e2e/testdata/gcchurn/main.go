// Allocates many times the domain's memory in short-lived objects; the
// collector must keep up and the live heap stay small.
package main

import (
	"fmt"
	"runtime"
)

type node struct {
	next *node
	data [64]byte
}

var sink *node

func main() {
	const total = 4 << 30 // 4 GiB of allocations in a 128 MiB domain
	var allocated uint64
	var keep []*node
	for allocated < total {
		var head *node
		for i := 0; i < 1000; i++ {
			head = &node{next: head}
			allocated += 80
		}
		buf := make([]byte, 1<<20)
		buf[len(buf)-1] = 1
		allocated += uint64(len(buf))
		sink = head
		if len(keep) < 100 {
			keep = append(keep, head) // 8 MB of long-lived data, too
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("allocated=%dMiB gcs>=100:%v heap<64MiB:%v kept=%d\n", allocated>>20, ms.NumGC >= 100, ms.HeapAlloc < 64<<20, len(keep))
}
