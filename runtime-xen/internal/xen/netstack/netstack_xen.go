// Copyright 2026 The Go for Xen Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package netstack

// The domain's vifs become interfaces eth0, eth1, ... before main runs:
// netfront connects them, each is configured as GOXEN_NET says (DHCP by
// default), and the program starts once every vif has its IPv4 address
// or GOXEN_NET_WAIT (default 10s) has passed, so that a program that
// dials at startup works. Vifs added later (xl network-attach) come up
// the same way, without the wait; a vif that goes away (xl
// network-detach) is removed with its connections.

import (
	"context"
	"fmt"
	"internal/strconv"
	"internal/xen/netfront"
	"os"
	"sync"
	"syscall"
	"time"
)

// defaultNetWait is how long main waits for the vifs' addresses.
const defaultNetWait = 10 * time.Second

func init() { startVifs() }

// vifDevice is a vif under its interface name.
type vifDevice struct {
	*netfront.Vif
	name string
}

func (d *vifDevice) Name() string { return d.name }

// fatal stops the program before main for a bad setting, as the runtime
// does for a malformed command line.
func fatal(msg string) {
	os.Stderr.WriteString("goxen: " + msg + "\n")
	os.Exit(2)
}

func startVifs() {
	cfg, err := netfront.LocalConfig()
	if err != nil {
		return // the control domain: no vifs of its own
	}
	// GOXEN_NETFRONT=no-gso: the vifs without GSO, for comparisons.
	switch v, _ := syscall.Getenv("GOXEN_NETFRONT"); v {
	case "":
	case "no-gso":
		cfg.NoGSO = true
	default:
		fatal("GOXEN_NETFRONT: unknown option \"" + v + "\" (the one there is: no-gso)")
	}
	var conf map[string]IfConfig
	if v, ok := syscall.Getenv("GOXEN_NET"); ok {
		if conf, err = ParseConfig(v); err != nil {
			fatal(err.Error())
		}
	}
	wait := defaultNetWait
	if v, ok := syscall.Getenv("GOXEN_NET_WAIT"); ok {
		if wait, err = time.ParseDuration(v); err != nil || wait < 0 {
			fatal("GOXEN_NET_WAIT: bad duration \"" + v + "\" (want e.g. 10s, or 0 not to wait)")
		}
	}
	_, verbose := syscall.Getenv("GOXEN_NET_VERBOSE")
	logf := func(format string, args ...any) {
		if verbose {
			os.Stderr.WriteString("goxen: " + fmt.Sprintf(format, args...) + "\n")
		}
	}
	cfg.Log = func(msg string) { os.Stderr.WriteString("goxen: " + msg + "\n") }

	var mu sync.Mutex
	used := map[string]bool{}
	type pending struct {
		name string
		dhcp bool
		up   <-chan struct{}
	}
	var boot []pending
	booting := true
	added := func(v *netfront.Vif) {
		mu.Lock()
		name := ""
		for i := 0; name == ""; i++ {
			if n := "eth" + strconv.Itoa(i); !used[n] {
				name = n
			}
		}
		used[name] = true
		mu.Unlock()
		id, err := Default.AddDevice(&vifDevice{Vif: v, name: name})
		if err != nil {
			cfg.Log(name + ": " + err.Error())
			v.Close(context.Background())
			return
		}
		c, ok := conf[name]
		if !ok {
			c = IfConfig{}
		}
		life, cancel := context.WithCancel(context.Background())
		up := Default.Configure(life, id, name, c, logf)
		go func() {
			<-v.Done()
			cancel()
			Default.RemoveDevice(id)
			mu.Lock()
			delete(used, name)
			mu.Unlock()
		}()
		mu.Lock()
		if booting {
			boot = append(boot, pending{name, c.Mode == IfDHCP, up})
		}
		mu.Unlock()
	}
	if err := netfront.Watch(context.Background(), cfg, added); err != nil {
		cfg.Log("netfront: " + err.Error())
		return
	}
	mu.Lock()
	booting = false
	mu.Unlock()
	if wait == 0 {
		return
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for _, p := range boot {
		select {
		case <-p.up:
		case <-timer.C:
			// Report this one and every other still waiting.
			for _, q := range boot {
				select {
				case <-q.up:
				default:
					why := "no address"
					if q.dhcp {
						why = "no DHCP answer"
					}
					os.Stderr.WriteString("goxen: " + q.name + ": " + why + " in " + wait.String() + "; main starts anyway (GOXEN_NET_WAIT)\n")
				}
			}
			return
		}
	}
}
