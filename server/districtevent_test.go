package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/stacktest"
)

// TestResident_DistrictOpenEvent: 和泽苑 (community 2) opens a lecture to
// the district; a resident at a kiosk of 光华街 (community 1) sees it,
// labelled with its host, books it, finds it among their bookings and
// cancels it. 光华街's staff do not see the booking, nor 和泽苑's events
// that are not open to the district.
func TestResident_DistrictOpenEvent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus.db")
	clk := clocktest.New(time.Date(2026, 12, 1, 8, 0, 0, 0, shanghai))
	st := stacktest.Start(t, stacktest.Options{Now: clk.Now, Location: shanghai, DBPath: path})
	p := &chorus.Place{Name: "社区活动室"}
	if err := st.DB.SavePlace(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	e := (&env{DB: st.DB, URL: st.URL, Clock: clk, Place: p.ID, Server: st.Server, Hub: st.Hub}).finish(t)
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var hall int64
	if _, err := raw.Exec(`INSERT INTO community (id, name, sign_name) VALUES (2, '和泽苑社区', '和泽苑社区');
		INSERT INTO places (name, address, community_id) VALUES ('和泽苑小礼堂', '和泽苑1号', 2)`); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT id FROM places WHERE community_id = 2").Scan(&hall); err != nil {
		t.Fatal(err)
	}
	hezeyuan := chorus.WithScope(context.Background(), chorus.Scope{Community: 2})
	day := time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	mk := func(title string, open bool) *chorus.Event {
		ev := &chorus.Event{Kind: chorus.ServiceLecture, Title: title, PlaceID: hall, CutoffMinutes: 60, DistrictOpen: open,
			Slots: []chorus.Slot{{Start: day, End: day.Add(time.Hour), Capacity: 50}}}
		if err := st.DB.CreateEvent(hezeyuan, ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	lecture, inside := mk("小礼堂健康讲座", true), mk("和泽苑内部活动", false)
	c := http.DefaultClient

	list := do(t, c, "GET", e.URL+"/api/events", nil, nil)
	if !strings.Contains(string(list.Raw), `"community_name":"和泽苑社区"`) || !strings.Contains(string(list.Raw), "小礼堂健康讲座") ||
		strings.Contains(string(list.Raw), "和泽苑内部活动") {
		t.Fatalf("光华街's events = %s", list.Raw)
	}
	if got := do(t, c, "GET", fmt.Sprintf("%s/api/events/%d", e.URL, inside.ID), nil, nil); got.Status != http.StatusNotFound {
		t.Fatalf("和泽苑's own event from 光华街 = %d %s", got.Status, got.Raw)
	}

	const phone = "13812345678"
	book := func(ev *chorus.Event) response {
		return do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[0].ID,
			"phone": phone, "name": "王大爷"}, e.Kiosk)
	}
	if got := book(inside); got.Status != http.StatusNotFound {
		t.Fatalf("booking 和泽苑's own event from 光华街's kiosk = %d %s", got.Status, got.Raw)
	}
	got := book(lecture)
	if got.Status != http.StatusCreated || got.Body["community"] != float64(2) {
		t.Fatalf("booking the lecture = %d %s", got.Status, got.Raw)
	}
	id := int64(got.Body["id"].(float64))

	// 光华街's staff: neither the booking nor the lecture's list.
	for _, u := range []string{fmt.Sprintf("/api/admin/bookings/%d", id), fmt.Sprintf("/api/admin/events/%d/bookings", lecture.ID),
		fmt.Sprintf("/api/admin/events/%d/attendance", lecture.ID), fmt.Sprintf("/api/admin/events/%d/bookings.csv", lecture.ID)} {
		if got := do(t, c, "GET", e.URL+u, nil, e.Admin); got.Status != http.StatusNotFound {
			t.Errorf("光华街's staff GET %s = %d %s", u, got.Status, got.Raw)
		}
	}
	if got := do(t, c, "GET", e.URL+"/api/admin/events?when=upcoming", nil, e.Admin); strings.Contains(string(got.Raw), "小礼堂") {
		t.Errorf("光华街's staff list 和泽苑's lecture: %s", got.Raw)
	}

	// Nor through a resident's phone: staff act for the residents of the
	// communities they work in.
	if got := do(t, c, "GET", e.URL+"/api/bookings?phone="+phone, nil, e.Admin); got.Status != 200 || strings.Contains(string(got.Raw), "小礼堂") {
		t.Errorf("光华街's staff look the phone up = %d %s", got.Status, got.Raw)
	}
	for _, act := range []string{"cancel", "move"} {
		body := map[string]any{"phone": phone}
		if act == "move" {
			body["slot_id"] = lecture.Slots[0].ID
		}
		if got := do(t, c, "POST", fmt.Sprintf("%s/api/bookings/%d/%s", e.URL, id, act), body, e.Admin); got.Status != http.StatusNotFound {
			t.Errorf("光华街's staff %s it = %d %s", act, got.Status, got.Raw)
		}
	}

	// The resident's own: listed and cancelled at 光华街's kiosk.
	mine := do(t, c, "GET", e.URL+"/api/bookings?phone="+phone, nil, e.Kiosk)
	if !strings.Contains(string(mine.Raw), "小礼堂健康讲座") {
		t.Fatalf("the resident's bookings = %s", mine.Raw)
	}
	kiosk := e.MustVerify(t, e.Kiosk, phone)
	cancel := do(t, c, "POST", fmt.Sprintf("%s/api/bookings/%d/cancel", e.URL, id), map[string]any{"phone": phone}, kiosk)
	if cancel.Status != 200 || cancel.Body["status"] != "cancelled" {
		t.Fatalf("cancel = %d %s", cancel.Status, cancel.Raw)
	}
	if b, err := st.DB.Booking(hezeyuan, id); err != nil || b.Status != chorus.StatusCancelled {
		t.Fatalf("the host's booking = %+v, %v", b, err)
	}
}
