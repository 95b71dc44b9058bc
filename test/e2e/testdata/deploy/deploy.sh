#!/bin/bash
# deploy.sh STEP...: TestDeployExamples' steps in the test host's dom0 (a
# case's HostTools, next to the example images and configurations, which
# are used as they are in misc/xen/examples). Each step prints KEY=VALUE
# lines for the test, then the consoles and logs it looked at; it fails
# with the reason when something is not as the README says.
#
#   setup         images and disk files where the examples expect them
#   xl-hello      xl create hello.cfg: the console, status 0, poweroff
#   virsh-hello   libvirtd; virsh create hello.xml (transient), then
#                 define + start (persistent): domstate "shut off (shutdown)"
#   virsh-status  hello.xml running the exitcode program with status 3:
#                 "shut off (crashed)"
#   xl-server     xl create server.cfg: DHCP, HTTP from dom0, the disk's boot
#                 counter, xl shutdown reaching the program as SIGTERM
#   virsh-server  the same with server.xml and virsh shutdown, on the same disk
#   time-xl N, time-virsh N   N runs of hello: create -> first console output
set -uo pipefail
export LIBVIRT_DEFAULT_URI=xen:///system
B=$XTH_DIR/bin # this case's HostTools
XI=/var/lib/xen/images
LI=/var/lib/libvirt/images

fail() {
	echo "deploy.sh: $*" >&2
	exit 1
}
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}
console() { echo "/var/log/xen/console/guest-$1.log"; }

# wait_console NAME TEXT SECONDS: until NAME's console log holds TEXT.
wait_console() {
	local f end=$((SECONDS + $3))
	f=$(console "$1")
	until grep -qF -- "$2" "$f" 2>/dev/null; do
		if [ $SECONDS -ge $end ]; then
			echo "--- $1's console:"
			cat "$f" 2>/dev/null
			fail "\"$2\" is not on $1's console after $3 s"
		fi
		sleep 0.05
	done
}

# first_output NAME T0: wait for NAME's first console byte; print the ms since T0.
first_output() {
	local f end=$((SECONDS + 120))
	f=$(console "$1")
	until [ -s "$f" ]; do
		[ $SECONDS -lt $end ] || fail "no console output from $1 in 120 s"
		sleep 0.05
	done
	echo $(($(now_ms) - $2))
}

# wait_gone NAME SECONDS: until Xen has no domain NAME.
wait_gone() {
	local end=$((SECONDS + $2))
	while xl domid "$1" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || fail "domain $1 still exists after $2 s: $(xl list 2>&1)"
		sleep 0.2
	done
}

# wait_state NAME STATE SECONDS: until virsh domstate --reason NAME is STATE.
wait_state() {
	local end=$((SECONDS + $3)) s
	while s=$(virsh domstate "$1" --reason 2>&1); [ "$s" != "$2" ]; do
		[ $SECONDS -lt $end ] || fail "virsh domstate $1 --reason: \"$s\" after $3 s, want \"$2\""
		sleep 0.2
	done
	echo "domstate=$s"
}

start_libvirtd() {
	virsh version >/dev/null 2>&1 && return 0
	local t0 end=$((SECONDS + 120)) w0
	# libvirt's Xen driver names the host CPU from Xen's hw_caps with its
	# CPU models, and every model has VME (CPUID 1 EDX bit 1), even 486's.
	# QEMU's TCG CPU has no VME, so no model matches and the driver does
	# not start ("Cannot find suitable CPU model for given data"). Only
	# then: the 486 model loses vme, in this dom0's copy of libvirt's map.
	w0=$(xl info | sed -n 's/^hw_caps *: *\([0-9a-f]*\):.*/\1/p')
	if [ -n "$w0" ] && [ $((0x$w0 & 2)) = 0 ]; then
		echo "host_vme=no"
		sed -i "/<feature name='vme'\/>/d" /usr/share/libvirt/cpu_map/x86_486.xml
	fi
	# Debian's libvirt-daemon depends on the QEMU driver, which does not
	# start without the user libvirt-qemu that libvirt-daemon-system makes
	# (with systemd units and polkit rules this dom0 has no use for); a
	# driver that fails stops libvirtd. Only the Xen driver is wanted.
	mv /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so /tmp/ 2>/dev/null
	t0=$(now_ms)
	mkdir -p /var/log/libvirt
	libvirtd --daemon || fail "libvirtd did not start"
	until virsh version >/dev/null 2>&1; do
		if [ $SECONDS -ge $end ]; then
			virsh version
			tail -n 30 /var/log/libvirt/libvirtd.log 2>/dev/null
			fail "libvirtd does not answer after 120 s"
		fi
		sleep 0.2
	done
	echo "libvirtd_start_ms=$(($(now_ms) - t0))"
	echo "libvirt_version=$(virsh version --daemon 2>&1 | sed -n 's/^Running against daemon: *//p')"
	virsh capabilities | grep -q "machine.*xenpvh" || {
		virsh capabilities
		fail "libvirt's capabilities offer no xenpvh machine"
	}
}

# xl_reason NAME: the shutdown reason xl's monitor logged for NAME's last run.
xl_reason() {
	sed -n 's/.*has shut down, reason code \([0-9]*\).*/\1/p' "/var/log/xen/xl-$1.log" | tail -n 1
}

