package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
	"github.com/chorus-community/chorus/voice"
	"github.com/chorus-community/chorus/voice/voicefake"
)

// TestVoice_EndToEnd: the whole app as cmd/chorus wires it. A resident
// whose channel is voice books; the worker calls with 按1/按2; the fake
// voice service pushes the call's steps and record to the app's push
// URLs over HTTP (each twice, as the provider repeats them); the key 1
// confirms the booking as the SMS reply 1 would. Another resident never
// answers: one retry, then their family gets the SMS and 今日's call list
// names them.
func TestVoice_EndToEnd(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	clock := clocktest.New(time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai))
	st := stacktest.Start(t, stacktest.Options{Now: clock.Now, Location: shanghai,
		Configure: func(db *sqlite.DB, s *server.Server, h *kiosk.Hub) { s.PushSecret = "push-secret-0123456789" }})
	ctx := context.Background()
	cat, _ := voice.NewCatalogue(nil)
	approved := map[string][]string{}
	for _, tpl := range cat.Templates() {
		approved[tpl.Code] = tpl.Params
	}
	fake := voicefake.New(voicefake.Options{Templates: approved, ShowNumbers: []string{"057100001111"}, Now: clock.Now})
	defer fake.Close()
	caller, err := voice.NewAlibaba(voice.AlibabaConfig{AccessKeyID: voicefake.DefaultAccessKeyID,
		AccessKeySecret: voicefake.DefaultAccessKeySecret, ShowNumber: "057100001111", Endpoint: fake.Endpoint, Scheme: "http"})
	if err != nil {
		t.Fatal(err)
	}
	defer caller.Close()
	st.App.Calls.Caller = caller
	pushes := voicefake.Pushes{Events: st.URL + "/voice/push/push-secret-0123456789/events",
		Reports: st.URL + "/voice/push/push-secret-0123456789/reports"}

	answers, silent, daughter := "13800000001", "13800000002", "13900000009"
	for _, p := range []string{answers, silent} {
		if err := st.DB.SaveResident(ctx, &chorus.Resident{Phone: p, Name: "姚大娘", Channel: chorus.ChannelVoice,
			Family: []chorus.FamilyContact{{Name: "女儿", Phone: daughter, Relation: "女儿"}}}); err != nil {
			t.Fatal(err)
		}
	}
	place := &chorus.Place{Name: "社区活动室"}
	st.DB.SavePlace(ctx, place)
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	ev := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: place.ID, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: start, End: start.Add(30 * time.Minute), Capacity: 10}}}
	if err := st.DB.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	book := func(phone string) *chorus.Booking {
		b, err := st.DB.Book(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: phone, Name: "姚大娘", Source: "kiosk"})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b1, b2 := book(answers), book(silent)
	fake.Script(answers, voicefake.Script{Key: "1"})
	fake.Script(silent, voicefake.Script{Status: "200003"})

	if n, err := st.App.Calls.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("placed %d: %v", n, err)
	}
	calls := fake.Calls()
	for _, c := range calls {
		if err := fake.Play(ctx, c.CallID, pushes, true); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := st.DB.Booking(ctx, b1.ID); got.Status != chorus.StatusConfirmed {
		t.Errorf("after 1 pressed the booking is %s", got.Status)
	}
	// The unanswered call is tried once more, half an hour later.
	clock.Add(chorus.CallRetryAfter + time.Minute)
	if n, err := st.App.Calls.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("retry placed %d: %v", n, err)
	}
	calls = fake.Calls()
	if err := fake.Play(ctx, calls[2].CallID, pushes, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.DB.Booking(ctx, b2.ID); got.Status == chorus.StatusConfirmed {
		t.Error("an unanswered call confirmed a booking")
	}
	fam, _ := st.DB.Messages(ctx, daughter, 20)
	var copies int
	for _, m := range fam {
		if m.Kind == chorus.MsgBookingConfirm && m.BookingID == b2.ID {
			copies++
		}
	}
	if copies != 2 { // the copy when booked, and one after the second unanswered call
		t.Errorf("the family got %d copies of the unanswered confirmation, want 2", copies)
	}

	// 今日's list, for staff with a session.
	if err := st.DB.CreateStaff(ctx, &chorus.Staff{Username: "liting", Name: "李婷", Role: chorus.RoleStaff}, "guanghua-2026"); err != nil {
		t.Fatal(err)
	}
	login, err := http.Post(st.URL+"/api/login", "application/json", strings.NewReader(`{"username":"liting","password":"guanghua-2026"}`))
	if err != nil || login.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", login, err)
	}
	login.Body.Close()
	var v struct {
		Today     int `json:"today"`
		Budget    int `json:"budget"`
		FollowUps []struct {
			Phone     string `json:"phone"`
			BookingID int64  `json:"booking_id"`
			Why       string `json:"why"`
		} `json:"follow_ups"`
	}
	req, _ := http.NewRequest(http.MethodGet, st.URL+"/api/admin/calls", nil)
	for _, c := range login.Cookies() {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/admin/calls: %v %v", resp, err)
	}
	json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if v.Today != 3 || len(v.FollowUps) != 1 || v.FollowUps[0].Phone != silent || v.FollowUps[0].BookingID != b2.ID || v.FollowUps[0].Why == "" {
		t.Errorf("calls view = %+v", v)
	}
	// Without a session: refused.
	if r, _ := http.Get(st.URL + "/api/admin/calls"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous calls list: %d", r.StatusCode)
	}
	// A wrong push secret: no such endpoint.
	if r, _ := http.Post(st.URL+"/voice/push/wrong/events", "application/json", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("wrong secret: %d", r.StatusCode)
	}
}
