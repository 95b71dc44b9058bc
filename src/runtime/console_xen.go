// The console and the end of the program on Xen.
//
// Output goes to the Xen console: through the console_io hypercall when the
// program is the control domain (dom0), and through the console ring that
// xenconsoled reads for an ordinary guest (xen/include/public/io/console.h).
//
// Every exit ends with one status line on the console, the last thing the
// program prints, which the emulated backend and test hosts read:
//
//	goxen: exit status N    os.Exit(N), return from main (0), panic or fatal error (2)
//	goxen: crashed          an unexpected trap (registers and traceback above it)
//
// and then the domain shuts down: reason poweroff for exit status 0, crash
// otherwise.

package runtime

import (
	"internal/runtime/atomic"
	"internal/runtime/xen"
	"unsafe"
)

// Console ring (io/console.h, struct xencons_interface).
const (
	xenConsInSize  = 1024
	xenConsOutSize = 2048
	xenConsOut     = 1024 // offset of out[]
	xenConsOutCons = 3080
	xenConsOutProd = 3084
)

var (
	xenConsRing     uintptr // the console ring page (domU), or 0
	xenConsPort     uint32  // its event channel
	xenConsLastByte byte    = '\n'
)

// Runtime options from the command line (env_xen.go).
var (
	xenOptDebugExit bool // goxen.debugexit=1: exit QEMU through isa-debug-exit
	xenOptBootTime  bool // goxen.boottime=1: print the boot timeline
)

// xenCrashing makes the final status line report a crash.
var xenCrashing bool

// xenInitConsole finds the console ring of a domU (HVM params CONSOLE_PFN and
// CONSOLE_EVTCHN); dom0 writes with console_io and needs nothing.
func xenInitConsole() {
	if xenDom0 {
		return
	}
	pfn, ok1 := xenGetParam(xen.HVMParamConsolePFN)
	port, ok2 := xenGetParam(xen.HVMParamConsoleEvtchn)
	if !ok1 || !ok2 || pfn == 0 {
		return
	}
	xenConsRing = uintptr(pfn << xenPageShift)
	xenConsPort = uint32(port)
}

//go:nosplit
func xenGetParam(index uint32) (uint64, bool) {
	p := xen.HVMParam{Domid: xen.DomidSelf, Index: index}
	if rc := xen.Hypercall(xen.HypercallHVMOp, xen.HVMOpGetParam, uintptr(unsafe.Pointer(&p)), 0, 0, 0); rc != 0 {
		return 0, false
	}
	return p.Value, true
}

// xenConsoleWrite writes n bytes at p to the console. It may block the vCPU
// while the console ring is full, but never switches goroutines.
//
//go:nosplit
func xenConsoleWrite(p unsafe.Pointer, n int32) {
	if n <= 0 || xen.HypercallPage == 0 {
		return
	}
	xenConsLastByte = *(*byte)(unsafe.Add(p, n-1))
	if xenConsRing == 0 {
		// console_io: dom0 (and debug builds of Xen for any guest).
		xen.Hypercall(xen.HypercallConsoleIO, xen.ConsoleIOWrite, uintptr(n), uintptr(p), 0, 0)
		return
	}
	ring := xenConsRing
	cons := (*uint32)(unsafe.Pointer(ring + xenConsOutCons))
	prod := (*uint32)(unsafe.Pointer(ring + xenConsOutProd))
	buf := (*[xenConsOutSize]byte)(unsafe.Pointer(ring + xenConsOut))
	src := (*[1 << 30]byte)(p)[:n:n]
	for len(src) > 0 {
		c := atomic.Load(cons)
		pr := *prod
		space := xenConsOutSize - (pr - c)
		if space == 0 {
			xenNotify(xenConsPort)
			xenPollPort(xenConsPort, 10_000_000)
			continue
		}
		k := uint32(0)
		for k < space && int(k) < len(src) {
			buf[(pr+k)%xenConsOutSize] = src[k]
			k++
		}
		atomic.Store(prod, pr+k) // the bytes before the index (a release store)
		src = src[k:]
	}
	xenNotify(xenConsPort)
}

// xenNotify sends an event on port (EVTCHNOP_send).
//
//go:nosplit
func xenNotify(port uint32) {
	arg := xen.EvtchnPort{Port: port}
	xen.Hypercall(xen.HypercallEventChannelOp, xen.EvtchnOpSend, uintptr(unsafe.Pointer(&arg)), 0, 0, 0)
}

// xenPollPort blocks the vCPU until port is pending or timeout nanoseconds
// pass (SCHEDOP_poll, which works with the port masked), then clears it.
//
//go:nosplit
func xenPollPort(port uint32, timeout int64) {
	// struct sched_poll (sched.h): ports handle, nr_ports, timeout (absolute).
	var poll struct {
		ports   uint64
		nrPorts uint32
		_       uint32
		timeout uint64
	}
	xenCollect() // a pending upcall flag would end the poll at once
	ports := [1]uint32{port}
	poll.ports = uint64(uintptr(unsafe.Pointer(&ports)))
	poll.nrPorts = 1
	poll.timeout = uint64(nanotime1() + timeout)
	xen.Hypercall(xen.HypercallSchedOp, xen.SchedOpPoll, uintptr(unsafe.Pointer(&poll)), 0, 0, 0)
	xenClearPending(port)
}

// xenClearPending clears port's pending bit.
//
//go:nosplit
func xenClearPending(port uint32) {
	atomic.And64(&xenShared.EvtchnPending[port/64], ^(uint64(1) << (port % 64)))
}

func exit(code int32) {
	xenExit(code, xenCrashing)
}

// crash is what the runtime calls to die abnormally (GOTRACEBACK=crash).
func crash() {
	xenExit(2, true)
}

// xenExit prints the final status line and ends the domain.
//
//go:nosplit
func xenExit(code int32, crashed bool) {
	if xenConsLastByte != '\n' {
		print("\n")
	}
	if crashed {
		print("goxen: crashed\n")
	} else {
		print("goxen: exit status ", code, "\n")
	}
	if xenOptDebugExit {
		// QEMU's isa-debug-exit device (iobase 0xf4) ends the emulator; the
		// status line above carries the status.
		xen.Outl(0xf4, 0)
	}
	reason := uint32(xen.ShutdownPoweroff)
	if code != 0 || crashed {
		reason = xen.ShutdownCrash
	}
	xenShutdown(reason)
}
