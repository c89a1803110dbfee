package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// winterClass stores a Thursday class from 2026-12-03 to 2027-01-28 with
// capacity places.
func winterClass(t *testing.T, db *sqlite.DB, capacity int) *chorus.Class {
	t.Helper()
	c := &chorus.Class{Title: "书法班", Teacher: "王老师", PartnerID: MustPartnerID(t, db), PlaceID: MustPlace(t, db, "小礼堂").ID,
		Weekday: 4, StartTime: "19:00", EndTime: "20:30", FirstDate: "2026-12-03", LastDate: "2027-01-28", Capacity: capacity}
	if err := db.CreateClass(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func enrolIn(t *testing.T, db *sqlite.DB, c *chorus.Class, phone string) *chorus.Enrolment {
	t.Helper()
	e, err := db.EnrolClass(context.Background(), chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: phone, Name: "王大爷"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// at sets the clock to 21:00 Shanghai time on date.
func at(clock *Clock, date string) {
	d, _ := time.ParseInLocation(time.DateOnly, date, shanghai)
	clock.Set(d.Add(21 * time.Hour))
}

// TestDB_ClassMissedThree: a resident who misses 3 sessions in a row is
// asked once by SMS whether to keep the place; a reply 1 through the SMS
// reply path keeps it; 3 more misses ask again, and silence past the
// deadline (fake clock) gives the place to the waitlist, whose first is
// offered it by SMS. A holiday, a session called off and a session whose
// roll nobody took are nobody's absence.
func TestDB_ClassMissedThree(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 1)
	wang := enrolIn(t, db, c, Phone(1))
	li := enrolIn(t, db, c, Phone(2))
	if li.Status != chorus.StatusWaitlisted {
		t.Fatalf("li %+v", li)
	}
	ask := func(want int) {
		t.Helper()
		if n, err := db.AskMissedClasses(ctx); err != nil || n != want {
			t.Fatalf("%s: asked %d, %v; want %d", clock.Now().Format(time.DateTime), n, err, want)
		}
	}
	at(clock, "2026-12-03")
	if err := db.MarkAttendance(ctx, c.ID, "2026-12-03", wang.ID, chorus.AttendancePresent, chorus.ActorStaff); err != nil {
		t.Fatal(err)
	}
	// 12-10 missed, 12-17 called off, 12-24 missed.
	if _, err := db.CancelClassSession(ctx, c.ID, "2026-12-17", chorus.ActorStaff, "老师生病"); err != nil {
		t.Fatal(err)
	}
	absent := func(dates ...string) {
		t.Helper()
		for _, d := range dates {
			if err := db.MarkAttendance(ctx, c.ID, d, wang.ID, chorus.AttendanceAbsent, chorus.ActorStaff); err != nil {
				t.Fatal(err)
			}
		}
	}
	at(clock, "2026-12-25")
	absent("2026-12-10", "2026-12-24")
	ask(0) // 2 missed
	at(clock, "2027-01-01")
	ask(0) // nobody took the roll of 12-31: nobody's absence
	absent("2026-12-31")
	ask(1) // 12-10, 12-24, 12-31
	ask(0) // once
	wantEnrolment(t, db, &chorus.Programme{ID: c.ProgrammeID}, wang.ID, chorus.StatusOffered)
	keep := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgClassKeep)
	if len(keep) != 1 || keep[0].Params["count"] != "3" || keep[0].Params["hours"] != "48" || !keep[0].ExpectsReply {
		t.Fatalf("keep SMS %+v", keep)
	}
	if _, _, err := db.HandleInbound(ctx, chorus.Inbound{Phone: Phone(1), Content: "1", SequenceID: "keep-1", Intent: chorus.IntentConfirm}); err != nil {
		t.Fatal(err)
	}
	wantEnrolment(t, db, &chorus.Programme{ID: c.ProgrammeID}, wang.ID, chorus.StatusConfirmed)
	if m := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgClassEnrolled); len(m) != 1 {
		t.Fatalf("keeping the place sent the code again: %+v", m) // once, when enrolling
	}

	// Three more misses: asked again; no answer in 48 hours.
	at(clock, "2027-01-15")
	absent("2027-01-07", "2027-01-14")
	ask(0) // 01-07, 01-14: 2 since the last ask
	at(clock, "2027-01-22")
	absent("2027-01-21")
	ask(1)
	clock.Add(chorus.ClassKeepTTL + time.Minute)
	if n, err := db.ExpireEnrolmentOffers(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d %v", n, err)
	}
	wantEnrolment(t, db, &chorus.Programme{ID: c.ProgrammeID}, wang.ID, chorus.StatusExpired)
	wantEnrolment(t, db, &chorus.Programme{ID: c.ProgrammeID}, li.ID, chorus.StatusOffered)
	if m := MessagesOf(MustMessages(t, db, Phone(2)), chorus.MsgWaitlistOffer); len(m) != 1 {
		t.Fatalf("offer to li %+v", m)
	}
}

// TestDB_ClassSessionOff: a session called off texts everyone holding a
// place (not the waitlist) with the reason.
func TestDB_ClassSessionOff(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 2)
	enrolIn(t, db, c, Phone(1))
	enrolIn(t, db, c, Phone(2))
	enrolIn(t, db, c, Phone(3)) // waitlisted
	if _, err := db.CancelClassSession(ctx, c.ID, "2026-12-10", chorus.ActorStaff, "王老师生病"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 1, 0} {
		m := MessagesOf(MustMessages(t, db, Phone(i+1)), chorus.MsgSessionOff)
		if len(m) != want {
			t.Fatalf("phone %d: %+v", i+1, m)
		}
		if want == 1 && (m[0].Params["time"] != "12月10日周四19:00" || m[0].Params["reason"] != "王老师生病" || m[0].Params["event"] != "书法班") {
			t.Fatalf("params %+v", m[0].Params)
		}
	}
}

