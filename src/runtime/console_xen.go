// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// The console on Xen: the program's stdout, stderr and stdin.
//
// Output goes to the Xen console: through the console_io hypercall when the
// program is the control domain (dom0), and through the console ring that
// xenconsoled reads for an ordinary guest (xen/include/public/io/console.h).
//
// stdout and stderr share the one console, as a terminal shows them. Under
// goxen.streams=1 (the emulated backend sets it) the runtime tells them
// apart for a reader that knows how: before bytes of another stream than
// the last ones it writes a mark, an OSC escape sequence that a terminal
// ignores, "\x1b]goxen:stdout\x07", "\x1b]goxen:stderr\x07", or
// "\x1b]goxen:status\x07" before the final status line (exit_xen.go); the
// runner removes them (misc/xen/internal/console).

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
	xenConsIn      = 0    // offset of in[]
	xenConsOut     = 1024 // offset of out[]
	xenConsInCons  = 3072
	xenConsInProd  = 3076
	xenConsOutCons = 3080
	xenConsOutProd = 3084
)

// xenVirqConsole is VIRQ_CONSOLE (xen.h): console input for the control domain.
const xenVirqConsole = 2

// xenEOT (^D) in console input ends it for good, as the end of a pipe does:
// a console has no end of its own (the emulated backend sends one when its
// stdin ends). Later reads return end of file.
const xenEOT = 0x04

var (
	xenConsRing     uintptr // the console ring page (domU), or 0
	xenConsPort     uint32  // its event channel
	xenConsLastByte byte    = '\n'
)

// Runtime options from the command line (env_xen.go).
var (
	xenOptDebugExit bool // goxen.debugexit=1: exit QEMU through isa-debug-exit (exit_xen.go)
	xenOptBootTime  bool // goxen.boottime=1: print the boot timeline
	xenOptInputAck  bool // goxen.inputack=1: acknowledge console input (xenConsoleAck)
	xenOptStreams   bool // goxen.streams=1: mark stdout, stderr and the status line
)

// The console's streams, under goxen.streams=1.
const (
	xenStreamStdout = 1 // fd 1
	xenStreamStderr = 2 // fd 2: the program's stderr and the runtime's messages
	xenStreamStatus = 3 // the status line
)

// xenConsStream is the stream of the last bytes written (0: none yet).
var xenConsStream int32

// xenConsoleWriteStream writes n bytes at p to the console as stream's,
// with a mark first if the last bytes were another stream's
// (goxen.streams=1).
//
//go:nosplit
func xenConsoleWriteStream(stream int32, p unsafe.Pointer, n int32) {
	if n <= 0 {
		return
	}
	if xenOptStreams && stream != xenConsStream {
		xenConsStream = stream
		var mark string
		switch stream {
		case xenStreamStdout:
			mark = "\x1b]goxen:stdout\x07"
		case xenStreamStderr:
			mark = "\x1b]goxen:stderr\x07"
		default:
			mark = "\x1b]goxen:status\x07"
		}
		xenConsoleWrite(unsafe.Pointer(unsafe.StringData(mark)), int32(len(mark)))
	}
	xenConsoleWrite(p, n)
}

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
		xenBackPages(p, uintptr(n))
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

// Console input: the program's stdin.
//
// A domU reads the in[] half of its console ring, which xenconsoled fills
// only as far as there is room. dom0 reads Xen's serial input with
// CONSOLEIO_read, and Xen keeps that in a 128-byte ring that drops what does
// not fit (SERIAL_RX_SIZE, xen/drivers/char/console.c); so dom0 binds
// VIRQ_CONSOLE at boot and the netpoller drains Xen's ring into
// xenConsInBuf whenever it fires, whether or not a goroutine is reading.
var (
	xenConsInPort    uint32    // dom0: the port of VIRQ_CONSOLE, or 0
	xenConsInPD      *pollDesc // the input port in the netpoller, once read
	xenConsInEOF     bool      // an EOT has ended the input
	xenConsInReading bool      // the program has read console input
	xenConsInBuf     [16 << 10]byte
	xenConsInBufR    uint32 // xenConsInBuf holds [R, W), indices mod its size
	xenConsInBufW    uint32
	xenConsInDrops   uint64 // bytes Xen had that did not fit xenConsInBuf
	xenConsInSink    [64]byte
)

// xenInitConsoleInput binds VIRQ_CONSOLE for dom0 (xen.h: console input for
// the control domain), so input is taken from Xen's small ring early.
func xenInitConsoleInput() {
	if xenConsRing != 0 {
		return
	}
	port, errno := xenBindVirq(xenVirqConsole)
	if errno != 0 {
		return // not the control domain: no serial input
	}
	xenConsInPort = port
	xenSetPortHandler(port, xenConsoleDrain) // before Xen's small ring overflows
	xenConsoleDrain()
}

