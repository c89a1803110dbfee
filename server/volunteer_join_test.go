package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestVolunteers_JoinBySMS: 参加N from a resident who is not yet a
// volunteer (seen on a notice board) makes them one, named from their
// resident record, and signs them up; from a phone the community does not
// know, likewise with the name left for staff. The keyword 志愿者 from a
// phone the community writes to registers it with consent and answers how
// to sign up; from a phone nobody wrote to, it goes to staff. All through
// the real SDK and the fake.
func TestVolunteers_JoinBySMS(t *testing.T) {
	e := mustServeSMS(t)
	ctx := context.Background()
	c := http.DefaultClient
	got := do(t, c, "POST", e.URL+"/api/admin/volunteer-activities",
		map[string]any{"kind": "环境整治", "title": "靓丽星期五", "place": "和泽苑3号楼"}, e.Admin)
	act := int64(got.Body["id"].(float64))
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, shanghai)
	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/volunteer-activities/%d/shifts", e.URL, act),
		map[string]any{"start": fri, "end": fri.Add(3 * time.Hour), "task": "清理楼道杂物", "capacity": 3, "weeks": 1}, e.Admin)
	shifts, _ := got.Body["shifts"].([]any)
	if len(shifts) != 1 {
		t.Fatalf("shifts = %d %s", got.Status, got.Raw)
	}
	shift := int64(shifts[0].(map[string]any)["id"].(float64))
	const resident, stranger, keyword, nobody = "13900000200", "13700000300", "13900000201", "13700000400"
	for ph, name := range map[string]string{resident: "周梅", keyword: "吴刚"} {
		if err := e.DB.SaveResident(ctx, &chorus.Resident{Phone: ph, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	e.volunteerReply(t, resident, fmt.Sprint("参加", shift), 1)
	e.volunteerReply(t, stranger, fmt.Sprint("报名", shift), 2)
	e.volunteerReply(t, keyword, "我要当志愿者!", 3)
	e.volunteerReply(t, nobody, "志愿者", 4)
	e.drain(t)

	signed := sendsOf(e.Fake, "SMS_CHORUS_SHIFT_SIGNUP")
	for _, ph := range []string{resident, stranger} {
		if len(signed[ph]) != 1 {
			t.Errorf("%s got %d signup SMS, want 1", ph, len(signed[ph]))
		}
	}
	welcome := sendsOf(e.Fake, "SMS_CHORUS_VOLUNTEER_JOINED")
	if len(welcome[keyword]) != 1 || len(welcome[nobody]) != 0 {
		t.Errorf("welcome SMS = %v", welcome)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/volunteers", nil, e.Admin)
	byPhone := map[string]map[string]any{}
	for _, v := range got.Body["volunteers"].([]any) {
		m := v.(map[string]any)
		byPhone[m["phone"].(string)] = m
	}
	for ph, name := range map[string]string{resident: "周梅", stranger: "", keyword: "吴刚"} {
		v := byPhone[ph]
		if v == nil || v["name"] != name || v["consent"] != true || v["joined_via"] != chorus.JoinSMS {
			t.Errorf("volunteer %s = %v; want %q, consent, by SMS", ph, v, name)
		}
	}
	if byPhone[nobody] != nil {
		t.Errorf("a phone nobody wrote to became a volunteer: %v", byPhone[nobody])
	}
	got = do(t, c, "GET", fmt.Sprintf("%s/api/admin/shifts/%d/roster", e.URL, shift), nil, e.Admin)
	if signups, _ := got.Body["signups"].([]any); got.Status != 200 || len(signups) != 2 {
		t.Errorf("roster = %d %s; want the two who joined by 参加N", got.Status, got.Raw)
	}
}
