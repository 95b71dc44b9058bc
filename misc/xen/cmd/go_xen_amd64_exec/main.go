// Command go_xen_amd64_exec runs a GOOS=xen program under the emulated
// backend: Xen booted in QEMU with the program as its PVH control domain
// (dom0). cmd/go finds it on PATH and runs it for GOOS=xen go run and go test
// as
//
//	go_xen_amd64_exec [-v] binary [args...]
//
// exactly as go_js_wasm_exec is used for js/wasm. The program gets args and
// the runner's environment (less host-only variables); its output appears
// on stdout, Xen's log is dropped (copied to stderr with -v or
// GOXEN_VERBOSE=1), and the runner exits with the program's exit status, or
// 124 on a timeout, 125 when it cannot run the program, 134 when the domain
// crashed, 128+n on signal n. Run it with -h for the settings.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"goforxen.dev/misc/xen/internal/qemuxen"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	// SIGQUIT is how cmd/go stops a test that outlived -timeout; SIGPIPE (a
	// reader of the output gone) stops the run too instead of killing the
	// runner outright.
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGPIPE)
	go func() {
		sig := <-sigs
		cancel(qemuxen.SignalError{Signal: sig.(syscall.Signal)})
	}()
	os.Exit(qemuxen.Main(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
}
