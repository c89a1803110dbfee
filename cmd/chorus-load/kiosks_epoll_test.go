//go:build linux

package main

import (
	"strings"
	"testing"
	"time"
)

// serverFrame encodes an unmasked server frame of opcode op.
func serverFrame(op byte, payload string) []byte {
	b := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, payload...)
}

// The epoll loops' frame reader finds the timed seats frame however the
// bytes are cut, skips long and unrelated frames, and stops at a close.
func TestFrames(t *testing.T) {
	f := &fanout{kioskFlags: kioskFlags{n: 1}, slotID: 7}
	seats := `{"seq":3,"v":1,"type":"seats","event_id":2,"slot_id":7,"seats_left":41,"waiting":0,"open":true}`
	stream := append(serverFrame(1, `{"seq":2,"v":1,"type":"event","x":"`+strings.Repeat("长", 100)+`"}`),
		serverFrame(1, `{"seq":2,"v":1,"type":"seats","slot_id":7,"seats_left":42,"waiting":0}`)...)
	stream = append(stream, serverFrame(1, strings.Repeat("x", 70000))...)
	stream = append(stream, serverFrame(1, seats)...)
	for cut := 1; cut < len(stream); cut += 997 {
		c := &seatsChange{slot: []byte(`"slot_id":7,`), left: []byte(`"seats_left":41,`), got: make([]time.Duration, 1),
			all: make(chan struct{}), start: time.Now()}
		f.current.Store(c)
		rc := &rawConn{fd: -1}
		if !f.frames(rc, stream[:cut], time.Now()) || !f.frames(rc, stream[cut:], time.Now()) {
			t.Fatalf("cut at %d: a frame taken for a close", cut)
		}
		select {
		case <-c.all:
		default:
			t.Fatalf("cut at %d: the seats frame was not found", cut)
		}
		if len(rc.pending) != 0 {
			t.Fatalf("cut at %d: %d bytes left over", cut, len(rc.pending))
		}
	}
	if f.frames(&rawConn{fd: -1}, serverFrame(8, "\x03\xe9"), time.Now()) {
		t.Fatal("a close frame did not end the connection")
	}
}
