// grant exercises event channels and the grant table as a domU, with
// testdata/dom0peer playing the backend in dom0: it offers dom0 an unbound
// port and a granted page, waits for dom0's answer in the page, finds that
// the grant cannot be revoked while dom0 maps it, and revokes it once dom0
// has unmapped it. Then it fills the grant table, and checks waits that end
// by deadline and by Close.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"syscall/xen"
	"time"
)

func main() {
	// A first key that dom0 wrote before the domain started.
	if v, err := xen.Read("data/before-boot"); err != nil {
		fail("reading data/before-boot: %v", err)
	} else {
		fmt.Println("before boot:", v)
	}

	ch, err := xen.AllocUnbound(0)
	check(err)
	page := xen.NewPage()
	copy(page, "hello from the domU")
	ref, err := xen.Grant(0, page, false)
	check(err)
	check(xen.Write("data/port", strconv.Itoa(int(ch.Port()))))
	check(xen.Write("data/gref", strconv.Itoa(int(ref))))
	fmt.Println("offered port and grant")

	wait := func(what string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := ch.Wait(ctx); err != nil {
			fail("waiting for %s: %v", what, err)
		}
	}
	// Events carry no data and may be spurious: look at the page after
	// each one.
	answer := page[2048:]
	for answer[0] == 0 {
		wait("dom0's answer")
	}
	fmt.Printf("dom0 wrote: %s\n", answer[:bytes.IndexByte(answer, 0)])
	if err := xen.Revoke(ref); !errors.Is(err, xen.ErrGrantInUse) {
		fail("Revoke while dom0 maps the page = %v, want ErrGrantInUse", err)
	}
	fmt.Println("revoke while mapped: refused")

	dport, err := xen.Read("data/dom0-port")
	check(err)
	n, err := strconv.Atoi(dport)
	check(err)
	toDom0, err := xen.BindInterdomain(0, uint32(n))
	check(err)
	check(toDom0.Notify())
	for {
		wait("dom0's unmap")
		err := xen.Revoke(ref)
		if err == nil {
			break
		}
		if !errors.Is(err, xen.ErrGrantInUse) {
			fail("Revoke: %v", err)
		}
	}
	fmt.Println("revoked after unmap")
	if err := xen.Revoke(ref); !errors.Is(err, xen.ErrNotGranted) {
		fail("second Revoke = %v, want ErrNotGranted", err)
	}
	check(toDom0.Notify())

	// Exhaustion: grant read-only until the table is full, then give all
	// back and check that a grant works again.
	var refs []xen.GrantRef
	for {
		r, err := xen.Grant(0, page, true)
		if errors.Is(err, xen.ErrGrantTableFull) {
			break
		}
		check(err)
		refs = append(refs, r)
		if len(refs) > 1<<20 {
			fail("the grant table never fills")
		}
	}
	fmt.Println("grant table full after", len(refs), "grants")
	for _, r := range refs {
		check(xen.Revoke(r))
	}
	r, err := xen.Grant(0, page, true)
	check(err)
	check(xen.Revoke(r))

	// Bad pages are errors.
	if _, err := xen.Grant(0, page[1:], false); err == nil {
		fail("Grant of a short page succeeded")
	}

	// A wait that ends by its deadline, one ended by Close.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	start := time.Now()
	err = ch.Wait(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) < 250*time.Millisecond {
		fail("Wait with a deadline = %v after %v", err, time.Since(start))
	}
	done := make(chan error)
	go func() { done <- ch.Wait(context.Background()) }()
	time.Sleep(100 * time.Millisecond)
	check(ch.Close())
	if err := <-done; !errors.Is(err, xen.ErrClosed) {
		fail("Wait across Close = %v, want ErrClosed", err)
	}
	if err := ch.Notify(); !errors.Is(err, xen.ErrClosed) {
		fail("Notify after Close = %v", err)
	}
	check(toDom0.Close())
	// A VIRQ binds like any port; a VIRQ Xen does not have is EINVAL.
	v, err := xen.BindVIRQ(xen.VIRQDebug)
	check(err)
	fmt.Println("VIRQ_DEBUG bound to port", v.Port())
	check(v.Close())
	if _, err := xen.BindVIRQ(1000); !errors.Is(err, syscall.EINVAL) {
		fail("BindVIRQ(1000) = %v, want EINVAL", err)
	}
	fmt.Println("ok")
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}
