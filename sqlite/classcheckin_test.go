package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDB_ClassCheckIn: each class enrolment gets a 6-digit code unique in
// its class; typed at today's session's door it marks the resident
// present (fake clock), once; a repeat says already, with the first time,
// and an earlier offline time moves it back. A waitlisted resident, a
// cancelled enrolment, an unknown code, a day without a session, a
// session called off and a holiday each get their outcome and words, and
// mark nothing. Another community's class is not found.
func TestDB_ClassCheckIn(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	c := winterClass(t, db, 2)
	c.Skipped = []chorus.DateRange{{From: "2026-12-31", Reason: "元旦"}}
	if err := db.UpdateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	wang := enrolIn(t, db, c, Phone(1))
	li := enrolIn(t, db, c, Phone(2))
	zhao := enrolIn(t, db, c, Phone(3)) // waitlisted
	list, err := db.ClassEnrolments(ctx, c.ID)
	if err != nil || len(list) != 3 {
		t.Fatalf("enrolments %v, %v", list, err)
	}
	codes := map[string]bool{}
	for _, e := range list {
		if !chorus.IsCode(e.Code) || codes[e.Code] {
			t.Fatalf("enrolment %d code %q: want a 6-digit code unique in the class", e.ID, e.Code)
		}
		codes[e.Code] = true
	}
	codeOf := func(id int64) string {
		for _, e := range list {
			if e.ID == id {
				return e.Code
			}
		}
		t.Fatalf("no enrolment %d", id)
		return ""
	}
	if zhao.Status != chorus.StatusWaitlisted {
		t.Fatalf("zhao %+v", zhao)
	}
	check := func(code string, at time.Time, want chorus.CheckinOutcome, words string) *chorus.CheckinResult {
		t.Helper()
		res, err := db.ClassCheckIn(ctx, chorus.ClassCheckinRequest{ClassID: c.ID, Code: code, At: at})
		if err != nil || res.Outcome != want || !strings.Contains(res.Message, words) {
			t.Fatalf("check-in %s at %s: %+v, %v; want %s %q", code, clock.Now().Format(time.DateTime), res, err, want, words)
		}
		return res
	}
	marks := func(date string) map[int64]string {
		t.Helper()
		roster, err := db.SessionRoster(ctx, c.ID, date)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]string{}
		for _, a := range roster {
			if a.Mark != "" {
				m[a.EnrolmentID] = a.Mark
			}
		}
		return m
	}

	// Thursday 2026-12-03 18:50: the first session.
	day, _ := time.ParseInLocation(time.DateOnly, "2026-12-03", shanghai)
	clock.Set(day.Add(18*time.Hour + 50*time.Minute))
	first := check(codeOf(wang.ID), time.Time{}, chorus.CheckinOK, "王大爷,签到成功")
	if !first.FirstAt.Equal(clock.Now()) {
		t.Fatalf("first at %v, want %v", first.FirstAt, clock.Now())
	}
	clock.Add(10 * time.Minute)
	again := check(codeOf(wang.ID), time.Time{}, chorus.CheckinAlready, "已经签到过了")
	if !again.FirstAt.Equal(first.FirstAt) {
		t.Fatalf("already: first at %v, want %v", again.FirstAt, first.FirstAt)
	}
	// A phone offline since 18:40 syncs its check-in of li: the earlier time.
	check(codeOf(li.ID), time.Time{}, chorus.CheckinOK, "签到成功")
	back := check(codeOf(li.ID), day.Add(18*time.Hour+40*time.Minute), chorus.CheckinAlready, "已经签到过了")
	if want := day.Add(18*time.Hour + 40*time.Minute); !back.FirstAt.Equal(want) {
		t.Fatalf("offline scan: first at %v, want %v", back.FirstAt, want)
	}
	check(codeOf(zhao.ID), time.Time{}, chorus.CheckinWaitlisted, "候补")
	unknown := "000000"
	if codes[unknown] {
		unknown = "000001" // the three codes cannot be both
	}
	check(unknown, time.Time{}, chorus.CheckinUnknown, "没有找到这个报名")
	if m := marks("2026-12-03"); len(m) != 2 || m[wang.ID] != chorus.AttendancePresent || m[li.ID] != chorus.AttendancePresent {
		t.Fatalf("marks %v", m)
	}
	if _, err := db.ClassCheckIn(ctx, chorus.ClassCheckinRequest{ClassID: c.ID, Code: "12345"}); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Fatalf("5 digits: %v", err)
	}
	other := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	if _, err := db.ClassCheckIn(other, chorus.ClassCheckinRequest{ClassID: c.ID, Code: codeOf(wang.ID)}); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Fatalf("another community's class: %v", err)
	}

	// Friday: no session.
	clock.Set(day.AddDate(0, 0, 1).Add(19 * time.Hour))
	check(codeOf(wang.ID), time.Time{}, chorus.CheckinOtherEvent, "今天没有课")
	// 12-10 called off: nobody is checked in.
	if _, err := db.CancelClassSession(ctx, c.ID, "2026-12-10", chorus.ActorStaff, "老师生病"); err != nil {
		t.Fatal(err)
	}
	clock.Set(day.AddDate(0, 0, 7).Add(19 * time.Hour))
	check(codeOf(wang.ID), time.Time{}, chorus.CheckinCancelled, "停课了(老师生病)")
	// 12-31 a holiday.
	clock.Set(day.AddDate(0, 0, 28).Add(19 * time.Hour))
	check(codeOf(wang.ID), time.Time{}, chorus.CheckinCancelled, "放假不上课(元旦)")
	// 12-17: staff ticked li absent before she came; wang withdrew.
	clock.Set(day.AddDate(0, 0, 14).Add(19 * time.Hour))
	if err := db.MarkAttendance(ctx, c.ID, "2026-12-17", li.ID, chorus.AttendanceAbsent, chorus.ActorStaff); err != nil {
		t.Fatal(err)
	}
	check(codeOf(li.ID), time.Time{}, chorus.CheckinOK, "签到成功")
	if _, err := db.CancelEnrolment(ctx, wang.ID, chorus.ActorStaff, "搬家"); err != nil {
		t.Fatal(err)
	}
	check(codeOf(wang.ID), time.Time{}, chorus.CheckinCancelled, "报名已经取消了")
	if m := marks("2026-12-17"); len(m) != 1 || m[li.ID] != chorus.AttendancePresent {
		t.Fatalf("12-17 marks %v", m)
	}
	for _, d := range []string{"2026-12-04", "2026-12-10", "2026-12-31"} {
		if m, err := db.SessionRoster(ctx, c.ID, d); err == nil {
			for _, a := range m {
				if a.Mark != "" {
					t.Fatalf("%s: mark %+v", d, a)
				}
			}
		}
	}
}
