package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
)

// A resident phones: she cannot come at 09:00. Staff move her booking; it
// keeps its id and code.
func TestStaff_MoveBooking(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ev := e.MustEvent(t, 3, 1, false)
	b, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13800000001", Name: "张阿姨"})
	if err != nil {
		t.Fatal(err)
	}
	e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[2].ID, Phone: "13800000002"})
	url := fmt.Sprintf("%s/api/admin/bookings/%d/move", e.URL, b.ID)

	got := do(t, c, "POST", url, map[string]any{"slot_id": ev.Slots[1].ID, "reason": "上午要去医院"}, e.Admin)
	if got.Status != 200 || got.Body["id"] != float64(b.ID) || got.Body["slot_id"] != float64(ev.Slots[1].ID) ||
		got.Body["code"] != b.Code || got.Body["slot_start"] != "2026-12-05T09:15:00+08:00" {
		t.Fatalf("move = %d %s", got.Status, got.Raw)
	}
	for _, tc := range []struct {
		name string
		body any
		code string
		msg  string
	}{
		{"Full", map[string]any{"slot_id": ev.Slots[2].ID}, "full", "那个时段已满,请选其他时段。"},
		{"Same", map[string]any{"slot_id": ev.Slots[1].ID}, "invalid", "已经是这个时段了。"},
		{"NoSlot", map[string]any{}, "invalid", "请选择要改到的时段。"},
		{"UnknownField", map[string]any{"slot": 1}, "invalid", "请求格式不正确:不认识的字段 \"slot\"。"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := do(t, c, "POST", url, tc.body, e.Admin)
			if got.ErrorCode() != tc.code || got.ErrorMessage() != tc.msg {
				t.Fatalf("= %d %s", got.Status, got.Raw)
			}
		})
	}
	if now, _ := e.DB.Booking(context.Background(), b.ID); now.SlotID != ev.Slots[1].ID {
		t.Fatalf("after refused moves the booking is in slot %d", now.SlotID)
	}
}

// Staff see past and cancelled events, which residents do not.
func TestStaff_ListEvents(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ev := e.MustEvent(t, 1, 5, false)
	gone := e.MustEvent(t, 1, 5, false)
	if err := e.DB.CancelEvent(context.Background(), gone.ID, chorus.ActorStaff, "大夫有事"); err != nil {
		t.Fatal(err)
	}
	ids := func(r response) []float64 {
		var out []float64
		for _, x := range r.Body["events"].([]any) {
			out = append(out, x.(map[string]any)["id"].(float64))
		}
		return out
	}
	for when, want := range map[string][]float64{
		"":          {float64(ev.ID)},
		"upcoming":  {float64(ev.ID)},
		"cancelled": {float64(gone.ID)},
		"past":      nil,
		"today":     nil, // the clinic is on Saturday
	} {
		got := do(t, c, "GET", e.URL+"/api/admin/events?when="+when, nil, e.Admin)
		if got.Status != 200 || !slices.Equal(ids(got), want) {
			t.Errorf("when=%s = %d %s", when, got.Status, got.Raw)
		}
	}
	if got := do(t, c, "GET", e.URL+"/api/admin/events?when=tomorrow", nil, e.Admin); got.ErrorCode() != "invalid" {
		t.Errorf("when=tomorrow = %d %s", got.Status, got.Raw)
	}
}

