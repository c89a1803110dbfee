package kiosk

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
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
	// readBufferSize is each connection's read buffer in bytes: a kiosk's
	// messages are under 200 bytes (a longer one is read in pieces). It
	// must exceed 256 for gorilla/websocket to read through it
	// (Upgrader.ReadBufferSize is 0 and the hijacked reader is this one).
	readBufferSize = 320
)

// Close codes sent to kiosks (4000-4999 are the application's own).
const (
	// CloseRevoked ends the connection of a revoked kiosk; the page must
	// not reconnect but show the pairing screen.
	CloseRevoked = 4403
)

// client is one kiosk's websocket connection. The hub goroutine owns
// kiosk, ready and seq, and is the only one to queue frames (send) or let
// go of the connection (end). An idle connection holds one goroutine, its
// reader, and no buffer but its small read buffer: a writer goroutine runs
// only while frames wait, and pings come from a timer.
type client struct {
	hub  *Hub
	id   int64 // the kiosk's, never changes
	conn *websocket.Conn
	// nc is the connection under conn, and raw its socket where it has
	// one: the writer writes the frames to it (writeFrame).
	nc  net.Conn
	raw syscall.RawConn
	// kiosk is the kiosk as last changed by staff.
	kiosk chorus.Kiosk
	// ready is set once the connection's first snapshot is queued; until
	// then deltas skip it, as the snapshot will include them.
	ready bool
	// seq is the seq of the last frame queued.
	seq int64
	// ping sends the next ping; it stops when the connection ends.
	ping *time.Timer
	// br is the connection's read buffer (gorilla reads through it) and
	// in what it reads from: the reader waits on in while br is empty.
	br *bufio.Reader
	in *wakeReader

	mu      sync.Mutex
	queue   []outgoing // waiting for the writer
	writing bool       // a writer goroutine is draining queue
	ending  bool       // the hub let go: say goodbye once queue is written
	dead    bool       // the connection is closed: nothing more is written
}

// outgoing is one frame queued for a kiosk: a message encoded with its
// seq, or a ping or pong.
type outgoing struct {
	data []byte
	// last ends the connection after the message (revoked).
	last bool
	// fan follows the change the frame is part of, if any: it is told
	// once the frame is written or dropped.
	fan *fanout
}

// pingFrame is the hub's ping, an empty one.
var pingFrame = serverFrame(opPing, nil)

// newClient makes the client of a connection upgraded through hw and
// starts its pings.
func newClient(h *Hub, conn *websocket.Conn, hw *hijackWriter, k *chorus.Kiosk) *client {
	c := &client{hub: h, id: k.ID, conn: conn, kiosk: *k, br: hw.br, in: hw.in, nc: hw.in.conn}
	if sc, ok := c.nc.(syscall.Conn); ok {
		c.raw, _ = sc.SyscallConn()
	}
	// Upgrade pointed the buffer, still empty, at the connection itself.
	c.br.Reset(c.in)
	// A kiosk's ping is answered by the writer, as every other frame:
	// gorilla's own answer would write alongside it.
	conn.SetPingHandler(c.pingReceived)
	c.ping = time.AfterFunc(pingPeriod, c.sendPing)
	return c
}

// enqueue queues m and starts the writer if none runs; false when sendBuffer
// messages wait already (the kiosk is too slow). A closed connection takes
// and drops everything: its reader is telling the hub.
func (c *client) enqueue(m outgoing) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead || c.ending {
		m.fan.done()
		return true
	}
	if len(c.queue) >= sendBuffer {
		return false
	}
	c.queue = append(c.queue, m)
	c.startWriter()
	return true
}

// end makes the writer say goodbye and close the connection once the
// frames queued are written; the hub calls it when it lets go of c.
func (c *client) end() {
	c.mu.Lock()
	c.ending = true
	c.startWriter()
	c.mu.Unlock()
	c.ping.Stop() // after ending is set, sendPing no longer resets it
}

