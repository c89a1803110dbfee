package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
)

// The isolation matrix (issue 16): two communities on one deployment,
// 光华街 (A, community 1) and 和泽苑 (B, community 2). Every route of the
// route table that names an object in its path is called with community
// B's object by A's staff and A's kiosk, who must get 404 or 403 and none
// of B's data; every list A's staff read holds none of B's unique
// strings; the district admin, acting in A, reads B's objects.

// districtPair is the two communities' records the matrix uses.
type districtPair struct {
	*env
	// A's admin (community 1 only), B's admin, the district admin.
	AAdmin, BAdmin, District map[string]string
	// AKiosk is community A's paired kiosk (env.Kiosk); AProof the same
	// kiosk with B's resident's phone verified (a resident of B standing
	// at A's kiosk, typing their own code).
	AKiosk, AProof map[string]string
	// Community B's objects, by the kind of path parameter they fill.
	B map[string]string
	// BStrings are strings only B's records hold: none may reach A.
	BStrings []string
	// BEvent is B's event; BSlot2 its second slot (for moves).
	BEvent *chorus.Event
	BSlot2 int64
	// BSignupCode is the check-in code of B's volunteer's signup.
	BSignupCode string
}

const (
	bPhone   = "13812340002" // 钱大娘, 和泽苑一区, community B's resident
	bPartner = "13603520002" // 和泽苑惠民大药房, serves B only
	// bVolunteer is 和泽苑志愿者孙, community B's volunteer.
	bVolunteer = "13712340002"
)

