package server_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestStaff_LeaveCommunity: 王芳 works for 光华街 and 和泽苑. 和泽苑's
// admin takes her out of 和泽苑 alone: her sessions there end, she keeps
// 光华街 and signs in there as before. An account cannot be taken out of
// a community it does not work for (404, the same answer as no account),
// nor can an admin take themself out, nor a district admin be taken out
// of one community.
func TestStaff_LeaveCommunity(t *testing.T) {
	e := MustServe(t)
	e.withSecond(t)
	c := http.DefaultClient
	ctx := context.Background()
	zm := e.loginIn(t, 2, "zhaomin", chorus.RoleAdmin, false)
	e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)
	both := &chorus.Staff{Username: "wangfang", Name: "王芳", Role: chorus.RoleStaff}
	if err := e.DB.CreateStaff(ctx, both, "wangfang-2026"); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.SetStaff(chorus.WithScope(ctx, chorus.Scope{Community: 2, District: true}), both, ""); err != nil {
		t.Fatal(err)
	}
	// Her session in 和泽苑.
	wf := loginStaff(t, e, "wangfang", "wangfang-2026")
	if got := do(t, c, "POST", e.URL+"/api/me/community", map[string]any{"community": 2}, wf); got.Status != 200 {
		t.Fatalf("wangfang switches to 2 = %d %s", got.Status, got.Raw)
	}
	id := strconv.FormatInt(both.ID, 10)

	if got := do(t, c, "DELETE", e.URL+"/api/admin/staff/1/community", nil, zm); got.Status != 404 {
		t.Errorf("zhaomin takes liting (community 1's) out of 2 = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "DELETE", e.URL+"/api/admin/staff/3/community", nil, zm); got.Status != 409 || !strings.Contains(got.ErrorMessage(), "街道管理员") {
		t.Errorf("zhaomin takes the district admin out of 2 = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "DELETE", e.URL+"/api/admin/staff/2/community", nil, zm); got.Status != 409 || !strings.Contains(got.ErrorMessage(), "自己") {
		t.Errorf("zhaomin takes herself out = %d %s", got.Status, got.Raw)
	}
	got := do(t, c, "DELETE", e.URL+"/api/admin/staff/"+id+"/community", nil, zm)
	if got.Status != 200 || got.Body["removed"] != true {
		t.Fatalf("zhaomin takes wangfang out of 2 = %d %s", got.Status, got.Raw)
	}
	list := do(t, c, "GET", e.URL+"/api/admin/staff", nil, zm)
	if strings.Contains(string(list.Raw), "wangfang") {
		t.Errorf("community 2 still lists wangfang: %s", list.Raw)
	}
	if got := do(t, c, "GET", e.URL+"/api/me", nil, wf); got.Status != 401 {
		t.Errorf("wangfang's session in 2 = %d %s; want it ended", got.Status, got.Raw)
	}
	again := loginStaff(t, e, "wangfang", "wangfang-2026")
	me := do(t, c, "GET", e.URL+"/api/me", nil, again)
	if st := staffOf(t, me); me.Status != 200 || st.Community != 1 || len(st.Communities) != 1 {
		t.Errorf("wangfang after = %d %+v", me.Status, st)
	}
	if got := do(t, c, "DELETE", e.URL+"/api/admin/staff/"+id+"/community", nil, zm); got.Status != 404 {
		t.Errorf("taken out twice = %d %s", got.Status, got.Raw)
	}
	audit := do(t, c, "GET", e.URL+"/api/admin/audit", nil, zm)
	if !strings.Contains(string(audit.Raw), "DELETE /api/admin/staff/{id}/community") {
		t.Errorf("community 2's audit log: %s", audit.Raw)
	}
}
