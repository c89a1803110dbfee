package tcplb

import (
	"bufio"
	"fmt"
	"net"
	"testing"
)

// server answers each line with its name and the line.
func server(t *testing.T, name string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s := bufio.NewScanner(c)
				for s.Scan() {
					fmt.Fprintf(c, "%s %s\n", name, s.Text())
				}
			}()
		}
	}()
	return ln
}

func ask(t *testing.T, addr, line string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintln(c, line)
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("ask %q: %v", line, err)
	}
	return got[:len(got)-1]
}

func TestLB_RoundRobinAndSkipDead(t *testing.T) {
	a, b := server(t, "a"), server(t, "b")
	defer b.Close()
	lb, err := Listen("127.0.0.1:0", a.Addr().String(), b.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()

	seen := map[string]int{}
	for i := range 4 {
		got := ask(t, lb.Addr(), fmt.Sprint(i))
		seen[got[:1]]++
		if want := fmt.Sprint(i); got[2:] != want {
			t.Fatalf("answer %q, want the line %q back", got, want)
		}
	}
	if seen["a"] != 2 || seen["b"] != 2 {
		t.Fatalf("4 connections went %v, want 2 to each backend", seen)
	}

	a.Close() // a dies: every new connection must reach b
	for i := range 3 {
		if got := ask(t, lb.Addr(), "x"); got != "b x" {
			t.Fatalf("connection %d after a died answered %q, want b", i, got)
		}
	}
}

func TestLB_BackendGoneEndsClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	lb, err := Listen("127.0.0.1:0", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()
	c, err := net.Dial("tcp", lb.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	(<-accepted).Close() // the backend goes away mid-connection
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the client's read succeeded after its backend closed, want the connection ended")
	}
}

func TestLB_NoBackendAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	lb, err := Listen("127.0.0.1:0", dead)
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()
	c, err := net.Dial("tcp", lb.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read through a proxy with no live backend succeeded, want the connection closed")
	}
	if _, err := Listen("127.0.0.1:0"); err == nil {
		t.Fatal("Listen with no backends succeeded")
	}
}

// Close ends the connections it carries: a client mid-conversation sees
// its connection end, and Close returns.
func TestLB_CloseEndsConnections(t *testing.T) {
	a := server(t, "a")
	defer a.Close()
	lb, err := Listen("127.0.0.1:0", a.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", lb.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintln(c, "x")
	r := bufio.NewReader(c)
	if got, err := r.ReadString('\n'); err != nil || got != "a x\n" {
		t.Fatalf("through the proxy: %q, %v", got, err)
	}
	lb.Close()
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("the client's connection outlived the proxy's Close")
	}
}
