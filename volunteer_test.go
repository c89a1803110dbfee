package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

var shanghaiLoc = time.FixedZone("CST", 8*3600)

func vat(hh, mm int) time.Time { return time.Date(2026, 12, 4, hh, mm, 0, 0, shanghaiLoc) }

// TestShiftHours: the overlap of presence with the shift, rounded down to
// 15 minutes, capped at 8 hours a day, never overlapping another claim,
// and a missing check-out goes to staff.
func TestShiftHours(t *testing.T) {
	var none time.Time
	start, end := vat(8, 30), vat(11, 30)
	morning := chorus.Span{Start: vat(8, 30), End: vat(11, 30), Minutes: 180}
	long := chorus.Span{Start: vat(0, 0), End: vat(7, 0), Minutes: 420}
	yesterday := chorus.Span{Start: vat(8, 0).AddDate(0, 0, -1), End: vat(16, 0).AddDate(0, 0, -1), Minutes: 480}
	for _, tt := range []struct {
		name      string
		in, out   time.Time
		claimed   []chorus.Span
		minutes   int
		toStaff   string
		startWant time.Time
	}{
		{"ExactlyTheShift", vat(8, 30), vat(11, 30), nil, 180, "", vat(8, 30)},
		{"EarlyAndLateCountOnlyTheWindow", vat(7, 50), vat(12, 40), nil, 180, "", vat(8, 30)},
		{"LateArrivalRoundedDown", vat(8, 44), vat(11, 30), nil, 165, "", vat(8, 44)},
		{"FourteenMinutesIsNothing", vat(8, 30), vat(8, 44), nil, 0, "", vat(8, 30)},
		{"FifteenMinutesCounts", vat(8, 30), vat(8, 45), nil, 15, "", vat(8, 30)},
		{"LeftEarly", vat(8, 30), vat(10, 59), nil, 135, "", vat(8, 30)},
		{"NoCheckOut", vat(8, 30), none, nil, 0, "没有签退记录", none},
		{"NoCheckIn", none, vat(11, 0), nil, 0, "没有签到记录", none},
		{"OutBeforeIn", vat(10, 0), vat(9, 0), nil, 0, "签退早于签到", none},
		{"OutsideTheWindow", vat(12, 0), vat(13, 0), nil, 0, "在岗时间不在班次时段内", vat(12, 0)},
		{"OverlapsAnotherClaim", vat(8, 30), vat(11, 30), []chorus.Span{morning}, 0, "与已记录的服务时段重叠", vat(8, 30)},
		{"CappedByTheDay", vat(8, 30), vat(11, 30), []chorus.Span{long}, 60, "", vat(8, 30)},
		{"YesterdayDoesNotCount", vat(8, 30), vat(11, 30), []chorus.Span{yesterday}, 180, "", vat(8, 30)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := chorus.ShiftHours(tt.in, tt.out, start, end, tt.claimed, shanghaiLoc)
			if h.Minutes != tt.minutes || h.ToStaff != tt.toStaff || !h.Start.Equal(tt.startWant) {
				t.Errorf("ShiftHours = %+v, want %d min, to staff %q, from %v", h, tt.minutes, tt.toStaff, tt.startWant)
			}
		})
	}
	// A 12-hour shift fully attended is capped at 8 hours.
	h := chorus.ShiftHours(vat(7, 0), vat(19, 0), vat(7, 0), vat(19, 0), nil, shanghaiLoc)
	if h.Minutes != chorus.MaxVolunteerMinutesPerDay {
		t.Errorf("12-hour shift = %d min, want %d", h.Minutes, chorus.MaxVolunteerMinutesPerDay)
	}
}