// The winter programme at the desk: list, enrol on behalf, confirm an
// offer for a guardian who phoned, cancel an enrolment, call it off.
func TestStaff_Programmes(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	p := &chorus.Programme{Title: "寒假托管班", PlaceID: e.Place, StartDate: "2027-01-18", EndDate: "2027-02-05", MinAge: 3, MaxAge: 6, Capacity: 1}
	if err := e.DB.CreateProgramme(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	got := do(t, c, "GET", e.URL+"/api/admin/programmes?when=all", nil, e.Admin)
	if list, _ := got.Body["programmes"].([]any); got.Status != 200 || len(list) != 1 {
		t.Fatalf("programmes = %d %s", got.Status, got.Raw)
	}
	enrol := func(phone string) response {
		return do(t, c, "POST", e.URL+"/api/admin/enrolments", map[string]any{"programme_id": p.ID, "phone": phone,
			"name": "刘女士", "children": []map[string]any{{"name": "豆豆", "age": 4}}, "idempotency_key": "desk-" + phone}, e.Admin)
	}
	first := enrol("13800000001")
	second := enrol("13800000002")
	if first.Status != 201 || first.Body["status"] != "confirmed" || first.Body["phone"] != "13800000001" ||
		second.Status != 201 || second.Body["status"] != "waitlisted" {
		t.Fatalf("enrol = %s / %s", first.Raw, second.Raw)
	}
	if again := enrol("13800000001"); again.Status != 200 || again.Body["id"] != first.Body["id"] {
		t.Fatalf("enrol again = %d %s", again.Status, again.Raw)
	}
	if bad := do(t, c, "POST", e.URL+"/api/admin/enrolments", map[string]any{"programme_id": p.ID, "phone": "13800000003",
		"children": []map[string]any{{"name": "大宝", "age": 9}}}, e.Admin); bad.ErrorMessage() != "这个项目只收3到6岁的孩子。" {
		t.Fatalf("a child too old = %d %s", bad.Status, bad.Raw)
	}

	cancel := do(t, c, "POST", fmt.Sprintf("%s/api/admin/enrolments/%v/cancel", e.URL, first.Body["id"]), map[string]any{"reason": "孩子生病"}, e.Admin)
	if cancel.Status != 200 || cancel.Body["status"] != "cancelled" {
		t.Fatalf("cancel = %d %s", cancel.Status, cancel.Raw)
	}
	confirm := do(t, c, "POST", fmt.Sprintf("%s/api/admin/enrolments/%v/confirm", e.URL, second.Body["id"]), map[string]any{}, e.Admin)
	if confirm.Status != 200 || confirm.Body["status"] != "confirmed" {
		t.Fatalf("confirm = %d %s", confirm.Status, confirm.Raw)
	}
	if again := do(t, c, "POST", fmt.Sprintf("%s/api/admin/enrolments/%v/confirm", e.URL, second.Body["id"]), map[string]any{}, e.Admin); again.Status != 409 {
		t.Fatalf("confirm again = %d %s", again.Status, again.Raw)
	}

	off := do(t, c, "POST", fmt.Sprintf("%s/api/admin/programmes/%d/cancel", e.URL, p.ID), map[string]any{"reason": "场地维修"}, e.Admin)
	if off.Status != 200 || off.Body["status"] != "cancelled" || off.Body["taken"] != float64(0) {
		t.Fatalf("cancel programme = %d %s", off.Status, off.Raw)
	}
	msgs, _ := e.DB.Messages(context.Background(), "13800000002", 10)
	if len(msgs) == 0 || msgs[0].Kind != chorus.MsgEnrolled || msgs[0].Params["status"] != "已取消" {
		t.Fatalf("the guardian's messages = %+v", msgs)
	}
	if list := do(t, c, "GET", e.URL+"/api/admin/programmes?when=cancelled", nil, e.Admin); !strings.Contains(string(list.Raw), "寒假托管班") {
		t.Fatalf("cancelled programmes = %s", list.Raw)
	}
}

// A resident whose SMS failed gets it again; one who asked to stop is
// stopped, then resumed when she asks.
func TestStaff_ResendAndOptOut(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ctx := context.Background()
	ev := e.MustEvent(t, 1, 5, false)
	if _, err := e.DB.Book(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13800000001"}); err != nil {
		t.Fatal(err)
	}
	msgs, _ := e.DB.Messages(ctx, "13800000001", 1)
	url := fmt.Sprintf("%s/api/admin/messages/%d/resend", e.URL, msgs[0].ID)
	if got := do(t, c, "POST", url, map[string]any{}, e.Admin); got.Status != 409 || got.ErrorMessage() != "这条短信还在发送中,不用重发。" {
		t.Fatalf("resend a queued one = %d %s", got.Status, got.Raw)
	}
	if err := e.DB.MarkFailed(ctx, msgs[0].ID, "isv.MOBILE_NUMBER_ILLEGAL", "号码格式错误", e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	got := do(t, c, "POST", url, map[string]any{}, e.Admin)
	if got.Status != 201 || got.Body["status"] != "queued" || got.Body["id"] == float64(msgs[0].ID) || got.Body["kind"] != "booking_confirm" {
		t.Fatalf("resend = %d %s", got.Status, got.Raw)
	}

	opt := e.URL + "/api/admin/residents/138-0000-0001/optout"
	if got := do(t, c, "PUT", opt, map[string]any{"opted_out": true}, e.Admin); got.Status != 200 || got.Body["opted_out"] != true {
		t.Fatalf("opt out = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", opt, map[string]any{}, e.Admin); got.ErrorCode() != "invalid" || !strings.Contains(got.ErrorMessage(), "停止还是恢复") {
		t.Fatalf("no opted_out = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", e.URL+"/api/admin/residents/12345/optout", map[string]any{"opted_out": false}, e.Admin); got.ErrorCode() != "invalid" {
		t.Fatalf("bad phone = %d %s", got.Status, got.Raw)
	}
	if got := do(t, c, "PUT", opt, map[string]any{"opted_out": false}, e.Admin); got.Status != 200 || got.Body["opted_out"] != false {
		t.Fatalf("opt in = %d %s", got.Status, got.Raw)
	}
}

// dialLive opens the console's live feed with the headers' session.
func dialLive(t *testing.T, e *env, header map[string]string, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	for k, v := range header {
		h.Set(k, v)
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.URL, "http")+"/api/admin/live", h)
	if conn != nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, res, err
}

// readFrame reads one frame of the live feed within a bound.
func readFrame(t *testing.T, conn *websocket.Conn) map[string]any {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var v map[string]any
	if err := conn.ReadJSON(&v); err != nil {
		t.Fatalf("read live frame: %v", err)
	}
	return v
}

// The console's live feed names what changed after each commit, and
// only to staff of this site.
func TestStaff_LiveFeed(t *testing.T) {
	e := MustServe(t)
	ev := e.MustEvent(t, 1, 5, false)

	conn, res, err := dialLive(t, e, e.Admin, e.URL)
	if err != nil {
		t.Fatal(res, err)
	}
	if f := readFrame(t, conn); f["type"] != "hello" {
		t.Fatalf("first frame = %v", f)
	}
	if _, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13800000001"}); err != nil {
		t.Fatal(err)
	}
	// The booking's topics may come in one frame or two (the notification
	// can land while the first is being written); both must come.
	seen := map[string]bool{}
	for !seen["events"] || !seen["sms"] {
		f := readFrame(t, conn)
		if f["type"] != "changed" {
			t.Fatalf("frame = %v", f)
		}
		for _, x := range f["topics"].([]any) {
			seen[x.(string)] = true
		}
	}
	e.Server.NotifyTopics("kiosks", "no-such-topic")
	if f := readFrame(t, conn); fmt.Sprint(f["topics"]) != "[kiosks]" {
		t.Fatalf("kiosks frame = %v", f)
	}

	t.Run("ErrNoSession", func(t *testing.T) {
		_, res, err := dialLive(t, e, nil, e.URL)
		if err == nil || res == nil || res.StatusCode != 401 {
			t.Fatalf("without a session: %v %v", res, err)
		}
	})
	t.Run("ErrKioskToken", func(t *testing.T) {
		_, res, err := dialLive(t, e, e.Kiosk, e.URL)
		if err == nil || res == nil || res.StatusCode != 401 {
			t.Fatalf("with a kiosk token: %v %v", res, err)
		}
	})
	t.Run("ErrOtherOrigin", func(t *testing.T) {
		_, res, err := dialLive(t, e, e.Admin, "http://evil.example")
		if err == nil || res == nil || res.StatusCode != 403 {
			t.Fatalf("from another site: %v %v", res, err)
		}
	})
	t.Run("ErrNotWebsocket", func(t *testing.T) {
		got := do(t, http.DefaultClient, "GET", e.URL+"/api/admin/live", nil, e.Admin)
		if got.ErrorCode() != "invalid" {
			t.Fatalf("plain GET = %d %s", got.Status, got.Raw)
		}
	})

	// Shutting down closes the feed with a reason the page can show.
	e.Server.CloseStreams()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err = conn.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("after CloseStreams: %v", err)
	}
}

// TestStaff_TimesInCommunityZone: every time the API writes is in the
// community's zone (+08:00), never the server process's (UTC here, "Z").
func TestStaff_TimesInCommunityZone(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ctx := context.Background()
	ev := e.MustEvent(t, 1, 5, true)
	b, err := e.DB.Book(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13800000001", Name: "张阿姨"})
	if err != nil {
		t.Fatal(err)
	}
	p := &chorus.Programme{Title: "寒假托管班", PlaceID: e.Place, StartDate: "2027-01-18", EndDate: "2027-02-05", MinAge: 3, MaxAge: 6, Capacity: 5}
	if err := e.DB.CreateProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	zulu := regexp.MustCompile(`"\d{4}-\d\d-\d\dT[0-9:.]+Z"`)
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/me", nil},
		{"GET", "/api/admin/staff", nil},
		{"GET", "/api/admin/audit", nil},
		{"GET", "/api/events", nil},
		{"GET", "/api/admin/events?when=all", nil},
		{"GET", "/api/programmes", nil},
		{"GET", "/api/admin/programmes?when=all", nil},
		{"GET", fmt.Sprintf("/api/admin/bookings/%d", b.ID), nil},
		{"GET", fmt.Sprintf("/api/admin/events/%d/bookings", ev.ID), nil},
		{"GET", "/api/admin/messages", nil},
		{"GET", "/api/admin/residents/13800000001", nil},
		{"PUT", "/api/admin/residents/13800000001", map[string]any{"name": "张阿姨"}},
		{"PUT", "/api/admin/residents/13800000001/optout", map[string]any{"opted_out": false}},
		{"POST", "/api/admin/enrolments", map[string]any{"programme_id": p.ID, "phone": "13800000002", "children": []map[string]any{{"age": 4}}}},
		{"GET", fmt.Sprintf("/api/admin/programmes/%d/enrolments", p.ID), nil},
	} {
		got := do(t, c, r.method, e.URL+r.path, r.body, e.Admin)
		if got.Status >= 300 {
			t.Errorf("%s %s = %d %s", r.method, r.path, got.Status, got.Raw)
		} else if z := zulu.Find(got.Raw); z != nil {
			t.Errorf("%s %s writes %s", r.method, r.path, z)
		}
	}
}

// A barber calls the desk instead of replying 接: staff record it.
func TestStaff_PartnerAnswer(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ctx := context.Background()
	estate := &chorus.Estate{Name: "光华街16号院"}
	if err := e.DB.SaveEstate(ctx, estate); err != nil {
		t.Fatal(err)
	}
	barber := &chorus.Partner{Name: "巧手理发店", Kind: chorus.PartnerBarbershop, Phones: []string{"13903510002"},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut}, Active: true}
	if err := e.DB.SavePartner(ctx, barber); err != nil {
		t.Fatal(err)
	}
	o, err := e.DB.RequestHaircut(ctx, chorus.HaircutRequest{Phone: "13712345678", Name: "石女士",
		Address: chorus.Address{EstateID: estate.ID, Unit: "3", Room: "502"}, Day: "2026-12-02", HalfDay: chorus.Afternoon})
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("%s/api/admin/orders/%d/answer", e.URL, o.ID)
	for _, tc := range []struct {
		body any
		code string
		msg  string
	}{
		{map[string]any{"intent": "accept"}, "invalid", "请选择是哪个共建单位打来的电话。"},
		{map[string]any{"partner_id": barber.ID, "intent": "confirm"}, "invalid", "只能代为接单、完成或退单。"},
		{map[string]any{"partner_id": barber.ID, "intent": "done"}, "conflict", fmt.Sprintf("%d号订单不是巧手理发店接的,或已经结束了。", o.ID)},
		{map[string]any{"partner_id": 999, "intent": "accept"}, "not_found", "没有找到这个共建单位。"},
	} {
		if got := do(t, c, "POST", url, tc.body, e.Admin); got.ErrorCode() != tc.code || got.ErrorMessage() != tc.msg {
			t.Errorf("%v = %d %s", tc.body, got.Status, got.Raw)
		}
	}
	got := do(t, c, "POST", url, map[string]any{"partner_id": barber.ID, "intent": "accept"}, e.Admin)
	if got.Status != 200 || got.Body["status"] != "accepted" || got.Body["partner"] != "巧手理发店" {
		t.Fatalf("accept = %d %s", got.Status, got.Raw)
	}
	// Her page lists her orders.
	mine := do(t, c, "GET", e.URL+"/api/admin/orders?phone=137-1234-5678", nil, e.Admin)
	if list, _ := mine.Body["orders"].([]any); mine.Status != 200 || len(list) != 1 {
		t.Fatalf("orders of her phone = %d %s", mine.Status, mine.Raw)
	}
	if none := do(t, c, "GET", e.URL+"/api/admin/orders?phone=13900000000", nil, e.Admin); string(none.Raw) != "{\"orders\":[]}\n" {
		t.Errorf("orders of another phone = %s", none.Raw)
	}
	if bad := do(t, c, "GET", e.URL+"/api/admin/orders?phone=12", nil, e.Admin); bad.ErrorCode() != "invalid" {
		t.Errorf("a bad phone = %d %s", bad.Status, bad.Raw)
	}
}

