package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms/smsfake"
)

// Issue 12 end to end: the store's outbox, the worker with the real
// Alibaba SDK against smsfake, the HTTP API and the push endpoints.

// sendsOf returns the fake's accepted sends to phone with template code.
func (e *smsEnv) sendsOf(phone, code string) []smsfake.Send {
	var out []smsfake.Send
	for _, s := range e.Fake.Sends() {
		if s.Phone == phone && s.TemplateCode == code {
			out = append(out, s)
		}
	}
	return out
}

// reply pushes an SmsUp reply; destCode may be "".
func (e *smsEnv) reply(tb testing.TB, phone, content, seq, destCode string) {
	tb.Helper()
	body := fmt.Sprintf(`[{"phone_number":%q,"content":%q,"send_time":"2026-12-01 10:05:00","dest_code":%q,"sequence_id":%q}]`,
		phone, content, destCode, seq)
	if got := e.push(tb, "up", body); got.Status != 200 {
		tb.Fatalf("push = %d %s", got.Status, got.Raw)
	}
}

// book books slot i of ev for phone from a paired kiosk.
func (e *smsEnv) book(tb testing.TB, ev *chorus.Event, i int, phone string) int64 {
	tb.Helper()
	got := do(tb, http.DefaultClient, "POST", e.URL+"/api/bookings", map[string]any{"event_id": ev.ID,
		"slot_id": ev.Slots[i].ID, "phone": phone, "name": "姚大娘", "waitlist": true}, e.Kiosk)
	if got.Status != 201 {
		tb.Fatalf("booking = %d %s", got.Status, got.Raw)
	}
	return int64(got.Body["id"].(float64))
}