// TestMayConfirm: staff or the activity's leader confirm; nobody their own
// hours; a leader's own hours need staff.
func TestMayConfirm(t *testing.T) {
	staff := chorus.Confirmer{Staff: true, Login: "wang"}
	leader := chorus.Confirmer{VolunteerID: 5}
	other := chorus.Confirmer{VolunteerID: 6}
	for _, tt := range []struct {
		name     string
		c        chorus.Confirmer
		claimant int64
		leader   int64
		want     string
	}{
		{"StaffConfirmsAnyone", staff, 6, 5, ""},
		{"StaffConfirmsTheLeader", staff, 5, 5, ""},
		{"LeaderConfirmsOthers", leader, 6, 5, ""},
		{"LeaderNotTheirOwn", leader, 5, 5, chorus.EFORBIDDEN},
		{"VolunteerNotTheirOwn", other, 6, 5, chorus.EFORBIDDEN},
		{"NotTheLeader", other, 7, 5, chorus.EFORBIDDEN},
		{"NoLeaderNoVolunteer", other, 7, 0, chorus.EFORBIDDEN},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := chorus.ErrorCode(chorus.MayConfirm(tt.c, tt.claimant, tt.leader)); got != tt.want {
				t.Errorf("MayConfirm = %q, want %q", got, tt.want)
			}
		})
	}
	if staff.DecidedBy() != "staff:wang" || leader.DecidedBy() != "leader:5" {
		t.Errorf("DecidedBy = %q, %q", staff.DecidedBy(), leader.DecidedBy())
	}
}

// TestRouteReply: a numbered reply goes to what its number matches for the
// replying phone; two matches ask, never guess.
func TestRouteReply(t *testing.T) {
	for _, tt := range []struct {
		name   string
		intent chorus.Intent
		m      chorus.ReplyMatches
		want   chorus.ReplyTarget
	}{
		{"CancelOfApprover", chorus.IntentVenueWithdraw, chorus.ReplyMatches{Venue: true}, chorus.TargetVenue},
		{"CancelOfVolunteer", chorus.IntentVenueWithdraw, chorus.ReplyMatches{Shift: true}, chorus.TargetShift},
		{"CancelOfBoth", chorus.IntentVenueWithdraw, chorus.ReplyMatches{Venue: true, Shift: true}, chorus.TargetAsk},
		{"CancelOfStranger", chorus.IntentVenueWithdraw, chorus.ReplyMatches{}, chorus.TargetVenue},
		{"CancelIgnoresOrders", chorus.IntentVenueWithdraw, chorus.ReplyMatches{Order: true, Shift: true}, chorus.TargetShift},
		{"JoinOfVolunteer", chorus.IntentJoin, chorus.ReplyMatches{Shift: true}, chorus.TargetShift},
		{"JoinOfStranger", chorus.IntentJoin, chorus.ReplyMatches{}, chorus.TargetShift},
		{"JoinIgnoresVenue", chorus.IntentJoin, chorus.ReplyMatches{Venue: true}, chorus.TargetShift},
		{"AcceptOfPartner", chorus.IntentAccept, chorus.ReplyMatches{Order: true}, chorus.TargetOrder},
		{"AcceptOfHelper", chorus.IntentAccept, chorus.ReplyMatches{Help: true}, chorus.TargetHelp},
		{"AcceptOfBoth", chorus.IntentAccept, chorus.ReplyMatches{Order: true, Help: true}, chorus.TargetAsk},
		{"AcceptOfStranger", chorus.IntentAccept, chorus.ReplyMatches{}, chorus.TargetOrder},
		{"DoneOfHelper", chorus.IntentDone, chorus.ReplyMatches{Help: true}, chorus.TargetHelp},
		{"GiveBackOnlyOrders", chorus.IntentGiveBack, chorus.ReplyMatches{Help: true}, chorus.TargetOrder},
		{"AgreeOnlyVenues", chorus.IntentVenueAgree, chorus.ReplyMatches{Shift: true}, chorus.TargetVenue},
		{"ConfirmHasNoNumber", chorus.IntentConfirm, chorus.ReplyMatches{Shift: true}, chorus.TargetNone},
		{"Unknown", chorus.IntentUnknown, chorus.ReplyMatches{Order: true, Venue: true}, chorus.TargetNone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := chorus.RouteReply(tt.intent, tt.m); got != tt.want {
				t.Errorf("RouteReply(%s, %+v) = %q, want %q", tt.intent, tt.m, got, tt.want)
			}
		})
	}
}

