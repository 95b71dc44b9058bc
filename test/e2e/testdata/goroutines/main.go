// 10,000 goroutines pass values through channels; the sum must be exact.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	const n = 10000
	in := make(chan int)
	out := make(chan int, 100)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := <-in
			out <- v * 2
		}()
	}
	go func() {
		for i := 1; i <= n; i++ {
			in <- i
		}
	}()
	go func() { wg.Wait(); close(out) }()
	sum, count := 0, 0
	for v := range out {
		sum += v
		count++
	}
	// A ring of goroutines passing a token around 10 times.
	const ring = 1000
	first := make(chan int)
	prev := first
	for i := 0; i < ring; i++ {
		next := make(chan int)
		go func(in <-chan int, out chan<- int) {
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(prev, next)
		prev = next
	}
	last := prev
	token := 0
	for lap := 0; lap < 10; lap++ {
		first <- token
		token = <-last
	}
	close(first)
	fmt.Printf("goroutines=%d sum=%d ring=%d\n", count, sum, token)
	fmt.Println("GOMAXPROCS", runtime.GOMAXPROCS(0))
}
