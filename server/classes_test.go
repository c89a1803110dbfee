package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

// classPartner stores the seed's research institute and returns its id.
func classPartner(tb testing.TB, e *env) int64 {
	tb.Helper()
	p := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"13900000001"},
		OpensAt: "08:30", ClosesAt: "17:30", Active: true}
	if err := e.DB.SavePartner(tb.Context(), p); err != nil {
		tb.Fatal(err)
	}
	return p.ID
}

func classJSON(e *env, partner int64) string {
	return fmt.Sprintf(`{"title":"书法班","teacher":"王老师","partner_id":%d,"place_id":%d,"weekday":4,
		"start_time":"19:00","end_time":"20:30","first_date":"2026-09-03","last_date":"2026-12-31","capacity":20,
		"skipped":[{"from":"2026-10-01","to":"2026-10-07","reason":"国庆节"}]}`, partner, e.Place)
}

func sessionsOf(t *testing.T, r response) []chorus.ClassSession {
	t.Helper()
	var c chorus.Class
	if err := json.Unmarshal(r.Raw, &c); err != nil {
		t.Fatalf("%v: %s", err, r.Raw)
	}
	return c.Sessions
}

// TestClasses_API: staff create a class and read it back with its
// sessions (国庆 skipped), change its holidays, call a session off, and
// list it; a bad class is a 400 in plain Chinese that saves nothing.
func TestClasses_API(t *testing.T) {
	e := MustServe(t)
	partner := classPartner(t, e)
	c := http.DefaultClient

	got := do(t, c, "POST", e.URL+"/api/admin/classes", `{"title":"书法班","teacher":"王老师","partner_id":1,"weekday":4}`, e.Admin)
	if got.Status != 400 || got.ErrorCode() != chorus.EINVALID || !strings.Contains(got.ErrorMessage(), "地点") {
		t.Fatalf("no place = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "POST", e.URL+"/api/admin/classes", strings.NewReplacer(`"2026-09-03"`, `"2026-10-02"`, `"2026-12-31"`, `"2026-10-07"`).Replace(classJSON(e, partner)), e.Admin)
	if got.Status != 400 || !strings.Contains(got.ErrorMessage(), "没有星期四") {
		t.Fatalf("no Thursday = %d %s", got.Status, got.Raw)
	}
	if l := do(t, c, "GET", e.URL+"/api/admin/classes?when=all", nil, e.Admin); l.Status != 200 || !strings.Contains(string(l.Raw), `"classes":[]`) {
		t.Fatalf("a refused class was saved: %s", l.Raw)
	}

	got = do(t, c, "POST", e.URL+"/api/admin/classes", classJSON(e, partner), e.Admin)
	if got.Status != 201 {
		t.Fatalf("create = %d %s", got.Status, got.Raw)
	}
	id := int64(got.Body["id"].(float64))
	ss := sessionsOf(t, got)
	if len(ss) != 18 || ss[4].Date != "2026-10-01" || ss[4].Status != chorus.SessionSkipped || ss[4].Reason != "国庆节" {
		t.Fatalf("sessions %+v", ss)
	}
	if got.Body["partner"] != "中国电子科技集团第二研究所" || got.Body["community"] != float64(1) {
		t.Fatalf("class %s", got.Raw)
	}

	// Only the fields sent change: the term now also skips 12-24.
	url := fmt.Sprintf("%s/api/admin/classes/%d", e.URL, id)
	got = do(t, c, "PUT", url, `{"skipped":[{"from":"2026-10-01","to":"2026-10-07","reason":"国庆节"},{"from":"2026-12-24","reason":"期末"}]}`, e.Admin)
	if got.Status != 200 || got.Body["title"] != "书法班" {
		t.Fatalf("update = %d %s", got.Status, got.Raw)
	}
	if ss := sessionsOf(t, got); len(ss) != 18 || ss[16].Status != chorus.SessionSkipped || ss[16].Reason != "期末" || ss[16].ID == 0 {
		t.Fatalf("sessions after update %+v", ss)
	}
	got = do(t, c, "PUT", url, `{"start_time":"21:00"}`, e.Admin)
	if got.Status != 400 || !strings.Contains(got.ErrorMessage(), "下课时间应晚于上课时间") {
		t.Fatalf("bad update = %d %s", got.Status, got.Raw)
	}

	// The clock is at 2026-12-01: Thursday 12-10 can be called off.
	got = do(t, c, "POST", url+"/cancel-session", `{"date":"2026-12-10","reason":"老师生病"}`, e.Admin)
	if got.Status != 200 || got.Body["status"] != "cancelled" || got.Body["reason"] != "老师生病" {
		t.Fatalf("cancel = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "POST", url+"/cancel-session", `{"date":"2026-12-10","reason":"老师生病"}`, e.Admin)
	if got.Status != 409 || !strings.Contains(got.ErrorMessage(), "已经停课") {
		t.Fatalf("cancel again = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", url, nil, e.Admin)
	if got.Status != 200 || got.Body["start_time"] != "19:00" {
		t.Fatalf("get = %d %s", got.Status, got.Raw)
	}
	if ss := sessionsOf(t, got); ss[14].Date != "2026-12-10" || ss[14].Status != chorus.SessionCancelled {
		t.Fatalf("12-10 %+v", ss[14])
	}
	got = do(t, c, "GET", e.URL+"/api/admin/classes", nil, e.Admin)
	if got.Status != 200 || !strings.Contains(string(got.Raw), `"title":"书法班"`) || strings.Contains(string(got.Raw), `"sessions"`) {
		t.Fatalf("list = %d %s", got.Status, got.Raw)
	}
	// A kiosk is not staff.
	if got := do(t, c, "GET", url, nil, e.Kiosk); got.Status != 401 && got.Status != 403 {
		t.Fatalf("kiosk reads a class: %d", got.Status)
	}
}

// FuzzClassBodies sends arbitrary bodies to the class endpoints with an
// admin's session: the server answers JSON with a known status, never
// 500; a class it accepts has at least one session, each on the class's
// weekday within its term, and a refused change leaves the class as it
// was; a check-in it accepts has an outcome and words for the door.
func FuzzClassBodies(f *testing.F) {
	e := MustServe(f)
	partner := classPartner(f, e)
	first := do(f, http.DefaultClient, "POST", e.URL+"/api/admin/classes", classJSON(e, partner), e.Admin)
	if first.Status != 201 {
		f.Fatalf("create = %d %s", first.Status, first.Raw)
	}
	url := fmt.Sprintf("%s/api/admin/classes/%d", e.URL, int64(first.Body["id"].(float64)))
	f.Add(classJSON(e, partner))
	f.Add(`{"weekday":7,"first_date":"2026-12-01","last_date":"2026-12-01"}`)
	f.Add(`{"skipped":[{"from":"2026-10-01","to":"2026-09-01"}]}`)
	f.Add(`{"skipped":null,"min_age":60,"max_age":120}`)
	f.Add(`{"start_time":"24:00","end_time":"25:00"}`)
	f.Add(`{"date":"2026-12-10","reason":"老师生病"}`)
	f.Add(`{"code":"123456"}`)
	f.Add(`{"code":"12a456","at":"2026-12-03T19:00:00+08:00"}`)
	f.Add(`{"code":"１２３４５６"}`)
	f.Add(`{"code":123456,"at":"yesterday"}`)
	f.Add(`{"title":"\u202e书法","capacity":1e99}`)
	f.Add(`[]`)
	f.Add(strings.Repeat("[", 500))
	c := http.DefaultClient
	f.Fuzz(func(t *testing.T, body string) {
		for _, call := range []struct{ method, url string }{
			{"POST", e.URL + "/api/admin/classes"}, {"PUT", url}, {"POST", url + "/cancel-session"}, {"POST", url + "/checkin"},
		} {
			got := do(t, c, call.method, call.url, body, e.Admin)
			switch got.Status {
			case 200, 201:
			case 400, 404, 409, 413:
				if got.ErrorMessage() == "" {
					t.Fatalf("%s %s: error without a message: %s", call.method, call.url, got.Raw)
				}
				continue
			default:
				t.Fatalf("%s %s: status %d for %q: %s", call.method, call.url, got.Status, body, got.Raw)
			}
			if msg, _ := got.Body["message"].(string); strings.HasSuffix(call.url, "/checkin") && (got.Body["outcome"] == nil || msg == "") {
				t.Fatalf("check-in answer without an outcome and words: %s", got.Raw)
			}
			if strings.HasSuffix(call.url, "/cancel-session") || strings.HasSuffix(call.url, "/checkin") {
				continue
			}
			var cl chorus.Class
			if err := json.Unmarshal(got.Raw, &cl); err != nil {
				t.Fatal(err)
			}
			if len(cl.Sessions) == 0 {
				t.Fatalf("class without sessions: %s", got.Raw)
			}
			for _, s := range cl.Sessions {
				if s.Date < cl.FirstDate || s.Date > cl.LastDate {
					t.Fatalf("session %s outside %s..%s", s.Date, cl.FirstDate, cl.LastDate)
				}
			}
		}
	})
}

// TestClasses_Enrolment: a kiosk lists the open classes and enrols
// residents for the term (201; 200 for the same phone again), a full class
// puts the next on its waitlist; staff enrol at the desk, read the roster
// with the waitlist, and a withdrawal offers the place to the first in
// line.
func TestClasses_Enrolment(t *testing.T) {
	e := MustServe(t)
	partner := classPartner(t, e)
	c := http.DefaultClient
	created := do(t, c, "POST", e.URL+"/api/admin/classes", strings.Replace(classJSON(e, partner), `"capacity":20`, `"capacity":2`, 1), e.Admin)
	if created.Status != 201 {
		t.Fatalf("create = %d %s", created.Status, created.Raw)
	}
	id := int64(created.Body["id"].(float64))
	got := do(t, c, "GET", e.URL+"/api/classes", nil, e.Kiosk)
	if got.Status != 200 || !strings.Contains(string(got.Raw), `"title":"书法班"`) {
		t.Fatalf("kiosk classes = %d %s", got.Status, got.Raw)
	}
	enrol := func(phone string) response {
		return do(t, c, "POST", e.URL+"/api/class-enrolments", fmt.Sprintf(`{"class_id":%d,"phone":"%s","name":"王大爷"}`, id, phone), e.Kiosk)
	}
	if got := enrol("13800000001"); got.Status != 201 || got.Body["status"] != "confirmed" {
		t.Fatalf("first = %d %s", got.Status, got.Raw)
	}
	if got := enrol("13800000001"); got.Status != 200 || got.Body["status"] != "confirmed" {
		t.Fatalf("again = %d %s", got.Status, got.Raw)
	}
	url := fmt.Sprintf("%s/api/admin/classes/%d", e.URL, id)
	if got := do(t, c, "POST", url+"/enrolments", `{"phone":"13800000002","name":"张阿姨"}`, e.Admin); got.Status != 201 || got.Body["status"] != "confirmed" {
		t.Fatalf("desk = %d %s", got.Status, got.Raw)
	}
	if got := enrol("13800000003"); got.Status != 201 || got.Body["status"] != "waitlisted" || got.Body["position"] != float64(1) {
		t.Fatalf("full = %d %s", got.Status, got.Raw)
	}
	if got := enrol("138"); got.Status != 400 || got.ErrorMessage() == "" {
		t.Fatalf("bad phone = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", e.URL+"/api/class-enrolments", `{"class_id":999,"phone":"13800000004"}`, e.Kiosk); got.Status != 404 {
		t.Fatalf("no class = %d %s", got.Status, got.Raw)
	}
	roster := do(t, c, "GET", url+"/enrolments", nil, e.Admin)
	var body struct{ Enrolments []chorus.Enrolment }
	if err := json.Unmarshal(roster.Raw, &body); err != nil || len(body.Enrolments) != 3 || body.Enrolments[1].Name != "张阿姨" {
		t.Fatalf("roster = %d %s", roster.Status, roster.Raw)
	}
	// 张阿姨 withdraws at the desk: the place is offered to the first in line.
	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/enrolments/%d/cancel", e.URL, body.Enrolments[1].ID), `{"reason":"搬走了"}`, e.Admin)
	if got.Status != 200 || got.Body["status"] != "cancelled" {
		t.Fatalf("withdraw = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", url, nil, e.Admin)
	if got.Body["taken"] != float64(2) || got.Body["waiting"] != float64(0) {
		t.Fatalf("class = %s", got.Raw)
	}
	roster = do(t, c, "GET", url+"/enrolments", nil, e.Admin)
	if !strings.Contains(string(roster.Raw), `"status":"offered"`) {
		t.Fatalf("roster after = %s", roster.Raw)
	}
}
