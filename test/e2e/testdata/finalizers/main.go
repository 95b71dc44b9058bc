// Finalizers and cleanups run after their objects become unreachable.
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

type obj struct{ buf [1024]byte }

func main() {
	var finalized, cleaned atomic.Int32
	for i := 0; i < 100; i++ {
		o := &obj{}
		runtime.SetFinalizer(o, func(*obj) { finalized.Add(1) })
		p := &obj{}
		runtime.AddCleanup(p, func(int) { cleaned.Add(1) }, i)
	}
	deadline := time.Now().Add(10 * time.Second)
	for (finalized.Load() < 100 || cleaned.Load() < 100) && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Printf("finalized=%d cleaned=%d\n", finalized.Load(), cleaned.Load())
}