// mustDistrictPair seeds both communities. Community B is added as the
// district admin adds one, and its records are made in B's scope.
func mustDistrictPair(t *testing.T) *districtPair {
	t.Helper()
	e := MustServe(t)
	ctx := context.Background()
	db := e.DB
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const B = 2
	hz := chorus.WithScope(ctx, chorus.Scope{Community: B})
	one, err := db.Community(ctx)
	must(err)
	one.Name, one.SignName = "光华街社区", "光华街社区"
	must(db.SetCommunity(ctx, one))
	hzc := &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区"}
	must(db.AddCommunity(ctx, hzc))
	if hzc.ID != B {
		t.Fatalf("和泽苑社区 is community %d, want %d", hzc.ID, B)
	}
	p := &districtPair{env: e, AKiosk: e.Kiosk, B: map[string]string{}}
	p.AAdmin = e.Admin
	p.District = e.loginIn(t, 1, "jiedao", chorus.RoleAdmin, true)

	// B's staff member, estate, place, partner, resident.
	guona := &chorus.Staff{Username: "guona", Name: "郭娜", Role: chorus.RoleAdmin}
	must(db.CreateStaff(hz, guona, "hezeyuan-2026"))
	p.B["staff"] = fmt.Sprint(guona.ID)
	estate := &chorus.Estate{Name: "和泽苑一区", Buildings: 6, Units: 3}
	must(db.SaveEstate(hz, estate))
	p.B["estate"] = fmt.Sprint(estate.ID)
	place := &chorus.Place{Name: "和泽苑活动室", Address: "和泽苑社区服务中心一楼"}
	must(db.SavePlace(hz, place))
	p.B["place"] = fmt.Sprint(place.ID)
	partner := &chorus.Partner{Name: "和泽苑惠民大药房", Kind: chorus.PartnerPharmacy, Phones: []string{bPartner},
		Services: []chorus.ServiceKind{chorus.ServiceMedicine}, OpensAt: "00:00", ClosesAt: "23:59", Active: true}
	must(db.SavePartner(hz, partner))
	p.B["partner"] = fmt.Sprint(partner.ID)
	// B's partner lends its 和泽苑图书室 (issue 19), closed on New Year's Eve.
	library := &chorus.Place{Name: "和泽苑图书室", Address: "和泽苑二区"}
	must(db.SavePlace(hz, library))
	must(db.SaveVenue(hz, &chorus.Venue{PlaceID: library.ID, PartnerID: partner.ID, Capacity: 30,
		Hours: []chorus.OpeningRule{{Weekdays: []int{1, 2, 3, 4, 5, 6, 7}, Start: "08:00", End: "20:00", Mode: chorus.VenueModeEvent}}}))
	reading := time.Date(2026, 12, 4, 14, 0, 0, 0, shanghai)
	must(db.CreateEvent(hz, &chorus.Event{Kind: chorus.ServiceLecture, Title: "和泽苑读书会", PlaceID: library.ID,
		Slots: []chorus.Slot{{Start: reading, End: reading.Add(time.Hour), Capacity: 20}}}))
	reqs, err := db.VenueRequests(hz, chorus.VenuePending, 1)
	must(err)
	p.B["venue_request"] = fmt.Sprint(reqs[0].ID)
	closure := &chorus.Closure{PlaceID: library.ID, From: "2026-12-31", To: "2026-12-31", Reason: "和泽苑盘点"}
	_, err = db.AddClosure(hz, closure)
	must(err)
	p.B["venue"], p.B["closure"] = fmt.Sprint(library.ID), fmt.Sprint(closure.ID)
	qian := &chorus.Resident{Phone: bPhone, Name: "钱大娘", Address: chorus.Address{EstateID: estate.ID, Building: "5", Unit: "2", Room: "602"}}
	must(db.SaveResident(hz, qian))
	p.B["resident"] = bPhone
	p.B["community"] = fmt.Sprint(B)
	// B's time bank (issue 20): 钱大娘's account with a grant from the
	// pool, and her help request (nobody to ask yet: staff arrange it).
	grant, err := db.GrantHours(hz, qian.ID, 120, "staff:guona", "和泽苑孤寡老人补贴")
	must(err)
	p.B["bank_transfer"], p.B["bank_account"] = fmt.Sprint(grant.ID), fmt.Sprint(grant.Entries[1].AccountID)
	help, err := db.AskHelp(hz, chorus.HelpAsk{ResidentID: qian.ID, Service: "陪伴聊天", Day: "2026-12-02", HalfDay: chorus.Morning,
		Note: "和泽苑陪聊", Channel: "staff"}, true, "staff:guona")
	must(err)
	p.B["help_request"] = fmt.Sprint(help.ID)

	// B's event with two slots, a booking, a programme and an enrolment,
	// an order, a reply in the inbox, a kiosk and an announcement.
	day := time.Date(2026, 12, 4, 9, 0, 0, 0, shanghai)
	ev := &chorus.Event{Kind: chorus.ServiceLecture, Title: "和泽苑硬笔书法课", PlaceID: place.ID, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: day, End: day.Add(time.Hour), Capacity: 20}, {Start: day.Add(time.Hour), End: day.Add(2 * time.Hour), Capacity: 20}}}
	must(db.CreateEvent(hz, ev))
	p.BEvent, p.BSlot2 = ev, ev.Slots[1].ID
	p.B["event"] = fmt.Sprint(ev.ID)
	b, err := db.Book(hz, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: bPhone, Name: "钱大娘",
		Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
	must(err)
	p.B["booking"] = fmt.Sprint(b.ID)
	prog := &chorus.Programme{Title: "和泽苑寒假托管班", PlaceID: place.ID, StartDate: "2026-12-21", EndDate: "2027-01-10",
		MinAge: 3, MaxAge: 10, Capacity: 25}
	must(db.CreateProgramme(hz, prog))
	p.B["programme"] = fmt.Sprint(prog.ID)
	en, err := db.Enrol(hz, chorus.EnrolmentRequest{ProgrammeID: prog.ID, Phone: bPhone, Name: "钱大娘",
		Children: []chorus.Child{{Name: "钱小朵", Age: 6}}, Actor: chorus.ActorStaff})
	must(err)
	p.B["enrolment"] = fmt.Sprint(en.ID)
	class := &chorus.Class{Title: "和泽苑瑜伽课", Teacher: "和泽苑李老师", PartnerID: partner.ID, PlaceID: place.ID, Weekday: 4,
		StartTime: "18:30", EndTime: "19:30", FirstDate: "2026-12-03", LastDate: "2027-01-28", Capacity: 15}
	must(db.CreateClass(hz, class))
	p.B["class"] = fmt.Sprint(class.ID)
	o, err := db.CreateOrder(hz, chorus.OrderRequest{Kind: chorus.ServiceMedicine, HaircutRequest: chorus.HaircutRequest{
		Phone: bPhone, Name: "钱大娘", Address: qian.Address, Day: "2026-12-02", HalfDay: chorus.Morning, Notes: "和泽苑降压药", Actor: chorus.ActorStaff}})
	must(err)
	p.B["order"] = fmt.Sprint(o.ID)
	in, _, err := db.HandleInbound(ctx, chorus.Inbound{Phone: bPhone, Content: "和泽苑的暖气不热", SequenceID: "iso-1", Intent: chorus.IntentUnknown})
	must(err)
	p.B["inbox"] = fmt.Sprint(in.ID)
	k, code, err := db.CreateKiosk(hz, "和泽苑一楼自助机", place.ID)
	must(err)
	_, _, err = db.Pair(ctx, code)
	must(err)
	p.B["kiosk"] = fmt.Sprint(k.ID)
	ann := &chorus.Announcement{Text: "和泽苑明日停水通知", PlaceID: place.ID, ExpiresAt: day}
	must(db.CreateAnnouncement(hz, ann))
	// B's volunteer (issue 20), who gave 3 hours on B's 靓丽星期五 (the
	// clock moved to the shift's end and back to record them).
	bVol := &chorus.Volunteer{Name: "和泽苑志愿者孙", Phone: bVolunteer, PartnerID: partner.ID, Kinds: []string{"环境整治"}, Consent: true}
	must(db.SaveVolunteer(hz, bVol))
	p.B["volunteer"] = fmt.Sprint(bVol.ID)
	act := &chorus.Activity{Kind: "环境整治", Title: "和泽苑靓丽星期五", Place: "和泽苑一区", Weekly: true}
	must(db.SaveActivity(hz, act))
	p.B["activity"] = fmt.Sprint(act.ID)
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, shanghai)
	shifts, err := db.AddShifts(hz, chorus.Shift{ActivityID: act.ID, Start: fri, End: fri.Add(3 * time.Hour), Task: "和泽苑清扫", Capacity: 5}, 1)
	must(err)
	p.B["shift"] = fmt.Sprint(shifts[0].ID)
	signup, err := db.SignUp(hz, shifts[0].ID, bVol.ID, chorus.JoinStaff)
	must(err)
	p.B["signup"], p.BSignupCode = fmt.Sprint(signup.ID), signup.Code
	was := e.Clock.Now()
	e.Clock.Set(fri.Add(4 * time.Hour))
	signup, err = db.SetPresence(hz, signup.ID, fri, fri.Add(3*time.Hour), "staff:guona")
	e.Clock.Set(was)
	must(err)
	p.B["claim"] = fmt.Sprint(signup.ClaimID)
	msgs, err := db.Messages(hz, bPhone, 10)
	must(err)
	if len(msgs) == 0 {
		t.Fatal("community B's resident has no SMS")
	}
	p.B["message"] = fmt.Sprint(msgs[0].ID)
	p.BAdmin = loginStaff(t, e, "guona", "hezeyuan-2026")
	p.AProof = e.MustVerify(t, e.Kiosk, bPhone)
	p.BStrings = []string{"和泽苑", "钱大娘", bPhone, "郭娜", bPartner, "钱小朵", bVolunteer}
	return p
}

