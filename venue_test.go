package chorus_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func hall() chorus.Venue {
	return chorus.Venue{PlaceID: 1, Place: "小礼堂", PartnerID: 2, Capacity: 120, BufferMinutes: 30, AnswerHours: 24,
		Hours:    []chorus.OpeningRule{{Weekdays: []int{1, 2, 3, 4, 5, 6}, Start: "08:30", End: "21:00", Mode: chorus.VenueModeEvent}},
		Closures: []chorus.Closure{{From: "2026-12-24", To: "2026-12-25", Reason: "所内年会"}}}
}

// dec is 2026-12-DD HH:MM in Shanghai (2026-12-12 is a Saturday).
func dec(day, hour, min int) time.Time { return time.Date(2026, 12, day, hour, min, 0, 0, shanghai) }

func TestVenue_Validate(t *testing.T) {
	ok := hall()
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	gym := chorus.Venue{PlaceID: 3, PartnerID: 2, Capacity: 40, Approvers: []string{"139 1234 5678", "13912345678"},
		Hours: []chorus.OpeningRule{{Weekdays: []int{4, 2, 2}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20}}}
	if err := gym.Validate(); err != nil || len(gym.Approvers) != 1 || len(gym.Hours[0].Weekdays) != 2 {
		t.Fatalf("gym: %v %+v", err, gym)
	}
	for name, change := range map[string]func(*chorus.Venue){
		"ErrNoPartner":      func(v *chorus.Venue) { v.PartnerID = 0 },
		"ErrCapacity":       func(v *chorus.Venue) { v.Capacity = 0 },
		"ErrBuffer":         func(v *chorus.Venue) { v.BufferMinutes = -1 },
		"ErrApprover":       func(v *chorus.Venue) { v.Approvers = []string{"12345"} },
		"ErrWeekday":        func(v *chorus.Venue) { v.Hours[0].Weekdays = []int{8} },
		"ErrNoWeekday":      func(v *chorus.Venue) { v.Hours[0].Weekdays = nil },
		"ErrEndBeforeStart": func(v *chorus.Venue) { v.Hours[0].End = "08:00" },
		"ErrClock":          func(v *chorus.Venue) { v.Hours[0].Start = "8点" },
		"ErrMode":           func(v *chorus.Venue) { v.Hours[0].Mode = "party" },
		"ErrOpenPlaces":     func(v *chorus.Venue) { v.Hours[0].Mode, v.Hours[0].Places = chorus.VenueModeOpen, 500 },
	} {
		t.Run(name, func(t *testing.T) {
			v := hall()
			change(&v)
			err := v.Validate()
			if chorus.ErrorCode(err) != chorus.EINVALID || chorus.ErrorMessage(err) == "" {
				t.Fatalf("Validate = %v, want EINVALID with a message", err)
			}
		})
	}
}

func TestCheckVenueUse(t *testing.T) {
	v := hall()
	taken := []chorus.Use{{Start: dec(12, 14, 0), End: dec(12, 16, 0), What: "健康讲座"}}
	for _, tt := range []struct {
		name       string
		start, end time.Time
		people     int
		uses       []chorus.Use
		buffer     int
		code       string
	}{
		{"OK", dec(12, 9, 0), dec(12, 11, 0), 80, taken, 30, ""},
		{"OKAfterBuffer", dec(12, 16, 30), dec(12, 18, 0), 80, taken, 30, ""},
		{"ErrInsideBuffer", dec(12, 16, 29), dec(12, 18, 0), 80, taken, 30, chorus.ECONFLICT},
		{"ErrBeforeWithBuffer", dec(12, 12, 0), dec(12, 13, 31), 80, taken, 30, chorus.ECONFLICT},
		{"OKTouchingNoBuffer", dec(12, 16, 0), dec(12, 18, 0), 80, taken, 0, ""},
		{"ErrOverlapNoBuffer", dec(12, 15, 59), dec(12, 18, 0), 80, taken, 0, chorus.ECONFLICT},
		{"ErrSunday", dec(13, 9, 0), dec(13, 11, 0), 80, nil, 30, chorus.EINVALID},
		{"ErrLate", dec(12, 20, 0), dec(12, 22, 0), 80, nil, 30, chorus.EINVALID},
		{"ErrTooMany", dec(12, 9, 0), dec(12, 11, 0), 121, nil, 30, chorus.EINVALID},
		{"ErrClosed", dec(24, 9, 0), dec(24, 11, 0), 80, nil, 30, chorus.ECONFLICT},
		{"ErrClosedLastDay", dec(25, 20, 0), dec(25, 20, 30), 80, nil, 30, chorus.ECONFLICT},
		{"OKDayAfterClosure", dec(26, 9, 0), dec(26, 11, 0), 80, nil, 30, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v.BufferMinutes = tt.buffer
			err := chorus.CheckVenueUse(v, tt.start, tt.end, tt.people, tt.uses, shanghai, nil)
			if got := chorus.ErrorCode(err); (err == nil) != (tt.code == "") || (err != nil && got != tt.code) {
				t.Fatalf("CheckVenueUse = %v, want code %q", err, tt.code)
			}
		})
	}
}

