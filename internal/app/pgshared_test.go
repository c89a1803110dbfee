package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/app"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/server"
)

// instance is one Chorus app serving HTTP on loopback.
type instance struct {
	URL string
	App *app.App
}

// twoInstances starts two apps on one PostgreSQL database, each with its
// own HTTP server, as two machines behind one address.
func twoInstances(t *testing.T) (a, b instance) {
	t.Helper()
	dsn := pgtest.DSN(t)
	open := func() instance {
		cfg := testConfig(t)
		cfg.DBPath = dsn
		ap, err := app.New(cfg, app.Options{Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(ap.Server.Handler())
		t.Cleanup(func() { srv.Close(); ap.Close() })
		return instance{URL: srv.URL, App: ap}
	}
	return open(), open()
}

// call sends a JSON request and decodes a JSON answer into out (when not
// nil), returning the status and the raw body.
func call(t *testing.T, method, url string, body any, header map[string]string, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, raw, err)
		}
	}
	return res.StatusCode, string(raw)
}

// places counts the places pairKiosk made, to name each anew.
var places atomic.Int64

// pairKiosk registers and pairs a kiosk at a place of its own, returning
// its bearer header and the place.
func pairKiosk(t *testing.T, a *app.App) (map[string]string, int64) {
	t.Helper()
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: chorus.DefaultCommunity})
	p := &chorus.Place{Name: fmt.Sprintf("社区活动室%d", places.Add(1))}
	if err := a.DB.SavePlace(ctx, p); err != nil {
		t.Fatal(err)
	}
	_, code, err := a.DB.CreateKiosk(ctx, "活动室东墙", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := a.DB.Pair(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"Authorization": "Bearer " + token}, p.ID
}

// ticket fetches a websocket ticket through inst.
func ticket(t *testing.T, inst instance, kiosk map[string]string) string {
	t.Helper()
	var tk struct {
		Ticket string `json:"ticket"`
	}
	if code, raw := call(t, "POST", inst.URL+"/api/kiosk/ticket", nil, kiosk, &tk); code != 200 || tk.Ticket == "" {
		t.Fatalf("ticket = %d %s", code, raw)
	}
	return tk.Ticket
}

// dialKiosk opens the kiosk websocket at inst with a ticket, returning the
// connection or the HTTP status of the refusal.
func dialKiosk(t *testing.T, inst instance, tk string) (*websocket.Conn, int) {
	t.Helper()
	conn, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(inst.URL, "http")+"/kiosk/ws?ticket="+tk, nil)
	if err != nil {
		if res == nil {
			t.Fatal(err)
		}
		return nil, res.StatusCode
	}
	t.Cleanup(func() { conn.Close() })
	return conn, http.StatusSwitchingProtocols
}

