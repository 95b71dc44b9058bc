#!/bin/bash
# The goforxen test host's case runner: run by dom0's /init once the
# toolstack is up, it runs every case in /xth/cases (prepared on the build
# machine by testhost.Run, shipped in the initrd) one after another and
# writes results under /xth/results. After the boot and after each case
# state changes, it copies /xth/results as a tar archive onto the virtio disk
# whose serial is "xthresults"; the build machine reads that file after QEMU
# exits. Progress lines starting "xth: " go to the serial console.
#
# Per case directory /xth/cases/NNN (see run.go for the exact contents):
#   vars.sh        shell variables: NAME, CASE_NAME, TIMEOUT_US, ...
#   xl.cfg         the domain configuration (kernels and ramdisks are in
#                  /xth/blobs, shared between cases)
#   disk.img       the disk images, if the case has disks (disk2.img, ...
#                  for the second and later ones; DISK_SPECS in vars.sh)
#   during-K.sh    host commands run while the guest runs
#   after-K.sh     host commands run after it stopped
# Results in /xth/results/NNN:
#   state          "started" or "done"
#   meta           key=value lines: times in microseconds, reason code, ...
#   create.log     output of xl create -F
#   console.log    the guest console (xenconsoled's log)
#   xl-list.txt    xl list -v when the case timed out or xl create failed
#   ps.txt         the processes in dom0 when the case timed out
#   vcpu.txt       xenctx -a: the guest's registers when it timed out
#   during-K.{out,err,rc,time}, after-K.{...}
#   files/         whatever the host commands put into $OUT
#   disk.img       the disk images after the case, when asked for

set -u
export PATH=/xth/bin:/usr/lib/xen-4.17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export XENSTORED_ROOTDIR=/run/xenstored

R=/xth/results
mkdir -p "$R"

msg() { echo "xth: $*"; }

# Time in microseconds, from bash's EPOCHREALTIME. (The agent keeps to
# plain bash: $(<file) with [[ =~ ]] and "bash -c" with declare -f output
# once ended in heap corruption in bash 5.2, "corrupted double-linked
# list".)
tick() { T=${EPOCHREALTIME/./}; }

resdev=
for s in /sys/block/*/serial; do
	[ -r "$s" ] || continue
	if [ "$(cat "$s")" = xthresults ]; then
		resdev=/dev/$(basename "$(dirname "$s")")
	fi
done
[ -n "$resdev" ] || msg "warning: no results disk; results are lost"

# The live console port (testhost/live.go), if QEMU has one: the virtio
# serial port named xth.live.
livedev=
for n in /sys/class/virtio-ports/*/name; do
	[ -r "$n" ] || continue
	if [ "$(cat "$n")" = xth.live ]; then
		livedev=/dev/$(basename "$(dirname "$n")")
	fi
done

# live_input copies the live port to the domain's console pty, which
# xenconsoled creates for it and names in xenstore; fd 7 is the port.
live_input() {
	local pty= i=0
	while [ $i -lt 200 ]; do
		pty=$(xenstore-read "/local/domain/$DOMID/console/tty" 2>/dev/null) && [ -n "$pty" ] && break
		sleep 0.05
		i=$((i + 1))
	done
	if [ -z "$pty" ]; then
		msg "warning: $NAME has no console tty: no live input"
		return
	fi
	exec cat <&7 >"$pty"
}

save_results() {
	[ -n "$resdev" ] || return 0
	tar -C "$R" -cf - . | timeout 120 dd of="$resdev" bs=1M conv=fsync status=none ||
		msg "warning: writing the results disk failed"
}

# Boot information.
{
	echo "uptime_start=${XTH_UPTIME_START:-}"
	echo "uptime_ready=${XTH_UPTIME_READY:-}"
	tick
	echo "agent_start=$T"
	awk '/^MemTotal:|^MemFree:|^MemAvailable:|^Shmem:/ { sub(":", "", $1); print "meminfo_" $1 "=" $2 }' /proc/meminfo
	df -k / | awk 'NR == 2 { print "rootfs_used_kib=" $3 }'
} >"$R/info"
xl info >"$R/xl-info.txt" 2>&1
dmesg >"$R/dmesg-boot.txt" 2>&1
save_results

