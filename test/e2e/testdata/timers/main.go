// Sleep, timers, tickers, select with time.After and context deadlines behave
// as on Linux (durations are checked loosely: the emulator is slow).
package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

func check(what string, d, min, max time.Duration) {
	if d < min || d > max {
		fmt.Printf("%s took %v, want [%v, %v]\n", what, d, min, max)
		return
	}
	fmt.Printf("%s ok\n", what)
}

func main() {
	t0 := time.Now()
	time.Sleep(200 * time.Millisecond)
	check("sleep", time.Since(t0), 200*time.Millisecond, 2*time.Second)

	t0 = time.Now()
	tk := time.NewTicker(50 * time.Millisecond)
	for i := 0; i < 5; i++ {
		<-tk.C
	}
	tk.Stop()
	check("ticker", time.Since(t0), 250*time.Millisecond, 3*time.Second)

	t0 = time.Now()
	never := make(chan int)
	select {
	case <-never:
	case <-time.After(100 * time.Millisecond):
	}
	check("select", time.Since(t0), 100*time.Millisecond, 2*time.Second)

	t0 = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		fmt.Println("context error:", ctx.Err())
	}
	check("context", time.Since(t0), 150*time.Millisecond, 2*time.Second)

	t0 = time.Now()
	done := make(chan time.Duration)
	time.AfterFunc(100*time.Millisecond, func() { done <- time.Since(t0) })
	check("afterfunc", <-done, 100*time.Millisecond, 2*time.Second)

	tm := time.NewTimer(time.Hour)
	if !tm.Stop() {
		fmt.Println("stop of a pending timer returned false")
	}
	tm.Reset(10 * time.Millisecond)
	<-tm.C
	fmt.Println("reset ok")

	// Monotonic and wall clocks agree over a sleep.
	w0, m0 := time.Now().Round(0), time.Now()
	time.Sleep(300 * time.Millisecond)
	dw, dm := time.Now().Round(0).Sub(w0), time.Since(m0)
	if diff := dw - dm; diff < -50*time.Millisecond || diff > 50*time.Millisecond {
		fmt.Printf("wall %v and monotonic %v disagree\n", dw, dm)
	} else {
		fmt.Println("clocks ok")
	}
	if y := time.Now().Year(); y < 2024 {
		fmt.Println("wall clock says", y)
	}
}
