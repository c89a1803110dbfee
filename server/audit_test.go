package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
)

// TestResidents_PartialUpdate: PUT with {} erases nothing; a field sent
// changes only that field; the audit log keeps the values before and after.
func TestResidents_PartialUpdate(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	url := e.URL + "/api/admin/residents/13812345678"
	est := do(t, c, "POST", e.URL+"/api/admin/estates", map[string]any{"name": "光华小区"}, e.Admin)
	if est.Status != 201 {
		t.Fatalf("estate = %d %s", est.Status, est.Raw)
	}
	full := map[string]any{"name": "王秀英", "address": map[string]any{"estate_id": est.Body["id"], "building": "3", "unit": "2", "room": "401"},
		"family": []any{map[string]any{"name": "王强", "phone": "13900001111", "relation": "儿子"}}}
	if got := do(t, c, "PUT", url, full, e.Admin); got.Status != 200 {
		t.Fatalf("create = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", url, map[string]any{}, e.Admin); got.Status != 200 {
		t.Fatalf("empty PUT = %d %s", got.Status, got.Raw)
	}
	got := do(t, c, "GET", url, nil, e.Admin)
	addr, _ := got.Body["address"].(map[string]any)
	fam, _ := got.Body["family"].([]any)
	if got.Body["name"] != "王秀英" || addr["room"] != "401" || len(fam) != 1 {
		t.Fatalf("after {} = %s, want nothing erased", got.Raw)
	}
	if got := do(t, c, "PUT", url, map[string]any{"name": "王秀英2"}, e.Admin); got.Status != 200 {
		t.Fatalf("name only = %d %s", got.Status, got.Raw)
	}
	got = do(t, c, "GET", url, nil, e.Admin)
	addr, _ = got.Body["address"].(map[string]any)
	fam, _ = got.Body["family"].([]any)
	if got.Body["name"] != "王秀英2" || addr["room"] != "401" || len(fam) != 1 {
		t.Fatalf("after a name change = %s", got.Raw)
	}
	audit := do(t, c, "GET", e.URL+"/api/admin/audit", nil, e.Admin)
	list, _ := audit.Body["audit"].([]any)
	last, _ := list[0].(map[string]any)
	before, _ := last["before"].(string)
	after, _ := last["after"].(string)
	if last["action"] != "PUT /api/admin/residents/{phone}" || !strings.Contains(before, `"name":"王秀英"`) ||
		!strings.Contains(after, `"name":"王秀英2"`) || !strings.Contains(after, `"room":"401"`) {
		t.Fatalf("audit entry = %v", last)
	}
}

// TestAudit_PasswordsLeftOut: a change whose handler says nothing keeps
// what was sent, but never a password.
func TestAudit_PasswordsLeftOut(t *testing.T) {
	e := MustServe(t)
	got := do(t, http.DefaultClient, "POST", e.URL+"/api/admin/staff", map[string]any{"username": "wang", "name": "王芳", "role": "staff",
		"password": "guanghua-2026"}, e.Admin)
	if got.Status != 201 {
		t.Fatalf("create = %d %s", got.Status, got.Raw)
	}
	audit := do(t, http.DefaultClient, "GET", e.URL+"/api/admin/audit", nil, e.Admin)
	if !strings.Contains(string(audit.Raw), `王芳`) || strings.Contains(string(audit.Raw), "guanghua-2026") {
		t.Fatalf("audit = %s", audit.Raw)
	}
}

// syncBuffer is a log sink tests read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestLogs_PushSecretRedacted: the SMS push secret and check-in tokens in
// paths never reach the log, even at debug level.
func TestLogs_PushSecretRedacted(t *testing.T) {
	var buf syncBuffer
	e := serve(t, func(_ *sqlite.DB, s *server.Server, _ *kiosk.Hub) {
		s.PushSecret = pushSecret
		s.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}).finish(t)
	do(t, http.DefaultClient, "POST", e.URL+"/sms/push/"+pushSecret+"/report", "not json", nil)
	do(t, http.DefaultClient, "POST", e.URL+"/sms/push/"+pushSecret+"/up", "[]", nil)
	const token = "AbCdEf0123456789secret"
	do(t, http.DefaultClient, "GET", e.URL+"/c/"+token, nil, nil)
	do(t, http.DefaultClient, "GET", e.URL+"/qr/"+token+".png", nil, nil)
	log := buf.String()
	if !strings.Contains(log, "/sms/push/[secret]/up") || strings.Contains(log, pushSecret) ||
		!strings.Contains(log, "/qr/[token].png") || strings.Contains(log, token) {
		t.Fatalf("log:\n%s", log)
	}
}

// TestPartialUpdate_ManyFieldRecords: places, partners and staff accounts
// change only the fields sent, and the audit log keeps before and after
// (never a password).
func TestPartialUpdate_ManyFieldRecords(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	place := do(t, c, "POST", e.URL+"/api/admin/places", map[string]any{"name": "电子二所小礼堂", "address": "光华街8号"}, e.Admin)
	if place.Status != 201 {
		t.Fatalf("place = %d %s", place.Status, place.Raw)
	}
	url := e.URL + "/api/admin/places/" + jsonID(place.Body["id"])
	if got := do(t, c, "PUT", url, map[string]any{}, e.Admin); got.Status != 200 || got.Body["address"] != "光华街8号" {
		t.Fatalf("place PUT {} = %d %s", got.Status, got.Raw)
	}
	partner := do(t, c, "POST", e.URL+"/api/admin/partners", map[string]any{"name": "宏建建筑公司", "kind": "builder",
		"phones": []string{"13503510005"}, "services": []string{"repair"}, "active": true}, e.Admin)
	if partner.Status != 201 {
		t.Fatalf("partner = %d %s", partner.Status, partner.Raw)
	}
	got := do(t, c, "PUT", e.URL+"/api/admin/partners/"+jsonID(partner.Body["id"]), map[string]any{"priority": 2}, e.Admin)
	phones, _ := got.Body["phones"].([]any)
	if got.Status != 200 || len(phones) != 1 || got.Body["active"] != true || got.Body["priority"] != float64(2) {
		t.Fatalf("partner PUT {priority} = %d %s", got.Status, got.Raw)
	}
	staff := do(t, c, "POST", e.URL+"/api/admin/staff", map[string]any{"username": "wang", "name": "王芳", "role": "admin",
		"password": "guanghua-2026"}, e.Admin)
	got = do(t, c, "PUT", e.URL+"/api/admin/staff/"+jsonID(staff.Body["id"]), map[string]any{"name": "王芳芳", "password": "new-password-9"}, e.Admin)
	if got.Status != 200 || got.Body["role"] != "admin" || got.Body["name"] != "王芳芳" {
		t.Fatalf("staff PUT {name} = %d %s", got.Status, got.Raw)
	}
	audit := do(t, c, "GET", e.URL+"/api/admin/audit", nil, e.Admin)
	last := audit.Body["audit"].([]any)[0].(map[string]any)
	if last["action"] != "PUT /api/admin/staff/{id}" || !strings.Contains(last["before"].(string), `"name":"王芳"`) ||
		!strings.Contains(last["after"].(string), `"name":"王芳芳"`) || strings.Contains(string(audit.Raw), "new-password-9") {
		t.Fatalf("audit = %v", last)
	}
}

// jsonID formats a JSON number id for a path.
func jsonID(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}

// TestResidents_RoundTrip: a resident as GET shows it can be sent back
// unchanged (id, opted_out, created_at are ignored).
func TestResidents_RoundTrip(t *testing.T) {
	e := MustServe(t)
	url := e.URL + "/api/admin/residents/13812345678"
	if got := do(t, http.DefaultClient, "PUT", url, map[string]any{"name": "王秀英"}, e.Admin); got.Status != 200 {
		t.Fatalf("create = %d %s", got.Status, got.Raw)
	}
	got := do(t, http.DefaultClient, "GET", url, nil, e.Admin)
	if back := do(t, http.DefaultClient, "PUT", url, got.Body, e.Admin); back.Status != 200 || back.Body["name"] != "王秀英" {
		t.Fatalf("PUT of GET's answer = %d %s", back.Status, back.Raw)
	}
}

// TestPartialUpdate_EventsAndProgrammes: a PUT of an event or a programme
// changes only the fields sent (the title alone keeps the description and
// the slots), and the audit log keeps the record before and after.
func TestPartialUpdate_EventsAndProgrammes(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ev := e.MustEvent(t, 2, 6, false)
	ev.Description = "请带医保卡。"
	if err := e.DB.UpdateEvent(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	url := e.URL + "/api/admin/events/" + strconv.FormatInt(ev.ID, 10)
	got := do(t, c, "PUT", url, map[string]any{"title": "十二月免费义诊"}, e.Admin)
	slots, _ := got.Body["slots"].([]any)
	if got.Status != 200 || got.Body["title"] != "十二月免费义诊" || got.Body["description"] != "请带医保卡。" || len(slots) != 2 {
		t.Fatalf("event PUT {title} = %d %s", got.Status, got.Raw)
	}
	audit := do(t, c, "GET", e.URL+"/api/admin/audit", nil, e.Admin)
	last := audit.Body["audit"].([]any)[0].(map[string]any)
	if last["action"] != "PUT /api/admin/events/{id}" || !strings.Contains(last["before"].(string), ev.Title) ||
		!strings.Contains(last["after"].(string), "十二月免费义诊") {
		t.Fatalf("audit = %v", last)
	}

	prog := do(t, c, "POST", e.URL+"/api/admin/programmes", map[string]any{"title": "寒假托管班", "place_id": e.Place,
		"description": "山涤星光幼儿园老师带班。", "start_date": "2027-01-18", "end_date": "2027-02-05",
		"min_age": 4, "max_age": 12, "capacity": 30}, e.Admin)
	if prog.Status != 201 {
		t.Fatalf("programme = %d %s", prog.Status, prog.Raw)
	}
	got = do(t, c, "PUT", e.URL+"/api/admin/programmes/"+jsonID(prog.Body["id"]), map[string]any{"capacity": 40}, e.Admin)
	if got.Status != 200 || got.Body["capacity"] != float64(40) || got.Body["description"] != "山涤星光幼儿园老师带班。" || got.Body["title"] != "寒假托管班" {
		t.Fatalf("programme PUT {capacity} = %d %s", got.Status, got.Raw)
	}
}
