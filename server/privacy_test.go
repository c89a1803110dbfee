package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/kiosk"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sqlite"
)

// residentRoutes returns every resident route of the route table: the
// "kiosk or staff" routes, kiosk("POST /api/bookings", …).
func residentRoutes(t *testing.T) []route {
	t.Helper()
	var out []route
	for _, r := range tableRoutes(server.GuardKiosk) {
		out = append(out, route{"resident", r.method, r.path})
	}
	if len(out) < 12 {
		t.Fatalf("found only %d resident routes: %v", len(out), out)
	}
	return out
}

// TestPrivacy_EveryResidentRouteNeedsCredentials: without a kiosk token or
// a staff session every resident route answers 401 in Chinese; a token
// in ?token= is no token.
func TestPrivacy_EveryResidentRouteNeedsCredentials(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	tok := strings.TrimPrefix(e.Kiosk["Authorization"], "Bearer ")
	for _, r := range residentRoutes(t) {
		path := strings.ReplaceAll(r.path, "{id}", "1") + "?phone=13812345678"
		body := any(nil)
		if r.method != "GET" {
			body = map[string]any{"phone": "13812345678"}
		}
		for _, url := range []string{e.URL + path, e.URL + path + "&token=" + tok} {
			got := do(t, c, r.method, url, body, nil)
			if got.Status != http.StatusUnauthorized || got.ErrorCode() != chorus.EUNAUTHORIZED || !strings.Contains(got.ErrorMessage(), "自助机") {
				t.Errorf("%s %s anonymous = %d %s", r.method, url, got.Status, got.Raw)
			}
		}
	}
}

// TestPrivacy_StaffOnResidentRoutes (from the operations issue): a staff
// cookie on a resident route is held to what staff routes ask: a change
// without the CSRF token is refused, one with it is done in the staff
// member's name and written to the audit log.
func TestPrivacy_StaffOnResidentRoutes(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ev := e.MustEvent(t, 1, 5, false)
	noCSRF := map[string]string{"Cookie": e.Admin["Cookie"]}
	for _, r := range residentRoutes(t) {
		if r.method == "GET" {
			continue
		}
		path := strings.ReplaceAll(r.path, "{id}", "1")
		got := do(t, c, r.method, e.URL+path, map[string]any{"phone": "13812345678"}, noCSRF)
		if got.Status != http.StatusForbidden || !strings.Contains(got.ErrorMessage(), "刷新") {
			t.Errorf("%s %s with a staff cookie and no CSRF token = %d %s", r.method, path, got.Status, got.Raw)
		}
	}
	b, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13812345678"})
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("%s/api/bookings/%d/cancel", e.URL, b.ID)
	if got := do(t, c, "POST", url, map[string]any{"phone": "13812345678"}, e.Admin); got.Status != 200 {
		t.Fatalf("staff cancel = %d %s", got.Status, got.Raw)
	}
	hist, err := e.DB.History(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := hist[len(hist)-1]; last.To != chorus.StatusCancelled || last.Actor != "staff:liting" {
		t.Fatalf("cancel recorded as %+v, want staff:liting", last)
	}
	audit := do(t, c, "GET", e.URL+"/api/admin/audit", nil, e.Admin)
	if !strings.Contains(string(audit.Raw), `"action":"POST /api/bookings/{id}/cancel"`) {
		t.Fatalf("audit log = %s", audit.Raw)
	}
}

// seededResident is a resident with everything a stranger must not learn.
type seededResident struct {
	Phone     string
	Secrets   []string // names, address parts, family, children, codes, tokens
	BookingID int64
	EventID   int64
	Programme int64
	OrderID   int64
}

// seedResident stores 李秀英 with her address, her son, her grandson's
// enrolment, a confirmed booking and a haircut order, as staff would.
func seedResident(t *testing.T, e *env) seededResident {
	t.Helper()
	ctx := context.Background()
	est := &chorus.Estate{Name: "光华街8号院"}
	if err := e.DB.SaveEstate(ctx, est); err != nil {
		t.Fatal(err)
	}
	phone := "13812345678"
	res := &chorus.Resident{Phone: phone, Name: "李秀英",
		Address: chorus.Address{EstateID: est.ID, Building: "3", Unit: "2", Room: "501"},
		Family:  []chorus.FamilyContact{{Name: "王建国", Phone: "13900001111", Relation: "儿子"}}}
	if err := e.DB.SaveResident(ctx, res); err != nil {
		t.Fatal(err)
	}
	ev := e.MustEvent(t, 2, 5, false)
	b, err := e.DB.Book(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: phone, Name: "李秀英",
		Confirmed: true, Actor: "staff:liting"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = e.DB.Booking(ctx, b.ID)
	p := &chorus.Programme{Title: "寒假托管班", PlaceID: e.Place, StartDate: "2027-01-18", EndDate: "2027-02-14",
		MinAge: 4, MaxAge: 12, Capacity: 10}
	if err := e.DB.CreateProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: p.ID, Phone: phone, Name: "李秀英",
		Children: []chorus.Child{{Name: "王小明", Age: 6}}}); err != nil {
		t.Fatal(err)
	}
	o, err := e.DB.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceRepair, HaircutRequest: chorus.HaircutRequest{
		Phone: phone, Address: res.Address, Day: "2026-12-03", HalfDay: chorus.Morning, Notes: "钥匙在门口鞋柜"}})
	if err != nil {
		t.Fatal(err)
	}
	return seededResident{Phone: phone, BookingID: b.ID, EventID: ev.ID, Programme: p.ID, OrderID: o.ID,
		Secrets: []string{"李秀英", "秀英", "501", "2单元", "王建国", "13900001111", "王小明", "小明", "鞋柜",
			`"` + b.Code + `"`, b.CheckinToken, phone}}
}

