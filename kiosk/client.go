package kiosk

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/push"
)

// Connection limits, as in gorilla/websocket's chat example.
const (
	// writeWait bounds every write: a kiosk that cannot take one frame in
	// 10 s is gone, and its writer must not hang on it.
	writeWait = push.WriteTimeout
	// pongWait is how long a connection may be silent, pongs included,
	// before it is closed: kiosks sit on flaky activity-room Wi-Fi.
	pongWait = 60 * time.Second
	// pingPeriod sends pings often enough that a pong arrives before
	// pongWait runs out.
	pingPeriod = pongWait * 9 / 10
	// maxMessageSize is the read limit in bytes; a hello is under 200, so
	// anything bigger is not a kiosk, and its connection is closed.
	maxMessageSize = 4 << 10
	// sendBuffer is how many messages may wait for one kiosk; one this far
	// behind is dropped, never waited on, and resyncs when it reconnects.
	sendBuffer = 64
)

// Close codes sent to kiosks (4000-4999 are the application's own).
const (
	// CloseRevoked ends the connection of a revoked kiosk; the page must
	// not reconnect but show the pairing screen.
	CloseRevoked = 4403
)

// client is one kiosk's websocket connection. The hub goroutine owns kiosk
// and ready and is the only one to send on or close send; the reader and
// the writer goroutine are the connection's only reader and writer.
type client struct {
	hub  *Hub
	id   int64 // the kiosk's, never changes
	conn *websocket.Conn
	send chan *frame
	// kiosk is the kiosk as last changed by staff.
	kiosk chorus.Kiosk
	// ready is set once the connection's first snapshot is queued; until
	// then deltas skip it, as the snapshot will include them.
	ready bool
}

// readPump reads the kiosk's messages and hands them to the hub, until the
// connection fails or sends more than maxMessageSize.
func (c *client) readPump() {
	defer func() {
		c.hub.leave(c)
		c.conn.Close()
	}()
	c.conn.SetReadLimit(maxMessageSize)
	c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		typ, data, err := c.conn.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.hub.Logger.Warn("kiosk message over the read limit; closing", "kiosk", c.id)
			} else if websocket.IsUnexpectedCloseError(err, websocket.CloseGoingAway, websocket.CloseNormalClosure, websocket.CloseNoStatusReceived) {
				c.hub.Logger.Debug("kiosk connection lost", "kiosk", c.id, "err", err)
			}
			return
		}
		c.conn.SetReadDeadline(time.Now().Add(pongWait))
		in := inbound{c: c}
		if typ != websocket.TextMessage {
			in.err = chorus.Errorf(chorus.EINVALID, "只接受文本消息。")
		} else {
			in.msg, in.err = ParseMessage(data)
		}
		if !c.hub.deliver(in) {
			return
		}
	}
}

// writePump writes the queued frames, each with the next seq, and pings;
// it returns, closing the connection, when a write fails or the hub closes
// send.
func (c *client) writePump() {
	ticker := time.NewTicker(pingPeriod)
	defer func() {
		ticker.Stop()
		c.conn.Close()
	}()
	var seq int64
	prefix := make([]byte, 0, 32)
	for {
		select {
		case f, ok := <-c.send:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if !ok {
				c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""))
				return
			}
			seq++
			prefix = strconv.AppendInt(append(prefix[:0], `{"seq":`...), seq, 10)
			prefix = append(prefix, ',')
			if err := c.writeFrame(prefix, f); err != nil {
				return
			}
			if f.last {
				c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(CloseRevoked, "revoked"))
				return
			}
		case <-ticker.C:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

// writeFrame writes one text message: prefix ({"seq":N,) then the frame's
// parts without the first part's opening brace.
func (c *client) writeFrame(prefix []byte, f *frame) error {
	w, err := c.conn.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	if _, err := w.Write(prefix); err != nil {
		return err
	}
	for i, p := range f.parts {
		if i == 0 {
			p = p[1:]
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return w.Close()
}

// hijackWriter lets gorilla/websocket, which asks for an http.Hijacker,
// take over a connection behind middleware that only offers Unwrap (the
// server's request logger).
type hijackWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (w hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.rc.Hijack() }