// startWriter has the queue written unless a writer is at it; c.mu is
// held.
func (c *client) startWriter() {
	if !c.writing && !c.dead {
		c.writing = true
		c.hub.startWrite(c)
	}
}

// The writers' pool: a seats change reaches thousands of kiosks at once,
// and a goroutine started for each would cost more than the write itself
// (issue 18's profile: 15 % in creating and scheduling them). A few
// writers take the kiosks with frames waiting from one queue, so that a
// kiosk slow to take its frame holds up one writer, never the others.
const (
	writers    = 8
	writeQueue = 1 << 15
)

// startWrite hands c to the writers' pool; when the pool's queue is full,
// or the hub has stopped, c gets a goroutine of its own.
func (h *Hub) startWrite(c *client) {
	if h.writes != nil {
		select {
		case <-h.done:
		default:
			select {
			case h.writes <- c:
				return
			default:
			}
		}
	}
	h.ownWriters.Add(1)
	go c.write()
}

// writer is one of the pool's writers, until the hub stops; what is still
// queued then gets goroutines of its own (goodbyes to the kiosks).
func (h *Hub) writer() {
	for {
		select {
		case c := <-h.writes:
			c.write()
		case <-h.done:
			for {
				select {
				case c := <-h.writes:
					go c.write()
				default:
					return
				}
			}
		}
	}
}

// write writes the queued messages until none waits, then returns; on the
// hub's end it says goodbye and closes the connection. A write failing or
// taking longer than writeWait closes the connection.
func (c *client) write() {
	var q []outgoing
	for {
		c.mu.Lock()
		q, c.queue = c.queue, q[:0]
		ending := c.ending
		if len(q) == 0 && !ending {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		for i, m := range q {
			q[i] = outgoing{} // the frames are not kept once written
			err := c.writeFrame(m.data)
			m.fan.done()
			if err != nil || m.last {
				for _, rest := range q[i+1:] {
					rest.fan.done() // never written
				}
				if err == nil {
					c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(CloseRevoked, "revoked"),
						time.Now().Add(writeWait))
				}
				c.close()
				return
			}
		}
		if ending {
			// Everything queued before the hub let go was in q.
			c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""),
				time.Now().Add(writeWait))
			c.close()
			return
		}
	}
}

// writeFrame writes one whole frame. On a socket it is one write system
// call, with no deadline to set and no lock but the socket's: a seats
// change is one such write to each of thousands of kiosks (issue 18's
// profile). Only when the kiosk's socket is full does it wait, for at most
// writeWait, still holding the socket so that no other frame (a closing
// one from gorilla) lands inside this one.
func (c *client) writeFrame(b []byte) error {
	if c.raw == nil {
		c.nc.SetWriteDeadline(time.Now().Add(writeWait))
		_, err := c.nc.Write(b)
		return err
	}
	var werr error
	waited := false
	err := c.raw.Write(func(fd uintptr) bool {
		for len(b) > 0 {
			n, err := syscall.Write(int(fd), b)
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				if !waited {
					waited = true
					c.nc.SetWriteDeadline(time.Now().Add(writeWait))
				}
				return false // wait until the socket takes more, or the deadline
			case err != nil:
				werr = err
				return true
			case n == 0:
				werr = io.ErrUnexpectedEOF
				return true
			}
			b = b[n:]
		}
		return true
	})
	if waited {
		c.nc.SetWriteDeadline(time.Time{})
	}
	if err != nil {
		return err
	}
	return werr
}

// close closes the connection (its reader then tells the hub) and drops
// whatever is queued; it may be called from any goroutine, more than once.
func (c *client) close() {
	c.mu.Lock()
	for _, m := range c.queue {
		m.fan.done()
	}
	c.dead, c.queue = true, nil
	c.mu.Unlock()
	c.ping.Stop()
	c.conn.Close()
}

