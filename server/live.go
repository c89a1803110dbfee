package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/push"
)

// The staff console's live feed: GET /api/admin/live is a websocket on
// which the server tells an open console what changed, by topic, so that
// 今日 redraws at once instead of polling. It carries no data: the page
// reads the figures through the JSON API as before, under the same checks.
//
// Frames, server to console, JSON text:
//
//	{"type":"hello"}                                  on open
//	{"type":"changed","topics":["events","sms",…]}    after commits
//
// Topics: events (seats, bookings, check-ins, event changes), programmes,
// orders, sms (messages queued), kiosks (a kiosk connected or left).
// Notifications coalesce: a burst of commits while a frame is being
// written becomes one frame naming every topic touched. The console sends
// nothing; whatever it sends is read and dropped (at most liveReadLimit
// bytes a frame), as are pongs.

// Limits of the live feed.
const (
	// maxLiveStreams bounds the open consoles: 21 staff with a tab or two
	// each, with room to spare; the next is answered 503.
	maxLiveStreams = 64
	// liveReadLimit bounds a frame from the console, which has nothing to say.
	liveReadLimit = 512
)

// Live topics: the names are push's, defined once.
const (
	TopicEvents     = push.Events
	TopicProgrammes = push.Programmes
	TopicOrders     = push.Orders
	TopicSMS        = push.SMS
	TopicKiosks     = push.Kiosks
)

// NotifyTopics tells the open consoles what changed (TopicEvents, …;
// sqlite.Change.Topics names them). Unknown topics are dropped. It never
// blocks, so it may be called from the store's OnCommit or the kiosk hub.
func (s *Server) NotifyTopics(topics ...string) {
	s.feed.Publish(topics...)
}

// Feed returns the broker NotifyTopics publishes on, for the listeners of
// commits inside the server: the kiosk hub follows its events and
// programmes topics (kiosk.Hub.Changes).
func (s *Server) Feed() *push.Broker { return &s.feed }

// sameOrigin accepts a websocket whose Origin is the host it came to: a
// page of another site cannot ride on the staff cookie (SameSite=Strict
// already stops it in today's browsers; this is for the others).
func sameOrigin(r *http.Request) bool { return push.SameOrigin(r) }

var liveUpgrader = websocket.Upgrader{
	ReadBufferSize:  512,
	WriteBufferSize: 1024,
	CheckOrigin:     sameOrigin,
}

// liveStream serves GET /api/admin/live; see the comment at the top.
func (s *Server) liveStream(w http.ResponseWriter, r *http.Request) error {
	if !websocket.IsWebSocketUpgrade(r) {
		return chorus.Errorf(chorus.EINVALID, "这个地址只接受 websocket 连接。")
	}
	if !sameOrigin(r) {
		return chorus.Errorf(chorus.EFORBIDDEN, "不允许从其他网站连接。")
	}
	sub, ok := s.feed.Subscribe(maxLiveStreams, push.ConsoleTopics()...)
	if !ok {
		w.Header().Set("Retry-After", "30")
		WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{
			"code": "unavailable", "message": "打开的工作台太多了,请稍后再试。"}})
		return nil
	}
	defer sub.Close()
	conn, err := liveUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return nil // Upgrade has answered
	}
	defer conn.Close()

	// The reader drops what the console sends and notices it leaving.
	gone := make(chan struct{})
	conn.SetReadLimit(liveReadLimit)
	conn.SetReadDeadline(time.Now().Add(push.PongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(push.PongWait)) })
	go func() {
		defer close(gone)
		for {
			if _, _, err := conn.NextReader(); err != nil {
				return
			}
		}
	}()

	send := func(v any) bool {
		b, err := json.Marshal(v)
		if err != nil {
			return false
		}
		conn.SetWriteDeadline(time.Now().Add(push.WriteTimeout))
		return conn.WriteMessage(websocket.TextMessage, b) == nil
	}
	if !send(map[string]string{"type": "hello"}) {
		return nil
	}
	ping := time.NewTicker(push.Ping)
	defer ping.Stop()
	for {
		select {
		case <-gone:
			return nil
		case <-sub.Done():
			conn.SetWriteDeadline(time.Now().Add(time.Second))
			conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "服务器正在重启"))
			return nil
		case <-ping.C:
			// A session that ended (logout, expiry) ends its feed too.
			if _, _, err := s.session(r); err != nil {
				conn.SetWriteDeadline(time.Now().Add(time.Second))
				conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "登录已过期"))
				return nil
			}
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(push.WriteTimeout)) != nil {
				return nil
			}
		case <-sub.Wake():
			if t := sub.Take(); len(t) > 0 && !send(map[string]any{"type": "changed", "topics": t}) {
				return nil
			}
		}
	}
}