// TestPrivacy_PhoneAloneRevealsNothing calls every kiosk-reachable route
// with only a resident's phone and a kiosk token, and fails if any answer
// holds her name, address, family, grandson, a check-in code or token
// (other than those of the booking just made).
func TestPrivacy_PhoneAloneRevealsNothing(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	r := seedResident(t, e)
	other := e.MustEvent(t, 1, 5, false)
	bodies := map[string]any{
		"POST /api/bookings": map[string]any{"event_id": r.EventID, "slot_id": 0, "phone": r.Phone, "name": "李**"},
		"POST /api/haircuts": map[string]any{"phone": r.Phone, "name": "李**", "day": "2026-12-04", "half_day": "pm"},
		"POST /api/enrolments": map[string]any{"programme_id": r.Programme, "phone": r.Phone,
			"children": []map[string]any{{"age": 6}}},
		"POST /api/verify/check": map[string]any{"phone": r.Phone, "code": "000000"},
	}
	ids := map[string]int64{"bookings": r.BookingID, "enrolments": 1, "orders": r.OrderID}
	seen := 0
	for _, rt := range residentRoutes(t) {
		key := rt.method + " " + rt.path
		path := rt.path
		for res, id := range ids {
			path = strings.Replace(path, "/api/"+res+"/{id}", fmt.Sprintf("/api/%s/%d", res, id), 1)
		}
		var body any
		if rt.method == "GET" {
			path += "?phone=" + r.Phone
		} else if b, ok := bodies[key]; ok {
			body = b
		} else {
			body = map[string]any{"phone": r.Phone}
		}
		got := do(t, c, rt.method, e.URL+path, body, e.Kiosk)
		seen++
		for _, s := range r.Secrets {
			if s != "" && strings.Contains(string(got.Raw), s) {
				t.Errorf("%s answers %q: %s", key, s, got.Raw)
			}
		}
		if strings.HasSuffix(key, "/cancel") && got.Status != http.StatusForbidden {
			t.Errorf("%s without the verification code = %d %s", key, got.Status, got.Raw)
		}
	}
	// The existing booking asked for again shows no code; a new booking
	// of another event shows its own, for the done screen and the slip.
	again := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": r.EventID,
		"slot_id": 1, "phone": r.Phone, "name": "李**"}, e.Kiosk)
	if again.Status != 200 || again.Body["code"] != "" || again.Body["name"] != "李**" {
		t.Fatalf("existing booking = %d %s", again.Status, again.Raw)
	}
	fresh := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": other.ID,
		"slot_id": other.Slots[0].ID, "phone": r.Phone, "name": "李**"}, e.Kiosk)
	if code, _ := fresh.Body["code"].(string); fresh.Status != 201 || len(code) != 6 || fresh.Body["name"] != "李**" {
		t.Fatalf("new booking = %d %s", fresh.Status, fresh.Raw)
	}
	// A retry of that request (same idempotency key, same kiosk) is still
	// the moment of booking; the same key from another kiosk is not.
	third := e.MustEvent(t, 1, 5, false)
	retry := func(k map[string]string) response {
		return do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": third.ID, "slot_id": third.Slots[0].ID,
			"phone": r.Phone, "idempotency_key": "kiosk-retry-1"}, k)
	}
	first := retry(e.Kiosk)
	if first.Status != 201 {
		t.Fatalf("first = %d %s", first.Status, first.Raw)
	}
	if again := retry(e.Kiosk); again.Status != 200 || again.Body["code"] != first.Body["code"] || again.Body["code"] == "" {
		t.Fatalf("retry = %d %s", again.Status, again.Raw)
	}
	if stranger := retry(e.MustPairKiosk(t)); stranger.Status != 200 || stranger.Body["code"] != "" {
		t.Fatalf("the key from another kiosk = %d %s", stranger.Status, stranger.Raw)
	}
	// The masked name chosen on the kiosk is stored as the real one.
	stored, err := e.DB.Booking(context.Background(), int64(fresh.Body["id"].(float64)))
	if err != nil || stored.Name != "李秀英" {
		t.Fatalf("stored name = %q, %v", stored.Name, err)
	}
	// Staff see all of it.
	staff := do(t, c, "GET", e.URL+"/api/bookings?phone="+r.Phone, nil, e.Admin)
	if !strings.Contains(string(staff.Raw), r.Secrets[9]) {
		t.Fatalf("staff lookup lacks the code: %s", staff.Raw)
	}
	if names := do(t, c, "GET", e.URL+"/api/names?phone="+r.Phone, nil, e.Kiosk); !strings.Contains(string(names.Raw), `"李**"`) {
		t.Fatalf("names = %s", names.Raw)
	}
	if addr := do(t, c, "GET", e.URL+"/api/address?phone="+r.Phone, nil, e.Kiosk); !strings.Contains(string(addr.Raw), "光华街8号院3号楼…") {
		t.Fatalf("address = %s", addr.Raw)
	}
}

