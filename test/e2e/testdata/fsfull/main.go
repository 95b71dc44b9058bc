// fsfull fills the in-memory file system until a write fails, and shows that
// the failure is ENOSPC and that removing the file gives the space back.
package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

func main() {
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	f, err := os.Create("/tmp/big")
	if err != nil {
		fmt.Println("create:", err)
		os.Exit(1)
	}
	total := 0
	for {
		n, err := f.Write(chunk)
		total += n
		if err != nil {
			fmt.Printf("wrote %d MiB, then: %v\n", total>>20, err)
			fmt.Println("ENOSPC:", errors.Is(err, syscall.ENOSPC))
			break
		}
		if total > 1<<30 {
			fmt.Println("no error after 1 GiB")
			os.Exit(1)
		}
	}
	f.Close()
	if err := os.Remove("/tmp/big"); err != nil {
		fmt.Println("remove:", err)
		os.Exit(1)
	}
	if err := os.WriteFile("/tmp/again", chunk, 0o644); err != nil {
		fmt.Println("write after remove:", err)
		os.Exit(1)
	}
	fmt.Println("space back after remove")
}
