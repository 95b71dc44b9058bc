// The network stack of GOOS=xen programs (internal/xen/netstack) is gVisor's
// TCP/IP. make.bash vendors the packages it imports, with their dependencies,
// into the built GOROOT's src/vendor, as std vendors golang.org/x
// (netstack-deps/vendor.go). This module pins their versions.
module netstack-deps

go 1.26.3

require gvisor.dev/gvisor v0.0.0-20260905035102-160fafc42237

require (
	github.com/google/btree v1.1.2 // indirect
	golang.org/x/exp v0.0.0-20250711185948-6ae5c78190dc // indirect
	golang.org/x/sys v0.43.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)

// std (GOROOT/src/go.mod) already requires golang.org/x/sys and vendors one
// of its packages; std's vendor directory holds one version of a module, so
// gVisor builds with std's (it needs golang.org/x/sys/unix on linux only).
replace golang.org/x/sys => golang.org/x/sys v0.39.0