func TestDecideVenueReply(t *testing.T) {
	for _, tt := range []struct {
		st      chorus.VenueRequestStatus
		intent  chorus.Intent
		to      chorus.VenueRequestStatus
		handled bool
	}{
		{chorus.VenuePending, chorus.IntentVenueAgree, chorus.VenueApproved, true},
		{chorus.VenuePending, chorus.IntentVenueRefuse, chorus.VenueRefused, true},
		{chorus.VenueApproved, chorus.IntentVenueAgree, "", true},   // a repeat does nothing
		{chorus.VenueApproved, chorus.IntentVenueRefuse, "", false}, // the first answer won: staff
		{chorus.VenueRefused, chorus.IntentVenueAgree, "", false},   // changed their mind: staff
		{chorus.VenueExpired, chorus.IntentVenueAgree, "", false},   // a late reply: staff
		{chorus.VenueApproved, chorus.IntentVenueWithdraw, chorus.VenueWithdrawn, true},
		{chorus.VenuePending, chorus.IntentVenueWithdraw, chorus.VenueWithdrawn, true},
		{chorus.VenueRefused, chorus.IntentVenueWithdraw, "", false},
		{chorus.VenuePending, chorus.IntentConfirm, "", false},
	} {
		eff := chorus.DecideVenueReply(7, tt.st, tt.intent)
		if eff.To != tt.to || eff.Handled != tt.handled || eff.Outcome == "" {
			t.Errorf("DecideVenueReply(%s, %s) = %+v, want to %q handled %v", tt.st, tt.intent, eff, tt.to, tt.handled)
		}
	}
}

func TestRefusalReason(t *testing.T) {
	for in, want := range map[string]string{"不同意1024 那天所里有会": "那天所里有会", "不同意1024": "", "不同意,礼堂在修。": "礼堂在修",
		"同意1024": ""} {
		if got := chorus.RefusalReason(in); got != want {
			t.Errorf("RefusalReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVenueDeadline(t *testing.T) {
	now := dec(1, 9, 0)
	if got := chorus.VenueDeadline(now, dec(12, 14, 0), 24); !got.Equal(dec(11, 14, 0)) {
		t.Errorf("deadline %v", got)
	}
	if got := chorus.VenueDeadline(now, dec(1, 13, 0), 24); !got.Equal(dec(1, 11, 0)) {
		t.Errorf("late request deadline %v", got)
	}
}

func TestOpenBlocks(t *testing.T) {
	gym := chorus.Venue{Capacity: 40, Hours: []chorus.OpeningRule{
		{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20},
		{Weekdays: []int{2}, Start: "08:00", End: "10:00", Mode: chorus.VenueModeOpen, Places: 5},
		{Weekdays: []int{6}, Start: "09:00", End: "17:00", Mode: chorus.VenueModeEvent}},
		Closures: []chorus.Closure{{From: "2026-12-10", To: "2026-12-10"}}}
	monday := chorus.WeekStart(dec(10, 15, 30)) // a Thursday afternoon
	if !monday.Equal(dec(7, 0, 0)) {
		t.Fatalf("WeekStart = %v", monday)
	}
	var got []string
	for _, b := range chorus.OpenBlocks(gym, monday, shanghai, nil) {
		got = append(got, fmt.Sprint(b.Start.Format("02 15:04"), "-", b.End.Format("15:04"), "/", b.Places))
	}
	if want := "[08 08:00-10:00/5 08 18:00-20:00/20]"; fmt.Sprint(got) != want {
		t.Errorf("OpenBlocks = %v, want %s (Thursday the 10th is closed)", got, want)
	}
}

// TestCheckOpenHoursQuota: the week's and the at-once limits, each at its
// edge; 0 is no limit.
func TestCheckOpenHoursQuota(t *testing.T) {
	gym := chorus.Venue{Place: "体育馆", WeekLimit: 3, AtOnce: 2}
	for _, tc := range []struct {
		name           string
		v              chorus.Venue
		week, upcoming int
		want           string // "" allowed, else part of the message
	}{
		{"first of the week", gym, 0, 0, ""},
		{"third of the week", gym, 2, 1, ""},
		{"fourth of the week", gym, 3, 0, "每人每周最多预约3次"},
		{"a third held at once", gym, 1, 2, "每人最多同时预约2次,您已有2次"},
		{"no limits", chorus.Venue{Place: "图书室"}, 40, 40, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := chorus.CheckOpenHoursQuota(tc.v, tc.week, tc.upcoming)
			if tc.want == "" && err != nil || tc.want != "" && (chorus.ErrorCode(err) != chorus.ECONFLICT ||
				!strings.Contains(chorus.ErrorMessage(err), tc.want)) {
				t.Errorf("CheckOpenHoursQuota(week %d, upcoming %d) = %v, want %q", tc.week, tc.upcoming, err, tc.want)
			}
		})
	}
	bad := hall()
	bad.WeekLimit = -1
	if err := bad.Validate(); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("a negative week limit: %v", err)
	}
}
