package chorus_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// gymByDay is the 体育馆: open to residents Tue/Thu 18:00–20:00 and
// Saturday 09:00–11:00 on ordinary days, lent for events on weekdays
// 08:30–17:00; withHoliday adds holiday hours 14:00–16:00, withWorkday
// its own 调休 hours 19:00–21:00.
func gymByDay(withHoliday, withWorkday bool) chorus.Venue {
	v := chorus.Venue{PlaceID: 3, PartnerID: 2, Capacity: 40, Hours: []chorus.OpeningRule{
		{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20},
		{Weekdays: []int{6}, Start: "09:00", End: "11:00", Mode: chorus.VenueModeOpen, Places: 10},
		{Weekdays: []int{1, 2, 3, 4, 5}, Start: "08:30", End: "17:00", Mode: chorus.VenueModeEvent}}}
	if withHoliday {
		v.Hours = append(v.Hours, chorus.OpeningRule{Day: chorus.DayHoliday, Start: "14:00", End: "16:00", Mode: chorus.VenueModeOpen, Places: 15})
	}
	if withWorkday {
		v.Hours = append(v.Hours, chorus.OpeningRule{Day: chorus.DayWorkday, Start: "19:00", End: "21:00", Mode: chorus.VenueModeOpen, Places: 5})
	}
	return v
}

// TestRulesOn decides which rules apply on a day by its kind: ordinary
// days by weekday, 法定节假日 by holiday rules only, 调休上班 days by their
// own rules or else the weekday they follow.
func TestRulesOn(t *testing.T) {
	holiday := chorus.CalendarDay{Date: "2026-10-01", Kind: chorus.CalendarHoliday, Name: "国庆节"}
	worked := chorus.CalendarDay{Date: "2026-10-10", Kind: chorus.CalendarWorkday, Name: "国庆节"} // a Saturday
	workedThu := worked
	workedThu.Follows = 4
	day := func(s string) time.Time { t, _ := time.ParseInLocation(time.DateOnly, s, shanghai); return t }
	for _, tc := range []struct {
		name             string
		holiday, workday bool
		date             string
		cal              chorus.CalendarDay
		want             string // the rules' start times
	}{
		{"ordinary Thursday: its weekday rules", false, false, "2026-10-15", chorus.CalendarDay{}, "18:00 08:30"},
		{"ordinary Saturday", false, false, "2026-10-17", chorus.CalendarDay{}, "09:00"},
		{"ordinary Sunday: shut", true, true, "2026-10-18", chorus.CalendarDay{}, ""},
		{"holiday Thursday, no holiday rule: shut", false, false, "2026-10-01", holiday, ""},
		{"holiday Thursday with holiday hours: those only", true, false, "2026-10-01", holiday, "14:00"},
		{"调休 Saturday, no workday rule: as Monday (not said)", false, false, "2026-10-10", worked, "08:30"},
		{"调休 Saturday following Thursday", true, false, "2026-10-10", workedThu, "18:00 08:30"},
		{"调休 Saturday with its own rule", false, true, "2026-10-10", workedThu, "19:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range chorus.RulesOn(gymByDay(tc.holiday, tc.workday), day(tc.date), tc.cal) {
				got = append(got, r.Start)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("RulesOn(%s) = %v, want %q", tc.date, got, tc.want)
			}
		})
	}
}

// TestOpenBlocks_Calendar lays out the week of 国庆 2026 (10-05..10-11:
// Monday to Wednesday off, Saturday 10-10 worked) with the real calendar's
// days.
func TestOpenBlocks_Calendar(t *testing.T) {
	cal := map[string]chorus.CalendarDay{}
	for _, d := range []string{"2026-10-05", "2026-10-06", "2026-10-07"} {
		cal[d] = chorus.CalendarDay{Date: d, Kind: chorus.CalendarHoliday, Name: "国庆节"}
	}
	cal["2026-10-10"] = chorus.CalendarDay{Date: "2026-10-10", Kind: chorus.CalendarWorkday, Name: "国庆节", Follows: 2}
	monday := time.Date(2026, 10, 5, 0, 0, 0, 0, shanghai)
	blocks := func(v chorus.Venue) string {
		var got []string
		for _, b := range chorus.OpenBlocks(v, monday, shanghai, cal) {
			got = append(got, fmt.Sprint(b.Start.Format("02 15:04"), "/", b.Places))
		}
		return strings.Join(got, " ")
	}
	if got, want := blocks(gymByDay(false, false)), "08 18:00/20 10 18:00/20"; got != want {
		t.Errorf("weekday rules only: %s, want %s (shut on the holidays, the 调休 Saturday as a Tuesday)", got, want)
	}
	if got, want := blocks(gymByDay(true, true)), "05 14:00/15 06 14:00/15 07 14:00/15 08 18:00/20 10 19:00/5"; got != want {
		t.Errorf("holiday and workday rules: %s, want %s", got, want)
	}
}