# serve NAME: wait for the server's address on its console, fetch / from dom0.
serve() {
	local url
	wait_console "$1" "listening on http://" 120
	url=$(grep -o 'http://[0-9.]*:[0-9]*/' "$(console "$1")" | head -n 1)
	echo "url=$url"
	echo "response=$(curl -s --max-time 30 "$url")"
}

step() {
	case "$1" in
	setup)
		mkdir -p "$XI" "$LI"
		cp "$B/hello.xen" "$B/server.xen" "$XI/"
		cp "$B/hello.xen" "$B/exitcode.xen" "$B/server.xen" "$LI/"
		truncate -s 16M "$XI/server-disk.img"
		# Both toolstacks' server gets the same disk: its boot counter
		# carries over from the xl run to the libvirt one.
		ln -sf "$XI/server-disk.img" "$LI/server-disk.img"
		# The test host's own block hotplug script in place of Xen's
		# (which forks hundreds of times, slow in a dom0 under TCG):
		# the same steps, losetup and the backend's xenstore keys.
		cp /etc/xen/scripts/block /etc/xen/scripts/block.xen
		cp /xth/bin/xth-block /etc/xen/scripts/block
		echo "setup=ok"
		;;
	xl-hello)
		rm -f "$(console hello)"
		t0=$(now_ms)
		xl create "$B/hello.cfg" || fail "xl create hello.cfg failed"
		echo "create_ms=$(($(now_ms) - t0))"
		echo "first_output_ms=$(first_output hello "$t0")"
		wait_console hello "goxen: exit status" 60
		wait_gone hello 60
		echo "xl_reason=$(xl_reason hello)"
		echo "--- console"
		cat "$(console hello)"
		;;
	virsh-hello)
		start_libvirtd
		rm -f "$(console hello)"
		t0=$(now_ms)
		virsh create "$B/hello.xml" || fail "virsh create hello.xml failed"
		echo "create_ms=$(($(now_ms) - t0))"
		echo "first_output_ms=$(first_output hello "$t0")"
		wait_console hello "goxen: exit status" 60
		wait_gone hello 60
		echo "--- transient console"
		cat "$(console hello)"
		rm -f "$(console hello)"
		virsh define "$B/hello.xml" || fail "virsh define hello.xml failed"
		virsh start hello || fail "virsh start hello failed"
		echo "os_type=$(virsh dumpxml hello | grep -o "<type arch='x86_64' machine='xenpvh'>xenpvh</type>")"
		wait_console hello "goxen: exit status" 60
		wait_state hello "shut off (shutdown)" 60
		virsh undefine hello
		echo "--- console"
		cat "$(console hello)"
		;;
	virsh-status)
		start_libvirtd
		rm -f "$(console status3)"
		sed -e 's|<name>hello</name>|<name>status3</name>|' -e "s|$LI/hello.xen|$LI/exitcode.xen|" \
			-e 's|<cmdline>.*</cmdline>|<cmdline>3</cmdline>|' "$B/hello.xml" >/tmp/status3.xml
		virsh define /tmp/status3.xml && virsh start status3 || fail "virsh start status3 failed"
		wait_console status3 "goxen: exit status" 60
		wait_state status3 "shut off (crashed)" 60
		virsh undefine status3
		echo "--- console"
		cat "$(console status3)"
		;;
	xl-server)
		rm -f "$(console server)"
		xl create "$B/server.cfg" || fail "xl create server.cfg failed"
		echo "xl_type=$(xl list -l server | sed -n 's/.*"type": "\([a-z]*\)".*/\1/p' | head -n 1)"
		serve server
		xl shutdown server || fail "xl shutdown server failed"
		wait_console server "goxen: exit status" 60
		wait_gone server 60
		echo "xl_reason=$(xl_reason server)"
		echo "--- console"
		cat "$(console server)"
		;;
	virsh-server)
		start_libvirtd
		rm -f "$(console server)"
		virsh define "$B/server.xml" && virsh start server || fail "virsh start server failed"
		echo "xl_type=$(xl list -l server | sed -n 's/.*"type": "\([a-z]*\)".*/\1/p' | head -n 1)"
		serve server
		virsh shutdown server || fail "virsh shutdown server failed"
		wait_console server "goxen: exit status" 60
		wait_state server "shut off (shutdown)" 60
		virsh undefine server
		echo "--- console"
		cat "$(console server)"
		;;
	time-xl | time-virsh)
		[ "$1" = time-xl ] || start_libvirtd
		for i in $(seq "${2:-3}"); do
			rm -f "$(console hello)"
			t0=$(now_ms)
			if [ "$1" = time-xl ]; then
				xl create "$B/hello.cfg" >/dev/null || fail "xl create failed"
			else
				virsh create "$B/hello.xml" >/dev/null || fail "virsh create failed"
			fi
			t1=$(now_ms)
			echo "run=$i create_ms=$((t1 - t0)) first_output_ms=$(first_output hello "$t0")"
			wait_console hello "goxen: exit status" 60
			wait_gone hello 60
		done
		;;
	*) fail "unknown step $1" ;;
	esac
}

step "$@"