// TestDB_ClassAttendance: staff mark the roster of a session held; a
// future session, a holiday, a waitlisted resident and a bad mark are
// refused; another community sees nothing.
func TestDB_ClassAttendance(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 1)
	a := enrolIn(t, db, c, Phone(1))
	w := enrolIn(t, db, c, Phone(2))
	at(clock, "2026-12-03")
	wantCode(t, db.MarkAttendance(ctx, c.ID, "2026-12-10", a.ID, chorus.AttendancePresent, chorus.ActorStaff), chorus.ECONFLICT)
	wantCode(t, db.MarkAttendance(ctx, c.ID, "2026-12-04", a.ID, chorus.AttendancePresent, chorus.ActorStaff), chorus.ENOTFOUND)
	wantCode(t, db.MarkAttendance(ctx, c.ID, "2026-12-03", w.ID, chorus.AttendancePresent, chorus.ActorStaff), chorus.ECONFLICT)
	wantCode(t, db.MarkAttendance(ctx, c.ID, "2026-12-03", a.ID, "maybe", chorus.ActorStaff), chorus.EINVALID)
	wantCode(t, db.MarkAttendance(ctx, c.ID, "2026-12-03", a.ID+100, chorus.AttendancePresent, chorus.ActorStaff), chorus.ENOTFOUND)
	if err := db.MarkAttendance(ctx, c.ID, "2026-12-03", a.ID, chorus.AttendanceAbsent, chorus.ActorStaff); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkAttendance(ctx, c.ID, "2026-12-03", a.ID, chorus.AttendancePresent, "staff:liting"); err != nil {
		t.Fatal(err)
	}
	r, err := db.SessionRoster(ctx, c.ID, "2026-12-03")
	if err != nil || len(r) != 1 || r[0].EnrolmentID != a.ID || r[0].Mark != chorus.AttendancePresent || r[0].By != "staff:liting" {
		t.Fatalf("roster %+v %v", r, err)
	}
	marks, err := db.ClassMarks(ctx, c.ID)
	if err != nil || len(marks) != 1 || marks[0].Date != "2026-12-03" {
		t.Fatalf("marks %+v %v", marks, err)
	}
	b := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	_, err = db.SessionRoster(b, c.ID, "2026-12-03")
	wantCode(t, err, chorus.ENOTFOUND)
	wantCode(t, db.MarkAttendance(b, c.ID, "2026-12-03", a.ID, chorus.AttendanceAbsent, chorus.ActorStaff), chorus.ENOTFOUND)
	_, err = db.ClassMarks(b, c.ID)
	wantCode(t, err, chorus.ENOTFOUND)
}
