package kiosk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/push"
)

// slotSeats is the part of an event's JSON the tests look at.
type slotSeats struct {
	ID    int64 `json:"id"`
	Slots []struct {
		ID        int64 `json:"id"`
		SeatsLeft int   `json:"seats_left"`
		Open      bool  `json:"open"`
	} `json:"slots"`
}

func decodeEvent(tb testing.TB, raw json.RawMessage) slotSeats {
	tb.Helper()
	var e slotSeats
	if err := json.Unmarshal(raw, &e); err != nil {
		tb.Fatal(err)
	}
	return e
}

func TestHub_Snapshot(t *testing.T) {
	f := mustFixture(t, 3, 5)
	k, tok := f.mustKiosk(t, "活动室东墙", f.Place)
	c := f.dial(t, tok)
	m := c.expect(t, kiosk.TypeSnapshot)
	if m.Seq != 1 {
		t.Fatalf("seq = %d, want 1", m.Seq)
	}
	if m.Kiosk == nil || m.Kiosk.ID != k.ID || m.Mode == nil || m.Mode.Kind != chorus.KioskBooking ||
		m.Settings == nil || m.Settings.IdleSeconds != chorus.DefaultIdleSeconds {
		t.Fatalf("snapshot = %s", m.Raw)
	}
	for _, field := range []string{`"server_time":"2026-12-01T08:00:00+08:00"`, `"place":"社区活动室"`,
		`"programmes":[]`, `"announcements":[]`} {
		if !strings.Contains(string(m.Raw), field) {
			t.Errorf("snapshot lacks %s: %s", field, m.Raw)
		}
	}
	// The events are exactly those of GET /api/events.
	res, err := http.Get(f.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var api struct{ Events []any }
	if err := json.NewDecoder(res.Body).Decode(&api); err != nil {
		t.Fatal(err)
	}
	var got []any
	for _, raw := range m.Events {
		var v any
		json.Unmarshal(raw, &v)
		got = append(got, v)
	}
	if len(got) != 1 || !reflect.DeepEqual(got, api.Events) {
		t.Fatalf("snapshot events = %v\nGET /api/events = %v", got, api.Events)
	}
}

func TestHub_Deltas(t *testing.T) {
	f := mustFixture(t, 3, 5)
	_, tok := f.mustKiosk(t, "活动室东墙", f.Place)
	c := f.dial(t, tok)
	c.expect(t, kiosk.TypeSnapshot)
	ctx := context.Background()

	t.Run("Seats", func(t *testing.T) {
		b := f.mustBook(t, 1, "13800138000")
		m := c.expect(t, kiosk.TypeSeats)
		if m.Seq != 2 || m.EventID != f.Event.ID || m.SlotID != f.Event.Slots[1].ID || m.SeatsLeft != 4 || !m.Open {
			t.Fatalf("seats = %s", m.Raw)
		}
		if _, err := f.DB.Transition(ctx, b.ID, chorus.StatusCancelled, chorus.ActorStaff, "测试"); err != nil {
			t.Fatal(err)
		}
		if m := c.expect(t, kiosk.TypeSeats); m.Seq != 3 || m.SeatsLeft != 5 {
			t.Fatalf("seats after cancel = %s", m.Raw)
		}
	})
	t.Run("Resync", func(t *testing.T) {
		f.mustBook(t, 2, "13800138001")
		if m := c.expect(t, kiosk.TypeSeats); m.Seq != 4 || m.SeatsLeft != 4 {
			t.Fatalf("seats = %s", m.Raw)
		}
		m := c.sync(t)
		if m.Seq != 5 {
			t.Fatalf("snapshot seq = %d, want 5", m.Seq)
		}
		e := decodeEvent(t, m.Events[0])
		if got := e.Slots[2].SeatsLeft; got != 4 {
			t.Fatalf("seats left in snapshot = %d, want 4", got)
		}
	})
	t.Run("Event", func(t *testing.T) {
		ev := f.mustEvent(t, 1, 10)
		m := c.expect(t, kiosk.TypeEvent)
		if e := decodeEvent(t, m.Event); e.ID != ev.ID || len(e.Slots) != 1 || e.Slots[0].SeatsLeft != 10 {
			t.Fatalf("event = %s", m.Raw)
		}
		ev.Title = "健康讲座"
		if err := f.DB.UpdateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if m := c.expect(t, kiosk.TypeEvent); !strings.Contains(string(m.Raw), "健康讲座") {
			t.Fatalf("event = %s", m.Raw)
		}
		if err := f.DB.CancelEvent(ctx, ev.ID, chorus.ActorStaff, "医生有事"); err != nil {
			t.Fatal(err)
		}
		if m := c.expect(t, kiosk.TypeEventRemoved); m.EventID != ev.ID {
			t.Fatalf("event_removed = %s", m.Raw)
		}
	})
	t.Run("Programme", func(t *testing.T) {
		p := &chorus.Programme{Title: "寒假托管", PlaceID: f.Place, StartDate: "2027-01-18", EndDate: "2027-02-05",
			MinAge: 4, MaxAge: 12, Capacity: 20}
		if err := f.DB.CreateProgramme(ctx, p); err != nil {
			t.Fatal(err)
		}
		// A new programme has no delta: everyone gets a snapshot.
		if m := c.expect(t, kiosk.TypeSnapshot); len(m.Programmes) != 1 {
			t.Fatalf("snapshot = %s", m.Raw)
		}
		_, err := f.DB.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: p.ID, Phone: "13900139000",
			Children: []chorus.Child{{Age: 6}, {Age: 8}}})
		if err != nil {
			t.Fatal(err)
		}
		if m := c.expect(t, kiosk.TypeProgramme); m.ProgrammeID != p.ID || m.PlacesLeft != 18 {
			t.Fatalf("programme = %s", m.Raw)
		}
	})
	t.Run("CutOff", func(t *testing.T) {
		// Slot 0 starts at 09:00 and closes an hour before; nothing is
		// written, the hub's refresh notices.
		f.Clock.Add(4*24*time.Hour + 10*time.Minute) // 2026-12-05 08:10
		f.Hub.Refresh()
		m := c.expect(t, kiosk.TypeSeats)
		if m.SlotID != f.Event.Slots[0].ID || m.Open {
			t.Fatalf("seats = %s", m.Raw)
		}
	})
}

