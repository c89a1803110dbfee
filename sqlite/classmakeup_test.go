package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDB_ClassMakeup: staff add a make-up session (补课) on the Saturday
// after a session called off; everyone enrolled gets an SMS with its time
// and place; it has a roster and a check-in like any session, changing
// the class keeps it, and it counts for the missed-sessions rule: missing
// the make-up and two weeks makes three in a row. A date that already has
// a session, a past date and another community's class are refused in
// words.
func TestDB_ClassMakeup(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 5)
	wang := enrolIn(t, db, c, Phone(1))
	li := enrolIn(t, db, c, Phone(2))
	at(clock, "2026-12-08")
	if _, err := db.CancelClassSession(ctx, c.ID, "2026-12-10", chorus.ActorStaff, "老师生病"); err != nil {
		t.Fatal(err)
	}
	s, err := db.AddMakeupSession(ctx, c.ID, "2026-12-12")
	if err != nil || !s.Makeup || s.Status != chorus.SessionScheduled || s.ID == 0 {
		t.Fatalf("make-up %+v, %v", s, err)
	}
	for _, ph := range []string{Phone(1), Phone(2)} {
		m := MessagesOf(MustMessages(t, db, ph), chorus.MsgSessionMakeup)
		if len(m) != 1 || m[0].Params["event"] != "书法班" || m[0].Params["time"] != "12月12日周六19:00" || m[0].Params["place"] != "小礼堂" {
			t.Fatalf("make-up SMS to %s: %+v", ph, m)
		}
	}
	for _, tc := range []struct{ date, code, says string }{
		{"2026-12-12", chorus.ECONFLICT, "本来就有课"},
		{"2026-12-10", chorus.ECONFLICT, "已经停课了"},
		{"2026-12-05", chorus.EINVALID, "已经过去了"},
		{"12月13日", chorus.EINVALID, "格式"},
	} {
		_, err := db.AddMakeupSession(ctx, c.ID, tc.date)
		if chorus.ErrorCode(err) != tc.code || !strings.Contains(chorus.ErrorMessage(err), tc.says) {
			t.Errorf("make-up on %s: %v, want %s %q", tc.date, err, tc.code, tc.says)
		}
	}
	other := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	if _, err := db.AddMakeupSession(other, c.ID, "2026-12-13"); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Fatalf("another community's class: %v", err)
	}

	// Changing the class (a new teacher) keeps the make-up session.
	c.Teacher = "李老师"
	if err := db.UpdateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := db.Class(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sess := sessionAt(t, got, "2026-12-12"); !sess.Makeup || sess.ID != s.ID {
		t.Fatalf("after the change: %+v", sess)
	}

	// Saturday 12-12 18:55: li checks in; the roster lists both.
	day, _ := time.ParseInLocation(time.DateOnly, "2026-12-12", shanghai)
	clock.Set(day.Add(18*time.Hour + 55*time.Minute))
	if res, err := db.ClassCheckIn(ctx, chorus.ClassCheckinRequest{ClassID: c.ID, Code: li.Code}); err != nil || res.Outcome != chorus.CheckinOK {
		t.Fatalf("check-in at the make-up: %+v, %v", res, err)
	}
	roster, err := db.SessionRoster(ctx, c.ID, "2026-12-12")
	if err != nil || len(roster) != 2 {
		t.Fatalf("roster %+v, %v", roster, err)
	}

	// wang missed 12-03, the make-up and 12-17: three in a row.
	at(clock, "2026-12-18")
	for _, d := range []string{"2026-12-03", "2026-12-17"} {
		if err := db.MarkAttendance(ctx, c.ID, d, li.ID, chorus.AttendancePresent, chorus.ActorStaff); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.AskMissedClasses(ctx); err != nil || n != 1 {
		t.Fatalf("asked %d, %v; want wang", n, err)
	}
	if m := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgClassKeep); len(m) != 1 {
		t.Fatalf("keep SMS to wang: %+v", m)
	}
	_ = wang
}

// TestDB_ClassUpdateKeepsHeld: a class changed mid-term (to Fridays, an
// hour later) keeps the sessions already held and their attendance; only
// the sessions from today on move.
func TestDB_ClassUpdateKeepsHeld(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 5)
	wang := enrolIn(t, db, c, Phone(1))
	at(clock, "2026-12-11")
	for _, d := range []string{"2026-12-03", "2026-12-10"} {
		if err := db.MarkAttendance(ctx, c.ID, d, wang.ID, chorus.AttendancePresent, chorus.ActorStaff); err != nil {
			t.Fatal(err)
		}
	}
	c.Weekday, c.StartTime, c.EndTime = 5, "20:00", "21:30"
	if err := db.UpdateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := db.Class(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ds []string
	for _, s := range got.Sessions[:4] {
		ds = append(ds, s.Date)
	}
	if strings.Join(ds, " ") != "2026-12-03 2026-12-10 2026-12-11 2026-12-18" {
		t.Fatalf("sessions %v", ds)
	}
	marks, err := db.ClassMarks(ctx, c.ID)
	if err != nil || len(marks) != 2 {
		t.Fatalf("marks %+v, %v: the held sessions keep theirs", marks, err)
	}
}
