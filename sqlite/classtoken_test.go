package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDB_ClassCheckInToken: a class enrolment gets a signed check-in token
// as a booking does; scanned at the class's door (a door set to the class
// through CheckIn, or the class's own route) it marks the resident present
// at today's session, once. At an event's door the token names its class
// and is checked in there. Another class's token, or an event booking's,
// at the class's door checks nobody in and says what it is; a forged
// token is unknown; another community's door does not know the token.
func TestDB_ClassCheckInToken(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 5)
	wang := enrolIn(t, db, c, Phone(1))
	li := enrolIn(t, db, c, Phone(2))
	if wang.CheckinToken == "" || wang.CheckinToken == li.CheckinToken {
		t.Fatalf("tokens %q %q: want one each", wang.CheckinToken, li.CheckinToken)
	}
	if err := db.ParseToken(ctx, wang.CheckinToken); err != nil {
		t.Fatalf("token not signed: %v", err)
	}
	list, err := db.ClassEnrolments(ctx, c.ID)
	if err != nil || list[0].CheckinToken != wang.CheckinToken {
		t.Fatalf("token on read %+v, %v", list, err)
	}
	yoga := &chorus.Class{Title: "瑜伽", Teacher: "李萌", PartnerID: c.PartnerID, PlaceID: c.PlaceID,
		Weekday: 4, StartTime: "18:00", EndTime: "19:00", FirstDate: "2026-12-03", LastDate: "2027-01-28", Capacity: 5}
	if err := db.CreateClass(ctx, yoga); err != nil {
		t.Fatal(err)
	}
	zhao := enrolIn(t, db, yoga, Phone(3))
	ev := MustEvent(t, db)
	b := MustBook(t, db, Req(ev, 0, Phone(4)))

	day, _ := time.ParseInLocation(time.DateOnly, "2026-12-03", shanghai)
	clock.Set(day.Add(18*time.Hour + 55*time.Minute))
	door := func(req chorus.CheckinRequest, want chorus.CheckinOutcome, words string) *chorus.CheckinResult {
		t.Helper()
		res, err := db.CheckIn(ctx, req)
		if err != nil || res.Outcome != want || !strings.Contains(res.Message, words) {
			t.Fatalf("check-in %+v: %+v, %v; want %s %q", req, res, err, want, words)
		}
		return res
	}
	res := door(chorus.CheckinRequest{ClassID: c.ID, Token: wang.CheckinToken}, chorus.CheckinOK, "签到成功")
	if res.Booking == nil || res.Booking.EventTitle != "书法班" || res.Booking.Name != "王大爷" || res.Booking.Place != "小礼堂" ||
		res.Booking.ID != 0 || res.Booking.Phone != "" {
		t.Fatalf("who came: %+v", res.Booking)
	}
	door(chorus.CheckinRequest{ClassID: c.ID, Token: wang.CheckinToken}, chorus.CheckinAlready, "已经签到过了")
	// The class's own route takes a token too.
	if res, err := db.ClassCheckIn(ctx, chorus.ClassCheckinRequest{ClassID: c.ID, Token: wang.CheckinToken}); err != nil ||
		res.Outcome != chorus.CheckinAlready {
		t.Fatalf("class route: %+v, %v", res, err)
	}
	// At the event's door (a kiosk in check-in mode), the class's token
	// checks in at its own class.
	door(chorus.CheckinRequest{EventID: ev.ID, Token: li.CheckinToken}, chorus.CheckinOK, "签到成功")
	// Wrong doors.
	door(chorus.CheckinRequest{ClassID: c.ID, Token: zhao.CheckinToken}, chorus.CheckinOtherEvent, "这是「瑜伽」课程的报名,不是这门课")
	door(chorus.CheckinRequest{ClassID: c.ID, Token: b.CheckinToken}, chorus.CheckinOtherEvent, "这是「免费义诊」活动的预约,不是这门课")
	forged := []byte(wang.CheckinToken)
	forged[3] ^= 1
	door(chorus.CheckinRequest{ClassID: c.ID, Token: string(forged)}, chorus.CheckinUnknown, "二维码无效")
	if _, err := db.CheckIn(ctx, chorus.CheckinRequest{ClassID: c.ID, BookingID: b.ID}); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Fatalf("a booking id at a class's door: %v", err)
	}
	// Another community's event door does not know the class's token.
	other := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	if _, err := db.CheckIn(other, chorus.CheckinRequest{ClassID: c.ID, Token: zhao.CheckinToken}); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Fatalf("another community's class door: %v", err)
	}

	roster, err := db.SessionRoster(ctx, c.ID, "2026-12-03")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range roster {
		if a.Mark != chorus.AttendancePresent {
			t.Errorf("roster %+v: both came", a)
		}
	}
	if r, _ := db.SessionRoster(ctx, yoga.ID, "2026-12-03"); len(r) != 1 || r[0].Mark != "" {
		t.Errorf("瑜伽 roster %+v: nobody checked in there", r)
	}
	if got := MustBooking(t, db, b.ID); got.Status == chorus.StatusCheckedIn {
		t.Errorf("the booking was checked in at the class's door")
	}
}

