package server_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestVolunteers_StaffOwnHours: a staff member who also volunteers cannot
// confirm their own hours through the staff routes once an admin recorded
// the staff member's phone; another staff member can. An admin cannot
// change their own recorded phone to get round it.
func TestVolunteers_StaffOwnHours(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	const phone = "13812347777"
	got := do(t, c, "POST", e.URL+"/api/admin/volunteer-activities",
		map[string]any{"kind": "环境整治", "title": "靓丽星期五", "place": "和泽苑3号楼"}, e.Admin)
	if got.Status != 201 {
		t.Fatalf("create activity = %d %s", got.Status, got.Raw)
	}
	act := int64(got.Body["id"].(float64))
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, shanghai)
	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/volunteer-activities/%d/shifts", e.URL, act),
		map[string]any{"start": fri, "end": fri.Add(3 * time.Hour), "task": "清理楼道杂物", "capacity": 2, "weeks": 1}, e.Admin)
	shifts, _ := got.Body["shifts"].([]any)
	if got.Status != 201 || len(shifts) != 1 {
		t.Fatalf("add shifts = %d %s", got.Status, got.Raw)
	}
	shift := int64(shifts[0].(map[string]any)["id"].(float64))
	got = do(t, c, "POST", fmt.Sprintf("%s/api/volunteer-shifts/%d/signups", e.URL, shift),
		map[string]any{"phone": phone, "name": "王芳", "consent": true}, e.MustVerify(t, e.Kiosk, phone))
	if got.Status != 201 {
		t.Fatalf("kiosk signup = %d %s", got.Status, got.Raw)
	}
	code := got.Body["signup"].(map[string]any)["code"].(string)

	e.Clock.Set(time.Date(2026, 12, 4, 8, 20, 0, 0, shanghai))
	admin := e.MustLogin(t, "friday", chorus.RoleAdmin)
	wang := e.MustLogin(t, "wangfang", chorus.RoleStaff)
	door := fmt.Sprintf("%s/api/admin/shifts/%d/presence", e.URL, shift)
	if got := do(t, c, "POST", door, map[string]any{"code": code}, admin); got.Body["outcome"] != chorus.PresenceIn {
		t.Fatalf("check in = %d %s", got.Status, got.Raw)
	}
	e.Clock.Set(time.Date(2026, 12, 4, 11, 30, 0, 0, shanghai))
	if got := do(t, c, "POST", door, map[string]any{"code": code}, admin); got.Body["outcome"] != chorus.PresenceOut {
		t.Fatalf("check out = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/hours", nil, admin)
	claims, _ := got.Body["claims"].([]any)
	if len(claims) != 1 {
		t.Fatalf("hours to confirm = %s", got.Raw)
	}
	claim := int64(claims[0].(map[string]any)["id"].(float64))

	// The admin records 王芳's own phone on her staff account.
	got = do(t, c, "GET", e.URL+"/api/admin/staff", nil, admin)
	ids := map[string]int64{}
	for _, s := range got.Body["staff"].([]any) {
		m := s.(map[string]any)
		ids[m["username"].(string)] = int64(m["id"].(float64))
	}
	got = do(t, c, "PUT", fmt.Sprintf("%s/api/admin/staff/%d", e.URL, ids["wangfang"]), map[string]any{"phone": phone}, admin)
	if got.Status != 200 || got.Body["phone"] != phone {
		t.Fatalf("record the staff member's phone = %d %s", got.Status, got.Raw)
	}
	decide := fmt.Sprintf("%s/api/admin/hours/%d/decide", e.URL, claim)
	if got := do(t, c, "POST", decide, map[string]any{"confirm": true}, wang); got.Status != 403 {
		t.Fatalf("a staff member confirming her own hours = %d %s; want 403", got.Status, got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/hours", nil, admin)
	if claims, _ := got.Body["claims"].([]any); len(claims) != 1 {
		t.Fatalf("the refused claim left the queue: %s", got.Raw)
	}

	// An admin cannot change their own recorded phone.
	self := fmt.Sprintf("%s/api/admin/staff/%d", e.URL, ids["friday"])
	if got := do(t, c, "PUT", self, map[string]any{"phone": "13800009999"}, admin); got.Status != 200 {
		t.Fatalf("a first phone for oneself = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", self, map[string]any{"phone": ""}, admin); got.Status != 409 {
		t.Fatalf("clearing one's own phone = %d %s; want 409", got.Status, got.Raw)
	}

	got = do(t, c, "POST", decide, map[string]any{"confirm": true}, admin)
	if got.Status != 200 || got.Body["status"] != chorus.ClaimConfirmed {
		t.Fatalf("another staff member confirms = %d %s", got.Status, got.Raw)
	}
}