func TestDecideSignup(t *testing.T) {
	for _, tt := range []struct {
		capacity, taken int
		want            string
	}{{3, 0, chorus.SignupConfirmed}, {3, 2, chorus.SignupConfirmed}, {3, 3, chorus.SignupWaitlist}, {3, 5, chorus.SignupWaitlist}} {
		if got := chorus.DecideSignup(tt.capacity, tt.taken); got != tt.want {
			t.Errorf("DecideSignup(%d, %d) = %q, want %q", tt.capacity, tt.taken, got, tt.want)
		}
	}
	if chorus.SignupOpen(vat(8, 0), vat(8, 0)) || !chorus.SignupOpen(vat(8, 0), vat(7, 59)) {
		t.Error("SignupOpen: signups close when the shift starts")
	}
}

func TestVolunteer_Validate(t *testing.T) {
	ok := func() chorus.Volunteer {
		return chorus.Volunteer{Name: "李华", Phone: "138 0013 8000", Kinds: []string{"环境整治"}, Consent: true}
	}
	v := ok()
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}
	if v.Phone != "13800138000" || v.Status != chorus.VolunteerActive || v.JoinedVia != chorus.JoinStaff || v.Skills == nil {
		t.Errorf("normalised = %+v", v)
	}
	for _, tt := range []struct {
		name string
		edit func(*chorus.Volunteer)
	}{
		{"NoName", func(v *chorus.Volunteer) { v.Name = " " }},
		{"BadPhone", func(v *chorus.Volunteer) { v.Phone = "12345" }},
		{"BadStatus", func(v *chorus.Volunteer) { v.Status = "gone" }},
		{"BadChannel", func(v *chorus.Volunteer) { v.JoinedVia = "fax" }},
		{"UnknownKind", func(v *chorus.Volunteer) { v.Kinds = []string{"打麻将"} }},
		{"LongSkill", func(v *chorus.Volunteer) { v.Skills = []string{"会修各种各样的家用电器和电脑"} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := ok()
			tt.edit(&v)
			if err := v.Validate(); chorus.ErrorCode(err) != chorus.EINVALID {
				t.Errorf("Validate = %v, want invalid", err)
			}
		})
	}
	if !v.CallOutOK("环境整治") {
		t.Error("an active, consenting volunteer asked for call-outs of that kind")
	}
	for name, v := range map[string]chorus.Volunteer{
		"NoConsent": {Status: chorus.VolunteerActive, Kinds: []string{"环境整治"}},
		"Paused":    {Status: chorus.VolunteerPaused, Consent: true, Kinds: []string{"环境整治"}},
		"OtherKind": {Status: chorus.VolunteerActive, Consent: true, Kinds: []string{"文明宣讲"}},
	} {
		if v.CallOutOK("环境整治") {
			t.Errorf("%s: CallOutOK = true", name)
		}
	}
}

func TestShift_Validate(t *testing.T) {
	good := chorus.Shift{Start: vat(8, 30), End: vat(11, 30), Task: "清扫楼道", Capacity: 10}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]chorus.Shift{
		"EndBeforeStart": {Start: vat(9, 0), End: vat(8, 0), Task: "清扫", Capacity: 1},
		"TooLong":        {Start: vat(6, 0), End: vat(19, 0), Task: "清扫", Capacity: 1},
		"NoTask":         {Start: vat(8, 0), End: vat(9, 0), Capacity: 1},
		"NoPeople":       {Start: vat(8, 0), End: vat(9, 0), Task: "清扫"},
	} {
		if err := s.Validate(); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Errorf("%s: Validate = %v, want invalid", name, err)
		}
	}
	a := chorus.Activity{Kind: "环境整治", Title: "靓丽星期五", Place: "和泽苑"}
	if err := a.Validate(); err != nil || a.Status != "active" || a.Partners == nil {
		t.Errorf("Activity.Validate = %v, %+v", err, a)
	}
	if err := (&chorus.Activity{Kind: "x", Title: "t", Place: "p"}).Validate(); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestWeeklyStarts_FormatMinutes(t *testing.T) {
	got := chorus.WeeklyStarts(vat(8, 30), 3, shanghaiLoc)
	if len(got) != 3 || !got[2].Equal(vat(8, 30).AddDate(0, 0, 14)) {
		t.Errorf("WeeklyStarts = %v", got)
	}
	for m, want := range map[int]string{0: "0小时", 90: "1.5小时", 45: "0.75小时", 480: "8小时", 15: "0.25小时"} {
		if got := chorus.FormatMinutes(m); got != want {
			t.Errorf("FormatMinutes(%d) = %q, want %q", m, got, want)
		}
	}
}
