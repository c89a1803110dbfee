package push

import "time"

// The timings of the server's streams, defined once. The kiosk websocket
// keeps its own ping (kiosk-protocol.md: the page also beats every 10 s).
const (
	// WriteTimeout bounds one write to a stream, so that a client that
	// stopped reading is dropped instead of holding a goroutine.
	WriteTimeout = 10 * time.Second
	// Ping is how often a websocket stream pings: well under the 30–60 s
	// after which proxies and phones drop a silent connection.
	Ping = 25 * time.Second
	// PongWait is how long a websocket client may stay silent (no pong).
	PongWait = 2*Ping + 10*time.Second
	// Heartbeat is how often an idle server-sent events stream sends a
	// comment line; EventSource answers nothing, so it beats more often.
	Heartbeat = 15 * time.Second
)