// sendPing queues a ping for the kiosk (from the timer's goroutine), then
// waits pingPeriod again; a kiosk too far behind to take it is closed.
func (c *client) sendPing() {
	if !c.enqueue(outgoing{data: pingFrame}) {
		c.close()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dead && !c.ending {
		c.ping.Reset(pingPeriod)
	}
}

// pingReceived queues the pong to a kiosk's ping (from its reader).
func (c *client) pingReceived(data string) error {
	if !c.enqueue(outgoing{data: serverFrame(opPong, []byte(data))}) {
		c.close()
	}
	return nil
}

// readPump reads the kiosk's messages and hands them to the hub, until the
// connection fails or sends more than maxMessageSize. An idle kiosk's
// reader waits in await, a few small frames deep rather than inside
// ReadMessage, so that its goroutine keeps the smallest stack (2 KiB):
// readPump's own frame stays small, the work is in readMessage.
func (c *client) readPump() {
	defer c.stopReading()
	c.conn.SetReadLimit(maxMessageSize)
	c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(c.pong)
	for {
		if c.br.Buffered() == 0 {
			if err := c.in.await(); err != nil {
				c.lost(err)
				return
			}
		}
		if !c.readMessage() {
			return
		}
	}
}

// readMessage reads one message and hands it to the hub; false when the
// connection failed or the hub stopped.
//
//go:noinline
func (c *client) readMessage() bool {
	typ, data, err := c.conn.ReadMessage()
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			c.hub.Logger.Warn("kiosk message over the read limit; closing", "kiosk", c.id)
		} else if websocket.IsUnexpectedCloseError(err, websocket.CloseGoingAway, websocket.CloseNormalClosure, websocket.CloseNoStatusReceived) {
			c.lost(err)
		}
		return false
	}
	c.conn.SetReadDeadline(time.Now().Add(pongWait))
	in := inbound{c: c}
	if typ != websocket.TextMessage {
		in.err = chorus.Errorf(chorus.EINVALID, "只接受文本消息。")
	} else {
		in.msg, in.err = ParseMessage(data)
	}
	return c.hub.deliver(in)
}

// pong extends the read deadline when a pong arrives.
func (c *client) pong(string) error {
	return c.conn.SetReadDeadline(time.Now().Add(pongWait))
}

// lost logs why a connection ended.
//
//go:noinline
func (c *client) lost(err error) {
	c.hub.Logger.Debug("kiosk connection lost", "kiosk", c.id, "err", err)
}

// stopReading tells the hub the reader has ended and closes the connection.
func (c *client) stopReading() {
	c.hub.leave(c)
	c.close()
}

// hijackWriter hands gorilla/websocket the connection with a read buffer
// of the hub's (readBufferSize, reading through a wakeReader) instead of
// the server's 4 KiB request reader, which would keep the request's 4 KiB
// writer alive too. It also lets gorilla, which asks for an http.Hijacker,
// take over a connection behind middleware that only offers Unwrap (the
// server's request logger).
type hijackWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
	br *bufio.Reader // set by Hijack
	in *wakeReader
}

func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := w.rc.Hijack()
	if err != nil || brw.Reader.Buffered() > 0 {
		return conn, brw, err // gorilla refuses a client that sent data before the answer
	}
	w.in = &wakeReader{conn: conn}
	w.br = bufio.NewReaderSize(w.in, readBufferSize)
	return conn, bufio.NewReadWriter(w.br, brw.Writer), nil
}

// wakeReader lets a connection's reader wait for the kiosk's next bytes
// outside ReadMessage: await reads one byte, which the next Read returns
// first. Only the connection's reader goroutine uses it.
type wakeReader struct {
	conn    net.Conn
	b       [1]byte
	pending bool
}

// await blocks until the kiosk sends a byte, the read deadline passes or
// the connection fails.
func (r *wakeReader) await() error {
	n, err := r.conn.Read(r.b[:])
	if n == 1 {
		r.pending = true
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

func (r *wakeReader) Read(p []byte) (int, error) {
	if r.pending && len(p) > 0 {
		p[0], r.pending = r.b[0], false
		return 1, nil
	}
	return r.conn.Read(p)
}