// TestPrivacy_Verification: cancelling at a kiosk takes the SMS code; the
// code is single-use, expires after 5 minutes, locks after 5 wrong tries,
// and each one costs one of the phone's daily SMS.
func TestPrivacy_Verification(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ev := e.MustEvent(t, 1, 5, false)
	phone := "13812345678"
	b, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: phone})
	if err != nil {
		t.Fatal(err)
	}
	cancel := fmt.Sprintf("%s/api/bookings/%d/cancel", e.URL, b.ID)
	send := func() response {
		return do(t, c, "POST", e.URL+"/api/verify", map[string]any{"phone": phone}, e.Kiosk)
	}
	check := func(code string) response {
		return do(t, c, "POST", e.URL+"/api/verify/check", map[string]any{"phone": phone, "code": code}, e.Kiosk)
	}
	wrong := func(code string) string { // a code that is not code
		if code == "000000" {
			return "111111"
		}
		return "000000"
	}

	t.Run("ErrWithoutCode", func(t *testing.T) {
		got := do(t, c, "POST", cancel, map[string]any{"phone": phone}, e.Kiosk)
		if got.Status != http.StatusForbidden || !strings.Contains(got.ErrorMessage(), "验证码") {
			t.Fatalf("cancel without code = %d %s", got.Status, got.Raw)
		}
		list := do(t, c, "GET", e.URL+"/api/bookings?phone="+phone, nil, e.Kiosk)
		if strings.Contains(string(list.Raw), b.Code) {
			t.Fatalf("lookup shows the code: %s", list.Raw)
		}
	})
	t.Run("SentAndCounted", func(t *testing.T) {
		got := send()
		if got.Status != 200 || !strings.Contains(got.Body["message"].(string), "尾号5678") {
			t.Fatalf("send = %d %s", got.Status, got.Raw)
		}
		code := e.lastCode(t, phone)
		if len(code) != 6 || strings.Contains(string(got.Raw), code) {
			t.Fatalf("code %q, answer %s", code, got.Raw)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		code := e.lastCode(t, phone)
		e.Clock.Add(chorus.VerifyCodeTTL)
		if got := check(code); got.Status != http.StatusConflict || !strings.Contains(got.ErrorMessage(), "过期") {
			t.Fatalf("expired = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("LockedAfterFiveWrong", func(t *testing.T) {
		send()
		code := e.lastCode(t, phone)
		for i := 1; i < chorus.VerifyMaxTries; i++ {
			if got := check(wrong(code)); got.Status != http.StatusBadRequest || !strings.Contains(got.ErrorMessage(), fmt.Sprintf("再试%d次", chorus.VerifyMaxTries-i)) {
				t.Fatalf("wrong try %d = %d %s", i, got.Status, got.Raw)
			}
		}
		if got := check(wrong(code)); got.Status != http.StatusConflict || !strings.Contains(got.ErrorMessage(), "太多次") {
			t.Fatalf("5th wrong try = %d %s", got.Status, got.Raw)
		}
		if got := check(code); got.Status != http.StatusConflict {
			t.Fatalf("right code after the lock = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("CancelWithCodeOnce", func(t *testing.T) {
		send()
		code := e.lastCode(t, phone)
		got := check(code)
		proof, _ := got.Body["proof"].(string)
		if got.Status != 200 || proof == "" {
			t.Fatalf("check = %d %s", got.Status, got.Raw)
		}
		if again := check(code); again.Status != http.StatusConflict || !strings.Contains(again.ErrorMessage(), "用过") {
			t.Fatalf("the code twice = %d %s", again.Status, again.Raw)
		}
		verified := with(e.Kiosk, map[string]string{server.ProofHeader: proof})
		// The proof is for this kiosk only.
		other := with(e.MustPairKiosk(t), map[string]string{server.ProofHeader: proof})
		if got := do(t, c, "POST", cancel, map[string]any{"phone": phone}, other); got.Status != http.StatusForbidden {
			t.Fatalf("proof on another kiosk = %d %s", got.Status, got.Raw)
		}
		list := do(t, c, "GET", e.URL+"/api/bookings?phone="+phone, nil, verified)
		if !strings.Contains(string(list.Raw), `"code":"`+b.Code+`"`) {
			t.Fatalf("verified lookup lacks the code: %s", list.Raw)
		}
		if got := do(t, c, "POST", cancel, map[string]any{"phone": phone}, verified); got.Status != 200 || got.Body["status"] != "cancelled" {
			t.Fatalf("cancel with code = %d %s", got.Status, got.Raw)
		}
		e.Clock.Add(chorus.VerifyProofTTL)
		if got := do(t, c, "GET", e.URL+"/api/bookings?phone="+phone, nil, verified); strings.Contains(string(got.Raw), `"code":"`+b.Code) {
			t.Fatalf("the proof outlived its time: %s", got.Raw)
		}
	})
	t.Run("ErrBudget", func(t *testing.T) {
		// 4 codes today plus the booking's SMS: the phone's 5 a day are used.
		got := send()
		if got.Status != http.StatusConflict || !strings.Contains(got.ErrorMessage(), "短信") {
			t.Fatalf("send over the budget = %d %s", got.Status, got.Raw)
		}
	})
}

// TestPrivacy_KioskHaircutWaitsForReply: a haircut asked at a kiosk texts
// the phone and goes to no barber until the reply 1; then it is
// dispatched. An unanswered one is cancelled after the confirm window.
func TestPrivacy_KioskHaircutWaitsForReply(t *testing.T) {
	e := mustServeSMS(t)
	c := http.DefaultClient
	est := do(t, c, "POST", e.URL+"/api/admin/estates", map[string]any{"name": "光华街16号院"}, e.Admin)
	partner := map[string]any{"name": "巧手理发店", "kind": "barbershop", "phones": []string{"13903510002"},
		"services": []string{"haircut"}, "opens_at": "00:00", "closes_at": "00:00", "priority": 1, "active": true}
	if got := do(t, c, "POST", e.URL+"/api/admin/partners", partner, e.Admin); got.Status != 201 {
		t.Fatalf("partner = %d %s", got.Status, got.Raw)
	}
	ask := func(phone string) response {
		addr := map[string]any{"estate_id": est.Body["id"], "building": "2", "unit": "3", "room": "502"}
		return do(t, c, "POST", e.URL+"/api/haircuts", map[string]any{"phone": phone, "name": "", "address": addr,
			"day": "2026-12-02", "half_day": "pm"}, e.Kiosk)
	}
	barberSMS := func() int {
		n := 0
		for _, s := range e.Fake.Sends() {
			if s.Phone == "13903510002" && s.TemplateCode == "SMS_CHORUS_PARTNER_ORDER" {
				n++
			}
		}
		return n
	}
	order := ask("13912345678")
	if order.Status != 201 || order.Body["status"] != "requested" || order.Body["awaiting_reply"] != true {
		t.Fatalf("order = %d %s", order.Status, order.Raw)
	}
	if strings.Contains(string(order.Raw), "502") {
		t.Fatalf("the kiosk answer shows the room: %s", order.Raw)
	}
	e.drain(t)
	if n := barberSMS(); n != 0 {
		t.Fatalf("%d barber SMS before the reply 1", n)
	}
	var asked bool
	for _, s := range e.Fake.Sends() {
		asked = asked || (s.Phone == "13912345678" && s.TemplateCode == "SMS_CHORUS_ORDER_CONFIRM" && s.Params["time"] == "12月2日周三下午")
	}
	if !asked {
		t.Fatalf("the resident was not asked to reply 1: %+v", e.Fake.Sends())
	}
	body := `[{"phone_number":"13912345678","content":"1","send_time":"2026-12-01 08:10:00","sequence_id":"h1"}]`
	if got := e.push(t, "up", body); got.Status != 200 {
		t.Fatalf("push = %d %s", got.Status, got.Raw)
	}
	e.drain(t)
	if n := barberSMS(); n != 1 {
		t.Fatalf("%d barber SMS after the reply 1, want 1", n)
	}
	o, err := e.DB.Order(context.Background(), int64(order.Body["id"].(float64)))
	if err != nil || o.Status != chorus.OrderDispatched || o.AwaitingReply {
		t.Fatalf("order after the reply = %+v, %v", o, err)
	}

	// Staff who confirmed with the resident by telephone dispatch it
	// themselves (an opted-out phone gets no SMS to reply to); the
	// timeline says who; a second confirm is refused; a kiosk cannot.
	t.Run("StaffConfirmByTelephone", func(t *testing.T) {
		o := ask("13612345678")
		path := e.URL + "/api/admin/orders/" + jsonID(o.Body["id"]) + "/confirm"
		if got := do(t, c, "POST", path, nil, e.Kiosk); got.Status != http.StatusUnauthorized {
			t.Fatalf("a kiosk confirming = %d %s", got.Status, got.Raw)
		}
		got := do(t, c, "POST", path, nil, e.Admin)
		if got.Status != 200 || got.Body["status"] != "dispatched" || got.Body["awaiting_reply"] == true {
			t.Fatalf("staff confirm = %d %s", got.Status, got.Raw)
		}
		tl := do(t, c, "GET", e.URL+"/api/admin/orders/"+jsonID(o.Body["id"]), nil, e.Admin)
		if !strings.Contains(string(tl.Raw), "工作人员电话核实后确认") || !strings.Contains(string(tl.Raw), "staff:") {
			t.Fatalf("timeline = %s", tl.Raw)
		}
		if again := do(t, c, "POST", path, nil, e.Admin); again.Status != http.StatusConflict || again.ErrorMessage() == "" {
			t.Fatalf("second confirm = %d %s", again.Status, again.Raw)
		}
	})

	t.Run("UnansweredCancelled", func(t *testing.T) {
		late := ask("13712345678")
		e.Clock.Add(25 * time.Hour)
		if _, err := e.DB.DispatchDue(context.Background(), e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		o, err := e.DB.Order(context.Background(), int64(late.Body["id"].(float64)))
		if err != nil || o.Status != chorus.OrderCancelled {
			t.Fatalf("unanswered order = %+v, %v", o, err)
		}
	})
}

// TestPrivacy_Limits: a flood of bookings from one kiosk gets 429 with the
// sentence the kiosk shows, and other kiosks go on; one phone's
// unconfirmed bookings and one kiosk's are bounded.
func TestPrivacy_Limits(t *testing.T) {
	t.Run("KioskFlood", func(t *testing.T) {
		e := MustServe(t)
		c := http.DefaultClient
		ev := e.MustEvent(t, 1, 200, false)
		book := func(i int, k map[string]string) response {
			return do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[0].ID,
				"phone": fmt.Sprintf("1370000%04d", i)}, k)
		}
		statuses := map[int]int{}
		for i := range 30 {
			got := book(i, e.Kiosk)
			statuses[got.Status]++
			if got.Status == http.StatusTooManyRequests && (got.ErrorMessage() != chorus.TooOften || got.ErrorCode() != chorus.ELIMIT) {
				t.Fatalf("429 = %s", got.Raw)
			}
		}
		if statuses[201] != server.DefaultKioskActionsPerMinute || statuses[429] != 30-server.DefaultKioskActionsPerMinute {
			t.Fatalf("statuses = %v", statuses)
		}
		if got := book(100, e.MustPairKiosk(t)); got.Status != 201 {
			t.Fatalf("another kiosk = %d %s", got.Status, got.Raw)
		}
		if got := do(t, c, "GET", e.URL+"/api/bookings?phone=13700000001", nil, e.Kiosk); got.Status != 200 {
			t.Fatalf("look-ups have their own limit: %d", got.Status)
		}
		e.Clock.Add(time.Minute)
		if got := book(101, e.Kiosk); got.Status != 201 {
			t.Fatalf("a minute later = %d %s", got.Status, got.Raw)
		}
		// Staff are not held to a kiosk's limits.
		for i := range 3 {
			if got := book(200+i, e.Admin); got.Status != 201 {
				t.Fatalf("staff = %d %s", got.Status, got.Raw)
			}
		}
	})
	t.Run("PendingBounds", func(t *testing.T) {
		e := serve(t, func(db *sqlite.DB, _ *server.Server, _ *kiosk.Hub) {
			db.Limits = chorus.Limits{PendingPerKiosk: 4, PendingPerPhone: 2}
		}).finish(t)
		c := http.DefaultClient
		ev := e.MustEvent(t, 6, 10, false)
		book := func(slot int, phone string) response {
			return do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[slot].ID,
				"phone": phone}, e.Kiosk)
		}
		other := e.MustEvent(t, 1, 10, false)
		third := e.MustEvent(t, 1, 10, false)
		for _, ev := range []*chorus.Event{ev, other} {
			if got := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[0].ID,
				"phone": "13600000001"}, e.Kiosk); got.Status != 201 || got.Body["status"] != "pending" {
				t.Fatalf("book = %d %s", got.Status, got.Raw)
			}
		}
		got := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": third.ID, "slot_id": third.Slots[0].ID,
			"phone": "13600000001"}, e.Kiosk)
		if got.Status != http.StatusTooManyRequests || !strings.Contains(got.ErrorMessage(), "回复1") {
			t.Fatalf("third pending of a phone = %d %s", got.Status, got.Raw)
		}
		book(1, "13600000002")
		book(2, "13600000003")
		got = book(3, "13600000004")
		if got.Status != http.StatusTooManyRequests || !strings.Contains(got.ErrorMessage(), "自助机") {
			t.Fatalf("fifth pending of a kiosk = %d %s", got.Status, got.Raw)
		}
		if now, err := e.DB.Event(context.Background(), ev.ID); err != nil || now.Slots[3].Taken != 0 {
			t.Fatalf("the refused booking kept its seat: %+v, %v", now.Slots[3], err)
		}
		if got := do(t, c, "POST", e.URL+"/api/bookings", map[string]any{"event_id": ev.ID, "slot_id": ev.Slots[3].ID,
			"phone": "13600000004"}, e.MustPairKiosk(t)); got.Status != 201 {
			t.Fatalf("another kiosk = %d %s", got.Status, got.Raw)
		}
	})
	t.Run("PerPhone", func(t *testing.T) {
		e := MustServe(t)
		c := http.DefaultClient
		for i := range server.DefaultPhonePerDay {
			k := e.MustPairKiosk(t) // not the kiosk's limit
			if got := do(t, c, "POST", e.URL+"/api/verify", map[string]any{"phone": "13500000000"}, k); got.Status == http.StatusTooManyRequests {
				t.Fatalf("request %d = 429", i)
			}
		}
		got := do(t, c, "POST", e.URL+"/api/verify", map[string]any{"phone": "135 0000 0000"}, e.Kiosk)
		if got.Status != http.StatusTooManyRequests {
			t.Fatalf("over the phone's day = %d %s", got.Status, got.Raw)
		}
	})
}