// TestNew_PostgresKioskTicketShared: behind a round-robin proxy a kiosk
// page fetches its websocket ticket through A and opens the socket on B:
// B takes the ticket A issued, and the ticket is good once only, on
// either instance.
func TestNew_PostgresKioskTicketShared(t *testing.T) {
	a, b := twoInstances(t)
	kiosk, _ := pairKiosk(t, a.App)
	tk := ticket(t, a, kiosk)
	conn, code := dialKiosk(t, b, tk)
	if conn == nil {
		t.Fatalf("A's ticket on B = %d, want the websocket", code)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, msg, err := conn.ReadMessage(); err != nil || !strings.Contains(string(msg), `"snapshot"`) {
		t.Fatalf("first frame on B = %s, %v", msg, err)
	}
	for _, inst := range []instance{a, b} {
		if c, code := dialKiosk(t, inst, tk); c != nil || code != http.StatusUnauthorized {
			t.Errorf("the used ticket again = %d, want 401", code)
		}
	}
}

// TestNew_PostgresVerifyProofShared: a resident books at a kiosk and,
// wanting to cancel, types the SMS code; the requests land on A, A, then
// B: the proof A gave is good on B, and the booking is cancelled.
func TestNew_PostgresVerifyProofShared(t *testing.T) {
	a, b := twoInstances(t)
	kiosk, place := pairKiosk(t, a.App)
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: chorus.DefaultCommunity})
	day := time.Now().Add(72 * time.Hour).Truncate(24 * time.Hour)
	ev := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: place, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: day, End: day.Add(15 * time.Minute), Capacity: 5}}}
	if err := a.App.DB.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	const phone = "13812345678"
	var booked struct {
		ID int64 `json:"id"`
	}
	if code, raw := call(t, "POST", a.URL+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[0].ID,
		"phone": phone, "name": "姚大娘"}, kiosk, &booked); code >= 300 || booked.ID == 0 {
		t.Fatalf("booking on A = %d %s", code, raw)
	}
	if code, raw := call(t, "POST", a.URL+"/api/verify", map[string]any{"phone": phone}, kiosk, nil); code != 200 {
		t.Fatalf("send code on A = %d %s", code, raw)
	}
	var sms string
	list, err := a.App.DB.Messages(ctx, phone, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Kind == chorus.MsgVerifyCode && sms == "" {
			sms = m.Params["code"]
		}
	}
	var proof struct {
		Proof string `json:"proof"`
	}
	if code, raw := call(t, "POST", a.URL+"/api/verify/check", map[string]any{"phone": phone, "code": sms}, kiosk, &proof); code != 200 || proof.Proof == "" {
		t.Fatalf("check code on A = %d %s", code, raw)
	}
	verified := map[string]string{"Authorization": kiosk["Authorization"], server.ProofHeader: proof.Proof}
	var cancelled struct {
		Status string `json:"status"`
	}
	if code, raw := call(t, "POST", fmt.Sprintf("%s/api/bookings/%d/cancel", b.URL, booked.ID), map[string]any{"phone": phone},
		verified, &cancelled); code != 200 || cancelled.Status != "cancelled" {
		t.Fatalf("cancel on B with A's proof = %d %s", code, raw)
	}
}

// kioskFrame is the part of a kiosk frame the tests read.
type kioskFrame struct {
	Type string `json:"type"`
	Mode struct {
		Kind string `json:"kind"`
	} `json:"mode"`
	Announcement struct {
		Text string `json:"text"`
	} `json:"announcement"`
}

// kioskFrames reads conn's frames onto a channel, closed with conn.
func kioskFrames(conn *websocket.Conn) <-chan kioskFrame {
	in := make(chan kioskFrame, 16)
	go func() {
		defer close(in)
		for {
			var f kioskFrame
			if err := conn.ReadJSON(&f); err != nil {
				return
			}
			in <- f
		}
	}()
	return in
}

// awaitFrame waits up to 10 s for a frame matching match, returning the
// frames read before it.
func awaitFrame(t *testing.T, in <-chan kioskFrame, what string, match func(kioskFrame) bool) []kioskFrame {
	t.Helper()
	var before []kioskFrame
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-in:
			if !ok {
				t.Fatalf("the kiosk's connection ended before %s", what)
			}
			if match(f) {
				return before
			}
			before = append(before, f)
		case <-deadline:
			t.Fatalf("the kiosk never got %s", what)
		}
	}
}