// A reply Chorus did not understand is settled by staff with a note.
func TestStaff_SettleInbound(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	in, _, err := e.DB.HandleInbound(context.Background(), chorus.Inbound{Phone: "13812345678", Content: "明天下雨还来吗",
		SequenceID: "up-7", Intent: chorus.IntentUnknown})
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("%s/api/admin/inbox/%d/settle", e.URL, in.ID)
	got := do(t, c, "POST", url, map[string]any{"note": "  已回电:照常举行  "}, e.Admin)
	if got.Status != 200 || got.Body["handled"] != true || got.Body["outcome"] != "工作人员李婷已处理:已回电:照常举行" {
		t.Fatalf("settle = %d %s", got.Status, got.Raw)
	}
	if again := do(t, c, "POST", url, map[string]any{}, e.Admin); again.Status != 409 || again.ErrorMessage() != "这条回复已经处理过了。" {
		t.Fatalf("again = %d %s", again.Status, again.Raw)
	}
	if none := do(t, c, "POST", e.URL+"/api/admin/inbox/999/settle", map[string]any{}, e.Admin); none.ErrorMessage() != "没有找到这个回复。" {
		t.Fatalf("unknown = %d %s", none.Status, none.Raw)
	}
	left := do(t, c, "GET", e.URL+"/api/admin/inbox", nil, e.Admin)
	if string(left.Raw) != "{\"inbox\":[]}\n" {
		t.Errorf("inbox after = %s", left.Raw)
	}
}