// TestHub_ManyClients drops a kiosk that never reads while the others keep
// getting every delta, in order.
func TestHub_ManyClients(t *testing.T) {
	const (
		readers  = 40
		capacity = 1000
		before   = 15 // bookings while the slow kiosk is being dropped
		after    = 10 // and after
	)
	// 200 slots make a snapshot of some 40 KB, so the slow kiosk fills
	// its queue quickly by asking for snapshots it never reads. Its drop
	// waits for the hub to build sendBuffer of them, which under -race on
	// a machine busy with other tests can take longer than waitFor: the
	// bound is only there so that a hub that never drops it fails.
	const dropWait = 6 * waitFor
	f := mustFixture(t, 200, capacity)
	clients := make([]*kclient, readers)
	for i := range clients {
		_, tok := f.mustKiosk(t, fmt.Sprintf("自助机%d", i), f.Place)
		clients[i] = f.dial(t, tok)
		clients[i].expect(t, kiosk.TypeSnapshot)
	}
	slowKiosk, tok := f.mustKiosk(t, "不读消息的自助机", f.Place)
	slow, _, err := websocket.DefaultDialer.Dial(f.wsURL(t, tok), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if tcp, ok := slow.NetConn().(interface{ SetReadBuffer(int) error }); ok {
		tcp.SetReadBuffer(4 << 10) // so the kernel holds little for it
	}
	dropped := make(chan int, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		// Ask for snapshots, never read them, until the server hangs up.
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			slow.SetWriteDeadline(time.Now().Add(waitFor))
			if err := slow.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"resync"}`)); err != nil {
				dropped <- i
				return
			}
		}
	}()
	for i := range before {
		f.mustBook(t, 0, fmt.Sprintf("138%08d", i))
	}
	select {
	case n := <-dropped:
		t.Logf("slow kiosk hung up on after sending %d resyncs", n)
	case <-time.After(dropWait):
		t.Fatalf("the slow kiosk was not dropped within %s", dropWait)
	}
	if h := f.Hub.Health()[slowKiosk.ID]; h.Online {
		t.Fatalf("dropped kiosk still online: %+v", h)
	}
	for i := range after {
		f.mustBook(t, 0, fmt.Sprintf("139%08d", i))
	}

	// Every reader sees the same deltas, seq without gaps, down to the
	// last number.
	var first []int
	for i, c := range clients {
		var seen []int
		seq := int64(1)
		for left := capacity; left != capacity-before-after; {
			m := c.expect(t, kiosk.TypeSeats)
			if seq++; m.Seq != seq {
				t.Fatalf("client %d: seq %d after %d", i, m.Seq, seq-1)
			}
			if m.SlotID != f.Event.Slots[0].ID || m.SeatsLeft >= left {
				t.Fatalf("client %d: %s after %d seats left", i, m.Raw, left)
			}
			left = m.SeatsLeft
			seen = append(seen, left)
		}
		if i == 0 {
			first = seen
		} else if !reflect.DeepEqual(seen, first) {
			t.Fatalf("client %d saw %v, client 0 saw %v", i, seen, first)
		}
	}
	if h := f.Hub.Health()[slowKiosk.ID]; h.Online {
		t.Fatalf("dropped kiosk online again: %+v", h)
	}
}

func TestHub_Auth(t *testing.T) {
	f := mustFixture(t, 1, 5)
	k, tok := f.mustKiosk(t, "活动室东墙", f.Place)

	refused := func(t *testing.T, url string, header http.Header, status int, code string) {
		t.Helper()
		_, res, err := websocket.DefaultDialer.Dial(url, header)
		if !errors.Is(err, websocket.ErrBadHandshake) || res == nil {
			t.Fatalf("dial: %v, want a refusal", err)
		}
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatalf("body: %v", err)
		}
		if res.StatusCode != status || body.Error.Code != code || body.Error.Message == "" {
			t.Fatalf("refusal = %d %+v, want %d %s", res.StatusCode, body, status, code)
		}
	}
	t.Run("ErrNoToken", func(t *testing.T) {
		refused(t, f.wsURL(t, ""), nil, http.StatusUnauthorized, chorus.EUNAUTHORIZED)
	})
	t.Run("ErrUnknownToken", func(t *testing.T) {
		refused(t, f.wsURL(t, strings.Repeat("ab", 32)), nil, http.StatusUnauthorized, chorus.EUNAUTHORIZED)
	})
	t.Run("BearerHeader", func(t *testing.T) {
		conn, _, err := websocket.DefaultDialer.Dial(f.wsURL(t, ""), http.Header{"Authorization": {"Bearer " + tok}})
		if err != nil {
			t.Fatal(err)
		}
		startClient(t, conn).expect(t, kiosk.TypeSnapshot)
	})
	t.Run("ErrOrigin", func(t *testing.T) {
		refused(t, f.wsURL(t, tok), http.Header{"Origin": {"http://evil.example"}}, http.StatusForbidden, chorus.EFORBIDDEN)
	})
	t.Run("Origins", func(t *testing.T) {
		for _, origin := range []string{f.URL, "http://kiosk.lan:8080"} {
			conn, _, err := websocket.DefaultDialer.Dial(f.wsURL(t, tok), http.Header{"Origin": {origin}})
			if err != nil {
				t.Fatalf("origin %s: %v", origin, err)
			}
			startClient(t, conn).expect(t, kiosk.TypeSnapshot)
		}
	})
	t.Run("ErrTokenInURL", func(t *testing.T) {
		// The token never travels in a URL (proxy logs keep URLs).
		refused(t, f.wsURL(t, "")+"?token="+tok, nil, http.StatusUnauthorized, chorus.EUNAUTHORIZED)
	})
	t.Run("TicketSingleUse", func(t *testing.T) {
		u := f.wsURL(t, tok)
		conn, _, err := websocket.DefaultDialer.Dial(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		startClient(t, conn).expect(t, kiosk.TypeSnapshot)
		refused(t, u, nil, http.StatusUnauthorized, chorus.EUNAUTHORIZED)
	})
	t.Run("TicketExpires", func(t *testing.T) {
		u := f.wsURL(t, tok)
		f.Clock.Add(31 * time.Second)
		refused(t, u, nil, http.StatusUnauthorized, chorus.EUNAUTHORIZED)
	})
	t.Run("Revoked", func(t *testing.T) {
		early := f.wsURL(t, tok) // a ticket fetched just before the revocation
		c := f.dial(t, tok)
		c.expect(t, kiosk.TypeSnapshot)
		f.admin(t, "POST", fmt.Sprintf("/api/admin/kiosks/%d/revoke", k.ID), nil, nil)
		c.expect(t, kiosk.TypeRevoked)
		if err := c.closed(t); !websocket.IsCloseError(err, kiosk.CloseRevoked) {
			t.Fatalf("close = %v, want %d", err, kiosk.CloseRevoked)
		}
		if tk, err := f.ticket(tok); err != nil || tk != "" {
			t.Fatalf("ticket for a revoked kiosk = %q, %v", tk, err)
		}
		refused(t, early, nil, http.StatusForbidden, chorus.EFORBIDDEN)
		refused(t, f.wsURL(t, ""), http.Header{"Authorization": {"Bearer " + tok}}, http.StatusForbidden, chorus.EFORBIDDEN)
	})
}

func TestHub_Messages(t *testing.T) {
	f := mustFixture(t, 1, 5)
	_, tok := f.mustKiosk(t, "活动室东墙", f.Place)
	c := f.dial(t, tok)
	c.expect(t, kiosk.TypeSnapshot)
	seq := int64(1)
	for _, bad := range []string{`not json`, `{"v":2,"type":"hello"}`, `{"v":1,"type":"dance"}`, `[1,2]`,
		`{"v":1,"type":"screen"}`, `{"v":1,"type":"hello","app_version":"<script>"}`} {
		if err := c.conn.WriteMessage(websocket.TextMessage, []byte(bad)); err != nil {
			t.Fatal(err)
		}
		m := c.expect(t, kiosk.TypeError)
		if seq++; m.Seq != seq || m.Message == "" {
			t.Fatalf("%s: error = %s", bad, m.Raw)
		}
	}
	if err := c.conn.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	c.expect(t, kiosk.TypeError)
	// The connection stays.
	c.send(t, map[string]any{"v": 1, "type": "hello", "app_version": "1.0.0", "screen": "welcome", "extra": true})
	if m := c.sync(t); m.Seq != seq+2 {
		t.Fatalf("snapshot seq = %d, want %d", m.Seq, seq+2)
	}
	// Over the read limit the connection is closed.
	big := fmt.Sprintf(`{"v":1,"type":"hello","app_version":%q}`, strings.Repeat("x", 5000))
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	if err := c.closed(t); !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Fatalf("close = %v, want %d", err, websocket.CloseMessageTooBig)
	}
}

func TestHub_Control(t *testing.T) {
	f := mustFixture(t, 1, 5)
	ctx := context.Background()
	hall := &chorus.Place{Name: "老年活动中心"}
	if err := f.DB.SavePlace(ctx, hall); err != nil {
		t.Fatal(err)
	}
	a, tokA := f.mustKiosk(t, "活动室东墙", f.Place)
	_, tokB := f.mustKiosk(t, "活动中心大厅", hall.ID)
	ca, cb := f.dial(t, tokA), f.dial(t, tokB)
	ca.expect(t, kiosk.TypeSnapshot)
	cb.expect(t, kiosk.TypeSnapshot)
	path := fmt.Sprintf("/api/admin/kiosks/%d", a.ID)

	f.admin(t, "PUT", path+"/mode", chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: f.Event.ID}, nil)
	if m := ca.expect(t, kiosk.TypeMode); m.Mode.Kind != chorus.KioskCheckin || m.Mode.EventID != f.Event.ID {
		t.Fatalf("mode = %s", m.Raw)
	}
	f.admin(t, "PUT", path+"/settings", chorus.KioskSettings{IdleSeconds: 120, TextSize: 2, Printer: true}, nil)
	if m := ca.expect(t, kiosk.TypeSettings); *m.Settings != (chorus.KioskSettings{IdleSeconds: 120, TextSize: 2, Printer: true}) {
		t.Fatalf("settings = %s", m.Raw)
	}
	f.admin(t, "POST", path+"/reload", nil, nil)
	ca.expect(t, kiosk.TypeReload)

	// An announcement for the hall reaches only the hall's kiosk.
	f.admin(t, "POST", "/api/admin/announcements", map[string]any{"text": "下午三点停电检修", "speak": true,
		"place_id": hall.ID}, nil)
	if m := cb.expect(t, kiosk.TypeAnnounce); m.Announcement.Text != "下午三点停电检修" || !m.Announcement.Speak {
		t.Fatalf("announce = %s", m.Raw)
	}
	if m := ca.sync(t); len(m.Announcements) != 0 || m.Mode.Kind != chorus.KioskCheckin || m.Settings.TextSize != 2 {
		t.Fatalf("snapshot of the other place = %s", m.Raw)
	}
	if m := cb.sync(t); len(m.Announcements) != 1 {
		t.Fatalf("snapshot = %s", m.Raw)
	}
	// One for everyone reaches both.
	f.admin(t, "POST", "/api/admin/announcements", map[string]any{"text": "明天义诊改到九点半"}, nil)
	ca.expect(t, kiosk.TypeAnnounce)
	cb.expect(t, kiosk.TypeAnnounce)
	// A new name comes with a snapshot.
	f.admin(t, "PUT", path, map[string]any{"name": "活动室西墙"}, nil)
	if m := ca.expect(t, kiosk.TypeSnapshot); !strings.Contains(string(m.Raw), "活动室西墙") || len(m.Announcements) != 1 {
		t.Fatalf("snapshot = %s", m.Raw)
	}
	// Announcements expire.
	f.Clock.Add(chorus.DefaultAnnouncementTTL + time.Second)
	if m := cb.sync(t); len(m.Announcements) != 0 {
		t.Fatalf("expired announcements in %s", m.Raw)
	}
}

func TestHub_Health(t *testing.T) {
	f := mustFixture(t, 1, 5)
	k, tok := f.mustKiosk(t, "活动室东墙", f.Place)
	health := func() map[string]any {
		t.Helper()
		var out struct{ Kiosks []map[string]any }
		f.admin(t, "GET", "/api/admin/kiosks", nil, &out)
		for _, v := range out.Kiosks {
			if v["id"] == float64(k.ID) {
				return v
			}
		}
		t.Fatalf("kiosk %d not listed", k.ID)
		return nil
	}
	if h := health(); h["online"] != false {
		t.Fatalf("never connected, health = %v", h)
	}
	c := f.dial(t, tok)
	c.expect(t, kiosk.TypeSnapshot)
	c.send(t, map[string]any{"v": 1, "type": "hello", "app_version": "1.2.0", "screen": "welcome"})
	c.sync(t) // the hub has taken the hello before answering the resync
	if h := health(); h["online"] != true || h["app_version"] != "1.2.0" || h["screen"] != "welcome" ||
		h["last_seen"] != "2026-12-01T08:00:00+08:00" {
		t.Fatalf("health = %v", h)
	}
	f.Clock.Add(29 * time.Second)
	if h := health(); h["online"] != true {
		t.Fatalf("after 29 s, health = %v", h)
	}
	f.Clock.Add(time.Second)
	if h := health(); h["online"] != false {
		t.Fatalf("after 30 s of silence, health = %v", h)
	}
	c.send(t, map[string]any{"v": 1, "type": "heartbeat", "app_version": "1.2.0", "screen": "clinic/slots"})
	c.send(t, map[string]any{"v": 1, "type": "screen", "screen": "clinic/phone"})
	c.sync(t)
	if h := health(); h["online"] != true || h["screen"] != "clinic/phone" || h["last_seen"] != "2026-12-01T08:00:30+08:00" {
		t.Fatalf("after a heartbeat, health = %v", h)
	}
}

// TestHub_NotifyNeverBlocks: the store's writer publishes on the hub's
// broker after every commit; publishing must return even when the hub is
// not taking changes (its first read of the store never ends), and the
// hub, once it reads again, takes them as one.
func TestHub_NotifyNeverBlocks(t *testing.T) {
	store := &stuckStore{release: make(chan struct{}), reads: make(chan struct{}, 16)}
	h := kiosk.NewHub(store)
	h.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, stop := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { h.Run(ctx); close(stopped) }()
	defer func() { stop(); <-stopped }()
	<-store.reads // the first load is reading, and stuck
	for range 10000 {
		h.Changes.Publish(push.Events)
		h.Refresh()
	}
	close(store.release)
	<-store.reads // the first load's programmes
	// The 20,000 publications wake the loader once: one more read of each.
	for range 2 {
		select {
		case <-store.reads:
		case <-time.After(waitFor):
			t.Fatal("the hub did not read the store again after the publications")
		}
	}
}

// stuckStore's first read of events waits for release; every read is
// reported on reads.
type stuckStore struct {
	release chan struct{}
	reads   chan struct{}
}

func (s *stuckStore) DistrictUpcomingEvents(ctx context.Context, now time.Time) ([]chorus.Event, error) {
	s.reads <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return []chorus.Event{}, nil
}

func (s *stuckStore) DistrictProgrammes(ctx context.Context, now time.Time) ([]chorus.Programme, error) {
	s.reads <- struct{}{}
	return []chorus.Programme{}, nil
}

func (s *stuckStore) LiveAnnouncements(ctx context.Context, now time.Time) ([]chorus.Announcement, error) {
	return []chorus.Announcement{}, nil
}

// TestHub_Presence: the staff console hears when a kiosk comes online and
// when its last connection leaves, not of a second tab of the same kiosk.
func TestHub_Presence(t *testing.T) {
	f := mustFixture(t, 1, 5)
	_, tok := f.mustKiosk(t, "活动室东墙", f.Place)
	wait := func(what string) {
		t.Helper()
		select {
		case <-f.Presence:
		case <-time.After(waitFor):
			t.Fatalf("no presence call after %s", what)
		}
	}
	a := f.dial(t, tok)
	a.expect(t, kiosk.TypeSnapshot)
	wait("the first connection")
	b := f.dial(t, tok)
	b.expect(t, kiosk.TypeSnapshot)
	b.conn.Close()
	b.closed(t)
	a.sync(t) // the hub has handled b's leaving before answering
	select {
	case <-f.Presence:
		t.Fatal("presence call for a second connection of the same kiosk")
	default:
	}
	a.conn.Close()
	wait("the last connection left")
}

func (s *stuckStore) DistrictUpcomingEventsIn(ctx context.Context, now time.Time, ids []int64) ([]chorus.Event, error) {
	all, err := s.DistrictUpcomingEvents(ctx, now)
	return eventsIn(all, ids), err
}