func (e *smsEnv) bookingStatus(tb testing.TB, id int64) chorus.Status {
	tb.Helper()
	b, err := e.DB.Booking(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return b.Status
}

// mustBarbers creates an estate and the given barbershops (name → phones,
// priority 1 unless the name says 2) open all day; it returns the estate.
func (e *smsEnv) mustBarbers(tb testing.TB, estate string, shops ...[]string) float64 {
	tb.Helper()
	est := do(tb, http.DefaultClient, "POST", e.URL+"/api/admin/estates", map[string]any{"name": estate}, e.Admin)
	if est.Status != 201 {
		tb.Fatalf("estate = %d %s", est.Status, est.Raw)
	}
	for i, s := range shops {
		p := map[string]any{"name": s[0], "kind": "barbershop", "phones": s[1:], "services": []string{"haircut"},
			"opens_at": "00:00", "closes_at": "00:00", "priority": i + 1, "active": true}
		if got := do(tb, http.DefaultClient, "POST", e.URL+"/api/admin/partners", p, e.Admin); got.Status != 201 {
			tb.Fatalf("partner = %d %s", got.Status, got.Raw)
		}
	}
	return est.Body["id"].(float64)
}

// order asks for a home haircut from a paired kiosk, confirms it with the
// resident's reply 1, and returns its number.
func (e *smsEnv) order(tb testing.TB, estate float64, phone string, addr map[string]any) string {
	tb.Helper()
	a := map[string]any{"estate_id": estate, "unit": "3", "room": "502"}
	for k, v := range addr {
		a[k] = v
	}
	got := do(tb, http.DefaultClient, "POST", e.URL+"/api/haircuts", map[string]any{"phone": phone, "name": "李大爷",
		"address": a, "day": "2026-12-02", "half_day": "pm"}, e.Kiosk)
	if got.Status != 201 {
		tb.Fatalf("order = %d %s", got.Status, got.Raw)
	}
	// A kiosk's order is dispatched once its phone replies 1.
	e.reply(tb, phone, "1", "confirm-"+phone, "")
	return fmt.Sprintf("%.0f", got.Body["id"])
}

// Point 1: a barber who takes ten orders a day gets every one; when a
// partner's budget is spent the timeline says so and staff are alerted.
func TestSMS_PartnerBudget(t *testing.T) {
	t.Run("TenOrdersADay", func(t *testing.T) {
		e := mustServeSMS(t)
		est := e.mustBarbers(t, "光华街16号院", []string{"巧手理发店", "13903510002"})
		for i := range 10 {
			e.order(t, est, fmt.Sprintf("1391234%04d", i), nil)
		}
		e.drain(t)
		if n := len(e.sendsOf("13903510002", "SMS_CHORUS_PARTNER_ORDER")); n != 10 {
			t.Fatalf("barber got %d of 10 orders", n)
		}
	})

	t.Run("RefusedIsWrittenAndStaffAlerted", func(t *testing.T) {
		e := mustServeSMS(t)
		e.DB.PartnerDaily, e.DB.StaffPhone = 1, "13600000009"
		est := e.mustBarbers(t, "光华街16号院", []string{"巧手理发店", "13903510002"})
		e.order(t, est, "13912340001", nil)
		no := e.order(t, est, "13912340002", nil) // the barber's budget is spent
		e.drain(t)
		got := do(t, http.DefaultClient, "GET", e.URL+"/api/admin/orders/"+no, nil, e.Admin)
		if !strings.Contains(string(got.Raw), "未能发出:巧手理发店") || strings.Contains(string(got.Raw), "第1轮派单:巧手理发店") {
			t.Errorf("timeline does not say the barber was not told: %s", got.Raw)
		}
		alerts := e.sendsOf("13600000009", "SMS_CHORUS_DISPATCH_UNTOLD")
		if len(alerts) != 1 || alerts[0].Params["order"] != no {
			t.Errorf("staff alerts %+v, want one for order %s", alerts, no)
		}
	})
}

// Point 9: "taken" goes only to units that did not win, never to a phone
// of the winner (a phone two units share).
func TestSMS_TakenOnlyToLosers(t *testing.T) {
	e := mustServeSMS(t)
	est := e.mustBarbers(t, "光华街16号院")
	for _, p := range []map[string]any{
		{"name": "巧手理发店", "phones": []string{"13903510002", "13803510009"}},
		{"name": "巧手二店", "phones": []string{"13803510009", "13703510003"}}, // shares the owner's phone
	} {
		p["kind"], p["services"], p["priority"], p["active"] = "barbershop", []string{"haircut"}, 1, true
		if got := do(t, http.DefaultClient, "POST", e.URL+"/api/admin/partners", p, e.Admin); got.Status != 201 {
			t.Fatalf("partner = %d %s", got.Status, got.Raw)
		}
	}
	no := e.order(t, est, "13912345678", nil)
	e.reply(t, "13903510002", "接"+no, "s1", "")
	e.drain(t)
	if n := len(e.sendsOf("13803510009", "SMS_CHORUS_ORDER_TAKEN")); n != 0 {
		t.Errorf("the winner's own phone was told %d times that another unit took it", n)
	}
	if n := len(e.sendsOf("13703510003", "SMS_CHORUS_ORDER_TAKEN")); n != 1 {
		t.Errorf("the other unit's phone was told %d times, want once", n)
	}
	// Point 7 for partners: the barber who replied hears it worked.
	if acks := e.sendsOf("13903510002", "SMS_CHORUS_PARTNER_ACK"); len(acks) != 1 || acks[0].Params["action"] != "接单" || acks[0].Params["order"] != no {
		t.Errorf("acknowledgements to the barber %+v", acks)
	}
}

// Point 6: an address goes to the partner whole, in two parameters;
// nothing is cut without a marker.
func TestSMS_AddressNeverCut(t *testing.T) {
	e := mustServeSMS(t)
	est := e.mustBarbers(t, "中国电子科技集团第二研究所宿舍", []string{"巧手理发店", "13903510002"})
	e.order(t, est, "13912345678", map[string]any{"unit": "12", "room": "1502"})
	e.drain(t)
	sends := e.sendsOf("13903510002", "SMS_CHORUS_PARTNER_ORDER")
	if len(sends) != 1 || sends[0].Params["estate"] != "中国电子科技集团第二研究所宿舍" || sends[0].Params["room"] != "12单元1502" {
		t.Fatalf("partner order %+v", sends)
	}
	// A long title is cut with a marker.
	ev := e.MustEvent(t, 1, 6, false)
	ev.Title = "冬季健康讲座:高血压、糖尿病与骨质疏松的预防"
	if err := e.DB.UpdateEvent(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	e.book(t, ev, 0, "13812345678")
	e.drain(t)
	got := e.sendsOf("13812345678", "SMS_CHORUS_BOOKING")
	if len(got) != 1 || !strings.HasSuffix(got[0].Params["event"], "…") || utf8.RuneCountInString(got[0].Params["event"]) != chorus.MaxParamRunes {
		t.Fatalf("booking sms %+v", got)
	}
}

// Point 5 (and issue 14): what would break every SMS of an event is
// refused where it is typed, in Chinese.
func TestSMS_TextRefusedWhereTyped(t *testing.T) {
	e := mustServeSMS(t)
	day := time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	slots := []map[string]any{{"start": day, "end": day.Add(time.Hour), "capacity": 5}}
	for _, title := range []string{"【通知】健康讲座", "讲座${code}", "讲座 https://t.cn/abc", "讲座\u202e座讲"} {
		got := do(t, http.DefaultClient, "POST", e.URL+"/api/admin/events", map[string]any{"kind": "clinic", "title": title,
			"place_id": e.Place, "status": "open", "slots": slots}, e.Admin)
		if got.Status != 400 || got.ErrorCode() != "invalid" || !strings.Contains(got.ErrorMessage(), "活动名称") {
			t.Errorf("event %q = %d %s", title, got.Status, got.Raw)
		}
	}
	for _, name := range []string{"活动室【一】", "www.fraud.cn"} {
		got := do(t, http.DefaultClient, "POST", e.URL+"/api/admin/places", map[string]any{"name": name}, e.Admin)
		if got.Status != 400 || !strings.Contains(got.ErrorMessage(), "场地名称") {
			t.Errorf("place %q = %d %s", name, got.Status, got.Raw)
		}
	}
}

// Points 4 and 7: a 1 from a phone with two pending bookings confirms
// both, and says so; a reply that names its message (dest_code) acts on
// that one alone; a 2 that could mean two asks which.
func TestSMS_ReplyReachesItsBooking(t *testing.T) {
	const ph = "13812345678"
	t.Run("OneConfirmsEveryPending", func(t *testing.T) {
		e := mustServeSMS(t)
		older := e.book(t, e.MustEvent(t, 1, 6, false), 0, ph)
		newer := e.book(t, e.MustEvent(t, 1, 6, false), 0, ph)
		e.drain(t)
		e.reply(t, ph, "1", "r1", "")
		e.reply(t, ph, "1", "r2", "") // the resident replies to both messages
		if a, b := e.bookingStatus(t, older), e.bookingStatus(t, newer); a != chorus.StatusConfirmed || b != chorus.StatusConfirmed {
			t.Fatalf("older %s, newer %s; want both confirmed", a, b)
		}
		e.drain(t)
		acks := e.sendsOf(ph, "SMS_CHORUS_REPLY_ACK")
		if len(acks) != 2 || acks[0].Params["action"] != "确认" || acks[0].Params["event"] != "免费义诊" {
			t.Errorf("acknowledgements %+v, want one 已为您确认 per booking", acks)
		}
	})

	t.Run("DestCodeNamesTheMessage", func(t *testing.T) {
		e := mustServeSMS(t)
		older := e.book(t, e.MustEvent(t, 1, 6, false), 0, ph)
		newer := e.book(t, e.MustEvent(t, 1, 6, false), 0, ph)
		e.drain(t)
		confirms := e.sendsOf(ph, "SMS_CHORUS_BOOKING")
		if len(confirms) != 2 || confirms[0].ExtendCode == "" {
			t.Fatalf("confirmations %+v, want two with an extend code", confirms)
		}
		e.reply(t, ph, "2", "r1", "88"+confirms[0].ExtendCode) // the older one's, behind the signature's own code
		if a, b := e.bookingStatus(t, older), e.bookingStatus(t, newer); a != chorus.StatusCancelled || b != chorus.StatusPending {
			t.Fatalf("older %s, newer %s; want only the older cancelled", a, b)
		}
		e.drain(t)
		acks := e.sendsOf(ph, "SMS_CHORUS_REPLY_ACK")
		if len(acks) != 1 || acks[0].Params["action"] != "取消" {
			t.Errorf("acknowledgements %+v, want one 已为您取消", acks)
		}
		if n := len(e.sendsOf(ph, "SMS_CHORUS_CANCELLED")); n != 0 {
			t.Errorf("cancellation told %d more times", n)
		}
	})

	t.Run("TwoThatCouldMeanSeveralAsks", func(t *testing.T) {
		e := mustServeSMS(t)
		older := e.book(t, e.MustEvent(t, 1, 6, false), 0, ph)
		newer := e.book(t, e.MustEvent(t, 1, 6, false), 0, ph)
		e.reply(t, ph, "2", "r1", "")
		if a, b := e.bookingStatus(t, older), e.bookingStatus(t, newer); a != chorus.StatusPending || b != chorus.StatusPending {
			t.Fatalf("older %s, newer %s; a 2 that could mean either cancelled one", a, b)
		}
		e.drain(t)
		if asks := e.sendsOf(ph, "SMS_CHORUS_REPLY_WHICH"); len(asks) != 1 || asks[0].Params["count"] != "2" {
			t.Errorf("asked %+v, want one question about 2 bookings", asks)
		}
		if n := len(e.sendsOf(ph, "SMS_CHORUS_HELP")); n != 0 {
			t.Errorf("%d help texts on top of the question", n)
		}
		inbox := do(t, http.DefaultClient, "GET", e.URL+"/api/admin/inbox", nil, e.Admin)
		if !strings.Contains(string(inbox.Raw), "已短信询问") {
			t.Errorf("the staff inbox does not show the open question: %s", inbox.Raw)
		}
	})
}

// Points 8 and 12: a booking confirmed at once gets its code without
// "回复1确认"; a seat taken by replying 1 to an offer gets it at once.
func TestSMS_ConfirmedBookingsGetTheirCode(t *testing.T) {
	e := mustServeSMS(t)
	ev := e.MustEvent(t, 1, 1, true)
	staff := do(t, http.DefaultClient, "POST", e.URL+"/api/admin/bookings", map[string]any{"event_id": ev.ID,
		"slot_id": ev.Slots[0].ID, "phone": "13812345678", "name": "姚大娘"}, e.Admin)
	if staff.Status != 201 || staff.Body["status"] != "confirmed" {
		t.Fatalf("staff booking = %d %s", staff.Status, staff.Raw)
	}
	waiting := e.book(t, ev, 0, "13912345678")
	e.drain(t)
	if n := len(e.sendsOf("13812345678", "SMS_CHORUS_BOOKING")); n != 0 {
		t.Errorf("a staff booking was asked to reply 1 (%d times)", n)
	}
	booked := e.sendsOf("13812345678", "SMS_CHORUS_BOOKED")
	if len(booked) != 1 || booked[0].Params["code"] == "" {
		t.Fatalf("staff booking sms %+v", booked)
	}
	// The seat frees; the waitlisted resident takes it by replying 1 on
	// the event's day.
	e.Clock.Add(4*24*time.Hour - 2*time.Hour)              // 12月5日 06:00
	e.Admin = e.MustLogin(t, "wanggang", chorus.RoleAdmin) // the first session has expired
	id := int64(staff.Body["id"].(float64))
	if got := do(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/admin/bookings/%d/transition", e.URL, id),
		map[string]any{"to": "cancelled", "reason": "家里有事"}, e.Admin); got.Status != 200 {
		t.Fatalf("cancel = %d %s", got.Status, got.Raw)
	}
	e.drain(t)
	e.reply(t, "13912345678", "1", "r1", "")
	if st := e.bookingStatus(t, waiting); st != chorus.StatusConfirmed {
		t.Fatalf("waitlisted booking %s after taking the offer", st)
	}
	e.drain(t)
	b, _ := e.DB.Booking(context.Background(), waiting)
	got := e.sendsOf("13912345678", "SMS_CHORUS_BOOKED")
	if len(got) != 1 || got[0].Params["code"] != b.Code {
		t.Errorf("taken seat sms %+v, want the check-in code %s now", got, b.Code)
	}
}

// Point 3 through the store: a message left unknown is shown to staff;
// 重发 looks it up once more before sending, so it never arrives twice.
func TestSMS_UnknownResend(t *testing.T) {
	e := mustServeSMS(t)
	e.Worker.MaxAttempts = 1
	e.book(t, e.MustEvent(t, 1, 6, false), 0, "13812345678")
	e.Fake.LoseNext(1)
	e.Fake.Inject(smsfake.Fault{Action: "QuerySendDetails", Code: "isp.RAM_PERMISSION_DENY"}, 1)
	e.drain(t)
	msgs := do(t, http.DefaultClient, "GET", e.URL+"/api/admin/messages", nil, e.Admin)
	if !strings.Contains(string(msgs.Raw), `"status":"unknown"`) {
		t.Fatalf("messages = %s", msgs.Raw)
	}
	all, _ := e.DB.Messages(context.Background(), "13812345678", 10)
	id := all[0].ID
	if got := do(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/admin/messages/%d/resend", e.URL, id), map[string]any{}, e.Admin); got.Status != 200 && got.Status != 201 {
		t.Fatalf("resend = %d %s", got.Status, got.Raw)
	}
	e.drain(t)
	m, _ := e.DB.Message(context.Background(), id)
	if m.Status != chorus.MessageSubmitted || e.Fake.Count() != 1 {
		t.Errorf("after 重发: %s, %d sends; want submitted without a second send", m.Status, e.Fake.Count())
	}
}
