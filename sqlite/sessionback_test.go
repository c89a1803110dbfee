package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDB_CalendarDayBack_TellsEnrolled: a session a holiday skipped is on
// again when the day leaves the calendar (DeleteCalendarDay) or becomes a
// working day (SaveCalendarDay); each resident holding a place who was told
// it was off (session_holiday) is told it is back on, once; a resident
// enrolled after the import (never told) and the waitlist are not; the
// answer lists the sessions back on.
func TestDB_CalendarDayBack_TellsEnrolled(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	clock.Set(time.Date(2026, 9, 24, 9, 0, 0, 0, shanghai))
	c := &chorus.Class{Title: "书法班", Teacher: "周老师", PartnerID: MustPartnerID(t, db), PlaceID: MustPlace(t, db, "声乐室").ID,
		Weekday: 4, StartTime: "19:00", EndTime: "20:30", FirstDate: "2026-09-01", LastDate: "2026-10-31", Capacity: 3}
	if err := db.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	enrol := func(i int) {
		t.Helper()
		if _, err := db.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: Phone(i), Name: "王大爷", Actor: chorus.ActorStaff}); err != nil {
			t.Fatal(err)
		}
	}
	enrol(1)
	enrol(2)
	mustImport2026(t, db) // 10-01 and 10-08 (Thursdays of 国庆) skipped, both told
	enrol(3)              // after the import: never told
	enrol(4)              // waits
	back := func(i int) []chorus.Message {
		return MessagesOf(MustMessages(t, db, Phone(i)), chorus.MsgSessionBack)
	}
	// 10-01 becomes a working day (SaveCalendarDay): back on.
	imp, err := db.SaveCalendarDay(ctx, chorus.CalendarDay{Date: "2026-10-01", Kind: chorus.CalendarWorkday, Name: "调休上班"})
	if err != nil || len(imp.Restored) != 1 || imp.Restored[0].Date != "2026-10-01" || imp.Restored[0].ClassID != c.ID ||
		imp.Restored[0].Holiday != "国庆节" {
		t.Fatalf("SaveCalendarDay = %+v, %v", imp, err)
	}
	for i := 1; i <= 2; i++ {
		got := back(i)
		if len(got) != 1 || got[0].Params["time"] != "10月1日周四19:00" || got[0].Params["event"] != "书法班" {
			t.Fatalf("resident %d was told %+v", i, got)
		}
	}
	for _, i := range []int{3, 4} {
		if got := back(i); len(got) != 0 {
			t.Errorf("resident %d (not told it was off) was told %+v", i, got)
		}
	}
	cls, err := db.Class(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cls.Sessions {
		if s.Date == "2026-10-01" && s.Status != chorus.SessionScheduled {
			t.Fatalf("session of 10-01 is %s", s.Status)
		}
	}
	// The import makes it a holiday again (all three holding a place are
	// told it is off); the day taken off the calendar (DeleteCalendarDay)
	// brings it back for the three, not for the waitlist.
	mustImport2026(t, db)
	imp, err = db.DeleteCalendarDay(ctx, "2026-10-01")
	if err != nil || len(imp.Restored) != 1 {
		t.Fatalf("DeleteCalendarDay = %+v, %v", imp, err)
	}
	for i, want := range map[int]int{1: 2, 2: 2, 3: 1, 4: 0} {
		if got := back(i); len(got) != want {
			t.Errorf("resident %d told %d times, want %d", i, len(got), want)
		}
	}
	// Laying out again with nothing changed tells nobody again.
	if _, err := db.SaveCalendarDay(ctx, chorus.CalendarDay{Date: "2026-10-02", Kind: chorus.CalendarHoliday, Name: "国庆节"}); err != nil {
		t.Fatal(err)
	}
	if got := back(1); len(got) != 2 {
		t.Errorf("resident 1 told again: %d", len(got))
	}
}