// FuzzVerification types anything a kiosk could send as a verification
// code (or a phone to text one to): the answer is a Chinese sentence with
// 200, 400, 403, 409 or 429, never a 500, and nothing is cancelled.
func FuzzVerification(f *testing.F) {
	e := serve(f, func(_ *sqlite.DB, s *server.Server, _ *kiosk.Hub) {
		s.Limits = server.RateLimits{KioskActionsPerMinute: -1, KioskLookupsPerMinute: -1, PhonePerDay: -1}
	}).finish(f)
	ev := e.MustEvent(f, 1, 5, false)
	b, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13812345678"})
	if err != nil {
		f.Fatal(err)
	}
	if got := do(f, http.DefaultClient, "POST", e.URL+"/api/verify", map[string]any{"phone": "13812345678"}, e.Kiosk); got.Status != 200 {
		f.Fatalf("send = %d %s", got.Status, got.Raw)
	}
	f.Add(false, `{"phone":"13812345678","code":"000000"}`)
	f.Add(false, `{"phone":"13812345678","code":"１２３４５６"}`)
	f.Add(false, `{"phone":"13812345678","code":123456}`)
	f.Add(false, `{"phone":"13812345678","code":"`+strings.Repeat("9", 1000)+`"}`)
	f.Add(true, `{"phone":"+86 138 1234 5678"}`)
	f.Add(true, `{"phone":"\u0000"}`)
	f.Fuzz(func(t *testing.T, send bool, body string) {
		path := "/api/verify/check"
		if send {
			path = "/api/verify"
		}
		got := do(t, http.DefaultClient, "POST", e.URL+path, body, e.Kiosk)
		switch got.Status {
		case 200, 400, 403, 409, 429:
			if got.Status != 200 && got.ErrorMessage() == "" {
				t.Fatalf("error without a message: %s", got.Raw)
			}
		default:
			t.Fatalf("status %d for %q: %s", got.Status, body, got.Raw)
		}
		if now, err := e.DB.Booking(t.Context(), b.ID); err != nil || now.Status != chorus.StatusPending {
			t.Fatalf("booking = %+v, %v", now, err)
		}
	})
}

