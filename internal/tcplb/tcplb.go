// Package tcplb is a round-robin TCP proxy for tests and benchmarks: several
// Chorus instances "behind one address", as nginx would put them in
// production (docs/operations.md). Each connection goes to the next backend
// in turn; a backend that refuses the connection is skipped, so killing an
// instance sends new connections to the others, as nginx's
// proxy_next_upstream does. It is for loopback use only: it does no health
// checks, keeps no state past a connection, and adds nothing to the bytes.
package tcplb

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// dialTimeout bounds the dial of one backend; on loopback a refused
// connection answers at once, so this only matters for a hung backend.
const dialTimeout = 2 * time.Second

// LB is a running proxy.
type LB struct {
	ln       net.Listener
	backends []string
	next     atomic.Uint64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool // Close has begun: no connection is taken on
	wg     sync.WaitGroup
}

// Listen starts a proxy on addr (e.g. "127.0.0.1:0") in front of backends
// (host:port each) and serves until Close.
func Listen(addr string, backends ...string) (*LB, error) {
	if len(backends) == 0 {
		return nil, errors.New("tcplb: no backends")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	lb := &LB{ln: ln, backends: append([]string(nil), backends...), conns: map[net.Conn]struct{}{}}
	lb.wg.Add(1)
	go lb.serve()
	return lb, nil
}

// Addr is the proxy's address.
func (lb *LB) Addr() string { return lb.ln.Addr().String() }

// Close stops accepting, closes every proxied connection and waits for the
// copies to end.
func (lb *LB) Close() error {
	err := lb.ln.Close()
	lb.mu.Lock()
	lb.closed = true
	for c := range lb.conns {
		c.Close()
	}
	lb.mu.Unlock()
	lb.wg.Wait()
	return err
}

func (lb *LB) serve() {
	defer lb.wg.Done()
	for {
		c, err := lb.ln.Accept()
		if err != nil {
			return
		}
		lb.wg.Add(1)
		go lb.proxy(c)
	}
}

// track remembers c for Close; false, with c closed, once Close has
// begun (a connection dialled meanwhile would otherwise outlive it).
func (lb *LB) track(c net.Conn) bool {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.closed {
		c.Close()
		return false
	}
	lb.conns[c] = struct{}{}
	return true
}

// forget is the end of track.
func (lb *LB) forget(c net.Conn) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	delete(lb.conns, c)
}

// dial connects to the next backend that accepts, trying each at most once.
func (lb *LB) dial() (net.Conn, error) {
	start := lb.next.Add(1)
	var errs []error
	for i := range len(lb.backends) {
		b := lb.backends[(start+uint64(i))%uint64(len(lb.backends))]
		c, err := net.DialTimeout("tcp", b, dialTimeout)
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("tcplb: no backend answered: %w", errors.Join(errs...))
}

func (lb *LB) proxy(in net.Conn) {
	defer lb.wg.Done()
	defer in.Close()
	if !lb.track(in) {
		return
	}
	defer lb.forget(in)
	out, err := lb.dial()
	if err != nil {
		return // the client sees its connection closed, as with nginx's 502 at the TCP level
	}
	defer out.Close()
	if !lb.track(out) {
		return
	}
	defer lb.forget(out)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		// Half-close so that the other side sees the end, then let the
		// other copy finish.
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
	// One side ended: a killed backend resets its connections, and the
	// client must see its connection end too, not wait on a half-open one.
	in.Close()
	out.Close()
	<-done
}
