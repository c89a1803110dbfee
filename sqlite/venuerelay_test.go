package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// venueWeekSessions returns the sessions of the venue's open-hours events
// upcoming at now: "MM-DD HH:MM/places".
func venueWeekSessions(tb testing.TB, f *venueFixture, place int64) (string, []chorus.Event) {
	tb.Helper()
	events, err := f.db.UpcomingEvents(context.Background(), f.clock.Now())
	if err != nil {
		tb.Fatal(err)
	}
	var got []string
	var open []chorus.Event
	for _, e := range events {
		if e.Kind != chorus.ServiceVenue || e.PlaceID != place {
			continue
		}
		open = append(open, e)
		for _, s := range e.Slots {
			got = append(got, s.Start.In(shanghai).Format("01-02 15:04")+fmt.Sprint("/", s.Capacity))
		}
	}
	return strings.Join(got, " "), open
}

// TestDB_RelayVenueWeeks (issue 19): the 体育馆's weeks are laid out
// (Tue/Thu 18:00–20:00); its rules change to Tuesday with 10 places and
// Saturday mornings: the sessions not started follow the new rules, the
// booked Thursday is called off and its resident told by SMS once, the
// empty Thursday simply goes, and Tuesday's session already under way is
// left as it was.
func TestDB_RelayVenueWeeks(t *testing.T) {
	f := mustVenueFixture(t)
	ctx := context.Background()
	f.clock.Set(time.Date(2026, 12, 1, 18, 30, 0, 0, shanghai)) // Tuesday, the gym open
	gym := MustPlace(t, f.db, "体育馆")
	v := &chorus.Venue{PlaceID: gym.ID, PartnerID: f.partner, Kind: "体育馆", Capacity: 40,
		Hours: []chorus.OpeningRule{{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20}}}
	if err := f.db.SaveVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	got, open := venueWeekSessions(t, f, gym.ID)
	if want := "12-01 18:00/20 12-03 18:00/20 12-08 18:00/20 12-10 18:00/20"; got != want {
		t.Fatalf("before: %s, want %s", got, want)
	}
	thursday := open[0].Slots[1]
	MustBook(t, f.db, chorus.BookingRequest{EventID: open[0].ID, SlotID: thursday.ID, Phone: Phone(8), Name: "王大爷", Source: "kiosk"})
	tuesday := MustBook(t, f.db, chorus.BookingRequest{EventID: open[1].ID, SlotID: open[1].Slots[0].ID, Phone: Phone(9), Name: "李萌", Source: "kiosk"})

	v.Hours = []chorus.OpeningRule{
		{Weekdays: []int{2}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 10},
		{Weekdays: []int{6}, Start: "09:00", End: "11:00", Mode: chorus.VenueModeOpen, Places: 5}}
	if err := f.db.SaveVenue(ctx, v); err != nil || v.CalledOff != 1 {
		t.Fatalf("SaveVenue called off %d sessions, %v; want 1", v.CalledOff, err)
	}
	want := []chorus.CalledOffSession{{PlaceID: gym.ID, Venue: "体育馆", Date: "2026-12-03", Start: "18:00", End: "20:00", Told: 1}}
	if !slices.Equal(v.CalledOffSessions, want) {
		t.Errorf("sessions called off %+v, want %+v", v.CalledOffSessions, want)
	}
	got, after := venueWeekSessions(t, f, gym.ID)
	if want := "12-01 18:00/20 12-05 09:00/5 12-08 18:00/10 12-12 09:00/5"; got != want {
		t.Fatalf("after: %s, want %s", got, want)
	}
	if after[1].ID != open[1].ID || after[1].Slots[0].ID != open[1].Slots[0].ID {
		t.Errorf("next Tuesday's session was not kept: %+v", after[1])
	}
	if b := MustBooking(t, f.db, tuesday.ID); !b.Status.Live() {
		t.Errorf("next Tuesday's booking %s", b.Status)
	}
	if n := len(MessagesOf(MustMessages(t, f.db, Phone(8)), chorus.MsgCancelled)); n != 1 {
		t.Errorf("the Thursday's resident was told %d times, want once", n)
	}
	if list, err := f.db.BookingsByPhone(ctx, Phone(8)); err != nil || len(list) != 0 {
		t.Errorf("the Thursday's resident still holds %+v, %v", list, err)
	}
	if n := len(MessagesOf(MustMessages(t, f.db, Phone(9)), chorus.MsgCancelled)); n != 0 {
		t.Errorf("the Tuesday's resident was told of a cancellation")
	}
	// Weeks made later follow the new rules from the start.
	f.clock.Set(time.Date(2026, 12, 7, 8, 0, 0, 0, shanghai))
	if _, err := f.db.OpenVenueWeeks(ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := venueWeekSessions(t, f, gym.ID); !strings.HasSuffix(got, "12-15 18:00/10 12-19 09:00/5") {
		t.Errorf("the week made after: %s", got)
	}
}

// TestDB_RelayVenueWeeks_Calendar (issue 19): an import that makes a day a
// 法定节假日 removes the venue's session that day from the weeks made
// already (a booked one is called off, its resident told), and taking the
// holiday off the calendar brings the session back.
func TestDB_RelayVenueWeeks_Calendar(t *testing.T) {
	f := mustVenueFixture(t)
	ctx := context.Background()
	f.clock.Set(time.Date(2026, 9, 28, 9, 0, 0, 0, shanghai)) // Monday before 国庆
	gym := MustPlace(t, f.db, "体育馆")
	v := &chorus.Venue{PlaceID: gym.ID, PartnerID: f.partner, Kind: "体育馆", Capacity: 40,
		Hours: []chorus.OpeningRule{{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20}}}
	if err := f.db.SaveVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	got, open := venueWeekSessions(t, f, gym.ID)
	if want := "09-29 18:00/20 10-01 18:00/20 10-06 18:00/20 10-08 18:00/20"; got != want {
		t.Fatalf("before the import: %s, want %s", got, want)
	}
	MustBook(t, f.db, chorus.BookingRequest{EventID: open[0].ID, SlotID: open[0].Slots[1].ID, Phone: Phone(8), Name: "王大爷", Source: "kiosk"})
	imp := mustImport2026(t, f.db)
	if imp.CalledOff != 1 {
		t.Errorf("import called off %d booked sessions, want 1", imp.CalledOff)
	}
	if want := []chorus.CalledOffSession{{PlaceID: gym.ID, Venue: "体育馆", Date: "2026-10-01", Start: "18:00", End: "20:00", Told: 1}}; !slices.Equal(imp.CalledOffSessions, want) {
		t.Errorf("import's sessions called off %+v, want %+v", imp.CalledOffSessions, want)
	}
	if got, _ := venueWeekSessions(t, f, gym.ID); got != "09-29 18:00/20 10-08 18:00/20" {
		t.Errorf("after the import: %s", got)
	}
	if n := len(MessagesOf(MustMessages(t, f.db, Phone(8)), chorus.MsgCancelled)); n != 1 {
		t.Errorf("the resident booked on 国庆 was told %d times", n)
	}
	if _, err := f.db.DeleteCalendarDay(ctx, "2026-10-06"); err != nil {
		t.Fatal(err)
	}
	if got, _ := venueWeekSessions(t, f, gym.ID); got != "09-29 18:00/20 10-06 18:00/20 10-08 18:00/20" {
		t.Errorf("after taking 10-06 off the calendar: %s", got)
	}
}

// TestDB_OpenHoursQuota (issue 19): the 体育馆 lets a resident book at most
// 2 sessions a week and hold 3 at once: Tuesday and Thursday are fine,
// Saturday of the same week is refused in words; Monday of the next week
// starts a new week (Asia/Shanghai); a fourth held at once is refused
// until one is cancelled; booking the same session again gives the
// booking back.
func TestDB_OpenHoursQuota(t *testing.T) {
	f := mustVenueFixture(t)
	ctx := context.Background()
	gym := MustPlace(t, f.db, "体育馆")
	v := &chorus.Venue{PlaceID: gym.ID, PartnerID: f.partner, Kind: "体育馆", Capacity: 40, WeekLimit: 2, AtOnce: 3,
		Hours: []chorus.OpeningRule{
			{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20},
			{Weekdays: []int{6}, Start: "09:00", End: "11:00", Mode: chorus.VenueModeOpen, Places: 20},
			{Weekdays: []int{1}, Start: "00:00", End: "01:00", Mode: chorus.VenueModeOpen, Places: 20}}}
	if err := f.db.SaveVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	got, open := venueWeekSessions(t, f, gym.ID)
	if want := "12-01 18:00/20 12-03 18:00/20 12-05 09:00/20 12-07 00:00/20 12-08 18:00/20 12-10 18:00/20 12-12 09:00/20"; got != want {
		t.Fatalf("sessions %s, want %s", got, want)
	}
	book := func(e chorus.Event, i int) (*chorus.Booking, error) {
		return f.db.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[i].ID, Phone: Phone(7), Name: "李萌", Source: "kiosk"})
	}
	tue := MustBook(t, f.db, chorus.BookingRequest{EventID: open[0].ID, SlotID: open[0].Slots[0].ID, Phone: Phone(7), Name: "李萌", Source: "kiosk"})
	thu, err := book(open[0], 1)
	if err != nil || thu.Existing {
		t.Fatalf("Thursday of the same week: %+v, %v", thu, err)
	}
	if again, err := book(open[0], 0); err != nil || !again.Existing || again.ID != tue.ID {
		t.Fatalf("Tuesday again: %+v, %v", again, err)
	}
	_, err = book(open[0], 2)
	wantCode(t, err, chorus.ECONFLICT)
	if !strings.Contains(chorus.ErrorMessage(err), "每人每周最多预约2次") {
		t.Errorf("Saturday: %q", chorus.ErrorMessage(err))
	}
	if _, err := book(open[1], 0); err != nil {
		t.Fatalf("Monday 00:00 of the next week: %v", err)
	}
	_, err = book(open[1], 1)
	wantCode(t, err, chorus.ECONFLICT)
	if !strings.Contains(chorus.ErrorMessage(err), "每人最多同时预约3次") {
		t.Errorf("a fourth at once: %q", chorus.ErrorMessage(err))
	}
	if _, err := f.db.Transition(ctx, thu.ID, chorus.StatusCancelled, chorus.ActorResident, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := book(open[1], 1); err != nil {
		t.Fatalf("after a cancellation: %v", err)
	}
	wantTaken(t, f.db, open[1].Slots[1].ID, 1)
}

