// tz prints the local zone and an instant in it; it embeds time/tzdata, so
// named zones load without files.
package main

import (
	"fmt"
	"time"
	_ "time/tzdata"
)

func main() {
	t := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	fmt.Printf("local %s %s\n", time.Local, t.In(time.Local).Format("15:04 MST"))
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		fmt.Println("Asia/Tokyo:", err)
		return
	}
	fmt.Printf("tokyo %s\n", t.In(tokyo).Format("15:04 MST"))
}
