#!/bin/sh
# /init of the goforxen level-2 test host's dom0 (a PV dom0 booted by Xen
# inside QEMU). It brings up the Xen toolstack, then runs /xth/agent (shipped
# with each run, see agent.sh) and powers the machine off. Without an agent,
# or with xth.shell on the kernel command line, it starts a shell on the
# console instead.
#
# This file is part of the test host's cache key: editing it rebuilds the
# root on the next run.

export PATH=/usr/lib/xen-4.17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=linux LC_ALL=C

msg() { echo "xth: $*"; }

halt() {
	sync
	busybox poweroff -f
	# Not reached; if it is, spin rather than let the kernel panic.
	while :; do sleep 3600; done
}

fail() {
	msg "init failed: $*"
	halt
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/lock /run/xen /run/xenstored /run/xen-hotplug \
	/var/log/xen/console /var/lib/xen /var/lib/xen/dump /tmp
chmod 1777 /tmp

# devtmpfs has no /dev/fd and /dev/stdin (udev would make them); the block
# hotplug script hangs without them (misc/xen/README.md, "Three traps").
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr

hostname xth-dom0 2>/dev/null

read -r up_start _ </proc/uptime
msg "init started at ${up_start}s"
if dmesg | grep -q "Initramfs unpacking failed"; then
	dmesg | grep "Initramfs unpacking failed"
	fail "the initramfs did not fit in dom0's memory"
fi

modprobe -a xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-netback \
	xen-blkback bridge loop tun virtio_pci virtio_blk virtio_console || fail "modprobe"

mount -t xenfs xenfs /proc/xen || fail "mount xenfs"

XENSTORED_ROOTDIR=/run/xenstored xenstored --pid-file=/run/xenstored.pid ||
	fail "xenstored"
export XENSTORED_ROOTDIR=/run/xenstored
i=0
until xenstore-read -s / >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 300 ] && fail "xenstored did not answer in 30 s"
	sleep 0.1
done
xen-init-dom0 >/run/xen-init-dom0.log 2>&1 || {
	cat /run/xen-init-dom0.log
	fail "xen-init-dom0"
}
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
	--log-dir=/var/log/xen/console || fail "xenconsoled"

ip link set lo up
ip link add xenbr0 type bridge stp_state 0 forward_delay 0 || fail "bridge xenbr0"
ip addr add 10.0.0.1/24 dev xenbr0
ip -6 addr add fd00::1/64 dev xenbr0 nodad
ip link set xenbr0 up

# dnsmasq on xenbr0:
# - DHCPv4: MAC 00:16:3e:00:00:NN gets 10.0.0.NN (2 <= NN <= 99 or
#   200 <= NN <= 253, hexadecimal in the MAC, decimal in the address), any
#   other MAC an address from 10.0.0.100-199 (dnsmasq gives out no address
#   a dhcp-host line reserves, so the pool is left out of the fixed ones);
#   router and DNS server 10.0.0.1, domain test.
#   MAC 00:16:3e:00:00:fe is never answered (a DHCP server that is silent).
# - DNS: dom0.test is 10.0.0.1 (and fd00::1); nothing is forwarded.
# - IPv6: router advertisements for fd00::/64 (SLAAC, with RDNSS fd00::1).
{
	echo "interface=xenbr0"
	echo "bind-interfaces"
	echo "no-resolv"
	echo "no-hosts"
	echo "domain=test"
	echo "local=/test/"
	echo "address=/dom0.test/10.0.0.1"
	echo "address=/dom0.test/fd00::1"
	echo "dhcp-range=10.0.0.100,10.0.0.199,255.255.255.0,24h"
	echo "dhcp-option=option:router,10.0.0.1"
	echo "dhcp-option=option:dns-server,10.0.0.1"
	echo "dhcp-leasefile=/run/dnsmasq.leases"
	echo "dhcp-authoritative"
	echo "enable-ra"
	echo "dhcp-range=::,constructor:xenbr0,ra-only,64,24h"
	echo "dhcp-option=option6:dns-server,[fd00::1]"
	n=2
	while [ $n -le 253 ]; do
		[ $n -ge 100 ] && [ $n -le 199 ] ||
			printf 'dhcp-host=00:16:3e:00:00:%02x,10.0.0.%d\n' $n $n
		n=$((n + 1))
	done
	echo "dhcp-host=00:16:3e:00:00:fe,ignore"
} >/run/dnsmasq.conf
mkdir -p /var/lib/misc
dnsmasq --conf-file=/run/dnsmasq.conf --pid-file=/run/dnsmasq.pid --user=root \
	--log-facility=/run/dnsmasq.log || msg "warning: dnsmasq did not start"
# An HTTP server for guests to fetch from: http://10.0.0.1:8000/hello.txt.
mkdir -p /srv/www
echo "hello from dom0" >/srv/www/hello.txt
busybox httpd -p 8000 -h /srv/www || msg "warning: httpd did not start"

read -r up_ready _ </proc/uptime
msg "ready: dom0 uptime ${up_ready}s"

case " $(cat /proc/cmdline) " in
*" xth.shell "*) shell=1 ;;
*) shell= ;;
esac
if [ -z "$shell" ] && [ -x /xth/agent ]; then
	XTH_UPTIME_READY=$up_ready XTH_UPTIME_START=$up_start /xth/agent
	msg "agent exited with status $?"
else
	msg "no agent: starting a shell on the console; 'exit' powers off"
	setsid busybox cttyhack /bin/bash -l
fi
msg "powering off"
halt
