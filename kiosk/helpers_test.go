package kiosk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
)

// waitFor bounds every wait for a message: far above the hub's latency,
// only reached when something is broken.
const waitFor = 10 * time.Second

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// fixture is the whole stack on loopback: SQLite on a temp file, the hub
// fed by the store's commits, the HTTP server, and one clinic.
type fixture struct {
	DB    *sqlite.DB
	Hub   *kiosk.Hub
	URL   string
	Clock *clocktest.Clock
	Place int64
	Event *chorus.Event
	// Presence receives one value each time the hub calls OnPresence.
	Presence chan struct{}
	// cookie and csrf are an admin's staff session.
	cookie, csrf string
}

// mustFixture starts the stack with a clinic on 2026-12-05 of slots slots
// of capacity seats each; the clock reads 2026-12-01 08:00.
func mustFixture(tb testing.TB, slots, capacity int) *fixture {
	tb.Helper()
	return mustFixtureWith(tb, slots, capacity, nil)
}

// mustFixtureWith is mustFixture with configure called on the hub before
// it runs.
func mustFixtureWith(tb testing.TB, slots, capacity int, configure func(*kiosk.Hub)) *fixture {
	tb.Helper()
	clk := clocktest.New(time.Date(2026, 12, 1, 8, 0, 0, 0, shanghai))
	// Presence keeps the last 64 calls; the hub must never wait for it.
	presence := make(chan struct{}, 64)
	st := stacktest.Start(tb, stacktest.Options{Now: clk.Now, Location: shanghai,
		Configure: func(_ *sqlite.DB, _ *server.Server, hub *kiosk.Hub) {
			hub.Origins = []string{"http://kiosk.lan:8080"}
			if configure != nil {
				configure(hub)
			}
			feed := hub.OnPresence
			hub.OnPresence = func() {
				feed()
				select {
				case presence <- struct{}{}:
				default:
				}
			}
		}})
	f := &fixture{DB: st.DB, Hub: st.Hub, URL: st.URL, Clock: clk, Presence: presence}
	p := &chorus.Place{Name: "社区活动室"}
	if err := f.DB.SavePlace(context.Background(), p); err != nil {
		tb.Fatal(err)
	}
	f.Place = p.ID
	f.Event = f.mustEvent(tb, slots, capacity)
	f.login(tb)
	return f
}

// mustEvent creates a clinic on 2026-12-05 from 09:00.
func (f *fixture) mustEvent(tb testing.TB, slots, capacity int) *chorus.Event {
	tb.Helper()
	day := time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	ev := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: f.Place, Waitlist: true, CutoffMinutes: 60}
	for i := range slots {
		t := day.Add(time.Duration(i) * 15 * time.Minute)
		ev.Slots = append(ev.Slots, chorus.Slot{Start: t, End: t.Add(15 * time.Minute), Capacity: capacity})
	}
	if err := f.DB.CreateEvent(context.Background(), ev); err != nil {
		tb.Fatal(err)
	}
	return ev
}

// mustKiosk registers and pairs a kiosk, returning it and its token.
func (f *fixture) mustKiosk(tb testing.TB, name string, placeID int64) (*chorus.Kiosk, string) {
	tb.Helper()
	ctx := context.Background()
	_, code, err := f.DB.CreateKiosk(ctx, name, placeID)
	if err != nil {
		tb.Fatal(err)
	}
	k, token, err := f.DB.Pair(ctx, code)
	if err != nil {
		tb.Fatal(err)
	}
	return k, token
}

