package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

// TestClasses_KeepBySMS: the 3-missed-sessions rule end to end with the
// fake clock: staff mark the roster over HTTP, the scheduler asks the
// resident who missed 3 sessions in a row, the worker sends 回复1保留
// through the real SDK to smsfake, the resident's reply 1 arrives by the
// push and keeps the place; 3 more misses and silence past the deadline
// give the place to the waitlist, whose first gets the offer by SMS. A
// session called off texts everyone holding a place.
func TestClasses_KeepBySMS(t *testing.T) {
	e := mustServeSMS(t)
	partner := classPartner(t, e.env)
	c := http.DefaultClient
	created := do(t, c, "POST", e.URL+"/api/admin/classes", map[string]any{"title": "书法班", "teacher": "王老师",
		"partner_id": partner, "place_id": e.Place, "weekday": 4, "start_time": "19:00", "end_time": "20:30",
		"first_date": "2026-12-03", "last_date": "2027-01-28", "capacity": 1}, e.Admin)
	if created.Status != 201 {
		t.Fatalf("create = %d %s", created.Status, created.Raw)
	}
	url := fmt.Sprintf("%s/api/admin/classes/%d", e.URL, int64(created.Body["id"].(float64)))
	wang, li := "13800000001", "13800000002"
	var ids []int64
	for _, ph := range []string{wang, li} {
		got := do(t, c, "POST", url+"/enrolments", map[string]any{"phone": ph, "name": "王大爷"}, e.Admin)
		if got.Status != 201 {
			t.Fatalf("enrol = %d %s", got.Status, got.Raw)
		}
		ids = append(ids, int64(got.Body["id"].(float64)))
	}
	sched := &sms.Scheduler{Store: e.DB, Now: e.Clock.Now, ReminderHour: 18}
	at := func(date string) {
		d, _ := time.ParseInLocation(time.DateOnly, date, shanghai)
		e.Clock.Set(d.Add(21 * time.Hour))
		e.Admin = loginStaff(t, e.env, "liting", "guanghua-2026") // a fresh session on the new day
	}
	round := func(want int) {
		t.Helper()
		n, err := sched.RunOnce(context.Background())
		if err != nil || n.KeepAsked != want {
			t.Fatalf("%s: %+v %v, want %d asked", e.Clock.Now().Format(time.DateTime), n, err, want)
		}
		e.drain(t)
	}
	status := func(id int64) string {
		t.Helper()
		got := do(t, c, "GET", url+"/enrolments", nil, e.Admin)
		var body struct{ Enrolments []chorus.Enrolment }
		json.Unmarshal(got.Raw, &body)
		for _, en := range body.Enrolments {
			if en.ID == id {
				return string(en.Status)
			}
		}
		t.Fatalf("no enrolment %d in %s", id, got.Raw)
		return ""
	}

	at("2026-12-03")
	if got := do(t, c, "POST", url+"/attendance", map[string]any{"date": "2026-12-03", "enrolment_id": ids[0], "mark": "present"}, e.Admin); got.Status != 200 ||
		!strings.Contains(string(got.Raw), `"mark":"present"`) {
		t.Fatalf("mark = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "POST", url+"/attendance", map[string]any{"date": "2026-12-10", "enrolment_id": ids[0], "mark": "present"}, e.Admin); got.Status != 409 ||
		!strings.Contains(got.ErrorMessage(), "还没上") {
		t.Fatalf("future mark = %d %s", got.Status, got.Raw)
	}
	// The 12-17 session is called off: everyone holding a place is told.
	if got := do(t, c, "POST", url+"/cancel-session", map[string]any{"date": "2026-12-17", "reason": "王老师生病"}, e.Admin); got.Status != 200 {
		t.Fatalf("call off = %d %s", got.Status, got.Raw)
	}
	e.drain(t)
	if off := e.sendsOf(wang, "SMS_CHORUS_SESSION_OFF"); len(off) != 1 || off[0].Params["reason"] != "王老师生病" {
		t.Fatalf("session off SMS %+v", off)
	}
	if off := e.sendsOf(li, "SMS_CHORUS_SESSION_OFF"); len(off) != 0 {
		t.Fatalf("the waitlist was told: %+v", off)
	}

	absent := func(dates ...string) {
		t.Helper()
		for _, d := range dates {
			if got := do(t, c, "POST", url+"/attendance", map[string]any{"date": d, "enrolment_id": ids[0], "mark": "absent"}, e.Admin); got.Status != 200 {
				t.Fatalf("absent %s = %d %s", d, got.Status, got.Raw)
			}
		}
	}
	at("2026-12-25")
	absent("2026-12-10", "2026-12-24")
	round(0) // 12-10 and 12-24 missed; 12-17 was called off
	at("2027-01-01")
	absent("2026-12-31")
	round(1)
	keep := e.sendsOf(wang, "SMS_CHORUS_CLASS_KEEP")
	if len(keep) != 1 || keep[0].Params["count"] != "3" || keep[0].Params["event"] != "书法班" || keep[0].ExtendCode == "" {
		t.Fatalf("keep SMS %+v", keep)
	}
	if s := status(ids[0]); s != "offered" {
		t.Fatalf("asked: %s", s)
	}
	e.reply(t, wang, "1", "keep-1", keep[0].ExtendCode)
	if s := status(ids[0]); s != "confirmed" {
		t.Fatalf("after reply 1: %s", s)
	}

	at("2027-01-22")
	absent("2027-01-07", "2027-01-14", "2027-01-21")
	round(1) // 01-07, 01-14, 01-21
	e.Clock.Add(chorus.ClassKeepTTL + time.Minute)
	e.Admin = loginStaff(t, e.env, "liting", "guanghua-2026")
	round(0)
	if s := status(ids[0]); s != "expired" {
		t.Fatalf("after silence: %s", s)
	}
	if s := status(ids[1]); s != "offered" {
		t.Fatalf("the waitlist: %s", s)
	}
	if offer := e.sendsOf(li, "SMS_CHORUS_WAITLIST_OFFER"); len(offer) != 1 {
		t.Fatalf("offer SMS %+v", offer)
	}

	csv := do(t, c, "GET", url+"/attendance.csv", nil, e.Admin)
	lines := strings.Split(strings.TrimPrefix(string(csv.Raw), "\ufeff"), "\r\n")
	if csv.Status != 200 || !strings.HasPrefix(lines[0], "姓名,手机号,报名状态,2026-12-03,2026-12-10,2026-12-17") ||
		!strings.Contains(lines[1], `王大爷,"=""13800000001""",候补已过期,到,未到,停课,未到`) || !strings.HasSuffix(lines[1], ",1") {
		t.Fatalf("csv = %d %q", csv.Status, lines)
	}
}
