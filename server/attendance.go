package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/push"
)

// maxAttendanceStreams bounds the open attendance streams across all
// events: a few staff phones per event with room to spare. Each costs a
// goroutine and a connection; the next one is answered 503.
const maxAttendanceStreams = 64

// attendanceRetryMillis tells EventSource how soon to reconnect, in ms.
const attendanceRetryMillis = 3000

// NotifyEvents tells the open attendance streams of the events that their
// check-ins changed; each sends the new figures. It never blocks, so it may
// be called from the store's OnCommit (sqlite.Change.Events).
func (s *Server) NotifyEvents(ids []int64) {
	// A commit can name an event several times (a check-in is two
	// transitions): one update each.
	// The broker wakes each stream once however often it is named.
	topics := make([]string, len(ids))
	for i, id := range ids {
		topics[i] = push.Attendance(id)
	}
	s.live.Publish(topics...)
}

// CloseStreams ends the open attendance streams and live feeds and refuses
// new ones: call it when the HTTP server shuts down
// (http.Server.RegisterOnShutdown), as Shutdown does not wait for a stream
// to end by itself.
func (s *Server) CloseStreams() {
	s.live.Close()
	s.feed.Close()
}

// attendanceStream sends an event's attendance as server-sent events: the
// figures at once, again after every committed check-in of the event, and
// a comment every push.Heartbeat in between. It ends when the client
// goes away, the session ends or CloseStreams is called.
func (s *Server) attendanceStream(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sub, ok := s.live.Subscribe(maxAttendanceStreams, push.Attendance(id))
	if !ok {
		w.Header().Set("Retry-After", "30")
		WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{
			"code": "unavailable", "message": "打开到场人数的页面太多了,请稍后再试。"}})
		return nil
	}
	defer sub.Close()
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
		rc.SetWriteDeadline(time.Now().Add(push.WriteTimeout))
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
	beat := time.NewTicker(push.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-sub.Done():
			return nil
		case <-beat.C:
			// A session that ended (logout, expiry) ends its streams too.
			if _, _, err := s.session(r); err != nil {
				return nil
			}
			if !write(": heartbeat\n\n") {
				return nil
			}
		case <-sub.Wake():
			sub.Take()
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