// mustBook books a seat of slot i of the fixture's clinic.
func (f *fixture) mustBook(tb testing.TB, slot int, phone string) *chorus.Booking {
	tb.Helper()
	b, err := f.DB.Book(context.Background(), chorus.BookingRequest{EventID: f.Event.ID,
		SlotID: f.Event.Slots[slot].ID, Phone: phone})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// wsURL is the websocket URL a page opens for a kiosk with token: with a
// fresh single-use ticket fetched with the token (POST /api/kiosk/ticket),
// never the token itself. An empty token gives the bare URL; a token the
// server refuses gives a URL with a ticket that does not exist.
func (f *fixture) wsURL(tb testing.TB, token string) string {
	tb.Helper()
	u := "ws" + strings.TrimPrefix(f.URL, "http") + "/kiosk/ws"
	if token == "" {
		return u
	}
	t, err := f.ticket(token)
	if err != nil {
		tb.Fatal(err)
	}
	if t == "" {
		t = "no-such-ticket"
	}
	return u + "?ticket=" + t
}

// ticket fetches a websocket ticket with a kiosk token; "" when refused.
func (f *fixture) ticket(token string) (string, error) {
	req, err := http.NewRequest("POST", f.URL+"/api/kiosk/ticket", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var body struct {
		Ticket string `json:"ticket"`
	}
	if res.StatusCode != http.StatusOK {
		return "", nil
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return "", err
	}
	return body.Ticket, nil
}

// login creates an admin account and keeps its session for admin().
func (f *fixture) login(tb testing.TB) {
	tb.Helper()
	st := &chorus.Staff{Username: "liting", Name: "李婷", Role: chorus.RoleAdmin}
	if err := f.DB.CreateStaff(context.Background(), st, "guanghua-2026"); err != nil {
		tb.Fatal(err)
	}
	res, err := http.Post(f.URL+"/api/login", "application/json", strings.NewReader(`{"username":"liting","password":"guanghua-2026"}`))
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		tb.Fatalf("login = %d, %v", res.StatusCode, err)
	}
	for _, c := range res.Cookies() {
		if c.Name == server.SessionCookie {
			f.cookie = c.Name + "=" + c.Value
		}
	}
	f.csrf = body.CSRF
}

// admin sends a staff request and decodes the answer into out (if not nil).
func (f *fixture) admin(tb testing.TB, method, path string, body, out any) int {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, f.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Cookie", f.cookie)
	req.Header.Set(server.CSRFHeader, f.csrf)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if res.StatusCode >= 300 {
		tb.Fatalf("%s %s = %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return res.StatusCode
}

// msg is a server message as a kiosk decodes it.
type msg struct {
	Seq           int64                 `json:"seq"`
	V             int                   `json:"v"`
	Type          string                `json:"type"`
	Kiosk         *struct{ ID int64 }   `json:"kiosk"`
	Mode          *chorus.KioskMode     `json:"mode"`
	Settings      *chorus.KioskSettings `json:"settings"`
	Events        []json.RawMessage     `json:"events"`
	Programmes    []json.RawMessage     `json:"programmes"`
	Announcements []chorus.Announcement `json:"announcements"`
	Announcement  *chorus.Announcement  `json:"announcement"`
	Event         json.RawMessage       `json:"event"`
	EventID       int64                 `json:"event_id"`
	SlotID        int64                 `json:"slot_id"`
	ProgrammeID   int64                 `json:"programme_id"`
	SeatsLeft     int                   `json:"seats_left"`
	PlacesLeft    int                   `json:"places_left"`
	Waiting       int                   `json:"waiting"`
	Open          bool                  `json:"open"`
	Message       string                `json:"message"`
	Raw           []byte                `json:"-"`
}

// kclient is a test kiosk: a real websocket whose reader puts every
// message on msgs, and the error that ended it on done.
type kclient struct {
	conn *websocket.Conn
	msgs chan msg
	err  error         // set before done is closed
	done chan struct{} // closed when the reader ends
}

// dial connects a kiosk with token; it fails the test unless the server
// upgrades.
func (f *fixture) dial(tb testing.TB, token string) *kclient {
	tb.Helper()
	conn, res, err := websocket.DefaultDialer.Dial(f.wsURL(tb, token), nil)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		tb.Fatalf("dial: %v (status %d)", err, status)
	}
	return startClient(tb, conn)
}

func startClient(tb testing.TB, conn *websocket.Conn) *kclient {
	k := &kclient{conn: conn, msgs: make(chan msg, 4096), done: make(chan struct{})}
	tb.Cleanup(func() { conn.Close() })
	go func() {
		defer close(k.done)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				k.err = err
				return
			}
			m := msg{Raw: data}
			if err := json.Unmarshal(data, &m); err != nil {
				k.err = fmt.Errorf("decode %s: %w", data, err)
				return
			}
			k.msgs <- m
		}
	}()
	return k
}

// next returns the next message.
func (k *kclient) next(tb testing.TB) msg {
	tb.Helper()
	select {
	case m := <-k.msgs:
		return m
	case <-k.done:
		select {
		case m := <-k.msgs:
			return m
		default:
		}
		tb.Fatalf("connection ended: %v", k.err)
	case <-time.After(waitFor):
		tb.Fatalf("no message in %s", waitFor)
	}
	return msg{}
}

// expect returns the next message, which must be of type typ.
func (k *kclient) expect(tb testing.TB, typ string) msg {
	tb.Helper()
	m := k.next(tb)
	if m.Type != typ {
		tb.Fatalf("got %s, want a %s", m.Raw, typ)
	}
	if m.V != kiosk.Version {
		tb.Fatalf("v = %d in %s", m.V, m.Raw)
	}
	return m
}

// send writes a message to the server.
func (k *kclient) send(tb testing.TB, v any) {
	tb.Helper()
	if err := k.conn.WriteJSON(v); err != nil {
		tb.Fatal(err)
	}
}

// closed waits for the server to end the connection and returns why.
func (k *kclient) closed(tb testing.TB) error {
	tb.Helper()
	for {
		select {
		case <-k.msgs:
		case <-k.done:
			return k.err
		case <-time.After(waitFor):
			tb.Fatalf("connection still open after %s", waitFor)
		}
	}
}

// sync sends a resync and returns the next message, which must be the
// snapshot answering it.
func (k *kclient) sync(tb testing.TB) msg {
	tb.Helper()
	k.send(tb, map[string]any{"v": 1, "type": "resync"})
	return k.expect(tb, kiosk.TypeSnapshot)
}

// eventsIn returns the events of list whose ids are among ids, in list's
// order: a test store's DistrictUpcomingEventsIn.
func eventsIn(list []chorus.Event, ids []int64) []chorus.Event {
	var out []chorus.Event
	for _, e := range list {
		if slices.Contains(ids, e.ID) {
			out = append(out, e)
		}
	}
	return out
}
