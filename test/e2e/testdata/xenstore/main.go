// xenstore uses syscall/xen from inside a domU: it prints its domain id and
// name, waits (through a watch) for dom0 to set data/ping to "3", answers in
// data/pong, and runs a transaction that dom0 races: the first attempt reads
// data/x, waits until dom0 has changed it, and writes data/y = x+1; its
// commit must fail and the transaction run again with dom0's value.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall/xen"
)

func main() {
	id, err := xen.DomID()
	check(err)
	name, err := xen.Read("name")
	check(err)
	fmt.Printf("domid %d name %s\n", id, name)
	host, err := os.Hostname()
	check(err)
	fmt.Printf("hostname %s\n", host)

	check(xen.Write("data/x", "1"))
	w, err := xen.Watch("data/ping")
	check(err)
	fmt.Println("watching")
	for range w.C {
		if v, err := xen.Read("data/ping"); err == nil && v == "3" {
			break
		}
	}
	check(w.Stop())
	fmt.Println("ping 3")
	check(xen.Write("data/pong", "ok"))

	attempts := 0
	err = xen.Transaction(func(tx *xen.Tx) error {
		attempts++
		s, err := tx.Read("data/x")
		if err != nil {
			return err
		}
		x, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		if attempts == 1 {
			// Let dom0 change data/x under the transaction.
			w, err := xen.Watch("data/x")
			check(err)
			fmt.Println("in transaction")
			for range w.C {
				if v, _ := xen.Read("data/x"); v != s {
					break
				}
			}
			w.Stop()
		}
		return tx.Write("data/y", strconv.Itoa(x+1))
	})
	check(err)
	y, err := xen.Read("data/y")
	check(err)
	fmt.Printf("attempts %d y %s\n", attempts, y)

	_, err = xen.Read("data/no-such-key")
	fmt.Printf("missing key: %v\n", err)
}

func check(err error) {
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}
