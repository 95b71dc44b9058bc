// Each class of call that always fails on xen, and of /proc and /sys
// paths it lacks, reachable from main; and the same unreachable.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"plugin"
	"syscall"

	"example.com/reach/lib"
)

func main() {
	out, err := exec.Command("uname", "-a").Output()
	fmt.Println(string(out), err)
	_, err = plugin.Open("x.so")
	fmt.Println(err)
	u, err := user.Lookup("nobody")
	fmt.Println(u, err)
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	signal.Notify(c, syscall.SIGHUP, syscall.SIGUSR1)
	_, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	fmt.Println(err)
	b, _ := os.ReadFile("/proc/meminfo")
	fmt.Println(len(b), lib.CgroupLimit())
	var p lib.Prober = lib.Real{}
	p.Probe()
}

// unreachable is never called: its calls are not reported.
func unreachable() {
	exec.Command("true").Run()
	os.ReadFile("/sys/class/net")
}
