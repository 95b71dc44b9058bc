// Command guestinit is the /init of the tiny Linux guest that the testhost
// tests boot as a PVH domU (Debian's kernel, this program in an
// initramfs). It prints the Go for Xen runtime's status line format so that
// the test host's status parsing is exercised without a GOOS=xen program.
//
// Behaviour, from the kernel command line:
//
//	xth.exit=N        print "goxen: exit status N" and power off
//	xth.crash         print "goxen: crashed" and let init die (kernel panic:
//	                  shutdown reason crash)
//	xth.reboot        reboot
//	xth.sleep         sleep forever
//	xth.net=A.B.C.D   load xen-netfront, configure eth0 as A.B.C.D/24, serve
//	                  one HTTP request on :8080, then exit status 0
//	xth.disk          load xen-blkfront, print sector 0 of /dev/xvda, write
//	                  "written by the guest" to sector 1, exit status 0
//	xth.chatty=N      print N numbered lines first
//
// Built with CGO_ENABLED=0 GOOS=linux GOARCH=amd64.
package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	syscall.Mount("proc", "/proc", "proc", 0, "")
	syscall.Mount("sysfs", "/sys", "sysfs", 0, "")
	syscall.Mount("devtmpfs", "/dev", "devtmpfs", 0, "")
	cmdline, _ := os.ReadFile("/proc/cmdline")
	fmt.Printf("guestinit: up, command line: %s", cmdline)
	status := 0
	for _, w := range strings.Fields(string(cmdline)) {
		k, v, _ := strings.Cut(w, "=")
		switch k {
		case "xth.chatty":
			n, _ := strconv.Atoi(v)
			for i := 1; i <= n; i++ {
				fmt.Printf("guestinit: line %d of %d\n", i, n)
			}
		case "xth.exit":
			status, _ = strconv.Atoi(v)
		case "xth.crash":
			fmt.Println("goxen: crashed")
			os.Exit(1) // init exits: the kernel panics, Xen reports a crash
		case "xth.reboot":
			fmt.Println("guestinit: rebooting")
			syscall.Reboot(syscall.LINUX_REBOOT_CMD_RESTART)
		case "xth.sleep":
			fmt.Println("guestinit: sleeping forever")
			for {
				time.Sleep(time.Hour)
			}
		case "xth.net":
			if err := serveOnce(v); err != nil {
				fmt.Println("guestinit: net:", err)
				status = 1
			}
		case "xth.disk":
			if err := disk(); err != nil {
				fmt.Println("guestinit: disk:", err)
				status = 1
			}
		}
	}
	fmt.Printf("goxen: exit status %d\n", status)
	syscall.Sync()
	syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
}

const sysFinitModule = 313 // amd64

func loadModule(name string) error {
	f, err := os.Open("/modules/" + name + ".ko")
	if err != nil {
		return err
	}
	defer f.Close()
	params := []byte{0}
	_, _, e := syscall.Syscall(sysFinitModule, f.Fd(), uintptr(unsafe.Pointer(&params[0])), 0)
	if e != 0 && e != syscall.EEXIST {
		return fmt.Errorf("finit_module %s: %v", name, e)
	}
	return nil
}

func waitFor(path string, d time.Duration) error {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s did not appear in %v", path, d)
}

type ifreqAddr struct {
	Name [16]byte
	Addr syscall.RawSockaddrInet4
	_    [8]byte
}

type ifreqFlags struct {
	Name  [16]byte
	Flags uint16
	_     [22]byte
}

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

func ifup(name string, ip, mask net.IP) error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	if ip != nil {
		var a ifreqAddr
		copy(a.Name[:], name)
		a.Addr.Family = syscall.AF_INET
		copy(a.Addr.Addr[:], ip.To4())
		if err := ioctl(fd, syscall.SIOCSIFADDR, unsafe.Pointer(&a)); err != nil {
			return fmt.Errorf("SIOCSIFADDR %s: %v", name, err)
		}
		copy(a.Addr.Addr[:], mask.To4())
		if err := ioctl(fd, syscall.SIOCSIFNETMASK, unsafe.Pointer(&a)); err != nil {
			return fmt.Errorf("SIOCSIFNETMASK %s: %v", name, err)
		}
	}
	var fl ifreqFlags
	copy(fl.Name[:], name)
	if err := ioctl(fd, syscall.SIOCGIFFLAGS, unsafe.Pointer(&fl)); err != nil {
		return fmt.Errorf("SIOCGIFFLAGS %s: %v", name, err)
	}
	fl.Flags |= syscall.IFF_UP | syscall.IFF_RUNNING
	if err := ioctl(fd, syscall.SIOCSIFFLAGS, unsafe.Pointer(&fl)); err != nil {
		return fmt.Errorf("SIOCSIFFLAGS %s: %v", name, err)
	}
	return nil
}

func serveOnce(addr string) error {
	ip := net.ParseIP(addr)
	if ip == nil {
		return fmt.Errorf("bad address %q", addr)
	}
	if err := loadModule("xen-netfront"); err != nil {
		return err
	}
	if err := waitFor("/sys/class/net/eth0", 20*time.Second); err != nil {
		return err
	}
	if err := ifup("lo", net.IPv4(127, 0, 0, 1), net.IPv4(255, 0, 0, 0)); err != nil {
		return err
	}
	if err := ifup("eth0", ip, net.IPv4(255, 255, 255, 0)); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", ":8080")
	if err != nil {
		return err
	}
	fmt.Printf("guestinit: listening on %s:8080\n", ip)
	done := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from the guest, %s\n", r.URL.Path)
		fmt.Printf("guestinit: served %s to %s\n", r.URL.Path, r.RemoteAddr)
		select {
		case <-done:
		default:
			close(done)
		}
	})}
	go srv.Serve(ln)
	<-done
	time.Sleep(200 * time.Millisecond) // let the response go out
	return nil
}

func disk() error {
	if err := loadModule("xen-blkfront"); err != nil {
		return err
	}
	if err := waitFor("/dev/xvda", 20*time.Second); err != nil {
		return err
	}
	f, err := os.OpenFile("/dev/xvda", os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 512)
	if _, err := f.ReadAt(buf, 0); err != nil {
		return err
	}
	fmt.Printf("guestinit: sector 0: %q\n", bytes.TrimRight(buf, "\x00"))
	copy(buf, make([]byte, 512))
	copy(buf, "written by the guest")
	if _, err := f.WriteAt(buf, 512); err != nil {
		return err
	}
	return f.Sync()
}
