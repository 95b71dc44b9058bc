//go:build linux

// dom0peer is the control domain's side of the e2e test of event channels
// and grants (testdata/grant runs in the domU): it binds the domU's unbound
// port through /dev/xen/evtchn, maps the page the domU granted through
// /dev/xen/gntdev, answers in it, and unmaps it when told to. Linux's
// interfaces are include/uapi/xen/evtchn.h and gntdev.h.
//
//	dom0peer DOMID
//
// It talks to the domU through xenstore keys under
// /local/domain/DOMID/data/ and through the event channels themselves.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// ioctl numbers: _IOC(_IOC_NONE, type, nr, size) = size<<16 | type<<8 | nr.
func ioc(typ byte, nr, size uintptr) uintptr { return size<<16 | uintptr(typ)<<8 | nr }

var (
	iocEvtchnBindInterdomain = ioc('E', 1, 8) // struct ioctl_evtchn_bind_interdomain
	iocEvtchnBindUnboundPort = ioc('E', 2, 4) // struct ioctl_evtchn_bind_unbound_port
	iocEvtchnNotify          = ioc('E', 4, 4) // struct ioctl_evtchn_notify
	iocGntdevMapGrantRef     = ioc('G', 0, 24)
	iocGntdevUnmapGrantRef   = ioc('G', 1, 16)
)

var domid int

func main() {
	if len(os.Args) != 2 {
		fatal("usage: dom0peer DOMID")
	}
	var err error
	if domid, err = strconv.Atoi(os.Args[1]); err != nil {
		fatal("bad domid: %v", err)
	}
	// 1. The domU has an unbound port for us and a granted page.
	uport := readKeyWait("port")
	gref := readKeyWait("gref")

	evt, err := os.OpenFile("/dev/xen/evtchn", os.O_RDWR, 0)
	if err != nil {
		fatal("%v", err)
	}
	arg := [2]uint32{uint32(domid), uint32(uport)}
	lport, err := ioctl(evt, iocEvtchnBindInterdomain, unsafe.Pointer(&arg))
	if err != nil {
		fatal("bind interdomain to the domU's port %d: %v", uport, err)
	}
	log("bound the domU's port %d as dom0 port %d", uport, lport)

	gnt, err := os.OpenFile("/dev/xen/gntdev", os.O_RDWR, 0)
	if err != nil {
		fatal("%v", err)
	}
	var m struct {
		count, pad uint32
		index      uint64
		domid, ref uint32
	}
	m.count, m.domid, m.ref = 1, uint32(domid), uint32(gref)
	if _, err := ioctl(gnt, iocGntdevMapGrantRef, unsafe.Pointer(&m)); err != nil {
		fatal("map grant %d: %v", gref, err)
	}
	page, err := syscall.Mmap(int(gnt.Fd()), int64(m.index), 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		fatal("mmap grant %d: %v", gref, err)
	}
	text := page[:bytes.IndexByte(page, 0)]
	log("mapped grant %d: %q", gref, text)
	copy(page[2048:], fmt.Sprintf("hello from dom0 to domain %d", domid))

	// 2. Our unbound port for the domU to bind, then the doorbell.
	ub := uint32(domid)
	dport, err := ioctl(evt, iocEvtchnBindUnboundPort, unsafe.Pointer(&ub))
	if err != nil {
		fatal("bind unbound port: %v", err)
	}
	writeKey("dom0-port", strconv.Itoa(dport))
	notify(evt, lport)
	log("answered in the page and notified")

	// 3. The domU rings our port once it has found Revoke refused.
	waitEvent(evt, dport)
	if err := syscall.Munmap(page); err != nil {
		fatal("munmap: %v", err)
	}
	un := struct {
		index      uint64
		count, pad uint32
	}{index: m.index, count: 1}
	if _, err := ioctl(gnt, iocGntdevUnmapGrantRef, unsafe.Pointer(&un)); err != nil {
		fatal("unmap grant: %v", err)
	}
	log("unmapped the grant")
	notify(evt, lport)
	// 4. The domU's second ring: it has revoked the grant.
	waitEvent(evt, dport)
	log("done")
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

func notify(evt *os.File, port int) {
	p := uint32(port)
	if _, err := ioctl(evt, iocEvtchnNotify, unsafe.Pointer(&p)); err != nil {
		fatal("notify port %d: %v", port, err)
	}
}

// waitEvent reads fired ports from /dev/xen/evtchn, unmasking each again
// (writing the port back, as the device requires), until port fires. Other
// ports may fire too: Xen sets a port pending when it is bound to a remote
// one, in case the remote end signalled before (event_channel.c).
func waitEvent(evt *os.File, port int) {
	for {
		var b [4]byte
		if _, err := evt.Read(b[:]); err != nil {
			fatal("read evtchn: %v", err)
		}
		if _, err := evt.Write(b[:]); err != nil {
			fatal("unmask: %v", err)
		}
		p := int(binary.LittleEndian.Uint32(b[:]))
		log("event on port %d", p)
		if p == port {
			return
		}
	}
}

func key(name string) string { return fmt.Sprintf("/local/domain/%d/data/%s", domid, name) }

func readKeyWait(name string) int {
	for end := time.Now().Add(90 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		out, err := exec.Command("xenstore-read", key(name)).Output()
		if err == nil {
			n, err := strconv.Atoi(strings.TrimSpace(string(out)))
			if err != nil {
				fatal("%s: %v", key(name), err)
			}
			return n
		}
	}
	fatal("%s did not appear", key(name))
	return 0
}

func writeKey(name, value string) {
	if out, err := exec.Command("xenstore-write", key(name), value).CombinedOutput(); err != nil {
		fatal("xenstore-write %s: %v %s", key(name), err, out)
	}
}

func log(format string, args ...any) { fmt.Printf("dom0peer: "+format+"\n", args...) }

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "dom0peer: "+format+"\n", args...)
	os.Exit(1)
}
