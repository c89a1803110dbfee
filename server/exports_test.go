package server_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// exportFixture books an event's two slots for residents whose names a
// spreadsheet could misread, cancels one booking and checks one in.
type exportFixture struct {
	e  *env
	ev *chorus.Event
}

// exportNames are the residents, in booking order; each books slot i%2.
var exportNames = []struct{ name, phone string }{
	{"王大爷", "13812345678"},
	{"张,三", "13912345678"},
	{`李"四"`, "13712345678"},
	{`=HYPERLINK("x","y")`, "13612345678"},
	{"+1", "13512345678"},
	{"-2+3", "13412345678"},
	{"@SUM(A1)", "13312345678"},
	{"赵大娘", "15012345678"},
}

func mustExportFixture(t *testing.T) exportFixture {
	t.Helper()
	e := MustServe(t)
	ev := e.MustEvent(t, 2, 10, false)
	c := http.DefaultClient
	ids := make([]int64, len(exportNames))
	for i, r := range exportNames {
		got := do(t, c, "POST", e.URL+"/api/admin/bookings", map[string]any{"event_id": ev.ID,
			"slot_id": ev.Slots[i%2].ID, "phone": r.phone, "name": r.name}, e.Admin)
		if got.Status != http.StatusCreated {
			t.Fatalf("book %s = %d %s", r.name, got.Status, got.Raw)
		}
		ids[i] = int64(got.Body["id"].(float64))
	}
	// 赵大娘 cancels; 王大爷 comes on the day, at 09:03.
	if got := do(t, c, "POST", fmt.Sprintf("%s/api/admin/bookings/%d/transition", e.URL, ids[7]),
		map[string]any{"to": "cancelled", "reason": "电话取消"}, e.Admin); got.Status != 200 {
		t.Fatalf("cancel = %d %s", got.Status, got.Raw)
	}
	e.Clock.Add(time.Date(2026, 12, 5, 9, 3, 0, 0, shanghai).Sub(e.Clock.Now()))
	e.Admin = e.MustLogin(t, "door", chorus.RoleStaff) // four days on, the first session has lapsed
	if got := do(t, c, "POST", e.URL+"/api/admin/checkins", map[string]any{"event_id": ev.ID, "booking_id": ids[0]},
		e.Admin); got.Status != 200 || got.Body["outcome"] != "ok" {
		t.Fatalf("check in = %d %s", got.Status, got.Raw)
	}
	return exportFixture{e: e, ev: ev}
}

