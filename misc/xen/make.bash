#!/usr/bin/env bash
# misc/xen/make.bash finishes a Go for Xen toolchain inside a GOROOT that already
# carries the port (patches applied, overlays and vendored modules in place): the
# source tarball's go/ tree, or the staging tree of the repository's make.bash, which
# runs this script for its last steps, so that a release and its rebuild from the
# source tarball take the same steps.
#
#   go/misc/xen/make.bash [-distpack]          upstream's src/make.bash (GOROOT_BOOTSTRAP
#                                              as for it), then the host tools
#   go/misc/xen/make.bash -tools [-distpack]   the host tools only
#
# The host tools (misc/xen/cmd/...: go_xen_amd64_exec, goxencheck, xentesthost) go into
# the GOROOT's bin/. They are built from this directory with its vendored modules
# (vendor/, written by the repository's make.bash), so no network is needed, and with
# -trimpath -buildvcs=false -ldflags=-w (no DWARF, as go itself) CGO_ENABLED=0: the same
# bytes whatever the directory, and static programs that run on any linux/amd64.
#
# -distpack then runs Go's own distpack (go tool distpack, as upstream's make.bash
# -distpack does, but after the host tools exist) and writes NAME.sha256 next to each
# archive, in sha256sum's format: GOROOT/pkg/distpack/ gets
#   goVERSION.linux-amd64.tar.gz              the binary distribution (go/...)
#   goVERSION.src.tar.gz                      the source distribution (go/...)
#   v0.0.1-goVERSION.linux-amd64.{zip,mod,info}  the toolchain as a module (GOTOOLCHAIN)
set -euo pipefail

die() {
	echo "misc/xen/make.bash: $*" >&2
	exit 1
}

tools_only=false
distpack=false
for arg in "$@"; do
	case "$arg" in
	-tools | --tools) tools_only=true ;;
	-distpack | --distpack) distpack=true ;;
	*) die "unknown argument $arg; usage: misc/xen/make.bash [-tools] [-distpack]" ;;
	esac
done

goroot=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$goroot/src/make.bash" ] && [ -f "$goroot/misc/xen/go.mod" ] ||
	die "$goroot is not a Go for Xen GOROOT (no src/make.bash); in the repository, run ./make.bash"

unset GOROOT GOOS GOARCH GOFLAGS GOEXPERIMENT CGO_ENABLED GOAMD64 GOBIN
export GOTOOLCHAIN=local

if ! $tools_only; then
	echo "##### building the toolchain (upstream src/make.bash)"
	(cd "$goroot/src" && ./make.bash) || die "upstream src/make.bash failed (above)"
fi

echo "##### building the host tools into bin/"
[ -x "$goroot/bin/go" ] || die "no $goroot/bin/go: build the toolchain first"
(cd "$goroot/misc/xen" && GOROOT=$goroot CGO_ENABLED=0 "$goroot/bin/go" build -mod=vendor -trimpath -buildvcs=false -ldflags=-w -o "$goroot/bin/" ./cmd/...) ||
	die "building the host tools (misc/xen/cmd/...) failed (above)"
echo "built $(cd "$goroot/misc/xen/cmd" && echo */ | tr -d /)"

if $distpack; then
	echo "##### packaging the release archives (go tool distpack)"
	rm -rf "$goroot/pkg/distpack"
	GOROOT=$goroot "$goroot/bin/go" tool distpack || die "go tool distpack failed (above)"
	(
		cd "$goroot/pkg/distpack"
		for f in *.tar.gz *.zip; do
			sha256sum "$f" >"$f.sha256"
		done
		ls -l
	)
fi
