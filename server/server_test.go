package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

func TestServer_Health(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	if got := do(t, c, "GET", e.URL+"/healthz", nil, nil); got.Status != 200 {
		t.Fatalf("healthz = %d", got.Status)
	}
	if got := do(t, c, "GET", e.URL+"/readyz", nil, nil); got.Status != 200 || got.Body["status"] != "ready" {
		t.Fatalf("readyz = %d %s", got.Status, got.Raw)
	}
}

func TestServer_Bookings(t *testing.T) {
	e := MustServe(t)
	ev := e.MustEvent(t, 2, 1, false)
	c := http.DefaultClient
	book := func(slot int64, phone string, hdr map[string]string) response {
		return do(t, c, "POST", e.URL+"/api/bookings", map[string]any{
			"event_id": ev.ID, "slot_id": slot, "phone": phone, "name": "姚大娘"}, with(e.Kiosk, hdr))
	}

	t.Run("OK", func(t *testing.T) {
		got := book(ev.Slots[0].ID, "138-1234-5678", nil)
		if got.Status != http.StatusCreated {
			t.Fatalf("status = %d %s", got.Status, got.Raw)
		}
		if got.Body["phone"] != "138****5678" || got.Body["status"] != "pending" {
			t.Fatalf("booking = %s", got.Raw)
		}
		if code, _ := got.Body["code"].(string); len(code) != 6 {
			t.Fatalf("code = %q", code)
		}
		// The same phone again returns the booking it holds, with 200.
		again := book(ev.Slots[1].ID, "13812345678", nil)
		if again.Status != http.StatusOK || again.Body["id"] != got.Body["id"] || again.Body["existing"] != true {
			t.Fatalf("again = %d %s", again.Status, again.Raw)
		}
	})
	t.Run("ErrFull", func(t *testing.T) {
		got := book(ev.Slots[0].ID, "13912345678", nil)
		if got.Status != http.StatusConflict || got.ErrorCode() != "full" || !strings.Contains(got.ErrorMessage(), "已满") {
			t.Fatalf("full = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("IdempotencyKeyHeader", func(t *testing.T) {
		h := map[string]string{"Idempotency-Key": "kiosk-3-0001"}
		first := book(ev.Slots[1].ID, "13712345678", h)
		second := book(ev.Slots[1].ID, "13712345678", h)
		if first.Status != 201 || second.Status != 200 || first.Body["id"] != second.Body["id"] {
			t.Fatalf("first %d %s, second %d %s", first.Status, first.Raw, second.Status, second.Raw)
		}
	})
	t.Run("Lookup", func(t *testing.T) {
		if anon := do(t, c, "GET", e.URL+"/api/bookings?phone=13812345678", nil, nil); anon.Status != http.StatusUnauthorized {
			t.Fatalf("lookup without a kiosk or staff = %d", anon.Status)
		}
		got := do(t, c, "GET", e.URL+"/api/bookings?phone=%2B86%20138%201234%205678", nil, e.Kiosk)
		list, _ := got.Body["bookings"].([]any)
		if got.Status != 200 || len(list) != 1 {
			t.Fatalf("lookup = %d %s", got.Status, got.Raw)
		}
		if strings.Contains(string(got.Raw), "13812345678") {
			t.Fatal("lookup shows the full phone number")
		}
	})
	t.Run("CancelWrongPhone", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/bookings/1/cancel", map[string]any{"phone": "13600000000"}, e.Kiosk)
		if got.Status != http.StatusNotFound {
			t.Fatalf("cancel with another phone = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		// A typed phone is not enough: the kiosk must have had the SMS
		// verification code typed back (changed with the privacy issue).
		if got := do(t, c, "POST", e.URL+"/api/bookings/1/cancel", map[string]any{"phone": "13812345678"}, e.Kiosk); got.Status != http.StatusForbidden {
			t.Fatalf("cancel without the code = %d %s", got.Status, got.Raw)
		}
		kiosk := e.MustVerify(t, e.Kiosk, "13812345678")
		got := do(t, c, "POST", e.URL+"/api/bookings/1/cancel", map[string]any{"phone": "13812345678"}, kiosk)
		if got.Status != 200 || got.Body["status"] != "cancelled" {
			t.Fatalf("cancel = %d %s", got.Status, got.Raw)
		}
		again := do(t, c, "POST", e.URL+"/api/bookings/1/cancel", map[string]any{"phone": "13812345678"}, kiosk)
		if again.Status != http.StatusConflict || !strings.Contains(again.ErrorMessage(), "已经取消") {
			t.Fatalf("cancel twice = %d %s", again.Status, again.Raw)
		}
	})
}

func TestServer_BadInput(t *testing.T) {
	e := MustServe(t)
	ev := e.MustEvent(t, 1, 5, false)
	c := http.DefaultClient
	tests := []struct {
		name, body string
		want       string // part of the Chinese message
	}{
		{"Empty", "", "空"},
		{"BadJSON", `{"event_id":`, "JSON"},
		{"UnknownField", `{"event_id":1,"slot":2}`, "不认识的字段"},
		{"WrongType", `{"event_id":"one"}`, "类型"},
		{"TwoObjects", `{"event_id":1}{"event_id":2}`, "一个"},
		{"TooBig", `{"name":"` + strings.Repeat("好", 30000) + `"}`, "太大"},
		{"BadPhone", fmt.Sprintf(`{"event_id":%d,"slot_id":%d,"phone":"12345"}`, ev.ID, ev.Slots[0].ID), "手机号"},
		{"LongName", fmt.Sprintf(`{"event_id":%d,"slot_id":%d,"phone":"13812345678","name":"%s"}`, ev.ID, ev.Slots[0].ID, strings.Repeat("李", 21)), "姓名"},
		{"NoSlot", `{"phone":"13812345678"}`, "时段"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, c, "POST", e.URL+"/api/bookings", tt.body, e.Kiosk)
			if got.Status != http.StatusBadRequest || got.ErrorCode() != "invalid" {
				t.Fatalf("status = %d %s", got.Status, got.Raw)
			}
			if !strings.Contains(got.ErrorMessage(), tt.want) {
				t.Fatalf("message = %q, want it to mention %q", got.ErrorMessage(), tt.want)
			}
		})
	}
	t.Run("NotJSON", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/bookings", "a=b", with(e.Kiosk, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}))
		if got.Status != http.StatusBadRequest {
			t.Fatalf("status = %d", got.Status)
		}
	})
	t.Run("UnknownRoute", func(t *testing.T) {
		got := do(t, c, "GET", e.URL+"/api/nothing", nil, nil)
		if got.Status != http.StatusNotFound || got.ErrorCode() != "not_found" {
			t.Fatalf("status = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("BadID", func(t *testing.T) {
		got := do(t, c, "GET", e.URL+"/api/events/abc", nil, nil)
		if got.Status != http.StatusNotFound || got.ErrorCode() != "not_found" {
			t.Fatalf("status = %d %s", got.Status, got.Raw)
		}
	})
	// Nothing saved was lost: the event is still there with all its seats.
	got := do(t, c, "GET", fmt.Sprintf("%s/api/events/%d", e.URL, ev.ID), nil, nil)
	slots := got.Body["slots"].([]any)
	if left := slots[0].(map[string]any)["seats_left"]; left != float64(5) {
		t.Fatalf("seats_left = %v", left)
	}
}

func TestServer_Admin(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	event := map[string]any{"kind": "lecture", "title": "冬季健康讲座", "place_id": e.Place, "waitlist": true,
		"slots": []map[string]any{{"start": "2026-12-06T14:00:00+08:00", "end": "2026-12-06T15:30:00+08:00", "capacity": 80}}}
	t.Run("NoToken", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/admin/events", event, nil)
		if got.Status != http.StatusUnauthorized {
			t.Fatalf("status = %d", got.Status)
		}
	})
	t.Run("NotASession", func(t *testing.T) {
		// A kiosk's token is no staff session.
		got := do(t, c, "POST", e.URL+"/api/admin/events", event, e.Kiosk)
		if got.Status != http.StatusUnauthorized {
			t.Fatalf("status = %d", got.Status)
		}
	})
	t.Run("ErrNoCSRF", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/admin/events", event, map[string]string{"Cookie": e.Admin["Cookie"]})
		if got.Status != http.StatusForbidden || !strings.Contains(got.ErrorMessage(), "刷新") {
			t.Fatalf("status = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("ErrStaffNotAdmin", func(t *testing.T) {
		wang := e.MustLogin(t, "wang", chorus.RoleStaff)
		got := do(t, c, "POST", e.URL+"/api/admin/estates", map[string]any{"name": "锦绣苑"}, wang)
		if got.Status != http.StatusForbidden {
			t.Fatalf("status = %d %s", got.Status, got.Raw)
		}
	})
	var id float64
	t.Run("CreateEvent", func(t *testing.T) {
		got := do(t, c, "POST", e.URL+"/api/admin/events", event, e.Admin)
		if got.Status != http.StatusCreated {
			t.Fatalf("status = %d %s", got.Status, got.Raw)
		}
		id = got.Body["id"].(float64)
		list := do(t, c, "GET", e.URL+"/api/events", nil, nil)
		if !strings.Contains(string(list.Raw), "冬季健康讲座") {
			t.Fatalf("events = %s", list.Raw)
		}
	})
	t.Run("StaffBookingConfirmed", func(t *testing.T) {
		ev := do(t, c, "GET", fmt.Sprintf("%s/api/events/%.0f", e.URL, id), nil, nil)
		slot := ev.Body["slots"].([]any)[0].(map[string]any)["id"]
		got := do(t, c, "POST", e.URL+"/api/admin/bookings", map[string]any{"event_id": id, "slot_id": slot, "phone": "13912345678", "name": "李大爷"}, e.Admin)
		if got.Status != 201 || got.Body["status"] != "confirmed" || got.Body["phone"] != "13912345678" {
			t.Fatalf("staff booking = %d %s", got.Status, got.Raw)
		}
		bookings := do(t, c, "GET", fmt.Sprintf("%s/api/admin/events/%.0f/bookings", e.URL, id), nil, e.Admin)
		if n := len(bookings.Body["bookings"].([]any)); n != 1 {
			t.Fatalf("bookings = %d", n)
		}
	})
	t.Run("CancelEvent", func(t *testing.T) {
		got := do(t, c, "POST", fmt.Sprintf("%s/api/admin/events/%.0f/cancel", e.URL, id), map[string]any{"reason": "大雪"}, e.Admin)
		if got.Status != 200 || got.Body["status"] != "cancelled" {
			t.Fatalf("cancel = %d %s", got.Status, got.Raw)
		}
		msgs := do(t, c, "GET", e.URL+"/api/admin/messages?phone=13912345678", nil, e.Admin)
		if !strings.Contains(string(msgs.Raw), `"kind":"cancelled"`) {
			t.Fatalf("messages = %s", msgs.Raw)
		}
	})
	t.Run("InvalidEvent", func(t *testing.T) {
		bad := map[string]any{"kind": "lecture", "title": "", "place_id": e.Place}
		got := do(t, c, "POST", e.URL+"/api/admin/events", bad, e.Admin)
		if got.Status != 400 || !strings.Contains(got.ErrorMessage(), "活动名称") {
			t.Fatalf("status = %d %s", got.Status, got.Raw)
		}
	})
}

func TestServer_HaircutAndEnrolment(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	est := do(t, c, "POST", e.URL+"/api/admin/estates", map[string]any{"name": "光华街16号院"}, e.Admin)
	if est.Status != 201 {
		t.Fatalf("estate = %d %s", est.Status, est.Raw)
	}
	addr := map[string]any{"estate_id": est.Body["id"], "unit": "3", "room": "502"}
	got := do(t, c, "POST", e.URL+"/api/haircuts", map[string]any{"phone": "13912345678", "name": "李大爷",
		"address": addr, "day": "2026-12-02", "half_day": "pm"}, e.Kiosk)
	if got.Status != 201 || got.Body["status"] != "requested" {
		t.Fatalf("haircut = %d %s", got.Status, got.Raw)
	}
	// A kiosk sees the address on file to the building only; staff all of
	// it (changed with the privacy issue).
	onFile := do(t, c, "GET", e.URL+"/api/address?phone=13912345678", nil, e.Kiosk)
	if !strings.Contains(string(onFile.Raw), "光华街16号院…") || strings.Contains(string(onFile.Raw), "502") {
		t.Fatalf("address at a kiosk = %s", onFile.Raw)
	}
	if staff := do(t, c, "GET", e.URL+"/api/address?phone=13912345678", nil, e.Admin); !strings.Contains(string(staff.Raw), "光华街16号院3单元502") {
		t.Fatalf("address for staff = %s", staff.Raw)
	}
	past := do(t, c, "POST", e.URL+"/api/haircuts", map[string]any{"phone": "13812345678", "address": addr, "day": "2026-11-20", "half_day": "am"}, e.Kiosk)
	if past.Status != 400 || !strings.Contains(past.ErrorMessage(), "过去") {
		t.Fatalf("past day = %d %s", past.Status, past.Raw)
	}

	prog := do(t, c, "POST", e.URL+"/api/admin/programmes", map[string]any{"title": "寒假托管班", "place_id": e.Place,
		"start_date": "2027-01-18", "end_date": "2027-02-14", "min_age": 4, "max_age": 12, "capacity": 2}, e.Admin)
	if prog.Status != 201 {
		t.Fatalf("programme = %d %s", prog.Status, prog.Raw)
	}
	pid := prog.Body["id"]
	enrol := func(phone string, ages ...int) response {
		var kids []map[string]any
		for _, a := range ages {
			kids = append(kids, map[string]any{"age": a})
		}
		return do(t, c, "POST", e.URL+"/api/enrolments", map[string]any{"programme_id": pid, "phone": phone, "children": kids}, e.Kiosk)
	}
	if got := enrol("13612345678", 6); got.Status != 201 || got.Body["status"] != "confirmed" {
		t.Fatalf("enrol = %d %s", got.Status, got.Raw)
	}
	if got := enrol("13512345678", 5, 8); got.Status != 201 || got.Body["status"] != "waitlisted" || got.Body["position"] != float64(1) {
		t.Fatalf("enrol when full = %d %s", got.Status, got.Raw)
	}
	if got := enrol("13412345678", 15); got.Status != 400 || !strings.Contains(got.ErrorMessage(), "岁") {
		t.Fatalf("too old = %d %s", got.Status, got.Raw)
	}
}

// An event sent back as GET returned it is accepted: staff tools edit what
// they read.
func TestServer_EventRoundTrip(t *testing.T) {
	e := MustServe(t)
	ev := e.MustEvent(t, 2, 6, true)
	c := http.DefaultClient
	url := fmt.Sprintf("%s/api/admin/events/%d", e.URL, ev.ID)
	got := do(t, c, "GET", fmt.Sprintf("%s/api/events/%d", e.URL, ev.ID), nil, nil)
	body := got.Body
	body["title"] = "免费义诊(加场)"
	body["slots"].([]any)[0].(map[string]any)["capacity"] = 8
	put := do(t, c, "PUT", url, body, e.Admin)
	if put.Status != 200 || put.Body["title"] != "免费义诊(加场)" {
		t.Fatalf("put = %d %s", put.Status, put.Raw)
	}
	if left := put.Body["slots"].([]any)[0].(map[string]any)["seats_left"]; left != float64(8) {
		t.Fatalf("seats_left = %v", left)
	}
	body["status"] = "banana"
	if bad := do(t, c, "PUT", url, body, e.Admin); bad.Status != 400 || !strings.Contains(bad.ErrorMessage(), "状态") {
		t.Fatalf("bad status = %d %s", bad.Status, bad.Raw)
	}
	lower := map[string]string{"Authorization": "bearer " + strings.TrimPrefix(e.Kiosk["Authorization"], "Bearer ")}
	if got := do(t, c, "GET", e.URL+"/api/bookings?phone=13812345678", nil, lower); got.Status != 200 {
		t.Fatalf("lower-case bearer = %d %s", got.Status, got.Raw)
	}
}

func TestServer_StaffOrder(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	est := do(t, c, "POST", e.URL+"/api/admin/estates", map[string]any{"name": "光华街16号院"}, e.Admin)
	builder := do(t, c, "POST", e.URL+"/api/admin/partners", map[string]any{"name": "宏建建筑公司", "kind": "builder",
		"phones": []string{"135 0351 0005"}, "services": []string{"repair"}, "active": true}, e.Admin)
	if builder.Status != 201 {
		t.Fatalf("partner = %d %s", builder.Status, builder.Raw)
	}
	got := do(t, c, "POST", e.URL+"/api/admin/orders", map[string]any{"kind": "repair", "urgent": true, "phone": "13712345678",
		"name": "石女士", "address": map[string]any{"estate_id": est.Body["id"], "unit": "3", "room": "502"},
		"day": "2026-12-01", "half_day": "pm", "notes": "暖气片跑水"}, e.Admin)
	if got.Status != 201 || got.Body["status"] != "dispatched" || got.Body["wave"] != float64(1) {
		t.Fatalf("order = %d %s", got.Status, got.Raw)
	}
	msgs := do(t, c, "GET", e.URL+"/api/admin/messages?phone=13503510005", nil, e.Admin)
	if !strings.Contains(string(msgs.Raw), `"kind":"partner_order"`) {
		t.Fatalf("builder's messages = %s", msgs.Raw)
	}
	bad := do(t, c, "POST", e.URL+"/api/admin/orders", map[string]any{"kind": "yoga", "phone": "13712345678", "day": "2026-12-01", "half_day": "pm"}, e.Admin)
	if bad.Status != 400 || !strings.Contains(bad.ErrorMessage(), "订单类型") {
		t.Fatalf("bad kind = %d %s", bad.Status, bad.Raw)
	}
	stats := do(t, c, "GET", e.URL+"/api/admin/partners/stats", nil, e.Admin)
	if stats.Status != 200 || !strings.Contains(string(stats.Raw), "宏建建筑公司") {
		t.Fatalf("stats = %d %s", stats.Status, stats.Raw)
	}
}