// TestDB_RelayVenueWeeks_CancelledWeek: a week of open hours staff called
// off stays called off when the rules change.
func TestDB_RelayVenueWeeks_CancelledWeek(t *testing.T) {
	f := mustVenueFixture(t)
	ctx := context.Background()
	gym := MustPlace(t, f.db, "体育馆")
	v := &chorus.Venue{PlaceID: gym.ID, PartnerID: f.partner, Kind: "体育馆", Capacity: 40,
		Hours: []chorus.OpeningRule{{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20}}}
	if err := f.db.SaveVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	_, open := venueWeekSessions(t, f, gym.ID)
	if err := f.db.CancelEvent(ctx, open[1].ID, chorus.ActorStaff, "场馆维修"); err != nil {
		t.Fatal(err)
	}
	v.Hours = append(v.Hours, chorus.OpeningRule{Weekdays: []int{6}, Start: "09:00", End: "11:00", Mode: chorus.VenueModeOpen, Places: 5})
	if err := f.db.SaveVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	if got, _ := venueWeekSessions(t, f, gym.ID); got != "12-01 18:00/20 12-03 18:00/20 12-05 09:00/5" {
		t.Errorf("sessions %s: the called-off week came back", got)
	}
	week, err := f.db.Event(ctx, open[1].ID)
	if err != nil || week.Status != chorus.EventCancelled || len(week.Slots) != 2 {
		t.Errorf("the called-off week %+v, %v", week, err)
	}
}