// TestPrivacy_TokensNotLogged: with the request log at debug level, a
// kiosk's token, its websocket ticket and a verification proof never
// reach the log.
func TestPrivacy_TokensNotLogged(t *testing.T) {
	var log syncBuffer
	e := serve(t, func(_ *sqlite.DB, s *server.Server, h *kiosk.Hub) {
		l := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
		s.Logger, h.Logger = l, l
	}).finish(t)
	c := http.DefaultClient
	tok := strings.TrimPrefix(e.Kiosk["Authorization"], "Bearer ")
	tk := do(t, c, "POST", e.URL+"/api/kiosk/ticket", nil, e.Kiosk)
	ticket, _ := tk.Body["ticket"].(string)
	if tk.Status != 200 || ticket == "" {
		t.Fatalf("ticket = %d %s", tk.Status, tk.Raw)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.URL, "http")+"/kiosk/ws?ticket="+ticket, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	verified := e.MustVerify(t, e.Kiosk, "13812345678")
	do(t, c, "GET", e.URL+"/api/bookings?phone=13812345678", nil, verified)
	do(t, c, "GET", e.URL+"/api/bookings?phone=13812345678&token="+tok, nil, nil)
	got := log.String()
	if !strings.Contains(got, "/kiosk/ws") || !strings.Contains(got, "/api/bookings") {
		t.Fatalf("the request log is not on: %s", got)
	}
	for name, secret := range map[string]string{"token": tok, "ticket": ticket, "proof": verified[server.ProofHeader]} {
		if strings.Contains(got, secret) {
			t.Errorf("the log holds the %s: %s", name, got)
		}
	}
}