// get fetches a path with the headers given.
func (f exportFixture) get(t *testing.T, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", f.e.URL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// mustCSV checks the file's framing and returns its rows.
func mustCSV(t *testing.T, res *http.Response, body string) [][]string {
	t.Helper()
	if res.StatusCode != 200 {
		t.Fatalf("status = %d %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; ") || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if !strings.HasPrefix(body, "\xef\xbb\xbf") {
		t.Fatalf("no UTF-8 BOM: % x", body[:min(len(body), 8)])
	}
	body = strings.TrimPrefix(body, "\xef\xbb\xbf")
	if !strings.HasSuffix(body, "\r\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Errorf("lines do not all end in CRLF: %q", body)
	}
	if first, _, _ := strings.Cut(body, "\r\n"); first != "时段,姓名,手机号,状态,签到码,签到时间" {
		t.Errorf("header = %q", first)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	return rows
}

func TestExports_BookingsCSV(t *testing.T) {
	f := mustExportFixture(t)
	res, body := f.get(t, fmt.Sprintf("/api/admin/events/%d/bookings.csv", f.ev.ID), f.e.Admin)
	rows := mustCSV(t, res, body)
	if got, want := len(rows), 1+len(exportNames); got != want {
		t.Fatalf("rows = %d, want %d:\n%s", got, want, body)
	}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		if len(r) != 6 {
			t.Fatalf("row %q has %d cells", r, len(r))
		}
		byName[r[1]] = r
	}

	t.Run("Rows", func(t *testing.T) {
		got, want := byName["王大爷"], []string{"2026-12-05 09:00-09:15", "王大爷", `="13812345678"`, "已签到", "", "2026-12-05 09:03"}
		if got == nil {
			t.Fatalf("no row for 王大爷 in\n%s", body)
		}
		code := got[4]
		got[4] = ""
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("row = %q, want %q", got, want)
		}
		if len(code) != 9 || !strings.HasPrefix(code, `="`) || !chorus.IsCode(code[2:8]) {
			t.Errorf("code cell = %q, want =\"NNNNNN\"", code)
		}
		if r := byName["赵大娘"]; r == nil || r[3] != "已取消" || r[0] != "2026-12-05 09:15-09:30" {
			t.Errorf("cancelled row = %q", r)
		}
		if r := byName["张,三"]; r == nil || r[3] != "已确认" || r[5] != "" {
			t.Errorf("confirmed row = %q", r)
		}
	})
	t.Run("Quoting", func(t *testing.T) {
		for _, raw := range []string{`"张,三"`, `"李""四"""`, `"=""13812345678"""`} {
			if !strings.Contains(body, ","+raw+",") {
				t.Errorf("body lacks the cell %s:\n%s", raw, body)
			}
		}
		if byName[`李"四"`] == nil {
			t.Errorf("李\"四\" does not read back")
		}
	})
	t.Run("FormulaGuard", func(t *testing.T) {
		for _, n := range []string{`=HYPERLINK("x","y")`, "+1", "-2+3", "@SUM(A1)"} {
			if byName["'"+n] == nil {
				t.Errorf("no defused cell '%s; names: %q", n, keys(byName))
			}
			if byName[n] != nil {
				t.Errorf("cell %s left as a formula", n)
			}
		}
	})
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestExports_AttendanceCSV(t *testing.T) {
	f := mustExportFixture(t)
	res, body := f.get(t, fmt.Sprintf("/api/admin/events/%d/attendance.csv", f.ev.ID), f.e.Admin)
	rows := mustCSV(t, res, body)
	// Everyone holding a seat; the cancelled booking is left out.
	if got, want := len(rows), len(exportNames); got != want {
		t.Fatalf("rows = %d, want %d:\n%s", got, want, body)
	}
	checked := 0
	for _, r := range rows[1:] {
		if r[1] == "赵大娘" {
			t.Errorf("cancelled booking in attendance: %q", r)
		}
		if r[3] == "已签到" {
			checked++
			if r[5] != "2026-12-05 09:03" {
				t.Errorf("check-in time = %q", r[5])
			}
		}
	}
	if checked != 1 {
		t.Errorf("%d rows checked in, want 1:\n%s", checked, body)
	}
}

func TestExports_Errors(t *testing.T) {
	f := mustExportFixture(t)
	for _, kind := range []string{"bookings.csv", "attendance.csv"} {
		path := fmt.Sprintf("/api/admin/events/%d/%s", f.ev.ID, kind)
		if res, body := f.get(t, path, nil); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "unauthorized") {
			t.Errorf("%s without a session = %d %s", kind, res.StatusCode, body)
		}
		if res, body := f.get(t, "/api/admin/events/999/"+kind, f.e.Admin); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s of no event = %d %s", kind, res.StatusCode, body)
		}
	}
}

func TestExports_SigninSheet(t *testing.T) {
	f := mustExportFixture(t)
	path := fmt.Sprintf("/staff/events/%d/signin", f.ev.ID)
	res, body := f.get(t, path, f.e.Admin)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("sheet = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"免费义诊 签到表", "12月5日周六", "社区活动室", "@page", "size: A4", "签名",
		"138****5678", "已签到 09:03", "09:15-09:30", "张,三", "李&#34;四&#34;", "已预约:7 人"} {
		if !strings.Contains(body, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	for _, no := range []string{"13812345678", "赵大娘"} {
		if strings.Contains(body, no) {
			t.Errorf("sheet shows %q", no)
		}
	}
	if res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("no Content-Security-Policy")
	}

	t.Run("ErrUnauthorized", func(t *testing.T) {
		res, body := f.get(t, path, nil)
		if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "请先登录") || !strings.Contains(body, `href="/staff"`) {
			t.Errorf("without a session = %d %s", res.StatusCode, body)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if res, _ := f.get(t, "/staff/events/999/signin", f.e.Admin); res.StatusCode != http.StatusNotFound {
			t.Errorf("no event = %d", res.StatusCode)
		}
	})
}
