// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"goforxen.dev/misc/xen/testhost"
)

// netfront on the test host: GOOS=xen domUs on dom0's bridge xenbr0
// against Linux's netback, with dom0's dnsmasq (DHCP, DNS, router
// advertisements) and busybox httpd (misc/xen/testhost/dom0/init.sh). The
// guest is testdata/netfront, dom0's probe testdata/netprobe.
//   - serve: DHCP gives eth0 10.0.0.9/24 and the DNS server and search
//     domain in /etc/resolv.conf; SLAAC an fd00::/64 address; dom0 gets
//     the guest's greeting by IPv4 and by IPv6 link-local, checks that
//     it computes right itself, uploads and downloads 16 MiB with
//     matching SHA-256s, echoes UDP and pings; the
//     guest fetches from dom0 by address, by name (dom0.test) and over
//     IPv6, and over TLS by name with a CA the test made; a second domU
//     on the bridge fetches from it; xl shutdown while serving ends it
//     cleanly (status 0);
//   - static: GOXEN_NET configures eth0 with no DHCP server answering;
//   - silent: no DHCP answer, GOXEN_NET_WAIT=3s: main starts after the wait
//     with the documented message;
//   - detach: xl network-detach under an open connection fails the
//     connection with an error and the program goes on; xl network-attach
//     of a new vif brings up an interface that works.
func TestNetfront(t *testing.T) {
	t.Parallel()
	img := image(t, "netfront")
	probe := hostTool(t, "netprobe")
	ca, cert, key := testCA(t)
	// A passing run takes about 70 s in all; the budgets bound a hung test
	// host (misc/xen/README.md, "When the emulator fails").
	const slow = 2 * time.Minute
	cases := []testhost.Case{{
		Name: "serve", Kernel: img, Cmdline: "-- serve", MemoryMiB: 64, VIF: true, MAC: "00:16:3e:00:00:09",
		HostTools: []string{probe, img, ca, cert, key},
		HostCommands: []string{
			`xth-wait-console ready 100`,
			`netprobe hello http://$GUEST_IP:8080/`,
			`netprobe hello "http://[$(netprobe linklocal $GUEST_MAC)%25xenbr0]:8080/"`,
			// The emulated machine computes right (with XSAVE it did
			// not: misc/xen/README.md, "When the emulator fails").
			`netprobe hashcheck 3`,
			// The digests are checked with sha256sum and curl, which
			// kept right when Go programs in dom0 went wrong.
			`head -c 16777216 /dev/urandom >/tmp/up && want="$(sha256sum </tmp/up | cut -d' ' -f1) 16777216" && got=$(curl -sS --data-binary @/tmp/up http://$GUEST_IP:8080/sha256) && [ "$got" = "$want" ] || { echo "upload: the guest says $got, want $want"; exit 1; }`,
			`got=$(curl -sS "http://$GUEST_IP:8080/bytes?n=16777216" | sha256sum | cut -d' ' -f1) && want=$(curl -sS "http://$GUEST_IP:8080/bytes-sha256?n=16777216") && [ "$got" = "$want" ] || { echo "download: got $got, the guest sent $want"; exit 1; }`,
			`netprobe udp $GUEST_IP:7`,
			`ping -c 3 -W 5 $GUEST_IP`,
			// HTTPS from dom0 by name, with a CA this test made: the
			// guest gets the CA in the request and fetches.
			`netprobe tlsserve "$(command -v netfront-cert.pem)" "$(command -v netfront-key.pem)" :8443 90 & sleep 2; r=$(curl -sS --data-binary @"$(command -v netfront-ca.pem)" http://$GUEST_IP:8080/fetch-tls); echo "$r"; kill $! 2>/dev/null; [ "$r" = "ok fetch-tls" ]`,
			// A second domU on the bridge fetches from this one and
			// reports back to it.
			`printf 'name="peer"
type="pvh"
kernel="%s"
memory=64
vif=["bridge=xenbr0,mac=00:16:3e:00:00:0c"]
extra="-- peer http://%s:8080/ http://%s:8080/peer"
' "$(command -v goxen-e2e-netfront.xen)" $GUEST_IP $GUEST_IP >/tmp/peer.cfg && xl create -q /tmp/peer.cfg && xth-wait-console "ok peer:" 90; rc=$?; xl destroy peer 2>/dev/null; exit $rc`,
		},
		ShutdownAfterCommands: true, CommandTimeout: 2 * time.Minute, Timeout: 2 * slow,
	}, {
		Name: "static", Kernel: img, MemoryMiB: 64, VIF: true, MAC: "00:16:3e:00:00:fe",
		Cmdline: `GOXEN_NET=eth0=10.0.0.50/24,gw=10.0.0.1,dns=10.0.0.1,search=test -- fetch`,
		Timeout: slow,
	}, {
		Name: "silent", Kernel: img, MemoryMiB: 64, VIF: true, MAC: "00:16:3e:00:00:fe",
		Cmdline: `GOXEN_NET_WAIT=3s -- fetch`,
		Timeout: slow,
	}, {
		Name: "detach", Kernel: img, Cmdline: "-- detach", MemoryMiB: 64, VIF: true, MAC: "00:16:3e:00:00:0a",
		BeforeCommands: []string{`dd if=/dev/urandom of=/srv/www/big bs=1M count=32 2>/dev/null`},
		HostCommands: []string{
			`xth-wait-console downloading 100`,
			`xl network-detach $DOMNAME 0`,
			`xth-wait-console "conn error" 90`,
			`xl network-attach $DOMNAME bridge=xenbr0 mac=00:16:3e:00:00:0b`,
			`xth-wait-console ready 100`,
		},
		ShutdownAfterCommands: true, CommandTimeout: 2 * time.Minute, Timeout: 2 * slow,
	}}
	results := runCases(t, 15*time.Minute, cases...)
	want := []struct {
		status int
		out    []string // regexps the console must match
	}{
		{0, []string{`(?m)^iface eth0 00:16:3e:00:00:09 1500 up\|broadcast\|multicast\|running .*10\.0\.0\.9/24`,
			`(?m)^iface eth0 .*fe80::216:3eff:fe00:9/64`, `(?m)^iface eth0 .*fd00::[0-9a-f:]+/64`,
			`(?m)^resolv: nameserver 10\.0\.0\.1$`, `(?m)^resolv: search test$`,
			`(?m)^ok fetch-addr$`, `(?m)^ok fetch-name$`, `(?m)^ok fetch-ipv6$`, `(?m)^ready$`,
			`(?m)^ok fetch-tls$`, `(?m)^ok peer: hello from xen to 10\.0\.0\.12:\d+ from 10\.0\.0\.12:\d+$`, `(?m)^shutdown clean$`}},
		{0, []string{`(?m)^iface eth0 00:16:3e:00:00:fe 1500 .* 10\.0\.0\.50/24`, `(?m)^resolv: nameserver 10\.0\.0\.1$`,
			`(?m)^ok fetch-addr$`, `(?m)^ok fetch-name$`}},
		{0, []string{`(?m)^goxen: eth0: no DHCP answer in 3s`, `(?m)^FAIL fetch-addr: `}},
		{0, []string{`(?m)^downloading$`, `(?m)^conn error after \d+ bytes: .+`,
			`(?m)^iface eth0 00:16:3e:00:00:0b .*10\.0\.0\.11/24`, `(?m)^ok refetch$`, `(?m)^shutdown clean$`}},
	}
	for i, r := range results {
		w := want[i]
		bad := r.Err != nil || r.TimedOut || r.ExitStatus != w.status
		for _, re := range w.out {
			if !regexp.MustCompile(re).MatchString(r.Console) {
				t.Errorf("%s: console does not match %q", r.Name, re)
				bad = true
			}
		}
		for _, h := range r.HostOutputs {
			if h.ExitStatus != 0 {
				bad = true
			}
		}
		if i != 2 && strings.Contains(r.Console, "\nFAIL ") {
			bad = true
		}
		if bad {
			t.Errorf("%s: want status %d; got %s\nconsole:\n%s\nhost: %+v\n%s", r.Name, w.status, r.Summary(), r.Console, r.HostOutputs, r.Details())
		}
	}
}

// testCA makes a CA and a certificate it signed for dom0.test and
// 10.0.0.1, and writes them as netfront-ca.pem, netfront-cert.pem and
// netfront-key.pem (HostTools go to dom0 under their base names).
func testCA(t *testing.T) (ca, cert, key string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Go for Xen test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "dom0.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"dom0.test"}, IPAddresses: []net.IP{net.IPv4(10, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(srvKey)
	dir := t.TempDir()
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("netfront-ca.pem", "CERTIFICATE", caDER), write("netfront-cert.pem", "CERTIFICATE", srvDER),
		write("netfront-key.pem", "EC PRIVATE KEY", keyDER)
}