// TestPrivacy_MovesNeedProof: moving a booking to another slot or a home
// visit to another day takes away what the resident held, as a cancel
// does, so a kiosk that only typed the phone is refused; with the phone's
// SMS code typed at that kiosk the move is made. Staff need no code.
func TestPrivacy_MovesNeedProof(t *testing.T) {
	e := MustServe(t)
	c := http.DefaultClient
	ev := e.MustEvent(t, 2, 5, false)
	phone := "13812345678"
	b, err := e.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: phone})
	if err != nil {
		t.Fatal(err)
	}
	move := fmt.Sprintf("%s/api/bookings/%d/move", e.URL, b.ID)
	body := map[string]any{"phone": phone, "slot_id": ev.Slots[1].ID}
	if got := do(t, c, "POST", move, body, e.Kiosk); got.Status != http.StatusForbidden || !strings.Contains(got.ErrorMessage(), "验证码") {
		t.Fatalf("move without the code = %d %s", got.Status, got.Raw)
	}
	if now, _ := e.DB.Booking(context.Background(), b.ID); now.SlotID != ev.Slots[0].ID {
		t.Fatalf("the booking moved without the code: %+v", now)
	}
	day := e.URL + "/api/haircuts/1/day"
	if got := do(t, c, "POST", day, map[string]any{"phone": phone, "day": "2026-12-02", "half_day": "am"}, e.Kiosk); got.Status != http.StatusForbidden {
		t.Fatalf("haircut day without the code = %d %s", got.Status, got.Raw)
	}
	do(t, c, "POST", e.URL+"/api/verify", map[string]any{"phone": phone}, e.Kiosk)
	proof := do(t, c, "POST", e.URL+"/api/verify/check", map[string]any{"phone": phone, "code": e.lastCode(t, phone)}, e.Kiosk)
	h := map[string]string{server.ProofHeader: proof.Body["proof"].(string)}
	for k, v := range e.Kiosk {
		h[k] = v
	}
	if got := do(t, c, "POST", move, body, h); got.Status != http.StatusOK {
		t.Fatalf("move with the code = %d %s", got.Status, got.Raw)
	}
}
