package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

const (
	venueApprover = "13910240002" // the 小礼堂's approver at the institute
	venueOnDuty   = "13800000000" // the community's on-duty staff phone
)

// mustHall makes the institute a partner and its 小礼堂 a venue through
// the admin API: lent Mon–Sat 08:30–21:00, 30 minutes between uses. It
// returns the hall's place id.
func mustHall(t testing.TB, e *env) int64 {
	t.Helper()
	c := http.DefaultClient
	partner := do(t, c, "POST", e.URL+"/api/admin/partners", map[string]any{"name": "中国电子科技集团第二研究所",
		"kind": "social_org", "phones": []string{"13910240001"}, "active": true}, e.Admin)
	if partner.Status != 201 {
		t.Fatalf("partner = %d %s", partner.Status, partner.Raw)
	}
	place := do(t, c, "POST", e.URL+"/api/admin/places", map[string]any{"name": "小礼堂", "address": "研究所东门"}, e.Admin)
	if place.Status != 201 {
		t.Fatalf("place = %d %s", place.Status, place.Raw)
	}
	id := int64(place.Body["id"].(float64))
	got := do(t, c, "PUT", fmt.Sprintf("%s/api/admin/venues/%d", e.URL, id), map[string]any{
		"partner_id": partner.Body["id"], "kind": "礼堂", "capacity": 120, "buffer_minutes": 30, "answer_hours": 24,
		"approvers": []string{venueApprover},
		"hours":     []map[string]any{{"weekdays": []int{1, 2, 3, 4, 5, 6}, "start": "08:30", "end": "21:00", "mode": "event"}},
	}, e.Admin)
	if got.Status != 200 || got.Body["place"] != "小礼堂" || got.Body["partner"] != "中国电子科技集团第二研究所" {
		t.Fatalf("venue = %d %s", got.Status, got.Raw)
	}
	return id
}