// TestNew_PostgresKioskChangesReachOtherInstance: staff change a kiosk
// through A while its websocket is on B: B's kiosk gets the new mode, an
// announcement, a reload, then the revocation, and its connection ends. A
// kiosk on A itself gets the announcement once.
func TestNew_PostgresKioskChangesReachOtherInstance(t *testing.T) {
	a, b := twoInstances(t)
	kiosk, _ := pairKiosk(t, a.App)
	other, _ := pairKiosk(t, a.App)
	conn, code := dialKiosk(t, b, ticket(t, b, kiosk))
	if conn == nil {
		t.Fatalf("websocket on B = %d", code)
	}
	onA, code := dialKiosk(t, a, ticket(t, a, other))
	if onA == nil {
		t.Fatalf("websocket on A = %d", code)
	}
	in, inA := kioskFrames(conn), kioskFrames(onA)
	snapshot := func(f kioskFrame) bool { return f.Type == "snapshot" }
	awaitFrame(t, in, "its snapshot", snapshot)
	awaitFrame(t, inA, "its snapshot", snapshot)
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: chorus.DefaultCommunity})
	tok := strings.TrimPrefix(kiosk["Authorization"], "Bearer ")
	k, err := a.App.DB.KioskByToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	id := k.ID
	// As the staff API does on A: the store, then A's own hub.
	if k, err = a.App.DB.SetKioskMode(ctx, id, chorus.KioskMode{Kind: chorus.KioskClosed, Message: "今天下午暂停服务"}); err != nil {
		t.Fatal(err)
	}
	a.App.Hub.KioskChanged(*k)
	awaitFrame(t, in, "the closed mode", func(f kioskFrame) bool { return f.Type == "mode" && f.Mode.Kind == "closed" })

	an := chorus.Announcement{Text: "下午三点停电检修"}
	if err := a.App.DB.CreateAnnouncement(ctx, &an); err != nil {
		t.Fatal(err)
	}
	a.App.Hub.Announce(an)
	announced := func(f kioskFrame) bool { return f.Type == "announce" && f.Announcement.Text == an.Text }
	awaitFrame(t, in, "the announcement", announced)
	awaitFrame(t, inA, "the announcement", announced)

	if _, err := a.App.DB.ReloadKiosk(ctx, id); err != nil { // as POST …/reload on A
		t.Fatal(err)
	}
	awaitFrame(t, in, "the reload", func(f kioskFrame) bool { return f.Type == "reload" })

	if k, err = a.App.DB.RevokeKiosk(ctx, id); err != nil {
		t.Fatal(err)
	}
	a.App.Hub.KioskChanged(*k)
	awaitFrame(t, in, "the revocation", func(f kioskFrame) bool { return f.Type == "revoked" })
	for range in { // the connection ends
	}
	// A's kiosk: a later change of its own marks the end of what it got.
	otherKiosk, err := a.App.DB.KioskByToken(ctx, strings.TrimPrefix(other["Authorization"], "Bearer "))
	if err != nil {
		t.Fatal(err)
	}
	if k, err = a.App.DB.SetKioskMode(ctx, otherKiosk.ID, chorus.KioskMode{Kind: chorus.KioskClosed, Message: "暂停"}); err != nil {
		t.Fatal(err)
	}
	a.App.Hub.KioskChanged(*k)
	for _, f := range awaitFrame(t, inA, "its closed mode", func(f kioskFrame) bool { return f.Type == "mode" }) {
		if announced(f) {
			t.Error("the kiosk on A got the announcement twice")
		}
	}
}

// TestNew_PostgresKioskHealthShared: a kiosk connected to B shows as
// online in A's answer (the console's 自助机 list and the district
// figures ask A's hub), with its app version and screen.
func TestNew_PostgresKioskHealthShared(t *testing.T) {
	a, b := twoInstances(t)
	kiosk, _ := pairKiosk(t, a.App)
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: chorus.DefaultCommunity})
	k, err := a.App.DB.KioskByToken(ctx, strings.TrimPrefix(kiosk["Authorization"], "Bearer "))
	if err != nil {
		t.Fatal(err)
	}
	conn, code := dialKiosk(t, b, ticket(t, b, kiosk))
	if conn == nil {
		t.Fatalf("websocket on B = %d", code)
	}
	in := kioskFrames(conn)
	awaitFrame(t, in, "its snapshot", func(f kioskFrame) bool { return f.Type == "snapshot" })
	if err := conn.WriteJSON(map[string]any{"v": 1, "type": "hello", "app_version": "1.4.2", "screen": "welcome"}); err != nil {
		t.Fatal(err)
	}
	// B writes what it knows every few seconds (app.presenceEvery, 10 s).
	deadline := time.Now().Add(25 * time.Second)
	for {
		h := a.App.Server.Hub.Health()[k.ID]
		if h.Online && h.AppVersion == "1.4.2" && h.Screen == "welcome" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A's view of the kiosk on B = %+v, want online, 1.4.2, welcome", h)
		}
		time.Sleep(50 * time.Millisecond) // B writes what it hears; nothing to wait on from A
	}
}
