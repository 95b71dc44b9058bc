#!/usr/bin/env bash
# make.bash builds the Go for Xen toolchain into ./goroot.
#
#   ./make.bash          full build from a pristine upstream tree
#   ./make.bash -distpack   the same, then the release archives in goroot/pkg/distpack/
#                        (upstream's flag, carried through: Go's own distpack, run after
#                        the host tools are built; what CI runs)
#   ./make.bash -quick   development rebuild: re-apply patches/ and the overlays to the
#                        existing ./goroot, then `go install cmd` and the host tools
#                        (until it succeeds, goroot/.xen-quick-incomplete marks the
#                        tree as half-updated and test/run.bash refuses it); it removes
#                        goroot/pkg/distpack, now stale, unless -distpack is given too
#   ./make.bash -upstream   print the pristine upstream tree it would build from, and stop
#
# Full build phases: find the pristine upstream tree named by VERSION, copy it to a staging
# directory, apply patches/ in order, add the src/ and runtime-xen/ overlays, vendor the
# network stack's modules (netstack-deps/) into its src/vendor, copy the host tools' module
# misc/xen (with the LICENSE and its dependencies vendored) into its misc/xen, then run that
# copy's misc/xen/make.bash: upstream's src/make.bash, our host tools (misc/xen/cmd/...)
# into bin/, and with -distpack the archives; only then move the staging directory to
# ./goroot. A failed build leaves ./goroot as it was (none, or the previous complete build)
# and the staging directory in _build/ for inspection. The staging tree less bin/ and pkg/
# is the source tarball: go/misc/xen/make.bash inside it rebuilds the same toolchain.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

die() {
	echo "make.bash: $*" >&2
	exit 1
}
phase() {
	echo "##### $*"
}

quick=false
print_upstream=false
distpack=false
for arg in "$@"; do
	case "$arg" in
	-quick | --quick) quick=true ;;
	-distpack | --distpack) distpack=true ;;
	-upstream | --upstream) print_upstream=true ;;
	*) die "unknown argument $arg; usage: ./make.bash [-quick] [-distpack] | -upstream" ;;
	esac
done
distpack_flag=()
! $distpack || distpack_flag=(-distpack)

version=$(head -n 1 VERSION)
base=${version%%-*} # go1.26.8-xen1 -> go1.26.8
[[ $version =~ ^go[0-9]+\.[0-9]+\.[0-9]+-xen[0-9]+$ ]] || die "VERSION: malformed version \"$version\" (want goX.Y.Z-xenN)"

command -v go >/dev/null || die "no Go on PATH: a Go toolchain ($base) is needed to bootstrap"
command -v git >/dev/null || die "git is needed to apply patches/"

# The build must not inherit settings aimed at the target or at another GOROOT.
unset GOROOT GOOS GOARCH GOFLAGS GOEXPERIMENT CGO_ENABLED GOAMD64 GOBIN
export GOTOOLCHAIN=local

# upstream_version DIR prints the Go version recorded in DIR/VERSION (empty if none).
upstream_version() {
	[ -f "$1/VERSION" ] && head -n 1 "$1/VERSION" || true
}

# find_upstream prints the directory of a pristine $base tree: the bootstrap Go's own tree
# when it is exactly $base, otherwise the go command's toolchain download of $base.
find_upstream() {
	local bootroot found dl
	bootroot=$(go env GOROOT)
	found=$(upstream_version "$bootroot")
	if [ "$found" = "$base" ]; then
		echo "$bootroot"
		return
	fi
	echo "bootstrap Go at $bootroot is ${found:-of unknown version}, not $base: using GOTOOLCHAIN=$base" >&2
	dl=$(GOTOOLCHAIN=$base go env GOROOT) || die "could not download $base with GOTOOLCHAIN=$base (see above)"
	found=$(upstream_version "$dl")
	[ "$found" = "$base" ] || die "GOTOOLCHAIN=$base gave $dl, which is ${found:-of unknown version}, not $base"
	echo "$dl"
}

# patched_paths PATCH... prints the paths the patches name (both names of a rename).
patched_paths() {
	sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' "$@"
}

# apply_patches DIR applies patches/*.patch to the tree in DIR, in order, and lists the paths
# they name in DIR/.xen-patched (for the next -quick).
apply_patches() {
	local dir=$1 p out
	patched_paths "$top"/patches/*.patch | sort -u >"$dir/.xen-patched"
	for p in "$top"/patches/*.patch; do
		[ -e "$p" ] || continue
		# GIT_DIR=/dev/null: apply relative to DIR, not to an enclosing repository.
		if ! out=$(cd "$dir" && GIT_DIR=/dev/null git apply -p1 --whitespace=nowarn "$p" 2>&1); then
			echo "$out" >&2
			die "patch ${p#"$top"/} does not apply to $base (above: the file and line where it failed)"
		fi
		echo "applied ${p#"$top"/}"
	done
}

# overlay_files prints "from to" pairs: every file of the src/ and runtime-xen/ overlays and
# its path inside a GOROOT.
overlay_files() {
	local d f
	for d in src runtime-xen; do
		[ -d "$d" ] || continue
		find "$d" -type f ! -name '*~' | LC_ALL=C sort | while read -r f; do
			echo "$f src/${f#*/}"
		done
	done
}

