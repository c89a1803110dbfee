package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestHolidays_API: the calendar is deployment-wide. Staff may read it but
// not import it; 和泽苑社区's admin imports the real 2026 file (with its
// $schema and $id) and the answer lists the 国庆 session of 光华街社区's
// class it skipped; a malformed or oversized file is a 400 in plain
// Chinese that changes nothing.
func TestHolidays_API(t *testing.T) {
	e := MustServe(t)
	e.Clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	e.withSecond(t)
	partner := classPartner(t, e)
	class := &chorus.Class{Title: "书法班", Teacher: "王老师", PartnerID: partner, PlaceID: e.Place, Weekday: 4,
		StartTime: "19:00", EndTime: "20:30", FirstDate: "2026-09-03", LastDate: "2026-12-31", Capacity: 20}
	if err := e.DB.CreateClass(chorus.WithScope(context.Background(), chorus.Scope{Community: 1}), class); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("../testdata/holiday-cn-2026.json")
	if err != nil {
		t.Fatal(err)
	}
	c := http.DefaultClient
	staff := e.MustLogin(t, "xiaowang", chorus.RoleStaff)
	admin2 := e.loginIn(t, 2, "zhaomin", chorus.RoleAdmin, false)

	if got := do(t, c, "POST", e.URL+"/api/admin/holidays", string(file), staff); got.Status != 403 {
		t.Fatalf("staff import = %d %s", got.Status, got.Raw)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"year":2026,"days":[{"name":"国庆节","date":"2026-10-01"}]}`, "isOffDay"},
		{`{"year":2026,"days":[{"name":"国庆节","date":"2025-10-01","isOffDay":true}]}`, "不在 2026 年"},
		{`not json`, "格式不对"},
		{`{"year":2026,"papers":["` + strings.Repeat("通知", chorus.MaxHolidayFileBytes) + `"]}`, "太大"},
	} {
		got := do(t, c, "POST", e.URL+"/api/admin/holidays", tc.body, admin2)
		if got.Status != 400 || got.ErrorCode() != chorus.EINVALID || !strings.Contains(got.ErrorMessage(), tc.want) {
			t.Fatalf("import %.60s = %d %s, want 400 with %q", tc.body, got.Status, got.Raw, tc.want)
		}
	}
	if got := do(t, c, "GET", e.URL+"/api/admin/holidays?year=2026", nil, staff); got.Status != 200 ||
		!strings.Contains(string(got.Raw), `"days":[]`) {
		t.Fatalf("a refused file was saved: %d %s", got.Status, got.Raw)
	}

	got := do(t, c, "POST", e.URL+"/api/admin/holidays", string(file), admin2)
	var imp chorus.HolidayImport
	if err := json.Unmarshal(got.Raw, &imp); got.Status != 200 || err != nil {
		t.Fatalf("import = %d %s", got.Status, got.Raw)
	}
	if imp.Year != 2026 || imp.Days != 39 || len(imp.Skipped) != 1 || imp.Skipped[0].Community != 1 ||
		imp.Skipped[0].Date != "2026-10-01" || imp.Skipped[0].Holiday != "国庆节" || imp.Skipped[0].ClassID != class.ID {
		t.Fatalf("import %+v", imp)
	}

	got = do(t, c, "GET", e.URL+"/api/admin/holidays?year=2026", nil, e.Admin)
	var list struct {
		Year int                  `json:"year"`
		Days []chorus.CalendarDay `json:"days"`
	}
	if err := json.Unmarshal(got.Raw, &list); got.Status != 200 || err != nil || list.Year != 2026 || len(list.Days) != 39 ||
		list.Days[len(list.Days)-1] != (chorus.CalendarDay{Date: "2026-10-10", Kind: chorus.CalendarWorkday, Name: "国庆节",
			Source: "国务院办公厅关于2026年部分节假日安排的通知"}) {
		t.Fatalf("list = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "GET", e.URL+"/api/admin/holidays?year=twenty", nil, e.Admin); got.Status != 400 ||
		!strings.Contains(got.ErrorMessage(), "年份") {
		t.Fatalf("bad year = %d %s", got.Status, got.Raw)
	}
	read := do(t, c, "GET", e.URL+fmt.Sprint("/api/admin/classes/", class.ID), nil, e.Admin)
	for _, s := range sessionsOf(t, read) {
		if s.Date == "2026-10-01" && (s.Status != chorus.SessionSkipped || s.Reason != "国庆节") {
			t.Fatalf("10-01 after the import %+v", s)
		}
	}
}

// TestHolidays_EditDay (issue 19): an admin adds one day to the calendar,
// changes it and takes it off again; each change lays out the classes as
// an import does and answers the sessions it skipped; staff may not edit;
// a bad day is a 400 in plain Chinese; each change is in the audit log.
func TestHolidays_EditDay(t *testing.T) {
	e := MustServe(t)
	e.Clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	partner := classPartner(t, e)
	class := &chorus.Class{Title: "书法班", Teacher: "王老师", PartnerID: partner, PlaceID: e.Place, Weekday: 4,
		StartTime: "19:00", EndTime: "20:30", FirstDate: "2026-09-03", LastDate: "2026-12-31", Capacity: 20}
	if err := e.DB.CreateClass(chorus.WithScope(context.Background(), chorus.Scope{Community: 1}), class); err != nil {
		t.Fatal(err)
	}
	c := http.DefaultClient
	staff := e.MustLogin(t, "xiaowang", chorus.RoleStaff)
	url := e.URL + "/api/admin/holidays/2026-10-15"
	if got := do(t, c, "PUT", url, map[string]any{"kind": "holiday", "name": "停课日"}, staff); got.Status != 403 {
		t.Fatalf("staff edit = %d %s", got.Status, got.Raw)
	}
	for _, tc := range []struct {
		url  string
		body map[string]any
		want string
	}{
		{url, map[string]any{"kind": "ordinary", "name": "x"}, "法定节假日"},
		{url, map[string]any{"kind": "holiday", "name": ""}, "节日名称"},
		{e.URL + "/api/admin/holidays/10-15", map[string]any{"kind": "holiday", "name": "x"}, "2026-10-01"},
		{url, map[string]any{"kind": "workday", "name": "国庆节", "follows": 9}, "星期"},
	} {
		if got := do(t, c, "PUT", tc.url, tc.body, e.Admin); got.Status != 400 || !strings.Contains(got.ErrorMessage(), tc.want) {
			t.Fatalf("PUT %v = %d %s, want 400 with %q", tc.body, got.Status, got.Raw, tc.want)
		}
	}
	got := do(t, c, "PUT", url, map[string]any{"kind": "holiday", "name": "停课日"}, e.Admin)
	var imp chorus.HolidayImport
	if err := json.Unmarshal(got.Raw, &imp); got.Status != 200 || err != nil || len(imp.Skipped) != 1 ||
		imp.Skipped[0].Date != "2026-10-15" || imp.Skipped[0].Holiday != "停课日" {
		t.Fatalf("PUT = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "PUT", e.URL+"/api/admin/holidays/2026-10-17", map[string]any{"kind": "workday", "name": "国庆节", "follows": 4}, e.Admin)
	if got.Status != 200 {
		t.Fatalf("PUT workday = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/holidays?year=2026", nil, staff)
	if !strings.Contains(string(got.Raw), `"follows":4`) || !strings.Contains(string(got.Raw), `"source":"工作人员修改"`) {
		t.Fatalf("list = %s", got.Raw)
	}
	if got := do(t, c, "DELETE", url, nil, e.Admin); got.Status != 200 {
		t.Fatalf("DELETE = %d %s", got.Status, got.Raw)
	}
	read := do(t, c, "GET", e.URL+fmt.Sprint("/api/admin/classes/", class.ID), nil, e.Admin)
	for _, s := range sessionsOf(t, read) {
		if s.Date == "2026-10-15" && s.Status != chorus.SessionScheduled {
			t.Fatalf("10-15 after the day was taken off %+v", s)
		}
	}
	if got := do(t, c, "DELETE", url, nil, e.Admin); got.Status != 404 || !strings.Contains(got.ErrorMessage(), "没有") {
		t.Fatalf("DELETE again = %d %s", got.Status, got.Raw)
	}
	audit := do(t, c, "GET", e.URL+"/api/admin/audit", nil, e.Admin)
	for _, want := range []string{`"action":"PUT /api/admin/holidays/{date}","detail":"/api/admin/holidays/2026-10-15"`,
		`"action":"DELETE /api/admin/holidays/{date}","detail":"/api/admin/holidays/2026-10-15"`} {
		if !strings.Contains(string(audit.Raw), want) {
			t.Errorf("the audit log lacks %s: %.400s", want, audit.Raw)
		}
	}
}
