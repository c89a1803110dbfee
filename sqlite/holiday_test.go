package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// mustImport2026 imports the 中秋 and 国庆 part of the real 2026 calendar
// (../testdata/holiday-cn-2026.json).
func mustImport2026(tb testing.TB, db *sqlite.DB) *chorus.HolidayImport {
	tb.Helper()
	data, err := os.ReadFile("../testdata/holiday-cn-2026.json")
	if err != nil {
		tb.Fatal(err)
	}
	year, days, err := chorus.ParseHolidayFile(data)
	if err != nil {
		tb.Fatal(err)
	}
	imp, err := db.ImportHolidays(context.Background(), year, days)
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return imp
}

// TestDB_ImportHolidays: classes laid out before the calendar is known
// meet on 国庆; the import skips those sessions from today on (the
// holiday's name as the reason, ids kept), reports them, leaves the past
// and the 调休 Saturday alone; a class made afterwards skips them by
// itself; a second import reports nothing new.
func TestDB_ImportHolidays(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	clock.Set(time.Date(2026, 9, 24, 9, 0, 0, 0, shanghai)) // Thursday before 中秋
	place, partner := MustPlace(t, db, "声乐室").ID, MustPartnerID(t, db)
	newClass := func(weekday int) *chorus.Class {
		c := &chorus.Class{Title: fmt.Sprint("声乐班", weekday), Teacher: "周老师", PartnerID: partner, PlaceID: place,
			Weekday: weekday, StartTime: "09:00", EndTime: "10:30", FirstDate: "2026-09-01", LastDate: "2026-10-31", Capacity: 20}
		if err := db.CreateClass(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := db.Class(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	thu, sat := newClass(4), newClass(6)
	if s := sessionAt(t, thu, "2026-10-01"); s.Status != chorus.SessionScheduled {
		t.Fatalf("before the import 10-01 is %+v", s)
	}

	imp := mustImport2026(t, db)
	var clashes []string
	for _, c := range imp.Skipped {
		clashes = append(clashes, fmt.Sprint(c.Class, " ", c.Date, " ", c.Holiday, " ", c.Community))
	}
	want := "声乐班4 2026-10-01 国庆节 1,声乐班6 2026-09-26 中秋节 1,声乐班6 2026-10-03 国庆节 1"
	if imp.Year != 2026 || imp.Days != 39 || strings.Join(clashes, ",") != want {
		t.Fatalf("import %+v: clashes %q, want %q", imp, strings.Join(clashes, ","), want)
	}
	thu2, err := db.Class(ctx, thu.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := sessionAt(t, thu2, "2026-10-01"); s.Status != chorus.SessionSkipped || s.Reason != "国庆节" ||
		s.ID != sessionAt(t, thu, "2026-10-01").ID {
		t.Fatalf("10-01 after the import %+v", s)
	}
	if len(thu2.Sessions) != len(thu.Sessions) {
		t.Fatalf("sessions %d, were %d", len(thu2.Sessions), len(thu.Sessions))
	}
	sat2, err := db.Class(ctx, sat.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := sessionAt(t, sat2, "2026-10-10"); s.Status != chorus.SessionScheduled {
		t.Fatalf("调休 Saturday 10-10 %+v", s)
	}

	later := newClass(3) // Wednesday: 10-07 国庆, made after the import
	if s := sessionAt(t, later, "2026-10-07"); s.Status != chorus.SessionSkipped || s.Reason != "国庆节" {
		t.Fatalf("a class made after the import: 10-07 %+v", s)
	}
	for _, s := range later.Sessions {
		if s.Date == "2026-10-10" {
			t.Fatalf("a Wednesday class has a session on the 调休 Saturday")
		}
	}

	if again := mustImport2026(t, db); len(again.Skipped) != 0 {
		t.Fatalf("a second import reports %+v", again.Skipped)
	}
	days, err := db.Holidays(ctx, 2026)
	if err != nil || len(days) != 39 || days[0].Date != "2026-01-01" || days[0].Kind != chorus.CalendarHoliday || days[3].Date != "2026-01-04" || days[3].Kind != chorus.CalendarWorkday {
		t.Fatalf("Holidays(2026) = %+v, %v", days, err)
	}
	if none, err := db.Holidays(ctx, 2027); err != nil || len(none) != 0 {
		t.Fatalf("Holidays(2027) = %+v, %v", none, err)
	}
}

// TestDB_ImportHolidays_PastKept: an import after 国庆 leaves the past
// sessions as they were.
func TestDB_ImportHolidays_PastKept(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, shanghai))
	c := MustClass(t, db, ctx, MustPlace(t, db, "小礼堂").ID, MustPartnerID(t, db), 20)
	if _, err := db.CancelClassSession(ctx, c.ID, "2026-09-24", chorus.ActorStaff, "老师生病"); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 10, 9, 9, 0, 0, 0, shanghai))
	if imp := mustImport2026(t, db); len(imp.Skipped) != 0 {
		t.Fatalf("clashes after 国庆: %+v", imp.Skipped)
	}
	got, err := db.Class(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := sessionAt(t, got, "2026-09-24"); s.Status != chorus.SessionCancelled {
		t.Fatalf("09-24 %+v", s)
	}
	if s := sessionAt(t, got, "2026-10-01"); s.Status != chorus.SessionSkipped || s.Reason != "国庆节" {
		t.Fatalf("10-01 %+v", s)
	}
}

// TestDB_OpenVenueWeeks_Holiday: the 体育馆 (Tue/Thu 18:00–20:00) does not
// open on 国庆 (Thursday 10-01, Tuesday 10-06).
func TestDB_OpenVenueWeeks_Holiday(t *testing.T) {
	f := mustVenueFixture(t)
	ctx := context.Background()
	f.clock.Set(time.Date(2026, 9, 28, 9, 0, 0, 0, shanghai)) // Monday
	mustImport2026(t, f.db)
	gym := MustPlace(t, f.db, "体育馆")
	v := &chorus.Venue{PlaceID: gym.ID, PartnerID: f.partner, Kind: "体育馆", Capacity: 40,
		Hours: []chorus.OpeningRule{{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20}}}
	if err := f.db.SaveVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.OpenVenueWeeks(ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	events, err := f.db.UpcomingEvents(ctx, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var starts []string
	for _, e := range events {
		if e.Kind == chorus.ServiceVenue {
			for _, s := range e.Slots {
				starts = append(starts, s.Start.In(shanghai).Format("01-02 15:04"))
			}
		}
	}
	if got, want := strings.Join(starts, " "), "09-29 18:00 10-08 18:00"; got != want {
		t.Fatalf("open blocks %s, want %s", got, want)
	}
}

// TestDB_ImportHolidays_TellsEnrolled (issue 19): each resident holding a
// place in a class gets one SMS per session an import skipped, naming the
// date and the holiday; the waitlist is not told; a second import tells
// nobody again; a day staff add to the calendar tells them of that one.
func TestDB_ImportHolidays_TellsEnrolled(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	clock.Set(time.Date(2026, 9, 24, 9, 0, 0, 0, shanghai))
	c := &chorus.Class{Title: "书法班", Teacher: "周老师", PartnerID: MustPartnerID(t, db), PlaceID: MustPlace(t, db, "声乐室").ID,
		Weekday: 4, StartTime: "19:00", EndTime: "20:30", FirstDate: "2026-09-01", LastDate: "2026-10-31", Capacity: 2}
	if err := db.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ { // the third waits
		if _, err := db.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: Phone(i), Name: "王大爷", Actor: chorus.ActorStaff}); err != nil {
			t.Fatal(err)
		}
	}
	told := func(i int) []chorus.Message {
		return MessagesOf(MustMessages(t, db, Phone(i)), chorus.MsgSessionHoliday)
	}
	mustImport2026(t, db)
	for i := 1; i <= 2; i++ {
		got := told(i)
		if len(got) != 1 || got[0].Params["time"] != "10月1日周四19:00" || got[0].Params["holiday"] != "国庆节" ||
			got[0].Params["event"] != "书法班" {
			t.Fatalf("resident %d was told %+v", i, got)
		}
	}
	if got := told(3); len(got) != 0 {
		t.Errorf("the waitlisted resident was told %+v", got)
	}
	mustImport2026(t, db)
	if got := told(1); len(got) != 1 {
		t.Errorf("a second import told again: %d messages", len(got))
	}
	imp, err := db.SaveCalendarDay(ctx, chorus.CalendarDay{Date: "2026-10-15", Kind: chorus.CalendarHoliday, Name: "社区停课日"})
	if err != nil || len(imp.Skipped) != 1 || imp.Skipped[0].Date != "2026-10-15" {
		t.Fatalf("SaveCalendarDay = %+v, %v", imp, err)
	}
	if got := told(2); len(got) != 2 || got[1].Params["holiday"] != "社区停课日" {
		t.Errorf("after the day's change, resident 2 was told %+v", got)
	}
}