# add_overlays DIR copies the overlays into the GOROOT in DIR. An overlay may only add files:
# one that would replace an upstream file is an error (change upstream files in patches/).
# The list of added files goes to DIR/.xen-overlay so that -quick can remove them again.
add_overlays() {
	local dir=$1 from to
	: >"$dir/.xen-overlay"
	while read -r from to; do
		if [ -e "$dir/$to" ]; then
			die "overlay $from would replace upstream $to; change upstream files through patches/"
		fi
		mkdir -p "$(dirname "$dir/$to")"
		cp "$from" "$dir/$to"
		echo "$to" >>"$dir/.xen-overlay"
	done < <(overlay_files)
	echo "added $(wc -l <"$dir/.xen-overlay") overlay files"
}

# vendor_netstack DIR puts the third-party packages internal/xen/netstack imports (gVisor's
# TCP/IP and its dependencies, pinned by netstack-deps/go.mod and go.sum) into DIR/src/vendor,
# with their lines in src/vendor/modules.txt, src/go.mod and src/go.sum, as std vendors
# golang.org/x. The go command fetches what the module cache lacks through the Go module
# proxy; with a filled cache no network is needed. The directories added are listed in
# DIR/.xen-vendor.
vendor_netstack() {
	local dir=$1
	go run netstack-deps/vendor.go -goroot "$dir" ||
		die "vendoring the network stack's modules (netstack-deps/go.mod) failed (above)"
}

# unvendor_netstack DIR undoes vendor_netstack in a GOROOT built before (for -quick).
unvendor_netstack() {
	local dir=$1 f
	for f in src/go.mod src/go.sum src/vendor/modules.txt; do
		cp "$upstream/$f" "$dir/$f"
	done
	if [ -f "$dir/.xen-vendor" ]; then
		while read -r f; do
			case "$f" in
			src/vendor/?*) rm -rf "${dir:?}/$f" ;;
			esac
		done <"$dir/.xen-vendor"
		rm -f "$dir/.xen-vendor"
	fi
}

# configure DIR writes the distribution's settings into the GOROOT in DIR, as a Go
# distributor does: VERSION gets our version (upstream's other lines kept), and go.env
# gets GOTOOLCHAIN=local so that a module asking for a newer Go fails with "requires
# go >= ..." instead of switching to a toolchain without GOOS=xen. (Written here rather
# than in patches/ because distributions differ in go.env: this machine's
# Go says local, upstream's says auto.)
configure() {
	local dir=$1
	{
		echo "$version"
		tail -n +2 "$upstream/VERSION"
	} >"$dir/VERSION.new"
	mv "$dir/VERSION.new" "$dir/VERSION"
	grep -v -e '^GOTOOLCHAIN=' -e '^# Automatically download newer toolchains' -e '^# See https://go.dev/doc/toolchain' \
		"$upstream/go.env" >"$dir/go.env.new"
	cat >>"$dir/go.env.new" <<-'EOF'
		# Go for Xen: use this toolchain only. A module that needs a newer Go fails with
		# "requires go >= ..." instead of switching to a toolchain without GOOS=xen.
		GOTOOLCHAIN=local
	EOF
	mv "$dir/go.env.new" "$dir/go.env"
}

# add_misc_xen DIR copies the host tools' module, misc/xen (its files git tracks or would
# track: untracked new files count, ignored ones do not), into DIR/misc/xen, with the
# repository's LICENSE, which covers it and the overlays, and `go mod vendor`s its
# dependencies there, so that the GOROOT (and so the source tarball) rebuilds the host
# tools without a network. Its misc/xen/make.bash builds them.
add_misc_xen() {
	local dir=$1 f
	[ ! -e "$upstream/misc/xen" ] || die "upstream $base has a misc/xen; the host tools' module needs another home"
	rm -rf "${dir:?}/misc/xen"
	mkdir -p "$dir/misc/xen"
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard misc/xen
	else
		find misc/xen -type f ! -name '*~' -print0
	fi | LC_ALL=C sort -z | while IFS= read -r -d '' f; do
		[ -f "$f" ] || continue # deleted in the work tree
		mkdir -p "$(dirname "$dir/$f")"
		cp -p "$f" "$dir/$f"
	done
	cp LICENSE "$dir/misc/xen/LICENSE"
	(cd "$dir/misc/xen" && go mod vendor) || die "go mod vendor in misc/xen failed (above)"
	echo "copied misc/xen ($(find "$dir/misc/xen" -type f | wc -l) files with vendor/)"
}

