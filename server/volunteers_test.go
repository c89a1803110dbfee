package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestVolunteers_Flow: staff register an activity and its weekly shift;
// a resident at a kiosk, their phone verified by SMS code, joins as a
// volunteer and takes a place (an unverified phone cannot); staff check
// them in and out by their code at the door with a fake clock; the hours
// are proposed, confirmed by staff, audited, and on the certificate.
func TestVolunteers_Flow(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	const phone = "13812348888"
	got := do(t, c, "POST", e.URL+"/api/admin/volunteer-activities",
		map[string]any{"kind": "环境整治", "title": "靓丽星期五", "place": "和泽苑3号楼", "weekly": true}, e.Admin)
	if got.Status != 201 {
		t.Fatalf("create activity = %d %s", got.Status, got.Raw)
	}
	act := int64(got.Body["id"].(float64))
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, shanghai)
	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/volunteer-activities/%d/shifts", e.URL, act),
		map[string]any{"start": fri, "end": fri.Add(3 * time.Hour), "task": "清理楼道杂物", "capacity": 2, "weeks": 4}, e.Admin)
	shifts, _ := got.Body["shifts"].([]any)
	if got.Status != 201 || len(shifts) != 4 {
		t.Fatalf("add shifts = %d %s", got.Status, got.Raw)
	}
	shift := int64(shifts[0].(map[string]any)["id"].(float64))

	// The kiosk's 我要帮忙: this week's shift, with its places.
	got = do(t, c, "GET", e.URL+"/api/volunteer-shifts", nil, e.Kiosk)
	list, _ := got.Body["shifts"].([]any)
	if got.Status != 200 || len(list) != 1 || list[0].(map[string]any)["left"].(float64) != 2 {
		t.Fatalf("kiosk shifts = %d %s", got.Status, got.Raw)
	}
	url := fmt.Sprintf("%s/api/volunteer-shifts/%d/signups", e.URL, shift)
	join := map[string]any{"phone": phone, "name": "李华", "consent": true}
	if got := do(t, c, "POST", url, join, e.Kiosk); got.Status != 403 {
		t.Errorf("unverified phone = %d %s; want 403", got.Status, got.Raw)
	}
	proof := e.MustVerify(t, e.Kiosk, phone)
	if got := do(t, c, "POST", url, map[string]any{"phone": phone}, proof); got.Status != 400 {
		t.Errorf("a new volunteer without name and consent = %d %s; want 400", got.Status, got.Raw)
	}
	got = do(t, c, "POST", url, join, proof)
	if got.Status != 201 {
		t.Fatalf("kiosk signup = %d %s", got.Status, got.Raw)
	}
	signup := got.Body["signup"].(map[string]any)
	if signup["status"] != chorus.SignupConfirmed || signup["volunteer"] != "李*" || signup["to_staff"] != nil {
		t.Errorf("kiosk's signup = %v", signup)
	}
	code, _ := signup["code"].(string)
	if len(code) != 6 {
		t.Fatalf("the verified phone's check-in code = %q", code)
	}
	// The kiosk that made the signup gets its QR code (issue 20d): read
	// back with zbarimg, it leads to /c/<token>.
	token, _ := got.Body["checkin_token"].(string)
	if len(token) != chorus.TokenLen {
		t.Fatalf("the kiosk's signup token = %q", token)
	}
	if got := fetchQR(t, e, token, "png"); got != e.URL+"/c/"+token {
		t.Errorf("the signup's QR code reads %q", got)
	}
	if got := do(t, c, "POST", url, join, proof); got.Status != 409 {
		t.Errorf("signing up twice = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/volunteers", nil, e.Admin)
	vols, _ := got.Body["volunteers"].([]any)
	if len(vols) != 1 || vols[0].(map[string]any)["joined_via"] != chorus.JoinKiosk || vols[0].(map[string]any)["name"] != "李华" {
		t.Fatalf("volunteers = %s", got.Raw)
	}
	vol := int64(vols[0].(map[string]any)["id"].(float64))

	// At the door, on Friday: in at 08:20 (the shift starts 08:30), out at 11:05: 2h35, 2h30 counted.
	door := fmt.Sprintf("%s/api/admin/shifts/%d/presence", e.URL, shift)
	e.Clock.Set(time.Date(2026, 12, 4, 8, 20, 0, 0, shanghai))
	admin := e.MustLogin(t, "friday", chorus.RoleAdmin) // Tuesday's session has lapsed
	if got := do(t, c, "POST", door, map[string]any{"code": code}, admin); got.Body["outcome"] != chorus.PresenceIn {
		t.Fatalf("check in = %d %s", got.Status, got.Raw)
	}
	e.Clock.Set(time.Date(2026, 12, 4, 11, 5, 0, 0, shanghai))
	if got := do(t, c, "POST", door, map[string]any{"code": code}, admin); got.Body["outcome"] != chorus.PresenceOut {
		t.Fatalf("check out = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/hours", nil, admin)
	claims, _ := got.Body["claims"].([]any)
	if len(claims) != 1 || claims[0].(map[string]any)["minutes"].(float64) != 150 {
		t.Fatalf("hours to confirm = %s", got.Raw)
	}
	claim := int64(claims[0].(map[string]any)["id"].(float64))
	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/hours/%d/correct", e.URL, claim), map[string]any{"minutes": 165, "note": "提前到场帮忙搬工具"}, admin)
	if got.Status != 200 || got.Body["minutes"].(float64) != 165 {
		t.Fatalf("correct = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/hours/%d/decide", e.URL, claim), map[string]any{"confirm": true}, admin)
	if got.Status != 200 || got.Body["status"] != chorus.ClaimConfirmed || !strings.HasPrefix(got.Body["decided_by"].(string), "staff:") {
		t.Fatalf("confirm = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/audit", nil, admin)
	for _, action := range []string{"POST /api/admin/hours/{id}/correct", "POST /api/admin/hours/{id}/decide",
		"POST /api/admin/shifts/{id}/presence", "POST /api/admin/volunteer-activities"} {
		if !strings.Contains(string(got.Raw), action) {
			t.Errorf("audit log has no %s", action)
		}
	}
	if !strings.Contains(string(got.Raw), "提前到场帮忙搬工具") {
		t.Error("the correction's reason is not in the audit log")
	}
	got = do(t, c, "GET", fmt.Sprintf("%s/staff/volunteers/%d/certificate?year=2026", e.URL, vol), nil, admin)
	if got.Status != 200 || !strings.Contains(string(got.Raw), "志愿服务记录证明") || !strings.Contains(string(got.Raw), "2.75小时") {
		t.Errorf("certificate = %d %.500s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/volunteer-figures?year=2026", nil, admin)
	if got.Status != 200 || !strings.Contains(string(got.Raw), `"minutes":165`) {
		t.Errorf("figures = %d %s", got.Status, got.Raw)
	}
}

// TestVolunteers_DoorCodes: a volunteer's code typed at the doors that
// check residents in — the staff's door page (/api/admin/checkins) and a
// kiosk in check-in mode — checks them in to a shift going on now and,
// the second time, out; a booking's code there works as before, and a
// code of nothing is still "unknown".
func TestVolunteers_DoorCodes(t *testing.T) {
	e := MustServe(t)
	ctx := context.Background()
	c := http.DefaultClient
	ev := e.MustEvent(t, 1, 6, false)
	a := &chorus.Activity{Kind: "环境整治", Title: "靓丽星期五", Place: "和泽苑3号楼"}
	if err := e.DB.SaveActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, shanghai)
	shifts, err := e.DB.AddShifts(ctx, chorus.Shift{ActivityID: a.ID, Start: fri, End: fri.Add(3 * time.Hour), Task: "清扫", Capacity: 5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for i, name := range []string{"李华", "王芳"} {
		v := &chorus.Volunteer{Name: name, Phone: fmt.Sprintf("1381234900%d", i), Consent: true}
		if err := e.DB.SaveVolunteer(ctx, v); err != nil {
			t.Fatal(err)
		}
		g, err := e.DB.SignUp(ctx, shifts[0].ID, v.ID, chorus.JoinStaff)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, g.Code)
	}
	k, err := e.DB.Kiosks(ctx)
	if err != nil || len(k) == 0 {
		t.Fatalf("kiosks = %v, %v", k, err)
	}
	if _, err := e.DB.SetKioskMode(ctx, k[0].ID, chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: ev.ID}); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(time.Date(2026, 12, 4, 8, 20, 0, 0, shanghai))
	admin := e.MustLogin(t, "door", chorus.RoleStaff)
	got := do(t, c, "POST", e.URL+"/api/admin/checkins", map[string]any{"event_id": ev.ID, "code": codes[0]}, admin)
	if got.Status != 200 || got.Body["outcome"] != "ok" || got.Body["word"] != "✓ 签到成功" {
		t.Fatalf("door page check-in = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"code": codes[1]}, e.Kiosk)
	if got.Status != 200 || got.Body["outcome"] != "ok" || got.Body["booking"].(map[string]any)["event_title"] != "靓丽星期五" {
		t.Fatalf("kiosk check-in = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"code": "000000"}, e.Kiosk); got.Body["outcome"] != "unknown" {
		t.Errorf("a code of nothing = %d %s", got.Status, got.Raw)
	}
	e.Clock.Set(time.Date(2026, 12, 4, 11, 40, 0, 0, shanghai))
	got = do(t, c, "POST", e.URL+"/api/kiosk/checkin", map[string]any{"code": codes[1]}, e.Kiosk)
	if got.Body["outcome"] != "ok" || got.Body["word"] != "✓ 签退成功" {
		t.Fatalf("kiosk check-out = %d %s", got.Status, got.Raw)
	}
	q, err := e.DB.PendingHours(ctx)
	if err != nil || len(q.Claims) != 1 || q.Claims[0].Minutes != 180 || q.Claims[0].Volunteer != "王芳" {
		t.Errorf("hours to confirm = %+v, %v", q, err)
	}
}