// TestDB_ClassEnrolledSMS: a class enrolment that holds a place sends the
// class_enrolled SMS to the phone that enrolled, with the class, its
// weekday and time, the venue and the check-in code; no family contact
// gets a copy (a code checks anyone in). A waitlisted enrolment gets the
// programmes' enrolled SMS, without a code.
func TestDB_ClassEnrolledSMS(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 1)
	if err := db.SaveResident(ctx, &chorus.Resident{Phone: Phone(1), Name: "王大爷",
		Family: []chorus.FamilyContact{{Name: "王小明", Phone: Phone(9)}}}); err != nil {
		t.Fatal(err)
	}
	wang := enrolIn(t, db, c, Phone(1))
	msgs := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgClassEnrolled)
	want := map[string]string{"event": "书法班", "time": "每星期四19:00", "place": "小礼堂", "code": wang.Code}
	if len(msgs) != 1 || msgs[0].EnrolmentID != wang.ID || len(msgs[0].Params) != len(want) {
		t.Fatalf("class_enrolled to the resident: %+v", msgs)
	}
	for k, v := range want {
		if msgs[0].Params[k] != v {
			t.Errorf("param %s = %q, want %q", k, msgs[0].Params[k], v)
		}
	}
	if m := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgEnrolled); len(m) != 0 {
		t.Errorf("also the programmes' enrolled SMS: %+v", m)
	}
	for _, m := range MustMessages(t, db, Phone(9)) {
		if strings.Contains(strings.Join([]string{m.Params["code"], m.Params["status"]}, " "), wang.Code) || m.Kind == chorus.MsgClassEnrolled {
			t.Errorf("the family got the code: %+v", m)
		}
	}
	zhao := enrolIn(t, db, c, Phone(2)) // the class is full
	if zhao.Status != chorus.StatusWaitlisted {
		t.Fatalf("zhao %+v", zhao)
	}
	if m := MessagesOf(MustMessages(t, db, Phone(2)), chorus.MsgEnrolled); len(m) != 1 || m[0].Params["code"] != "" {
		t.Errorf("waitlisted: %+v", m)
	}
	if m := MessagesOf(MustMessages(t, db, Phone(2)), chorus.MsgClassEnrolled); len(m) != 0 {
		t.Errorf("waitlisted got the code: %+v", m)
	}
}

// TestDB_ClassEnrolledSMSFromWaitlist: a waitlisted resident offered a
// freed place and taking it (reply 1, or staff for them) gets the
// class_enrolled SMS with their code then.
func TestDB_ClassEnrolledSMSFromWaitlist(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 1)
	wang := enrolIn(t, db, c, Phone(1))
	li := enrolIn(t, db, c, Phone(2))
	if _, err := db.CancelEnrolment(ctx, wang.ID, chorus.ActorStaff, "搬家"); err != nil {
		t.Fatal(err)
	}
	if m := MessagesOf(MustMessages(t, db, Phone(2)), chorus.MsgClassEnrolled); len(m) != 0 {
		t.Fatalf("offered, not yet taken: %+v", m)
	}
	if _, err := db.ConfirmEnrolmentOffer(ctx, li.ID, chorus.ActorStaff); err != nil {
		t.Fatal(err)
	}
	m := MessagesOf(MustMessages(t, db, Phone(2)), chorus.MsgClassEnrolled)
	if len(m) != 1 || m[0].Params["code"] != li.Code || li.Code == "" {
		t.Fatalf("class_enrolled after the offer: %+v (code %q)", m, li.Code)
	}
}