// TestDB_OpenVenueWeeks_WorkedSaturday (issue 19): with the real 2026
// calendar the 图书室, open Monday evenings, is shut on Monday 10-05 (国庆)
// and opens on the worked Saturday 10-10 as on a Monday; once staff say
// that Saturday follows Thursday (no hours then), its session goes.
func TestDB_OpenVenueWeeks_WorkedSaturday(t *testing.T) {
	f := mustVenueFixture(t)
	ctx := context.Background()
	f.clock.Set(time.Date(2026, 9, 28, 9, 0, 0, 0, shanghai))
	mustImport2026(t, f.db)
	lib := MustPlace(t, f.db, "图书室")
	v := &chorus.Venue{PlaceID: lib.ID, PartnerID: f.partner, Kind: "图书室", Capacity: 30,
		Hours: []chorus.OpeningRule{{Weekdays: []int{1}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 10}}}
	if err := f.db.SaveVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	if got, _ := venueWeekSessions(t, f, lib.ID); got != "09-28 18:00/10 10-10 18:00/10" {
		t.Fatalf("sessions %s, want 09-28 and the worked Saturday 10-10", got)
	}
	if _, err := f.db.SaveCalendarDay(ctx, chorus.CalendarDay{Date: "2026-10-10", Kind: chorus.CalendarWorkday, Name: "国庆节", Follows: 4}); err != nil {
		t.Fatal(err)
	}
	if got, _ := venueWeekSessions(t, f, lib.ID); got != "09-28 18:00/10" {
		t.Fatalf("after 10-10 follows Thursday: %s", got)
	}
}