if $print_upstream; then
	find_upstream
	exit 0
fi

start=$(date +%s)
phase "Go for Xen $version (upstream $base)"
upstream=$(find_upstream)
echo "upstream tree: $upstream"

if $quick; then
	dir=$top/goroot
	[ -x "$dir/bin/go" ] || die "-quick needs a built ./goroot; run ./make.bash first"
	touch "$dir/.xen-quick-incomplete"
	phase "restoring upstream files touched by patches/ and removing old overlays"
	# Every path a patch names (old and new names of renames included), and every
	# path the patches of the last build named (a patch may have stopped touching
	# a file since).
	{
		patched_paths patches/*.patch
		[ ! -f "$dir/.xen-patched" ] || cat "$dir/.xen-patched"
	} | sort -u | while read -r f; do
		if [ -e "$upstream/$f" ]; then
			cp "$upstream/$f" "$dir/$f"
		else
			rm -f "$dir/$f" # a file the patch series creates
		fi
	done
	if [ -f "$dir/.xen-overlay" ]; then
		(cd "$dir" && xargs rm -f <.xen-overlay)
	fi
	# Overlay files copied in by hand since (not in .xen-overlay) go too;
	# one that upstream has is still an error in add_overlays.
	while read -r from to; do
		[ -e "$upstream/$to" ] || rm -f "$dir/$to"
	done < <(overlay_files)
	phase "applying patches/"
	apply_patches "$dir"
	phase "adding overlays"
	add_overlays "$dir"
	configure "$dir"
	phase "vendoring the network stack (netstack-deps/)"
	unvendor_netstack "$dir"
	vendor_netstack "$dir"
	phase "copying misc/xen (the host tools' module)"
	add_misc_xen "$dir"
	# std (for any GOOS) builds on demand from the build cache; the tools
	# in cmd are what must be reinstalled.
	phase "go install cmd"
	GOROOT=$dir "$dir/bin/go" install cmd || die "go install cmd failed (above)"
	if ! $distpack && [ -d "$dir/pkg/distpack" ]; then
		echo "removing goroot/pkg/distpack: its archives are of the tree before this -quick"
		rm -rf "$dir/pkg/distpack"
	fi
	"$dir/misc/xen/make.bash" -tools "${distpack_flag[@]}" || die "misc/xen/make.bash failed (above)"
	rm -f "$dir/.xen-quick-incomplete"
	phase "done in $(($(date +%s) - start))s: $("$dir/bin/go" version)"
	exit 0
fi

stage=$top/_build/goroot.new
phase "copying $upstream to ${stage#"$top"/}"
rm -rf "$stage"
mkdir -p "$stage"
# bin/ and pkg/ are the bootstrap's build products; the source is all we want.
(cd "$upstream" && tar --exclude=./bin --exclude=./pkg -cf - .) | (cd "$stage" && tar -xf -)
chmod -R u+w "$stage" # module-cache toolchains are read-only
# A toolchain from the module cache has its go.mod files renamed _go.mod (module zips
# may not hold nested modules); the build needs them back.
find "$stage" -name _go.mod | while read -r f; do
	mv "$f" "$(dirname "$f")/go.mod"
done

phase "applying patches/"
apply_patches "$stage"

phase "adding overlays (src/, runtime-xen/)"
add_overlays "$stage"
configure "$stage"

phase "vendoring the network stack (netstack-deps/)"
vendor_netstack "$stage"

phase "copying misc/xen (the host tools' module)"
add_misc_xen "$stage"

phase "building the toolchain (misc/xen/make.bash: upstream src/make.bash, host tools${distpack_flag:+, distpack})"
# Bootstrap with the pristine $base itself when it is a built toolchain (it is when it
# came from the bootstrap Go or from GOTOOLCHAIN), so that an older Go on PATH only
# has to fetch it.
bootstrap=$(go env GOROOT)
[ -x "$upstream/bin/go" ] && bootstrap=$upstream
echo "bootstrap toolchain: $bootstrap"
GOROOT_BOOTSTRAP=$bootstrap "$stage/misc/xen/make.bash" "${distpack_flag[@]}" ||
	die "misc/xen/make.bash failed (above)"

phase "installing to ./goroot"
rm -rf "$top/goroot"
mv "$stage" "$top/goroot"
phase "done in $(($(date +%s) - start))s: $("$top/goroot/bin/go" version)"