// loginStaff logs an existing staff account in and returns its headers.
func loginStaff(t *testing.T, e *env, username, password string) map[string]string {
	t.Helper()
	req, _ := http.NewRequest("POST", e.URL+"/api/login", strings.NewReader(`{"username":"`+username+`","password":"`+password+`"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		t.Fatalf("login %s = %d, %v", username, res.StatusCode, err)
	}
	var cookie string
	for _, c := range res.Cookies() {
		if c.Name == server.SessionCookie {
			cookie = c.Name + "=" + c.Value
		}
	}
	return map[string]string{"Cookie": cookie, server.CSRFHeader: body.CSRF}
}

// isolationRow says what a route's path parameter means and what to send.
type isolationRow struct {
	// Param is the kind of community B's object that fills {id} or
	// {phone}: event, booking, programme, enrolment, order, message,
	// inbox, kiosk, staff, place, estate, partner, resident.
	Param string
	// Body is the request's body (a valid one, so that only the
	// community can refuse it); nil for none.
	Body func(p *districtPair) any
	// Query is added to the URL (a search's words).
	Query string
	// Skip says why the route is not in the matrix (public by design).
	Skip string
	// Conflict, when set, says why A's caller is refused with 409 rather
	// than 404 or 403 (the answer still names nothing of B's).
	Conflict string
}

// isolationTable has a row for every route whose path names an object.
// A route added to the table without a row fails the test.
var isolationTable = map[string]isolationRow{
	// Public by design: the handler checks a secret or a signed token.
	"GET /qr/{file}":                         {Skip: "a QR image named by its signed token"},
	"GET /c/{token}":                         {Skip: "a signed check-in link"},
	"POST /sms/push/{secret}/report":         {Skip: "Alibaba's pushes, by the push secret"},
	"POST /sms/push/{secret}/up":             {Skip: "Alibaba's pushes, by the push secret"},
	"POST /voice/push/{secret}/events":       {Skip: "the voice pushes, by the push secret"},
	"POST /voice/push/{secret}/reports":      {Skip: "the voice pushes, by the push secret"},
	"GET /api/events/{id}":                   {Skip: "public: an event is on every kiosk of its community and of the district when open"},
	"GET /api/programmes/{id}":               {Skip: "public, as events"},
	"PUT /api/admin/staff/{id}":              {Param: "staff", Body: func(p *districtPair) any { return map[string]any{"name": "改名", "role": "staff"} }},
	"DELETE /api/admin/staff/{id}/community": {Param: "staff"},
	"PUT /api/admin/places/{id}":             {Param: "place", Body: func(p *districtPair) any { return map[string]any{"name": "改名的活动室", "address": "某处"} }},
	"PUT /api/admin/estates/{id}":            {Param: "estate", Body: func(p *districtPair) any { return map[string]any{"name": "改名小区", "buildings": 1, "units": 1} }},
	"PUT /api/admin/partners/{id}":           {Param: "partner", Body: partnerBody},
	"PUT /api/admin/venues/{id}": {Param: "venue", Body: func(p *districtPair) any {
		return map[string]any{"partner_id": p.id("partner"), "capacity": 10}
	}},
	"POST /api/admin/venues/{id}/closures": {Param: "venue", Body: func(p *districtPair) any {
		return map[string]any{"from": "2027-01-01", "to": "2027-01-02"}
	}},
	"DELETE /api/admin/venues/closures/{id}": {Param: "closure"},
	"PUT /api/admin/holidays/{date}":         {Skip: "deployment-wide: the national calendar, no community's records"},
	"DELETE /api/admin/holidays/{date}":      {Skip: "deployment-wide: the national calendar, no community's records"},
	"POST /api/admin/venue-requests/{id}/answer": {Param: "venue_request", Body: func(p *districtPair) any {
		return map[string]any{"answer": "agree"}
	}},
	"POST /api/admin/help-requests/{id}/complete": {Param: "help_request", Body: func(p *districtPair) any { return map[string]any{"hours": "1.5"} }},
	"POST /api/admin/help-requests/{id}/confirm":  {Param: "help_request"},
	"POST /api/admin/help-requests/{id}/approve":  {Param: "help_request", Body: func(p *districtPair) any { return map[string]any{"pool_pays": true} }},
	"POST /api/admin/help-requests/{id}/cancel":   {Param: "help_request"},
	"GET /api/admin/bank/accounts/{id}":           {Param: "bank_account"},
	"POST /api/admin/bank/accounts/{id}/code":     {Param: "bank_account"},
	"POST /api/admin/bank/transfers/{id}/reverse": {Param: "bank_transfer", Body: func(p *districtPair) any { return map[string]any{"reason": "录错"} }},
	"PUT /api/admin/residents/{phone}/birth-year": {Param: "resident", Body: func(p *districtPair) any { return map[string]any{"birth_year": 1950} }},
	"GET /api/admin/residents/{phone}":            {Param: "resident"},
	"PUT /api/admin/residents/{phone}": {Param: "resident", Body: func(p *districtPair) any { return map[string]any{"name": "改名"} },
		Conflict: "a phone is one resident's in the deployment: registering it again elsewhere is a conflict, told without naming whose"},
	"PUT /api/admin/residents/{phone}/optout": {Param: "resident", Body: func(p *districtPair) any { return map[string]any{"opted_out": true} }},
	"PUT /api/district/communities/{id}": {Param: "community", Body: func(p *districtPair) any {
		return map[string]any{"name": "改名社区", "sign_name": "改名社区"}
	}},
	"PUT /api/admin/events/{id}":                   {Param: "event", Body: eventBody},
	"POST /api/admin/events/{id}/cancel":           {Param: "event", Body: func(p *districtPair) any { return map[string]any{"reason": "下雨"} }},
	"GET /api/admin/events/{id}/bookings":          {Param: "event"},
	"GET /api/admin/events/{id}/attendance":        {Param: "event"},
	"GET /api/admin/events/{id}/attendance/stream": {Param: "event"},
	"GET /api/admin/events/{id}/search":            {Param: "event", Query: "?q=%E9%92%B1"},
	"GET /api/admin/events/{id}/bookings.csv":      {Param: "event"},
	"GET /api/admin/events/{id}/attendance.csv":    {Param: "event"},
	"GET /staff/events/{id}/signin":                {Param: "event"},
	"GET /api/admin/bookings/{id}":                 {Param: "booking"},
	"POST /api/admin/bookings/{id}/transition":     {Param: "booking", Body: func(p *districtPair) any { return map[string]any{"to": "cancelled", "reason": "测试"} }},
	"POST /api/admin/bookings/{id}/move":           {Param: "booking", Body: func(p *districtPair) any { return map[string]any{"slot_id": p.BSlot2} }},
	"POST /api/admin/programmes/{id}/cancel":       {Param: "programme", Body: func(p *districtPair) any { return map[string]any{"reason": "取消"} }},
	"PUT /api/admin/programmes/{id}":               {Param: "programme", Body: programmeBody},
	"GET /api/admin/programmes/{id}/enrolments":    {Param: "programme"},
	"POST /api/admin/enrolments/{id}/cancel":       {Param: "enrolment", Body: func(p *districtPair) any { return map[string]any{} }},
	"POST /api/admin/enrolments/{id}/confirm":      {Param: "enrolment", Body: func(p *districtPair) any { return map[string]any{} }},
	"GET /api/admin/classes/{id}":                  {Param: "class"},
	"PUT /api/admin/classes/{id}":                  {Param: "class", Body: classBody},
	"GET /api/admin/classes/{id}/enrolments":       {Param: "class"},
	"POST /api/admin/classes/{id}/enrolments":      {Param: "class", Body: func(p *districtPair) any { return map[string]any{"phone": "13800000077", "name": "孙大爷"} }},
	"GET /api/admin/classes/{id}/attendance":       {Param: "class", Query: "?date=2026-12-03"},
	"POST /api/admin/classes/{id}/attendance": {Param: "class", Body: func(p *districtPair) any {
		return map[string]any{"date": "2026-12-03", "enrolment_id": 1, "mark": "present"}
	}},
	"GET /api/admin/classes/{id}/attendance.csv":  {Param: "class"},
	"POST /api/admin/classes/{id}/checkin":        {Param: "class", Body: func(p *districtPair) any { return map[string]any{"code": "123456"} }},
	"GET /api/admin/classes/{id}/search":          {Param: "class", Query: "?q=%E7%8E%8B&date=2026-12-03"},
	"POST /api/admin/classes/{id}/cancel-session": {Param: "class", Body: func(p *districtPair) any { return map[string]any{"date": "2026-12-10", "reason": "老师生病"} }},
	"POST /api/admin/classes/{id}/sessions":       {Param: "class", Body: func(p *districtPair) any { return map[string]any{"date": "2026-12-12"} }},
	"GET /api/admin/orders/{id}":                  {Param: "order"},
	"POST /api/admin/orders/{id}/cancel":          {Param: "order", Body: func(p *districtPair) any { return map[string]any{"note": "不需要了"} }},
	"POST /api/admin/orders/{id}/answer":          {Param: "order", Body: func(p *districtPair) any { return map[string]any{"partner_id": p.id("partner"), "intent": "accept"} }},
	"POST /api/admin/orders/{id}/confirm":         {Param: "order", Body: func(p *districtPair) any { return map[string]any{} }},
	"POST /api/admin/messages/{id}/resend":        {Param: "message", Body: func(p *districtPair) any { return map[string]any{} }},
	"POST /api/admin/inbox/{id}/settle":           {Param: "inbox", Body: func(p *districtPair) any { return map[string]any{"note": "已处理"} }},
	"PUT /api/admin/kiosks/{id}":                  {Param: "kiosk", Body: func(p *districtPair) any { return map[string]any{"name": "改名", "place_id": p.Place} }},
	"POST /api/admin/kiosks/{id}/pairing":         {Param: "kiosk", Body: func(p *districtPair) any { return map[string]any{} }},
	"POST /api/admin/kiosks/{id}/revoke":          {Param: "kiosk", Body: func(p *districtPair) any { return map[string]any{} }},
	"PUT /api/admin/kiosks/{id}/mode":             {Param: "kiosk", Body: func(p *districtPair) any { return map[string]any{"kind": "booking"} }},
	"PUT /api/admin/kiosks/{id}/settings":         {Param: "kiosk", Body: func(p *districtPair) any { return map[string]any{"idle_seconds": 120, "text_size": 1} }},
	"POST /api/admin/kiosks/{id}/reload":          {Param: "kiosk", Body: func(p *districtPair) any { return map[string]any{} }},
	// Volunteers and their activities (issue 20).
	"GET /api/admin/volunteers/{id}": {Param: "volunteer"},
	"PUT /api/admin/volunteers/{id}": {Param: "volunteer", Body: func(p *districtPair) any {
		return map[string]any{"name": "改名", "phone": bVolunteer, "consent": true}
	}},
	"GET /staff/volunteers/{id}/certificate":   {Param: "volunteer"},
	"GET /api/admin/volunteer-activities/{id}": {Param: "activity"},
	"PUT /api/admin/volunteer-activities/{id}": {Param: "activity", Body: func(p *districtPair) any {
		return map[string]any{"kind": "环境整治", "title": "改名的活动", "place": "某处"}
	}},
	"POST /api/admin/volunteer-activities/{id}/shifts": {Param: "activity", Body: func(p *districtPair) any {
		start := time.Date(2026, 12, 11, 8, 30, 0, 0, shanghai)
		return map[string]any{"start": start, "end": start.Add(time.Hour), "task": "清扫", "capacity": 3}
	}},
	"GET /api/admin/shifts/{id}/roster":    {Param: "shift"},
	"POST /api/admin/shifts/{id}/signups":  {Param: "shift", Body: func(p *districtPair) any { return map[string]any{"volunteer_id": p.id("volunteer")} }},
	"POST /api/admin/shifts/{id}/callout":  {Param: "shift", Body: func(p *districtPair) any { return map[string]any{} }},
	"POST /api/admin/shifts/{id}/presence": {Param: "shift", Body: func(p *districtPair) any { return map[string]any{"code": p.BSignupCode} }},
	"POST /api/admin/signups/{id}/cancel":  {Param: "signup", Body: func(p *districtPair) any { return map[string]any{} }},
	"PUT /api/admin/signups/{id}/presence": {Param: "signup", Body: presenceBody},
	"POST /api/admin/hours/{id}/decide":    {Param: "claim", Body: func(p *districtPair) any { return map[string]any{"confirm": true} }},
	"POST /api/admin/hours/{id}/correct":   {Param: "claim", Body: func(p *districtPair) any { return map[string]any{"minutes": 60, "note": "更正"} }},
	"POST /api/volunteer-shifts/{id}/signups": {Param: "shift", Body: func(p *districtPair) any {
		return map[string]any{"phone": bPhone, "name": "钱大娘", "consent": true}
	}},
	// Resident routes: B's resident at A's kiosk, their phone verified.
	"POST /api/bookings/{id}/cancel":      {Param: "booking", Body: func(p *districtPair) any { return map[string]any{"phone": bPhone} }},
	"POST /api/bookings/{id}/move":        {Param: "booking", Body: func(p *districtPair) any { return map[string]any{"phone": bPhone, "slot_id": p.BSlot2} }},
	"POST /api/bookings/{id}/resend-code": {Param: "booking", Body: func(p *districtPair) any { return map[string]any{"phone": bPhone} }},
	"POST /api/orders/{id}/cancel":        {Param: "order", Body: func(p *districtPair) any { return map[string]any{"phone": bPhone} }},
	"POST /api/haircuts/{id}/day": {Param: "order", Body: func(p *districtPair) any {
		return map[string]any{"phone": bPhone, "day": "2026-12-03", "half_day": "am"}
	}},
	"POST /api/enrolments/{id}/cancel": {Param: "enrolment", Body: func(p *districtPair) any { return map[string]any{"phone": bPhone} }},
}

func presenceBody(p *districtPair) any {
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, shanghai)
	return map[string]any{"check_in": fri, "check_out": fri.Add(time.Hour)}
}

func partnerBody(p *districtPair) any {
	return map[string]any{"name": "改名药房", "kind": "pharmacy", "phones": []string{bPartner}, "services": []string{"medicine"},
		"opens_at": "08:00", "closes_at": "22:00", "active": true}
}

func eventBody(p *districtPair) any {
	e := p.BEvent
	slots := []map[string]any{}
	for _, s := range e.Slots {
		slots = append(slots, map[string]any{"id": s.ID, "start": s.Start, "end": s.End, "capacity": s.Capacity})
	}
	return map[string]any{"kind": e.Kind, "title": "改名的课", "place_id": e.PlaceID, "cutoff_minutes": 60, "slots": slots}
}

func programmeBody(p *districtPair) any {
	return map[string]any{"title": "改名的托管班", "place_id": p.id("place"), "start_date": "2026-12-21", "end_date": "2027-01-10",
		"min_age": 3, "max_age": 10, "capacity": 25}
}

func classBody(p *districtPair) any {
	return map[string]any{"title": "改名的瑜伽课", "teacher": "李老师", "partner_id": p.id("partner"), "place_id": p.id("place"),
		"weekday": 4, "start_time": "18:30", "end_time": "19:30", "first_date": "2026-12-03", "last_date": "2027-01-28", "capacity": 15}
}

// id returns community B's object of kind as a number.
func (p *districtPair) id(kind string) int64 {
	n, err := strconv.ParseInt(p.B[kind], 10, 64)
	if err != nil {
		panic(kind)
	}
	return n
}

var pathParam = regexp.MustCompile(`\{(id|phone)\}`)

// TestIsolation_Matrix: for every route naming an object, community A's
// admin and A's kiosk (with B's resident's phone verified there) get 404
// or 403 for community B's object, with none of B's data in the answer;
// the district admin reads B's objects (GET routes).
func TestIsolation_Matrix(t *testing.T) {
	p := mustDistrictPair(t)
	client := &http.Client{Timeout: 5 * time.Second} // a stream wrongly opened ends
	type call struct {
		rt          server.Route
		row         isolationRow
		method, url string
	}
	var calls []call
	for _, rt := range p.Server.Routes() {
		pattern := rt.Pattern
		if rt.Guard == server.GuardPage || !strings.Contains(pattern, "{") {
			continue
		}
		row, ok := isolationTable[pattern]
		if !ok {
			t.Errorf("%s: no row in isolationTable: say which object its path names", pattern)
			continue
		}
		if row.Skip != "" {
			continue
		}
		method, path, _ := strings.Cut(pattern, " ")
		val, ok := p.B[row.Param]
		if !ok {
			t.Fatalf("%s: no community B object %q", pattern, row.Param)
		}
		calls = append(calls, call{rt, row, method, p.URL + pathParam.ReplaceAllString(path, val) + row.Query})
	}
	// The district admin, acting in A, reads each of B's objects (before
	// anything could change them).
	for _, c := range calls {
		if c.method != "GET" || c.rt.Guard == server.GuardKiosk || strings.HasSuffix(c.url, "/stream") {
			continue
		}
		t.Run("district "+c.rt.Pattern, func(t *testing.T) {
			if got := isolationDo(t, client, c.method, c.url, nil, p.District); got.Status != 200 {
				t.Errorf("the district admin's %s = %d %.200s", c.url, got.Status, got.Raw)
			}
		})
	}
	// A's admin, and A's kiosk on resident routes, get nothing of B's.
	for _, c := range calls {
		var body any
		if c.row.Body != nil {
			body = c.row.Body(p)
		}
		callers := []struct {
			who string
			h   map[string]string
		}{{"A's admin", p.AAdmin}}
		if c.rt.Guard == server.GuardKiosk {
			callers = append(callers, struct {
				who string
				h   map[string]string
			}{"A's kiosk", p.AProof})
		}
		for _, caller := range callers {
			t.Run(caller.who+" "+c.rt.Pattern, func(t *testing.T) {
				got := isolationDo(t, client, c.method, c.url, body, caller.h)
				refused := got.Status == http.StatusNotFound || got.Status == http.StatusForbidden ||
					c.row.Conflict != "" && got.Status == http.StatusConflict
				if !refused {
					t.Errorf("%s %s = %d %.200s; want 404 or 403", c.method, c.url, got.Status, got.Raw)
				}
				for _, s := range p.BStrings {
					if strings.Contains(string(got.Raw), s) {
						t.Errorf("the answer holds community B's %q: %.300s", s, got.Raw)
					}
				}
			})
		}
	}
}

// isolationDo is do with a client of its own (a timeout for streams) and
// without failing on a body that is not JSON (CSV, HTML).
func isolationDo(t *testing.T, client *http.Client, method, url string, body any, h map[string]string) response {
	t.Helper()
	return do(t, client, method, url, body, h)
}

// isolationLists are the lists and searches community A's staff read:
// none may hold community B's strings.
var isolationLists = []string{
	"GET /api/admin/staff", "GET /api/admin/audit", "GET /api/admin/status",
	"GET /api/places", "GET /api/estates", "GET /api/events", "GET /api/programmes",
	"GET /api/admin/partners", "GET /api/admin/partners/stats",
	"GET /api/admin/events", "GET /api/admin/events?when=all", "GET /api/admin/programmes",
	"GET /api/admin/classes", "GET /api/admin/classes?when=all", "GET /api/classes",
	"GET /api/admin/orders", "GET /api/admin/messages", "GET /api/admin/messages?phone=" + bPhone,
	"GET /api/admin/inbox", "GET /api/admin/calls", "GET /api/admin/kiosks", "GET /api/admin/announcements",
	"GET /api/community", "GET /api/admin/throttles", "GET /api/kiosk/me",
	"GET /api/admin/venues", "GET /api/admin/venue-requests",
	"GET /api/admin/help-requests", "GET /api/admin/bank/accounts", "GET /api/admin/bank/rules",
	"GET /api/admin/holidays", // deployment-wide: the national calendar, no community's records
	"GET /api/admin/volunteers", "GET /api/admin/volunteer-activities", "GET /api/admin/hours",
	"GET /api/admin/volunteer-figures", "GET /api/volunteer-shifts",
}

// TestIsolation_Lists: every list and search community A's admin reads
// holds none of community B's names, phones and titles, and B's own admin
// reads B's records in the same lists (TestIsolation_Matrix covers the
// district admin and single objects).
func TestIsolation_Lists(t *testing.T) {
	p := mustDistrictPair(t)
	listed := map[string]bool{}
	for _, rt := range p.Server.Routes() {
		if strings.HasPrefix(rt.Pattern, "GET /api/") && !strings.Contains(rt.Pattern, "{") && rt.Guard != server.GuardKiosk {
			listed[rt.Pattern] = false
		}
	}
	for _, l := range isolationLists {
		route, _, _ := strings.Cut(l, "?")
		if _, ok := listed[route]; ok {
			listed[route] = true
		}
		method, path, _ := strings.Cut(l, " ")
		if strings.HasSuffix(path, "/live") {
			continue
		}
		for who, h := range map[string]map[string]string{"A's admin": p.AAdmin, "A's kiosk": p.AKiosk} {
			if who == "A's kiosk" && strings.HasPrefix(path, "/api/admin/") || who == "A's admin" && strings.HasPrefix(path, "/api/kiosk/") {
				continue // the other's routes
			}
			got := do(t, http.DefaultClient, method, p.URL+path, nil, h)
			if got.Status != 200 {
				t.Errorf("%s's %s = %d %.200s", who, l, got.Status, got.Raw)
				continue
			}
			raw := string(got.Raw)
			if strings.HasPrefix(path, "/api/admin/messages") {
				raw = withoutOwnCodes(t, got.Raw)
			}
			for _, s := range p.BStrings {
				if strings.Contains(raw, s) {
					t.Errorf("%s's %s holds community B's %q", who, l, s)
				}
			}
		}
	}
	for route, seen := range listed {
		switch route {
		case "GET /api/me", "GET /api/admin/live", "GET /api/district/figures", "GET /api/district/partners", "GET /api/district/communities":
			continue // the caller's own, a stream, the district's
		}
		if !seen {
			t.Errorf("%s: a list route missing from isolationLists", route)
		}
	}
	// B's own admin sees B's records in the same lists.
	got := do(t, http.DefaultClient, "GET", p.URL+"/api/admin/events?when=all", nil, p.BAdmin)
	if got.Status != 200 || !strings.Contains(string(got.Raw), "和泽苑硬笔书法课") {
		t.Errorf("B's admin's events = %d %.300s", got.Status, got.Raw)
	}
}

// withoutOwnCodes returns a message list without its verification codes:
// B's resident typed their phone at A's kiosk (AProof), and the code's SMS
// that A's kiosk sent is A's own message, signed 【光华街社区】.
func withoutOwnCodes(t *testing.T, raw []byte) string {
	t.Helper()
	var body struct {
		Messages []map[string]any `json:"messages"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("messages: %v: %.200s", err, raw)
	}
	kept := body.Messages[:0]
	for _, m := range body.Messages {
		if m["kind"] != string(chorus.MsgVerifyCode) {
			kept = append(kept, m)
		}
	}
	out, _ := json.Marshal(kept)
	return string(out)
}
