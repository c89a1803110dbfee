package chorus

import (
	"fmt"
	"time"
)

// This file holds the rules of volunteer hours: what a check-in and a
// check-out are worth on a shift, and who may confirm the claim.

// Claim statuses.
const (
	ClaimProposed  = "proposed"
	ClaimConfirmed = "confirmed"
	ClaimRejected  = "rejected"
)

// Claim sources: a shift's signup, or time-bank help at home.
const (
	ClaimShift = "shift"
	ClaimHelp  = "help"
)

// Claim is hours a volunteer gave, proposed from their presence and
// confirmed or rejected by someone else.
type Claim struct {
	ID          int64     `json:"id"`
	Community   int64     `json:"community"`
	VolunteerID int64     `json:"volunteer_id"`
	Volunteer   string    `json:"volunteer,omitempty"` // filled on read for staff
	Source      string    `json:"source"`
	SourceID    int64     `json:"source_id"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Minutes     int       `json:"minutes"`
	Status      string    `json:"status"`
	DecidedBy   string    `json:"decided_by,omitempty"`
	DecidedAt   time.Time `json:"decided_at,omitzero"`
	Note        string    `json:"note,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	Activity    string    `json:"activity,omitempty"` // the shift's activity, filled on read
}

// Span is a stretch of time a volunteer already claimed (a claim not
// rejected).
type Span struct {
	Start, End time.Time
	Minutes    int
}

// Hours is what a check-in and check-out are worth.
type Hours struct {
	Start, End time.Time // the stretch counted: presence within the shift
	Minutes    int       // rounded down to 15 minutes, capped per day
	// ToStaff says why staff must decide instead ("" when the claim can
	// be proposed as it is).
	ToStaff string
}

// ShiftHours computes the hours of a volunteer present from in to out on a
// shift from start to end, given the other stretches they claimed (not
// rejected), in loc:
//
//   - only the overlap of presence with the shift window counts;
//   - it is rounded DOWN to a quarter of an hour;
//   - no more than MaxVolunteerMinutesPerDay on the shift's day, counting
//     the day's other claims;
//   - a stretch that overlaps another claim, or a missing check-out, goes
//     to staff (ToStaff) and counts nothing by itself.
func ShiftHours(in, out, start, end time.Time, claimed []Span, loc *time.Location) Hours {
	switch {
	case in.IsZero():
		return Hours{ToStaff: "没有签到记录"}
	case out.IsZero():
		return Hours{ToStaff: "没有签退记录"}
	case !out.After(in):
		return Hours{ToStaff: "签退早于签到"}
	}
	s, e := maxTime(in, start), minTime(out, end)
	if !e.After(s) {
		return Hours{Start: s, End: s, ToStaff: "在岗时间不在班次时段内"}
	}
	h := Hours{Start: s, End: e, Minutes: int(e.Sub(s)/(15*time.Minute)) * 15}
	day := dayOf(start, loc)
	used := 0
	for _, c := range claimed {
		if c.Start.Before(e) && s.Before(c.End) {
			return Hours{Start: s, End: e, ToStaff: "与已记录的服务时段重叠"}
		}
		if dayOf(c.Start, loc) == day {
			used += c.Minutes
		}
	}
	if left := max(MaxVolunteerMinutesPerDay-used, 0); h.Minutes > left {
		h.Minutes = left
	}
	return h
}

func dayOf(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Confirmer is who confirms a claim: staff (Staff set, Login their name) or
// a volunteer acting as an activity's leader (VolunteerID).
type Confirmer struct {
	Staff bool
	Login string
	// VolunteerID is the confirmer's own volunteer record: the leader's,
	// or for staff the volunteer with the staff member's phone (0: none).
	VolunteerID int64
}

// DecidedBy is how the claim records its confirmer: staff:<login> or
// leader:<volunteer id>.
func (c Confirmer) DecidedBy() string {
	if c.Staff {
		return "staff:" + c.Login
	}
	return fmt.Sprintf("leader:%d", c.VolunteerID)
}

// MayConfirm decides whether c may confirm or reject a claim of volunteer
// claimant on a shift of an activity led by leader (0: none): staff may;
// the activity's leader may, but never their own hours — nobody certifies
// themself, and a leader's own hours need staff.
func MayConfirm(c Confirmer, claimant, leader int64) error {
	switch {
	case c.VolunteerID != 0 && c.VolunteerID == claimant && c.Staff:
		return Errorf(EFORBIDDEN, "不能确认自己的服务时长,请另一位工作人员确认。")
	case c.VolunteerID != 0 && c.VolunteerID == claimant:
		return Errorf(EFORBIDDEN, "不能确认自己的服务时长,请工作人员确认。")
	case c.Staff:
		return nil
	case leader != 0 && c.VolunteerID == leader:
		return nil
	}
	return Errorf(EFORBIDDEN, "只有工作人员或活动负责人可以确认服务时长。")
}

// Presence outcomes of a code typed at a shift's door.
const (
	PresenceIn      = "in"      // checked in
	PresenceOut     = "out"     // checked out: a claim was proposed, or staff must settle
	PresenceAlready = "already" // checked in and out before
)

// PresenceResult is what a code typed at a shift's door did.
type PresenceResult struct {
	Outcome string  `json:"outcome"`
	Message string  `json:"message"` // for the door, in Chinese
	Signup  *Signup `json:"signup"`
}

// HoursQueue is what staff have to settle: claims proposed, and signups
// whose hours cannot be proposed (no check-out after the shift ended, an
// overlap …).
type HoursQueue struct {
	Claims  []Claim  `json:"claims"`
	Signups []Signup `json:"signups"`
}

// CheckinOutcome is what a check-in door (the kiosk's check-in mode, the
// staff's door page) shows for a volunteer's presence: 签到成功 for a
// check-in or a check-out, 已签到 when both were recorded before.
func (r PresenceResult) CheckinOutcome() CheckinOutcome {
	if r.Outcome == PresenceAlready {
		return CheckinAlready
	}
	return CheckinOK
}

// Word is the door's big word for the presence: ✓ 签到成功, ✓ 签退成功 or
// ✓ 已签到.
func (r PresenceResult) Word() string {
	switch r.Outcome {
	case PresenceIn:
		return "✓ 签到成功"
	case PresenceOut:
		return "✓ 签退成功"
	}
	return "✓ 已签到"
}