// TestCheckVenueUse_Calendar: an event may use a room on a holiday or a
// 调休 day only as the rules of that kind of day allow.
func TestCheckVenueUse_Calendar(t *testing.T) {
	cal := map[string]chorus.CalendarDay{
		"2026-10-01": {Date: "2026-10-01", Kind: chorus.CalendarHoliday, Name: "国庆节"},
		"2026-10-10": {Date: "2026-10-10", Kind: chorus.CalendarWorkday, Name: "国庆节", Follows: 5}}
	v := gymByDay(false, false)
	at := func(d, h int) time.Time { return time.Date(2026, 10, d, h, 0, 0, 0, shanghai) }
	if err := chorus.CheckVenueUse(v, at(1, 9), at(1, 11), 30, nil, shanghai, cal); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("a lecture on 国庆 = %v, want EINVALID", err)
	}
	if err := chorus.CheckVenueUse(v, at(10, 9), at(10, 11), 30, nil, shanghai, cal); err != nil {
		t.Errorf("a lecture on the 调休 Saturday (a Friday's rules) = %v", err)
	}
	if err := chorus.CheckVenueUse(v, at(10, 9), at(10, 11), 30, nil, shanghai, nil); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("an ordinary Saturday = %v, want EINVALID", err)
	}
}

func TestOpeningRule_DayKinds(t *testing.T) {
	v := gymByDay(true, true)
	v.Hours[3].Weekdays = []int{1}
	if err := v.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if v.Hours[0].Day != chorus.DayWeekday || len(v.Hours[3].Weekdays) != 0 {
		t.Errorf("normalised %+v", v.Hours)
	}
	v.Hours[4].Day = "sunday"
	if err := v.Validate(); chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), "法定节假日") {
		t.Errorf("an unknown kind of day: %v", err)
	}
}

func TestCheckCalendarDay(t *testing.T) {
	ok := chorus.CalendarDay{Date: "2026-10-10", Kind: chorus.CalendarWorkday, Name: " 国庆节 ", Follows: 4}
	if err := chorus.CheckCalendarDay(&ok); err != nil || ok.Name != "国庆节" || ok.Source != "工作人员修改" {
		t.Fatalf("CheckCalendarDay = %v, %+v", err, ok)
	}
	for name, d := range map[string]chorus.CalendarDay{
		"ErrDate":    {Date: "2026-13-01", Kind: chorus.CalendarHoliday, Name: "x"},
		"ErrKind":    {Date: "2026-10-01", Kind: "ordinary", Name: "x"},
		"ErrName":    {Date: "2026-10-01", Kind: chorus.CalendarHoliday, Name: " "},
		"ErrFollows": {Date: "2026-10-10", Kind: chorus.CalendarWorkday, Name: "国庆节", Follows: 8},
	} {
		t.Run(name, func(t *testing.T) {
			if err := chorus.CheckCalendarDay(&d); chorus.ErrorCode(err) != chorus.EINVALID || chorus.ErrorMessage(err) == "" {
				t.Errorf("CheckCalendarDay = %v, want EINVALID with a message", err)
			}
		})
	}
}

// FuzzCheckCalendarDay: a day staff send (the date from the URL, the rest
// from the body) never panics, and one accepted has a real date, a kind,
// a name and a weekday in range.
func FuzzCheckCalendarDay(f *testing.F) {
	f.Add("2026-10-01", "holiday", "国庆节", 0)
	f.Add("2026-10-10", "workday", " 国庆节 ", 6)
	f.Add("10-01", "ordinary", "", -1)
	f.Fuzz(func(t *testing.T, date, kind, name string, follows int) {
		d := chorus.CalendarDay{Date: date, Kind: chorus.CalendarKind(kind), Name: name, Follows: follows}
		if err := chorus.CheckCalendarDay(&d); err != nil {
			if chorus.ErrorCode(err) != chorus.EINVALID || chorus.ErrorMessage(err) == "" {
				t.Fatalf("CheckCalendarDay = %v", err)
			}
			return
		}
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil || d.Name == "" || d.Follows < 0 || d.Follows > 7 ||
			(d.Kind != chorus.CalendarHoliday && d.Kind != chorus.CalendarWorkday) {
			t.Fatalf("accepted %+v", d)
		}
	})
}