func TestVenues_API(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	hall := mustHall(t, e)
	url := fmt.Sprintf("%s/api/admin/venues/%d", e.URL, hall)
	t.Run("ErrInvalid", func(t *testing.T) {
		for body, want := range map[string]string{
			`{"partner_id":1,"capacity":0}`: "容纳人数",
			`{"partner_id":1,"capacity":20,"hours":[{"weekdays":[2],"start":"20:00","end":"18:00","mode":"open","places":5}]}`: "结束时间",
			`{"partner_id":1,"capacity":20,"approvers":["110"]}`:                                                               "审批手机号",
			`{"partner_id":999,"capacity":20}`:                                                                                 "共建单位",
		} {
			got := do(t, c, "PUT", url, body, e.Admin)
			if got.Status != 400 || !strings.Contains(got.ErrorMessage(), want) {
				t.Errorf("PUT %s = %d %s; want 400 saying %s", body, got.Status, got.Raw, want)
			}
		}
	})
	t.Run("List", func(t *testing.T) {
		got := do(t, c, "GET", e.URL+"/api/admin/venues", nil, e.Admin)
		if got.Status != 200 || !strings.Contains(string(got.Raw), `"place":"小礼堂"`) {
			t.Fatalf("venues = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("Closure", func(t *testing.T) {
		ev := map[string]any{"kind": "lecture", "title": "健康讲座", "place_id": hall, "status": "open",
			"slots": []map[string]any{{"start": "2026-12-12T14:00:00+08:00", "end": "2026-12-12T16:00:00+08:00", "capacity": 80}}}
		if got := do(t, c, "POST", e.URL+"/api/admin/events", ev, e.Admin); got.Status != 201 {
			t.Fatalf("event = %d %s", got.Status, got.Raw)
		}
		got := do(t, c, "POST", url+"/closures", map[string]any{"from": "2026-12-12", "to": "2026-12-12", "reason": "所内会议"}, e.Admin)
		if got.Status != 201 || len(got.Body["hits"].([]any)) != 1 {
			t.Fatalf("closure = %d %s; want the lecture among its hits", got.Status, got.Raw)
		}
		id := got.Body["closure"].(map[string]any)["id"]
		if got := do(t, c, "POST", url+"/closures", map[string]any{"from": "2026-12-13", "to": "2026-12-12"}, e.Admin); got.Status != 400 {
			t.Errorf("backwards closure = %d %s", got.Status, got.Raw)
		}
		if got := do(t, c, "DELETE", fmt.Sprintf("%s/api/admin/venues/closures/%.0f", e.URL, id), nil, e.Admin); got.Status != 200 {
			t.Errorf("delete closure = %d %s", got.Status, got.Raw)
		}
		got = do(t, c, "GET", e.URL+"/api/admin/venue-requests?status=pending", nil, e.Admin)
		if got.Status != 200 || len(got.Body["requests"].([]any)) != 1 {
			t.Fatalf("requests = %d %s", got.Status, got.Raw)
		}
		// The partner phoned to say no: staff record it.
		req := got.Body["requests"].([]any)[0].(map[string]any)
		answer := fmt.Sprintf("%s/api/admin/venue-requests/%.0f/answer", e.URL, req["id"])
		if got := do(t, c, "POST", answer, map[string]any{"answer": "maybe"}, e.Admin); got.Status != 400 {
			t.Errorf("answer maybe = %d %s", got.Status, got.Raw)
		}
		got = do(t, c, "POST", answer, map[string]any{"answer": "refuse", "reason": "电话说礼堂维修"}, e.Admin)
		if got.Status != 200 || got.Body["status"] != "refused" || got.Body["reason"] != "电话说礼堂维修" ||
			!strings.HasPrefix(fmt.Sprint(got.Body["decided_by"]), "staff:") {
			t.Fatalf("answer = %d %s", got.Status, got.Raw)
		}
		if got := do(t, c, "POST", answer, map[string]any{"answer": "agree"}, e.Admin); got.Status != 409 || got.ErrorMessage() == "" {
			t.Errorf("agree after refuse = %d %s", got.Status, got.Raw)
		}
	})
}

// TestVenues_SMSEndToEnd: the partner's approval, refusal, silence and
// withdrawal, by SMS through the Alibaba fake and the push endpoint.
func TestVenues_SMSEndToEnd(t *testing.T) {
	e := mustServeSMS(t)
	if err := e.DB.SetCommunity(context.Background(), &chorus.Community{Name: "光华街社区", SignName: "光华街社区",
		StaffPhone: venueOnDuty}); err != nil {
		t.Fatal(err)
	}
	c := http.DefaultClient
	hall := mustHall(t, e.env)
	create := func(title string, hour int) int64 {
		t.Helper()
		start := time.Date(2026, 12, 12, hour, 0, 0, 0, shanghai)
		got := do(t, c, "POST", e.URL+"/api/admin/events", map[string]any{"kind": "lecture", "title": title, "place_id": hall,
			"status": "open", "slots": []map[string]any{{"start": start, "end": start.Add(2 * time.Hour), "capacity": 80}}}, e.Admin)
		if got.Status != 201 || got.Body["status"] != "closed" {
			t.Fatalf("event = %d %s; want created closed", got.Status, got.Raw)
		}
		return int64(got.Body["id"].(float64))
	}
	status := func(id int64) string {
		got := do(t, c, "GET", fmt.Sprintf("%s/api/events/%d", e.URL, id), nil, nil)
		if s, ok := got.Body["status"].(string); ok {
			return s
		}
		return fmt.Sprint(got.Body["event"].(map[string]any)["status"])
	}
	seq := 0
	reply := func(phone, content string) {
		t.Helper()
		seq++
		body := fmt.Sprintf(`[{"phone_number":%q,"content":%q,"send_time":"2026-12-01 10:05:00","sequence_id":"vn%d"}]`, phone, content, seq)
		if got := e.push(t, "up", body); got.Status != 200 {
			t.Fatalf("push = %d %s", got.Status, got.Raw)
		}
	}
	sent := func(phone, code string) []string {
		var out []string
		for _, s := range e.Fake.Sends() {
			if s.Phone == phone && s.TemplateCode == code {
				text, _ := e.Cat.Render(kindOf(code), s.Params)
				out = append(out, text)
			}
		}
		return out
	}
	requestID := func(event int64) int64 {
		list, err := e.DB.VenueRequests(context.Background(), "", 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			if r.EventID == event {
				return r.ID
			}
		}
		t.Fatalf("no request for event %d", event)
		return 0
	}

	lecture := create("健康讲座", 14)
	e.drain(t)
	req := requestID(lecture)
	want := fmt.Sprintf("申请借用小礼堂 12月12日 14:00–16:00 健康讲座,回复同意%d或不同意%d", req, req)
	if got := sent(venueApprover, "SMS_CHORUS_VENUE_REQUEST"); len(got) != 1 || got[0] != want {
		t.Fatalf("the approver got %q, want %q", got, want)
	}
	if list := do(t, c, "GET", e.URL+"/api/events", nil, nil); strings.Contains(string(list.Raw), "健康讲座") {
		t.Fatalf("a closed event is listed to residents: %s", list.Raw)
	}
	booking := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": lecture, "slot_id": 0, "phone": "13812345678"}, e.Kiosk)
	if booking.Status < 400 {
		t.Fatalf("booked an event the partner has not agreed to: %s", booking.Raw)
	}

	t.Run("Approval", func(t *testing.T) {
		reply("13912345678", fmt.Sprint("同意", req)) // a stranger
		if status(lecture) != "closed" {
			t.Fatal("a stranger's 同意 opened the event")
		}
		reply(venueApprover, fmt.Sprintf("同意 %d", req))
		if got := status(lecture); got != "open" {
			t.Fatalf("event %s after 同意", got)
		}
		e.drain(t)
		if got := sent(venueApprover, "SMS_CHORUS_VENUE_ACK"); len(got) != 1 {
			t.Errorf("acks %q", got)
		}
		inbox := do(t, c, "GET", e.URL+"/api/admin/inbox", nil, e.Admin)
		if !strings.Contains(string(inbox.Raw), "13912345678") {
			t.Errorf("the stranger's reply is not in the staff inbox: %s", inbox.Raw)
		}
	})
	t.Run("Withdrawal", func(t *testing.T) {
		ev, err := e.DB.Event(context.Background(), lecture)
		if err != nil {
			t.Fatal(err)
		}
		for _, phone := range []string{"13812345678", "13812345679"} {
			b := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": lecture, "slot_id": ev.Slots[0].ID,
				"phone": phone, "name": "姚大娘"}, e.Kiosk)
			if b.Status != 201 {
				t.Fatalf("booking = %d %s", b.Status, b.Raw)
			}
		}
		reply(venueApprover, fmt.Sprint("取消", req))
		e.drain(t)
		if got := status(lecture); got != "cancelled" {
			t.Fatalf("event %s after 取消", got)
		}
		for _, phone := range []string{"13812345678", "13812345679"} {
			if got := sent(phone, "SMS_CHORUS_CANCELLED"); len(got) != 1 {
				t.Errorf("%s told %q", phone, got)
			}
		}
		if got := sent(venueOnDuty, "SMS_CHORUS_VENUE_ALERT"); len(got) != 1 || !strings.Contains(got[0], "撤回") {
			t.Errorf("staff alerted %q", got)
		}
	})
	t.Run("Refusal", func(t *testing.T) {
		party := create("重阳联欢", 9)
		r := requestID(party)
		reply(venueApprover, fmt.Sprintf("不同意%d,那天所里有会", r))
		e.drain(t)
		if got := status(party); got != "closed" {
			t.Fatalf("event %s after 不同意", got)
		}
		alerts := sent(venueOnDuty, "SMS_CHORUS_VENUE_ALERT")
		if len(alerts) != 2 || !strings.Contains(alerts[1], "不同意") {
			t.Errorf("staff alerted %q", alerts)
		}
		list := do(t, c, "GET", e.URL+"/api/admin/venue-requests?status=refused", nil, e.Admin)
		if !strings.Contains(string(list.Raw), "那天所里有会") {
			t.Errorf("the reason is not kept: %s", list.Raw)
		}
	})
	t.Run("Silence", func(t *testing.T) {
		talk := create("书法讲座", 18)
		r := requestID(talk)
		e.Clock.Set(time.Date(2026, 12, 11, 18, 0, 0, 0, shanghai)) // 24 h before: the deadline
		sched := &sms.Scheduler{Store: e.DB, Now: e.Clock.Now}
		if c, err := sched.RunOnce(context.Background()); err != nil || c.VenuesExpired != 1 {
			t.Fatalf("RunOnce = %+v, %v", c, err)
		}
		e.drain(t)
		alerts := sent(venueOnDuty, "SMS_CHORUS_VENUE_ALERT")
		if len(alerts) != 3 || !strings.Contains(alerts[2], "无人答复") {
			t.Errorf("staff alerted %q", alerts)
		}
		reply(venueApprover, fmt.Sprint("同意", r)) // too late
		if got := status(talk); got != "closed" {
			t.Errorf("a late 同意 opened the event: %s", got)
		}
	})
}