# destroy_all destroys the case's domain and, if host commands ran (they
# may have made domains), every other domain but dom0.
destroy_all() {
	local n
	timeout 60 xl destroy "$NAME" >>"$out/destroy.log" 2>&1 ||
		[ "$create_rc" != 0 ] || msg "warning: xl destroy $NAME failed"
	[ -e "$dir/during-1.sh" ] || [ -e "$dir/after-1.sh" ] || return 0
	for n in $(xl list 2>/dev/null | awk 'NR > 1 && $2 != 0 { print $1 }'); do
		timeout 60 xl destroy "$n" >>"$out/destroy.log" 2>&1 ||
			msg "warning: xl destroy $n failed"
	done
}

cases=(/xth/cases/*/)
ncases=${#cases[@]}
[ -d "${cases[0]:-}" ] || ncases=0
idx=0
for dir in "${cases[@]}"; do
	[ -d "$dir" ] || continue
	dir=${dir%/}
	idx=$((idx + 1))
	out=$R/$(basename "$dir")
	mkdir -p "$out/files"
	# shellcheck disable=SC1091
	. "$dir/vars.sh"
	echo started >"$out/state"
	save_results
	msg "case $idx/$ncases $CASE_NAME: starting"

	# DISK_SPECS: one "FILE MODE SIZE_MIB RETURN [SHARED]" line a disk;
	# a shared disk lives in /xth/shared across cases, made by the first.
	k=0
	DISK=$dir/disk.img
	while read -r dfile dmode dsize dret dshared; do
		[ -n "$dfile" ] || continue
		k=$((k + 1))
		path=$dir/$dfile
		if [ -n "$dshared" ]; then
			mkdir -p /xth/shared
			if [ ! -e "$dshared" ]; then
				if [ "$dmode" = empty ]; then
					truncate -s "${dsize}M" "$dshared"
				else
					mv "$path" "$dshared"
				fi
			fi
			path=$dshared
		elif [ "$dmode" = empty ]; then
			truncate -s "${dsize}M" "$path"
		fi
		if [ $k -eq 1 ]; then DISK=$path; else export "DISK$k=$path"; fi
	done <<<"$DISK_SPECS"
	log=/var/log/xen/console/guest-$NAME.log
	rm -f "$log"
	export DOMNAME=$NAME GUEST_IP GUEST_MAC CONSOLE=$log DISK \
		OUT=$out/files DOMID= XTH_DIR=$dir XTH_OUT=$out CMD_TIMEOUT_S SHUTDOWN_AFTER

	# A live case's console log goes to the live port as it grows, from
	# its first byte (tail -F waits for the file and follows it with
	# inotify).
	livepids=
	if [ "${LIVE:-0}" = 1 ]; then
		if [ -n "$livedev" ] && exec 7<>"$livedev"; then
			tail -c +1 -F "$log" 2>/dev/null >&7 &
			livepids=$!
		else
			msg "warning: no live console port"
		fi
	fi

	tick
	t_start=$T
	# The domain has CREATE_TIMEOUT_US to be built and started, then
	# TIMEOUT_US to run until it shuts down.
	deadline=$((t_start + CREATE_TIMEOUT_US))
	: >"$out/create.log"
	paused=
	[ -e "$dir/before-1.sh" ] && paused=-p # BeforeCommands run before it starts
	xl create -F $paused "$dir/xl.cfg" >>"$out/create.log" 2>&1 </dev/null &
	xlpid=$!
	t_created= t_console= timedout=0 cmdpid=
	while :; do
		if [ -z "$t_console" ] && [ -s "$log" ]; then
			tick
			t_console=$T
		fi
		if [ -z "$t_created" ] && grep -q 'Waiting for domain' "$out/create.log"; then
			tick
			t_created=$T
			deadline=$((t_created + TIMEOUT_US))
			DOMID=$(sed -n 's/.*(domid \([0-9]*\)).*/\1/p' "$out/create.log")
			export DOMID
			if [ -n "$paused" ]; then
				xth-run-cmds before </dev/null
				xl unpause "$DOMID" >>"$out/create.log" 2>&1 ||
					msg "warning: xl unpause $DOMNAME failed"
				tick
				deadline=$((T + TIMEOUT_US))
			fi
			setsid xth-run-cmds during </dev/null &
			cmdpid=$!
			if [ -n "$livepids" ]; then
				live_input &
				livepids="$livepids $!"
			fi
		fi
		kill -0 "$xlpid" 2>/dev/null || break
		tick
		if [ "$T" -ge "$deadline" ]; then
			timedout=run
			[ -n "$t_created" ] || timedout=create
			break
		fi
		sleep 0.05
	done
	if [ "$timedout" != 0 ]; then
		msg "case $idx/$ncases $CASE_NAME: timed out ($timedout)"
		timeout 30 xl list -v >"$out/xl-list.txt" 2>&1
		ps -eo pid,ppid,stat,wchan:24,etime,args >"$out/ps.txt" 2>&1
		[ -n "$DOMID" ] && timeout 20 xenctx -a "$DOMID" 0 >"$out/vcpu.txt" 2>&1
		kill "$xlpid" 2>/dev/null
		[ -n "$cmdpid" ] && kill -- -"$cmdpid" 2>/dev/null
		# xl may be stuck in the kernel; do not wait for it forever.
		i=0
		while kill -0 "$xlpid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$xlpid" 2>/dev/null
	fi
	wait "$xlpid"
	create_rc=$?
	tick
	t_shutdown=$T
	if [ -z "$t_console" ] && [ -s "$log" ]; then
		t_console=$T
	fi
	if [ -n "$cmdpid" ]; then
		wait "$cmdpid"
		rc=$?
		[ "$rc" = 0 ] || [ "$timedout" != 0 ] ||
			msg "warning: the host command runner of case $CASE_NAME ended with status $rc"
	fi
	tick
	t_cmds=$T

	# Let xenconsoled drain the ring: wait until the log has not changed
	# for 0.1 s (at most 2 s). The builtin test -nt compares modification
	# times without forking (a fork is slow in a PV dom0 under TCG).
	stamp=$out/.settle
	: >"$stamp"
	i=0
	while [ $i -lt 20 ]; do
		sleep 0.1
		[[ $log -nt $stamp ]] || break
		: >"$stamp"
		i=$((i + 1))
	done
	rm -f "$stamp"

	xth-run-cmds after </dev/null
	tick
	t_after=$T
	[ "$create_rc" = 0 ] || [ -e "$out/xl-list.txt" ] || timeout 30 xl list -v >"$out/xl-list.txt" 2>&1
	reason=$(sed -n 's/.*has shut down, reason code \([0-9-]*\).*/\1/p' "$out/create.log" | tail -n 1)
	destroy_all
	tick
	t_destroyed=$T
	cp "$log" "$out/console.log" 2>/dev/null || : >"$out/console.log"
	if [ -n "$livepids" ]; then
		# The build machine completes the stream from console.log.
		sleep 0.2
		kill $livepids 2>/dev/null
		wait $livepids 2>/dev/null
		exec 7>&-
	fi
	while read -r dfile dmode dsize dret dshared; do
		[ -n "$dfile" ] || continue
		path=${dshared:-$dir/$dfile}
		if [ "$dret" = 1 ] && [ -e "$path" ]; then
			cp --sparse=always "$path" "$out/$dfile"
		fi
		rm -f "$dir/$dfile"
	done <<<"$DISK_SPECS"
	{
		echo "domid=$DOMID"
		echo "create_rc=$create_rc"
		echo "reason_code=$reason"
		echo "timed_out=$timedout"
		echo "t_start=$t_start"
		echo "t_created=$t_created"
		echo "t_console=$t_console"
		echo "t_shutdown=$t_shutdown"
		echo "t_cmds=$t_cmds"
		echo "t_after=$t_after"
		echo "t_destroyed=$t_destroyed"
	} >"$out/meta"
	echo done >"$out/state"
	tick
	echo "t_end=$T" >>"$out/meta"
	save_results
	if [ "$timedout" != 0 ]; then
		what="timed out ($timedout)"
	else
		case "$reason" in
		0) what=poweroff ;; 1) what=reboot ;; 2) what=suspend ;;
		3) what=crash ;; 4) what=watchdog ;; 5) what=soft_reset ;;
		*) what="no shutdown (xl create status $create_rc)" ;;
		esac
	fi
	msg "case $idx/$ncases $CASE_NAME: $what in $(((T - t_start) / 1000)) ms"
done
msg "all $ncases cases done"
