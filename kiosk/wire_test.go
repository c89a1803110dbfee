package kiosk

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// wirePair upgrades one websocket connection and returns a client of the
// hub's writing to it (writeFrame, pings) and gorilla's end of it, as a
// kiosk's browser reads it; sndbuf > 0 shrinks the server's send buffer so
// that a large frame fills it.
func wirePair(t *testing.T, sndbuf int) (*client, *websocket.Conn) {
	t.Helper()
	got := make(chan *client, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		nc := conn.NetConn()
		if sndbuf > 0 {
			nc.(*net.TCPConn).SetWriteBuffer(sndbuf)
		}
		c := &client{conn: conn, nc: nc}
		c.raw, _ = nc.(syscall.Conn).SyscallConn()
		got <- c
	}))
	t.Cleanup(srv.Close)
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return <-got, ws
}

// The hub writes its frames to the socket itself: each length form of
// RFC 6455 reads back whole through gorilla/websocket, a frame far larger
// than the socket's buffers included (written in pieces, waiting for the
// kiosk to read, never interleaved).
func TestWriteFrame_ReadByGorilla(t *testing.T) {
	c, ws := wirePair(t, 4096)
	sizes := []int{0, 1, 125, 126, 127, 65535, 65536, 70000, 3 << 20}
	done := make(chan error, 1)
	go func() {
		for _, n := range sizes {
			if err := c.writeFrame(serverFrame(opText, bytes.Repeat([]byte{'a' + byte(n%26)}, n))); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for _, n := range sizes {
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		typ, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("reading the %d-byte frame: %v", n, err)
		}
		if typ != websocket.TextMessage || len(data) != n || (n > 0 && (data[0] != 'a'+byte(n%26) || data[n-1] != data[0])) {
			t.Fatalf("the %d-byte frame read back as type %d, %d bytes", n, typ, len(data))
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("writeFrame: %v", err)
	}
}

// A kiosk's ping is answered with a pong carrying its payload, through
// the writer's queue, and the hub's own pings reach the kiosk.
func TestWriteFrame_PingPong(t *testing.T) {
	c, ws := wirePair(t, 0)
	c.hub = &Hub{}
	c.ping = time.NewTimer(time.Hour) // the test sends the hub's ping itself
	c.conn.SetPingHandler(c.pingReceived)
	go func() {
		for {
			if _, _, err := c.conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	pongs, pings := make(chan string, 1), make(chan string, 1)
	ws.SetPongHandler(func(s string) error { pongs <- s; return nil })
	ws.SetPingHandler(func(s string) error { pings <- s; return nil })
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	if err := ws.WriteControl(websocket.PingMessage, []byte("kiosk-7"), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-pongs:
		if s != "kiosk-7" {
			t.Fatalf("pong %q, want the ping's payload", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no pong to the kiosk's ping")
	}
	if !c.enqueue(outgoing{data: pingFrame}) {
		t.Fatal("the hub's ping was refused")
	}
	select {
	case <-pings:
	case <-time.After(10 * time.Second):
		t.Fatal("the hub's ping did not reach the kiosk")
	}
}
