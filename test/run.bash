#!/usr/bin/env bash
# test/run.bash runs the Go for Xen test suite against the toolchain in ./goroot.
#
#   test/run.bash          everything (what CI runs)
#   test/run.bash sample   boot the sample unikernel (misc/xen/examples/hello)
#
# It installs the Debian packages the emulated backend needs when they are
# missing (as root; otherwise it prints the apt-get command), and prints one
# line per suite and a summary at the end. The exit status is nonzero if any
# suite failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

die() {
	echo "test/run.bash: $*" >&2
	exit 2
}

[ -x goroot/bin/go ] || die "no toolchain in ./goroot: run ./make.bash first"
[ ! -e goroot/.xen-quick-incomplete ] || die "./goroot is half-updated by a make.bash -quick that failed: run it again, or ./make.bash"
export PATH=$top/goroot/bin:$PATH
unset GOOS GOARCH GOFLAGS GOROOT CGO_ENABLED

# The emulated backend: QEMU and Debian's Xen 4.17 (misc/xen/README.md).
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
ls /boot/xen-4.17-amd64.gz >/dev/null 2>&1 || need_pkgs+=(xen-hypervisor-4.17-amd64)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "installing ${need_pkgs[*]}"
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}") >/tmp/goxen-apt.log 2>&1 ||
			die "apt-get install ${need_pkgs[*]} failed; see /tmp/goxen-apt.log"
	else
		die "missing ${need_pkgs[*]}: sudo apt-get install --no-install-recommends ${need_pkgs[*]}"
	fi
fi

if [ "${1:-}" = sample ]; then
	echo "GOOS=xen go run ./misc/xen/examples/hello (booting Xen in QEMU)"
	cd misc/xen && GOOS=xen go run ./examples/hello
	exit $?
fi
[ $# -eq 0 ] || die "usage: test/run.bash [sample]"
# The toolchain tests check the release archives and rebuild them from the
# source tarball (README, "Making a release").
ls goroot/pkg/distpack/*.src.tar.gz >/dev/null 2>&1 ||
	die "no release archives in goroot/pkg/distpack: build with ./make.bash -distpack (or -quick -distpack); the toolchain tests check them"

results=()
failed=0
passed=0
rm -f "$top/_build/test-logs/std-core.md" # printed at the end: this run's table only
# suite NAME DIR CMD...: run CMD in DIR, log to _build/test-logs/NAME.log.
suite() {
	local name=$1 dir=$2
	shift 2
	mkdir -p "$top/_build/test-logs"
	local log=$top/_build/test-logs/$name.log start=$SECONDS
	echo "##### $name: $*"
	if (cd "$dir" && "$@") >"$log" 2>&1; then
		results+=("ok    $name ($((SECONDS - start))s)")
		passed=$((passed + 1))
	else
		results+=("FAIL  $name ($((SECONDS - start))s): see $log")
		failed=1
		tail -n 30 "$log"
	fi
}

# Upstream's tests of the packages the patches change that decide the port's
# shape (GOOS lists, linking, dependency rules), on linux/amd64.
suite upstream-toolchain "$top" go test -short cmd/internal/objabi cmd/internal/obj/x86 internal/platform go/build cmd/go/internal/modindex cmd/go/internal/imports cmd/link
# cmd/go's script tests that exercise the lists of GOOS values and go env.
suite upstream-cmd-go "$top" go test -short -count=1 -run 'TestScript/(build_unsupported_goos|dist_list_missing|env_unset|env_write)$' cmd/go
# Every package patches/ touches: its tests still pass on linux/amd64.
touched=$(sed -n 's|^diff --git a/src/\(.*\)/[^/]* b/.*|\1|p' patches/*.patch | sort -u | tr '\n' ' ')
# internal/copyright: the overlays' files carry a copyright line, as every
# file of a GOROOT must for upstream's own test.
suite upstream-touched "$top" go test -short -count=1 $touched internal/copyright
suite upstream-api "$top" go test -count=1 cmd/api -run TestCheck -check
# Host tests of the Xen protocol code in the runtime-xen packages.
suite host-runtime-xen "$top" go test -count=1 internal/runtime/xen internal/xen/...
# The toolchain and end-to-end tests.
# Under QEMU TCG a loaded machine is several times slower, and the e2e
# tests boot the test host (the disk tests' batch takes about 8 minutes, a
# cold build of the test host several more): more than go test's default
# 10 minutes per package. One test at a time (-p 1 -parallel 1): with two
# test hosts and toolchain builds sharing the two cores, guests were seen
# stalling for minutes (the disk tests' fat case in CI; a dom0 process
# spinning in a futex loop). It costs time: the suite took 38 minutes
# serially on a loaded machine, against 16 in parallel in CI.
suite test "$top/test" go test -count=1 -p 1 -parallel 1 -timeout 60m ./...
suite misc-xen "$top/misc/xen" go test -count=1 -timeout 30m ./...
# GOOS=xen go test of the core standard-library packages, as a table.
suite std-core "$top/test" go run ./cmd/stdtest -o "$top/_build/test-logs/std-core.md"
# go vet: the two host modules, the linker package with our ELF writer, and
# (with GOOS=xen, after std-core has filled the build cache) every package
# that has files of ours.
vet_host() { (cd test && go vet ./...) && (cd misc/xen && go vet ./...) && go vet cmd/link/internal/ld; }
suite vet-host "$top" vet_host
xen_pkgs=$(cd "$top" && { find src runtime-xen -name '*.go' ! -path 'src/cmd/*' -printf '%h\n' | sed -E 's#^(src|runtime-xen)/##'; } | sort -u | tr '\n' ' ')
suite vet-xen "$top" env GOOS=xen GOARCH=amd64 go vet $xen_pkgs

std_table=$top/_build/test-logs/std-core.md
if [ -s "$std_table" ]; then
	echo
	echo "##### GOOS=xen go test of the core std packages (from ${std_table#"$top"/})"
	cat "$std_table"
fi
echo
echo "##### summary"
printf '%s\n' "${results[@]}"
echo "suites: $passed passed, $((${#results[@]} - passed)) failed"
exit $failed
