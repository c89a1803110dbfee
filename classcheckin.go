package chorus

import (
	"strings"
	"time"
)

// ClassCheckinRequest is one 6-digit code typed, or one QR code scanned,
// at the door of a class's session of today (staff check-in).
type ClassCheckinRequest struct {
	ClassID int64  `json:"class_id"`
	Code    string `json:"code,omitempty"`
	// Token is the enrolment's check-in token from its QR code (or the
	// scanned /c/<token> URL), instead of Code.
	Token string `json:"token,omitempty"`
	// EnrolmentID checks in an enrolment the door's search found (staff
	// only), instead of Code or Token.
	EnrolmentID int64 `json:"enrolment_id,omitempty"`
	// At is when the code was typed; a check-in kept offline and synced
	// later carries its own time, and the earliest time wins.
	At    time.Time `json:"at,omitzero"`
	Actor Actor     `json:"-"`
}

// ClassCheckinFacts is what a store found for a code typed at a class's
// door: the class, today's session (ID zero when the class has none
// today) and the enrolment with the code.
type ClassCheckinFacts struct {
	ClassID int64
	Title   string
	Session ClassSession
	Start   time.Time // the session's start
	Name    string    // the enrolled resident's
	Status  Status    // the enrolment's
	Present time.Time // when marked present at this session; zero otherwise
}

// DecideClassCheckin decides a check-in at a class session's door. It
// reuses DecideCheckin, so outcomes and words are those of an event's
// door: a session called off or skipped is "cancelled", a class with no
// session today "other_event", a code of no enrolment of the class
// "unknown", a waitlisted resident "waitlisted", one already marked
// present "already". A place asked about after missed sessions (offered)
// is still held: coming marks the resident present but does not answer
// the SMS. Confirm is never set: an enrolment's status does not change.
func DecideClassCheckin(found bool, f ClassCheckinFacts, scanAt, now time.Time, loc *time.Location) CheckinDecision {
	why := ""
	if r := strings.TrimSpace(f.Session.Reason); r != "" {
		why = "(" + r + ")"
	}
	switch {
	case f.Session.ID == 0:
		return CheckinDecision{Outcome: CheckinOtherEvent, Message: "「" + f.Title + "」今天没有课,请找工作人员。"}
	case f.Session.Status == SessionCancelled:
		return CheckinDecision{Outcome: CheckinCancelled, Message: "今天这节课停课了" + why + ",不用签到。"}
	case f.Session.Status == SessionSkipped:
		return CheckinDecision{Outcome: CheckinCancelled, Message: "今天放假不上课" + why + ",不用签到。"}
	case !found:
		return CheckinDecision{Outcome: CheckinUnknown, Message: "没有找到这个报名,请找工作人员。"}
	}
	st := f.Status
	switch {
	case !st.HoldsSeat() && st != StatusWaitlisted:
		return CheckinDecision{Outcome: CheckinCancelled, Message: "这个报名已经取消了,请找工作人员。"}
	case st != StatusWaitlisted && !f.Present.IsZero():
		st = StatusCheckedIn
	case st != StatusWaitlisted:
		st = StatusConfirmed
	}
	d := DecideCheckin(f.ClassID, true, CheckinFacts{EventID: f.ClassID, EventTitle: f.Title, Status: st,
		Name: f.Name, CheckedInAt: f.Present, SlotStart: f.Start}, scanAt, now, loc)
	d.Confirm = false
	return d
}

// WrongClassDoor is the answer at a class's door to a QR code of something
// else: kind is 课程 for another class's enrolment, 活动 for an event's
// booking, and title its title. Nothing is checked in.
func WrongClassDoor(kind, title string) CheckinDecision {
	what := "预约"
	if kind == "课程" {
		what = "报名"
	}
	return CheckinDecision{Outcome: CheckinOtherEvent, Message: "这是「" + title + "」" + kind + "的" + what + ",不是这门课。"}
}
