#!/usr/bin/env bash
# patches.bash keeps patches/ editable as git commits.
#
#   misc/xen/patches.bash init DIR     make DIR a git repository holding the pristine upstream
#                                      tree (tag "pristine") and one commit per patch
#   misc/xen/patches.bash export DIR   rewrite patches/ from DIR's commits since "pristine"
#   misc/xen/patches.bash sync DIR     copy the src/ and runtime-xen/ overlays into DIR (git
#                                      ignores them there), making DIR a GOROOT to build and
#                                      iterate in: cd DIR/src && ./make.bash, then go install
#
# Edit or add upstream changes in DIR with ordinary git (commit --fixup, rebase -i), one
# topic per commit with a message that says why; then export and run ./make.bash -quick.
# Rebasing onto a new Go: init DIR from the old base, `git rebase --onto` a commit of the
# new pristine tree, fix conflicts, export.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
die() {
	echo "patches.bash: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: patches.bash init|export|sync DIR"
cmd=$1
dir=$2

git_dir() {
	git -C "$dir" -c user.name="Go for Xen" -c user.email="go-xen@localhost" "$@"
}

case "$cmd" in
init)
	[ ! -e "$dir" ] || die "$dir exists; remove it or choose another directory"
	base=$(head -n 1 "$top/VERSION")
	base=${base%%-*}
	upstream=$(go env GOROOT)
	if [ "$(head -n 1 "$upstream/VERSION")" != "$base" ]; then
		upstream=$(GOTOOLCHAIN=$base go env GOROOT)
	fi
	mkdir -p "$dir"
	(cd "$upstream" && tar --exclude=./bin --exclude=./pkg -cf - .) | (cd "$dir" && tar -xf -)
	chmod -R u+w "$dir"
	git_dir init -q
	git_dir add -A
	git_dir commit -q -m "$base pristine"
	git_dir tag pristine
	for p in "$top"/patches/*.patch; do
		[ -e "$p" ] || continue
		git_dir am -q --keep-non-patch "$p" || die "$p does not apply; resolve in $dir (git am --continue)"
	done
	echo "$dir: $(git_dir rev-list --count pristine..HEAD) patches on $base"
	;;
export)
	[ -d "$dir/.git" ] || die "$dir is not a tree made by 'patches.bash init'"
	[ -z "$(git_dir status --porcelain --untracked-files=no)" ] || die "$dir has uncommitted changes"
	rm -f "$top"/patches/*.patch
	mkdir -p "$top/patches"
	git_dir format-patch -q --no-numbered --zero-commit --no-signature --stat=72 -o "$top/patches" pristine..HEAD
	ls "$top/patches"
	;;
sync)
	[ -d "$dir/.git" ] || die "$dir is not a tree made by 'patches.bash init'"
	exclude=$dir/.git/info/exclude
	for d in src runtime-xen; do
		[ -d "$top/$d" ] || continue
		(cd "$top/$d" && find . -type f ! -name '*~') | while read -r f; do
			to=src/${f#./}
			if git_dir ls-files --error-unmatch "$to" >/dev/null 2>&1; then
				die "overlay $d/${f#./} would replace upstream $to"
			fi
			mkdir -p "$(dirname "$dir/$to")"
			cp "$top/$d/${f#./}" "$dir/$to"
			grep -qxF "/$to" "$exclude" || echo "/$to" >>"$exclude"
		done
	done
	;;
*)
	die "unknown command $cmd; usage: patches.bash init|export|sync DIR"
	;;
esac