// Under goxen.inputack=1 the runtime writes "\x1b]goxen:input:N\x07" on the
// console when the program first reads console input and whenever it has
// taken input from Xen's ring, N being the bytes taken since boot: the
// emulated backend keeps what it has sent but not seen taken below Xen's
// 128-byte ring, and removes the mark from the output
// (misc/xen/internal/console). It belongs to no stream.
var (
	xenConsInTaken uint64 // bytes taken from Xen's ring since boot
	xenConsAckBuf  [40]byte
)

// xenConsoleAck writes the acknowledgement, which is not the program's output.
//
//go:nosplit
func xenConsoleAck() {
	const prefix = "\x1b]goxen:input:"
	b := &xenConsAckBuf
	n := copy(b[:], prefix)
	var digits [20]byte
	i := len(digits)
	for v := xenConsInTaken; ; v /= 10 {
		i--
		digits[i] = byte('0' + v%10)
		if v < 10 {
			break
		}
	}
	n += copy(b[n:], digits[i:])
	b[n] = 0x07
	n++
	last := xenConsLastByte
	xenConsoleWrite(unsafe.Pointer(&b[0]), int32(n))
	xenConsLastByte = last
}

// xenConsoleDrain moves dom0's pending serial input from Xen into xenConsInBuf.
//
//go:nosplit
func xenConsoleDrain() {
	taken := false
	for {
		used := xenConsInBufW - xenConsInBufR
		free := uint32(len(xenConsInBuf)) - used
		w := xenConsInBufW % uint32(len(xenConsInBuf))
		n := uint32(len(xenConsInBuf)) - w // contiguous room
		if n > free {
			n = free
		}
		dst := unsafe.Pointer(&xenConsInBuf[w])
		if n == 0 {
			// Full: Xen would drop what follows anyway; read into a sink
			// and count the loss, which the next read reports.
			dst, n = unsafe.Pointer(&xenConsInSink[0]), uint32(len(xenConsInSink))
		}
		rc := int64(xen.Hypercall(xen.HypercallConsoleIO, xen.ConsoleIORead, uintptr(n), uintptr(dst), 0, 0))
		if rc <= 0 {
			break
		}
		taken = true
		xenConsInTaken += uint64(rc)
		if free == 0 {
			xenConsInDrops += uint64(rc)
		} else {
			xenConsInBufW += uint32(rc)
		}
	}
	if taken && xenOptInputAck {
		xenConsoleAck()
	}
}

// syscall_consoleRead reads console input into b, blocking the goroutine until
// there is some; a nonzero errno is a failure.
//
//go:linkname syscall_consoleRead syscall.runtime_consoleRead
func syscall_consoleRead(b []byte) (n int, errno uintptr) {
	if len(b) == 0 || xenConsInEOF {
		return 0, 0
	}
	port := xenConsPort
	if xenConsRing == 0 {
		port = xenConsInPort
		if port == 0 {
			return 0, 0 // no console input at all: end of file
		}
		if xenOptInputAck && !xenConsInReading {
			xenConsInReading = true
			xenConsoleAck() // ready for input
		}
	}
	for {
		n := xenConsoleInput(b)
		if xenConsInDrops != 0 {
			print("goxen: console input: ", xenConsInDrops, " bytes dropped: the program did not read them in time\n")
			xenConsInDrops = 0
		}
		if n > 0 {
			for i := 0; i < n; i++ {
				if b[i] == xenEOT {
					xenConsInEOF = true
					return i, 0
				}
			}
			return n, 0
		}
		if xenConsInPD == nil {
			// Open the port, then look at the input again before the
			// first wait: an event before the open was not recorded.
			pd, errno := xenPortOpen(port)
			if errno != 0 {
				return 0, uintptr(errno)
			}
			xenConsInPD = pd
			continue
		}
		xenPortWait(xenConsInPD, 0)
	}
}

// xenConsoleInput copies console input that has arrived into b.
func xenConsoleInput(b []byte) int {
	if xenConsRing == 0 {
		xenConsoleDrain()
		n := 0
		for xenConsInBufR != xenConsInBufW && n < len(b) {
			b[n] = xenConsInBuf[xenConsInBufR%uint32(len(xenConsInBuf))]
			xenConsInBufR++
			n++
		}
		return n
	}
	ring := xenConsRing
	cons := (*uint32)(unsafe.Pointer(ring + xenConsInCons))
	prod := (*uint32)(unsafe.Pointer(ring + xenConsInProd))
	in := (*[xenConsInSize]byte)(unsafe.Pointer(ring + xenConsIn))
	c, p := *cons, atomic.Load(prod) // the bytes after the index (an acquire load)
	n := 0
	for c != p && n < len(b) {
		b[n] = in[c%xenConsInSize]
		c++
		n++
	}
	if n > 0 {
		atomic.Store(cons, c)
		xenNotify(xenConsPort)
	}
	return n
}
