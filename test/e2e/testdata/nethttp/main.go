// Copyright 2026 The Go for Xen Authors.

// nethttp runs net/http clients and servers against each other over GOOS=xen's
// network stack: HTTP/1.1 keep-alive, HTTP/2 over TLS with a certificate
// authority made in the program, and a graceful Shutdown with requests in
// flight. Each check prints "ok NAME" or "FAIL NAME: why"; the exit status is
// 1 if any failed.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

var failed bool

func check(name string, err error) {
	if err != nil {
		failed = true
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	fmt.Printf("ok %s\n", name)
}

func main() {
	check("keep-alive", keepAlive())
	check("http2 tls", http2TLS())
	check("shutdown", shutdown())
	if failed {
		os.Exit(1)
	}
}

// serve starts srv on a new loopback listener and returns its URL base.
func serve(srv *http.Server, tlsOn bool) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	if tlsOn {
		go srv.ServeTLS(ln, "", "")
		return "https://" + ln.Addr().String(), nil
	}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

func get(c *http.Client, url string) (string, *http.Response, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp, err
}

// keepAlive sends 50 requests over one client: they share one connection.
func keepAlive() error {
	var conns atomic.Int32
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello %s", r.URL.Path)
		}),
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		},
	}
	defer srv.Close()
	base, err := serve(srv, false)
	if err != nil {
		return err
	}
	c := &http.Client{Transport: &http.Transport{}}
	for i := 0; i < 50; i++ {
		body, resp, err := get(c, fmt.Sprintf("%s/%d", base, i))
		if err != nil {
			return err
		}
		if want := fmt.Sprintf("hello /%d", i); body != want || resp.Proto != "HTTP/1.1" {
			return fmt.Errorf("request %d: %s %q, want HTTP/1.1 %q", i, resp.Proto, body, want)
		}
	}
	if n := conns.Load(); n != 1 {
		return fmt.Errorf("50 requests used %d connections, want 1", n)
	}
	return nil
}

// http2TLS serves HTTP/2 over TLS with a certificate signed by a CA made
// here, which the client trusts.
func http2TLS() error {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Go for Xen test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s", r.Proto, r.URL.Path)
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: key}}},
	}
	defer srv.Close()
	base, err := serve(srv, true)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	c := &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots},
		ForceAttemptHTTP2: true,
	}}
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, resp, err := get(c, fmt.Sprintf("%s/%d", base, i))
			if err != nil {
				errs <- err
				return
			}
			if want := fmt.Sprintf("HTTP/2.0 /%d", i); body != want || resp.ProtoMajor != 2 || resp.TLS == nil {
				errs <- fmt.Errorf("request %d: %s %q, want HTTP/2.0 over TLS", i, resp.Proto, body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	// A client that does not trust the CA is refused.
	_, _, err = get(&http.Client{}, base+"/untrusted")
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &uerr) {
		return fmt.Errorf("a client without the CA: %v, want x509.UnknownAuthorityError", err)
	}
	return nil
}

// shutdown starts requests that take a while, shuts the server down while
// they run: they all complete, and the server accepts no more.
func shutdown() error {
	started := make(chan struct{}, 5)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		time.Sleep(300 * time.Millisecond)
		fmt.Fprint(w, "finished")
	})}
	base, err := serve(srv, false)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: &http.Transport{}}
			body, _, err := get(c, base)
			if err == nil && body != "finished" {
				err = fmt.Errorf("body %q", body)
			}
			if err != nil {
				errs <- fmt.Errorf("request in flight: %v", err)
			}
		}()
	}
	for i := 0; i < 5; i++ {
		<-started
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("Shutdown: %v", err)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if _, _, err := get(&http.Client{Transport: &http.Transport{}}, base); err == nil {
		return errors.New("a request after Shutdown succeeded")
	}
	return nil
}
