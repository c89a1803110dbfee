package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestClasses_Checkin: a class enrolment made at a kiosk shows its 6-digit
// code on the done screen only (the same phone again, or a lookup by the
// phone alone, shows none); staff type it at the door of today's session
// (fake clock): 签到成功 and the roster marks the resident present, a
// repeat says already, a malformed code is a 400 in words; a kiosk is not
// staff; another community's class is a 404 even with its real code.
func TestClasses_Checkin(t *testing.T) {
	p := mustDistrictPair(t)
	e := p.env
	partner := classPartner(t, e)
	c := http.DefaultClient
	created := do(t, c, "POST", e.URL+"/api/admin/classes", classJSON(e, partner), e.Admin)
	if created.Status != 201 {
		t.Fatalf("create = %d %s", created.Status, created.Raw)
	}
	id := int64(created.Body["id"].(float64))
	url := fmt.Sprintf("%s/api/admin/classes/%d", e.URL, id)
	const phone = "13800000001"
	enrol := do(t, c, "POST", e.URL+"/api/class-enrolments", fmt.Sprintf(`{"class_id":%d,"phone":"%s","name":"王大爷"}`, id, phone), e.Kiosk)
	code, _ := enrol.Body["code"].(string)
	if enrol.Status != 201 || !chorus.IsCode(code) {
		t.Fatalf("enrol = %d %s: want the code on the done screen", enrol.Status, enrol.Raw)
	}
	if again := do(t, c, "POST", e.URL+"/api/class-enrolments", fmt.Sprintf(`{"class_id":%d,"phone":"%s"}`, id, phone), e.Kiosk); again.Status != 200 ||
		strings.Contains(string(again.Raw), code) {
		t.Fatalf("again = %d %s: the phone alone must not reveal the code", again.Status, again.Raw)
	}
	if look := do(t, c, "GET", e.URL+"/api/enrolments?phone="+phone, nil, e.Kiosk); look.Status != 200 || strings.Contains(string(look.Raw), code) ||
		!strings.Contains(string(look.Raw), "书法班") {
		t.Fatalf("lookup = %d %s: the phone alone must not reveal the code", look.Status, look.Raw)
	}
	if staffList := do(t, c, "GET", url+"/enrolments", nil, e.Admin); !strings.Contains(string(staffList.Raw), `"code":"`+code+`"`) {
		t.Fatalf("staff roster = %s: staff see the code", staffList.Raw)
	}

	// Thursday 2026-12-03, 18:55: the session's door.
	day, _ := time.ParseInLocation(time.DateOnly, "2026-12-03", shanghai)
	e.Clock.Set(day.Add(18*time.Hour + 55*time.Minute))
	admin := loginStaff(t, e, "liting", "guanghua-2026")
	got := do(t, c, "POST", url+"/checkin", map[string]any{"code": code}, admin)
	if got.Status != 200 || got.Body["outcome"] != "ok" || !strings.Contains(got.Body["message"].(string), "王大爷,签到成功") {
		t.Fatalf("checkin = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", url+"/checkin", map[string]any{"code": code}, admin); got.Status != 200 || got.Body["outcome"] != "already" {
		t.Fatalf("again = %d %s", got.Status, got.Raw)
	}
	roster := do(t, c, "GET", url+"/attendance?date=2026-12-03", nil, admin)
	var body struct{ Roster []chorus.SessionAttendance }
	if err := json.Unmarshal(roster.Raw, &body); err != nil || len(body.Roster) != 1 || body.Roster[0].Mark != chorus.AttendancePresent {
		t.Fatalf("roster = %d %s", roster.Status, roster.Raw)
	}
	if got := do(t, c, "POST", url+"/checkin", map[string]any{"code": "12a456"}, admin); got.Status != 400 || !strings.Contains(got.ErrorMessage(), "6位数字") {
		t.Fatalf("bad code = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", url+"/checkin", map[string]any{"code": code}, e.Kiosk); got.Status != 401 && got.Status != 403 {
		t.Fatalf("kiosk checks in: %d %s", got.Status, got.Raw)
	}

	// B's resident enrolled in B's class: A's staff cannot check them in.
	hz := chorus.WithScope(t.Context(), chorus.Scope{Community: 2})
	bEnrol, err := e.DB.EnrolClass(hz, chorus.ClassEnrolmentRequest{ClassID: p.id("class"), Phone: bPhone, Name: "钱大娘"})
	if err != nil || !chorus.IsCode(bEnrol.Code) {
		t.Fatalf("B's enrolment %+v, %v", bEnrol, err)
	}
	bURL := fmt.Sprintf("%s/api/admin/classes/%d/checkin", e.URL, p.id("class"))
	if got := do(t, c, "POST", bURL, map[string]any{"code": bEnrol.Code}, admin); got.Status != 404 || strings.Contains(string(got.Raw), "钱") {
		t.Fatalf("A's staff at B's class = %d %s", got.Status, got.Raw)
	}
}

// TestClasses_CheckinToken: a class enrolment made at a kiosk carries a
// signed check-in token on the done screen only; its QR code (/qr/, read
// back with zbarimg) leads to /c/<token>; staff at the door page, set to
// the class (class_id) or to an event, scan it and the resident is marked
// present at today's session; the class's own route takes the scanned URL
// too; a booking's QR at the class's door says what it is.
func TestClasses_CheckinToken(t *testing.T) {
	p := mustDistrictPair(t)
	e := p.env
	partner := classPartner(t, e)
	c := http.DefaultClient
	created := do(t, c, "POST", e.URL+"/api/admin/classes", classJSON(e, partner), e.Admin)
	if created.Status != 201 {
		t.Fatalf("create = %d %s", created.Status, created.Raw)
	}
	id := int64(created.Body["id"].(float64))
	url := fmt.Sprintf("%s/api/admin/classes/%d", e.URL, id)
	const phone = "13800000001"
	enrol := do(t, c, "POST", e.URL+"/api/class-enrolments", fmt.Sprintf(`{"class_id":%d,"phone":"%s","name":"王大爷"}`, id, phone), e.Kiosk)
	token, _ := enrol.Body["checkin_token"].(string)
	if enrol.Status != 201 || len(token) != chorus.TokenLen {
		t.Fatalf("enrol = %d %s: want the token on the done screen", enrol.Status, enrol.Raw)
	}
	if again := do(t, c, "POST", e.URL+"/api/class-enrolments", fmt.Sprintf(`{"class_id":%d,"phone":"%s"}`, id, phone), e.Kiosk); again.Status != 200 ||
		strings.Contains(string(again.Raw), token) {
		t.Fatalf("again = %d %s: the phone alone must not reveal the token", again.Status, again.Raw)
	}
	if got := fetchQR(t, e, token, "png"); got != e.URL+"/c/"+token {
		t.Fatalf("QR reads %q", got)
	}

	day, _ := time.ParseInLocation(time.DateOnly, "2026-12-03", shanghai)
	e.Clock.Set(day.Add(18*time.Hour + 55*time.Minute))
	admin := loginStaff(t, e, "liting", "guanghua-2026")
	got := do(t, c, "POST", e.URL+"/api/admin/checkins", map[string]any{"class_id": id, "token": e.URL + "/c/" + token}, admin)
	b, _ := got.Body["booking"].(map[string]any)
	if got.Status != 200 || got.Body["outcome"] != "ok" || b["name"] != "王大爷" || b["event_title"] != "书法班" || strings.Contains(string(got.Raw), phone) {
		t.Fatalf("door page = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", url+"/checkin", map[string]any{"token": e.URL + "/c/" + token}, admin); got.Status != 200 || got.Body["outcome"] != "already" {
		t.Fatalf("class route = %d %s", got.Status, got.Raw)
	}
	roster := do(t, c, "GET", url+"/attendance?date=2026-12-03", nil, admin)
	var body struct{ Roster []chorus.SessionAttendance }
	if err := json.Unmarshal(roster.Raw, &body); err != nil || len(body.Roster) != 1 || body.Roster[0].Mark != chorus.AttendancePresent {
		t.Fatalf("roster = %d %s", roster.Status, roster.Raw)
	}
	if got := do(t, c, "POST", e.URL+"/api/admin/checkins", map[string]any{"class_id": id}, admin); got.Status != 400 || !strings.Contains(got.ErrorMessage(), "二维码") {
		t.Fatalf("nothing scanned = %d %s", got.Status, got.Raw)
	}
}

// TestClasses_Makeup: staff add a make-up session (补课) to a class: 201
// with the session; the class shows it among its sessions; a date that
// already has a class is a 409 in words, a malformed one a 400; B's class
// is a 404 for A's staff.
func TestClasses_Makeup(t *testing.T) {
	p := mustDistrictPair(t)
	e := p.env
	partner := classPartner(t, e)
	c := http.DefaultClient
	created := do(t, c, "POST", e.URL+"/api/admin/classes", classJSON(e, partner), e.Admin)
	id := int64(created.Body["id"].(float64))
	url := fmt.Sprintf("%s/api/admin/classes/%d", e.URL, id)
	day, _ := time.ParseInLocation(time.DateOnly, "2026-12-01", shanghai)
	e.Clock.Set(day.Add(9 * time.Hour))
	got := do(t, c, "POST", url+"/sessions", map[string]any{"date": "2026-12-05"}, e.Admin)
	if got.Status != 201 || got.Body["makeup"] != true || got.Body["date"] != "2026-12-05" {
		t.Fatalf("make-up = %d %s", got.Status, got.Raw)
	}
	var found bool
	for _, s := range sessionsOf(t, do(t, c, "GET", url, nil, e.Admin)) {
		found = found || (s.Date == "2026-12-05" && s.Makeup && s.Status == chorus.SessionScheduled)
	}
	if !found {
		t.Fatal("the class does not show its make-up session")
	}
	if got := do(t, c, "POST", url+"/sessions", map[string]any{"date": "2026-12-03"}, e.Admin); got.Status != 409 || !strings.Contains(got.ErrorMessage(), "本来就有课") {
		t.Fatalf("a Thursday = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", url+"/sessions", map[string]any{"date": "12/6"}, e.Admin); got.Status != 400 || !strings.Contains(got.ErrorMessage(), "补课日期格式") {
		t.Fatalf("bad date = %d %s", got.Status, got.Raw)
	}
	bURL := fmt.Sprintf("%s/api/admin/classes/%d/sessions", e.URL, p.id("class"))
	if got := do(t, c, "POST", bURL, map[string]any{"date": "2026-12-06"}, e.Admin); got.Status != 404 {
		t.Fatalf("A's staff at B's class = %d %s", got.Status, got.Raw)
	}
}
