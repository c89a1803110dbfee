package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/chorus-community/chorus"
)

// attendanceHeartbeat is how often an idle attendance stream sends a
// comment line: well under the 30–60 s after which proxies and phone
// browsers drop a silent connection.
const attendanceHeartbeat = 15 * time.Second

// maxAttendanceStreams bounds the open attendance streams across all
// events: a few staff phones per event with room to spare. Each costs a
// goroutine and a connection; the next one is answered 503.
const maxAttendanceStreams = 64

// attendanceWriteTimeout bounds one write to a stream, so that a phone
// that stopped reading is dropped instead of holding a goroutine.
const attendanceWriteTimeout = 10 * time.Second

// attendanceRetryMillis tells EventSource how soon to reconnect, in ms.
const attendanceRetryMillis = 3000

// attendanceFeed tells the open attendance streams that check-ins of
// their event were committed. Notifying never blocks: each stream has a
// one-slot channel, so a burst of check-ins becomes one re-read. The zero
// value is ready to use.
type attendanceFeed struct {
	mu     sync.Mutex
	subs   map[int64]map[*attendanceSub]struct{} // by event id
	n      int
	closed bool
	// moved is closed and replaced whenever a stream opens or closes.
	moved chan struct{}
}

// attendanceSub is one open stream.
type attendanceSub struct {
	changed chan struct{} // one slot: notifications coalesce
	done    chan struct{} // closed when the feed closes
}

// subscribe opens a stream of an event; false when there are too many or
// the feed is closed.
func (f *attendanceFeed) subscribe(eventID int64) (*attendanceSub, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || f.n >= maxAttendanceStreams {
		return nil, false
	}
	if f.subs == nil {
		f.subs = map[int64]map[*attendanceSub]struct{}{}
	}
	if f.subs[eventID] == nil {
		f.subs[eventID] = map[*attendanceSub]struct{}{}
	}
	s := &attendanceSub{changed: make(chan struct{}, 1), done: make(chan struct{})}
	f.subs[eventID][s] = struct{}{}
	f.n++
	f.signal()
	return s, true
}

// unsubscribe closes a stream opened by subscribe.
func (f *attendanceFeed) unsubscribe(eventID int64, s *attendanceSub) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[eventID][s]; !ok {
		return
	}
	delete(f.subs[eventID], s)
	if len(f.subs[eventID]) == 0 {
		delete(f.subs, eventID)
	}
	f.n--
	f.signal()
}

// signal wakes whoever waits for the number of streams to change; f.mu is
// held.
func (f *attendanceFeed) signal() {
	if f.moved != nil {
		close(f.moved)
	}
	f.moved = make(chan struct{})
}

// count returns the number of open streams and a channel closed when it
// next changes.
func (f *attendanceFeed) count() (int, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.moved == nil {
		f.moved = make(chan struct{})
	}
	return f.n, f.moved
}

// notify tells the streams of the events that their attendance changed.
func (f *attendanceFeed) notify(eventIDs []int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range eventIDs {
		for s := range f.subs[id] {
			select {
			case s.changed <- struct{}{}:
			default: // already told; it will read the latest figures
			}
		}
	}
}

// close ends every stream and refuses new ones.
func (f *attendanceFeed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	for _, subs := range f.subs {
		for s := range subs {
			close(s.done)
		}
	}
}

// NotifyEvents tells the open attendance streams of the events that their
// check-ins changed; each sends the new figures. It never blocks, so it may
// be called from the store's OnCommit (sqlite.Change.Events).
func (s *Server) NotifyEvents(ids []int64) {
	// A commit can name an event several times (a check-in is two
	// transitions): one update each.
	seen := make(map[int64]bool, len(ids))
	uniq := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	if len(uniq) > 0 {
		s.live.notify(uniq)
	}
}

// CloseStreams ends the open attendance streams and live feeds and refuses
// new ones: call it when the HTTP server shuts down
// (http.Server.RegisterOnShutdown), as Shutdown does not wait for a stream
// to end by itself.
func (s *Server) CloseStreams() {
	s.live.close()
	s.feed.close()
}

// attendanceStream sends an event's attendance as server-sent events: the
// figures at once, again after every committed check-in of the event, and
// a comment every attendanceHeartbeat in between. It ends when the client
// goes away, the session ends or CloseStreams is called.
func (s *Server) attendanceStream(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sub, ok := s.live.subscribe(id)
	if !ok {
		w.Header().Set("Retry-After", "30")
		WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{
			"code": "unavailable", "message": "打开到场人数的页面太多了,请稍后再试。"}})
		return nil
	}
	defer s.live.unsubscribe(id, sub)
	// Subscribed before the first read: no check-in falls in between.
	a, err := s.Store.Attendance(r.Context(), id)
	if err != nil {
		return err
	}

	rc := http.NewResponseController(w)
	// The stream outlives the server's ReadTimeout and WriteTimeout: the
	// read deadline is lifted, and each write gets its own deadline.
	if err := rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("attendance stream: %w", err)
	}
	defer rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	w.WriteHeader(http.StatusOK)

	write := func(format string, args ...any) bool {
		rc.SetWriteDeadline(time.Now().Add(attendanceWriteTimeout))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	send := func(a *chorus.Attendance) bool {
		b, err := json.Marshal(a)
		if err != nil {
			s.Logger.Error("attendance stream", "event", id, "err", err)
			return false
		}
		return write("event: attendance\ndata: %s\n\n", b)
	}
	if !write("retry: %d\n", attendanceRetryMillis) || !send(a) {
		return nil
	}
	beat := time.NewTicker(attendanceHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-sub.done:
			return nil
		case <-beat.C:
			// A session that ended (logout, expiry) ends its streams too.
			if _, _, err := s.session(r); err != nil {
				return nil
			}
			if !write(": heartbeat\n\n") {
				return nil
			}
		case <-sub.changed:
			a, err := s.Store.Attendance(r.Context(), id)
			if err != nil {
				if r.Context().Err() == nil {
					s.Logger.Error("attendance stream", "event", id, "err", err)
				}
				return nil
			}
			if !send(a) {
				return nil
			}
		}
	}
}
