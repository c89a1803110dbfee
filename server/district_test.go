package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
)

// TestDistrictPeriod: this week runs Monday to Sunday and this year from
// 1 January, in the deployment's zone (a Sunday night in Shanghai is still
// that week, though UTC is on Sunday afternoon).
func TestDistrictPeriod(t *testing.T) {
	for _, c := range []struct {
		period   string
		now      time.Time
		from, to string
	}{
		{"week", time.Date(2026, 12, 1, 8, 0, 0, 0, shanghai), "2026-11-30", "2026-12-07"},
		{"week", time.Date(2026, 12, 6, 23, 30, 0, 0, shanghai), "2026-11-30", "2026-12-07"},
		{"week", time.Date(2026, 12, 6, 16, 30, 0, 0, time.UTC), "2026-12-07", "2026-12-14"}, // Monday 00:30 in Shanghai
		{"week", time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai), "2026-11-30", "2026-12-07"},
		{"year", time.Date(2026, 12, 31, 23, 59, 0, 0, shanghai), "2026-01-01", "2027-01-01"},
	} {
		from, to, err := server.DistrictPeriod(c.period, c.now, shanghai)
		if err != nil || from.Format(time.DateOnly) != c.from || to.Format(time.DateOnly) != c.to || from.Location() != shanghai {
			t.Errorf("%s at %s = [%s, %s), %v; want [%s, %s)", c.period, c.now, from, to, err, c.from, c.to)
		}
	}
	if _, _, err := server.DistrictPeriod("month", time.Now(), shanghai); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("month: %v", err)
	}
}

// TestServer_DistrictFigures: GET /api/district/figures answers each
// community's figures of this week or this year, the kiosks online as
// the hub sees them; staff who are not admins are refused, and a period
// other than week or year is refused in Chinese.
func TestServer_DistrictFigures(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ev := e.MustEvent(t, 1, 10, false)
	b := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[0].ID,
		"phone": "13812345678", "name": "姚大娘"}, e.Kiosk)
	if b.Status != 201 && b.Status != 200 {
		t.Fatalf("booking = %d %s", b.Status, b.Raw)
	}

	// The paired kiosk connects: once its snapshot arrives the hub counts
	// it online.
	tk := do(t, c, "POST", e.URL+"/api/kiosk/ticket", nil, e.Kiosk)
	ticket, _ := tk.Body["ticket"].(string)
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.URL, "http")+"/kiosk/ws?ticket="+ticket, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, _, err := conn.ReadMessage(); err != nil {
		t.Fatal(err)
	}

	district := e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)
	if got := do(t, c, "GET", e.URL+"/api/district/figures?period=week", nil, e.Admin); got.Status != 403 {
		t.Errorf("a community admin's figures = %d %s", got.Status, got.Raw)
	}
	got := do(t, c, "GET", e.URL+"/api/district/figures?period=week", nil, district)
	if got.Status != 200 || got.Body["period"] != "week" || got.Body["from"] != "2026-11-30" || got.Body["to"] != "2026-12-06" {
		t.Fatalf("figures = %d %s", got.Status, got.Raw)
	}
	list, _ := got.Body["communities"].([]any)
	if len(list) != 1 {
		t.Fatalf("communities = %s", got.Raw)
	}
	one, _ := list[0].(map[string]any)
	if one["id"] != 1.0 || one["bookings"] != 1.0 || one["kiosks"] != 1.0 || one["kiosks_online"] != 1.0 ||
		one["orders"] != 0.0 || one["sms_sent"] != 0.0 {
		t.Errorf("community 1 = %v", one)
	}
	if _, ok := one["KioskIDs"]; ok {
		t.Errorf("the answer shows kiosk ids: %s", got.Raw)
	}
	year := do(t, c, "GET", e.URL+"/api/district/figures?period=year", nil, district)
	if year.Status != 200 || year.Body["from"] != "2026-01-01" || year.Body["to"] != "2026-12-31" {
		t.Errorf("year = %d %s", year.Status, year.Raw)
	}
	bad := do(t, c, "GET", e.URL+"/api/district/figures?period=month", nil, district)
	if bad.Status != 400 || bad.ErrorCode() != chorus.EINVALID || !strings.Contains(bad.ErrorMessage(), "本周") {
		t.Errorf("month = %d %s", bad.Status, bad.Raw)
	}
	staff := e.MustLogin(t, "wanggang", chorus.RoleStaff)
	if got := do(t, c, "GET", e.URL+"/api/district/figures", nil, staff); got.Status != 403 {
		t.Errorf("a staff member's figures = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "GET", e.URL+"/api/district/figures", nil, e.Kiosk); got.Status != 401 && got.Status != 403 {
		t.Errorf("a kiosk's figures = %d %s", got.Status, got.Raw)
	}
}