// kindOf returns the message kind of a built-in template code.
func kindOf(code string) chorus.MessageKind {
	cat, _ := sms.NewCatalogue(nil)
	for _, t := range cat.Templates() {
		if t.Code == code {
			return t.Kind
		}
	}
	return ""
}

// FuzzVenueBodies sends arbitrary bodies to the venue and closure
// endpoints with an admin's session: the server answers JSON with a known
// status, never 500, and an error always says why in words.
func FuzzVenueBodies(f *testing.F) {
	e := MustServe(f)
	hall := mustHall(f, e)
	f.Add(`{"partner_id":1,"capacity":20,"hours":[{"weekdays":[2,4],"start":"18:00","end":"20:00","mode":"open","places":20}]}`)
	f.Add(`{"partner_id":1,"capacity":120,"approvers":["+86 139 1024 0002"],"buffer_minutes":30}`)
	f.Add(`{"from":"2026-12-24","to":"2026-12-25","reason":"所内年会"}`)
	f.Add(`{"partner_id":1,"capacity":1e99}`)
	f.Add(`{"hours":[{"weekdays":[-1,99],"start":"25:00","end":"x"}]}`)
	f.Add(`{"from":"2026-02-30","to":"0000-01-01"}`)
	f.Add(`[]`)
	f.Add(strings.Repeat("[", 500))
	c := http.DefaultClient
	urls := []string{fmt.Sprintf("%s/api/admin/venues/%d", e.URL, hall), fmt.Sprintf("%s/api/admin/venues/%d/closures", e.URL, hall)}
	f.Fuzz(func(t *testing.T, body string) {
		for i, url := range urls {
			method := "PUT"
			if i == 1 {
				method = "POST"
			}
			got := do(t, c, method, url, body, e.Admin)
			switch got.Status {
			case 200, 201:
			case 400, 404, 409, 413:
				if got.ErrorMessage() == "" {
					t.Fatalf("error without a message: %s", got.Raw)
				}
			default:
				t.Fatalf("%s %s = %d for %q: %s", method, url, got.Status, body, got.Raw)
			}
		}
	})
}
