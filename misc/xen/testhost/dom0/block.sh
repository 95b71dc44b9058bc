#!/bin/bash
# xth-block: the test host's hotplug script for its file-backed disks (the
# script= of their xl disk specs), in place of Xen's own block script. It
# does what that script does for a raw file (losetup, read-only for
# mode "r", then physical-device, physical-device-path and hotplug-status
# in the backend's xenstore directory, blkback's cue to open the device),
# with a handful of forks instead of hundreds: forking is slow in a PV
# dom0 under TCG, and with two disks, or a loaded build machine, Xen's
# script overran libxl's 40 s hotplug timeout.
set -u
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
dir=$XENBUS_PATH
case "$1" in
add)
	file=$(xenstore-read "$dir/params") || exit 1
	ro=
	[ "$(xenstore-read "$dir/mode")" = r ] && ro=-r
	dev=$(losetup $ro -f --show "$file") || exit 1
	xenstore-write "$dir/physical-device" "$(stat -L -c %t:%T "$dev")" \
		"$dir/physical-device-path" "$dev" "$dir/hotplug-status" connected
	;;
remove)
	dev=$(xenstore-read "$dir/physical-device-path" 2>/dev/null) && losetup -d "$dev"
	exit 0
	;;
esac
