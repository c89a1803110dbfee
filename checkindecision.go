package chorus

import (
	"fmt"
	"strings"
	"time"
)

// MaxOfflineScan bounds how old a scan synced later may be: a staff phone
// offline for a whole event day, no more.
const MaxOfflineScan = 12 * time.Hour

// CheckinFacts is what a store found for a scan or a typed code: the
// booking's event, status, name, first check-in time and slot.
type CheckinFacts struct {
	EventID     int64
	EventTitle  string
	Status      Status
	Name        string
	CheckedInAt time.Time // zero when never checked in
	SlotStart   time.Time
}

// CheckinDecision is what a check-in does and what the door shows.
type CheckinDecision struct {
	Outcome CheckinOutcome
	Message string
	// Confirm is true when a pending or offered booking is first
	// confirmed (到场签到), before CheckIn.
	Confirm bool
	// CheckIn is true when the booking becomes checked in at At.
	CheckIn bool
	// At is the check-in time to record: the scan's for CheckIn; for an
	// already checked-in booking, an earlier first time than the one kept
	// (zero when the kept one stands).
	At time.Time
}

// DecideCheckin decides a check-in at the door of event eventID at now, in
// the community's zone loc. found is false when no booking has the token,
// code or id. A scan kept offline carries its own time scanAt: accepted
// back to MaxOfflineScan, never in the future, and the earliest time wins.
func DecideCheckin(eventID int64, found bool, b CheckinFacts, scanAt, now time.Time, loc *time.Location) CheckinDecision {
	if !found {
		return CheckinDecision{Outcome: CheckinUnknown, Message: "没有找到这个预约,请找工作人员。"}
	}
	if b.EventID != eventID {
		return CheckinDecision{Outcome: CheckinOtherEvent,
			Message: fmt.Sprintf("这是%s「%s」的预约,不是这个活动。", FormatWhen(b.SlotStart.In(loc)), b.EventTitle)}
	}
	day := b.SlotStart.In(loc)
	if y, m, d := now.In(loc).Date(); y != day.Year() || m != day.Month() || d != day.Day() {
		return CheckinDecision{Outcome: CheckinOtherEvent, Message: fmt.Sprintf("这是%s的预约,不是今天的,请找工作人员。", FormatDay(day))}
	}
	at := now
	if !scanAt.IsZero() && scanAt.Before(at) && now.Sub(scanAt) <= MaxOfflineScan {
		at = scanAt
	}
	greet := strings.TrimSpace(b.Name)
	if greet != "" {
		greet += ","
	}
	switch b.Status {
	case StatusCheckedIn:
		d := CheckinDecision{Outcome: CheckinAlready, Message: greet + "您已经签到过了。"}
		if !b.CheckedInAt.IsZero() && at.UnixMilli() < b.CheckedInAt.UnixMilli() {
			d.At = at
		}
		return d
	case StatusPending, StatusOffered:
		return CheckinDecision{Outcome: CheckinOK, Message: greet + "签到成功!", Confirm: true, CheckIn: true, At: at}
	case StatusConfirmed:
		return CheckinDecision{Outcome: CheckinOK, Message: greet + "签到成功!", CheckIn: true, At: at}
	case StatusWaitlisted:
		return CheckinDecision{Outcome: CheckinWaitlisted, Message: greet + "您还在候补,暂时没有空位,请找工作人员。"}
	case StatusNoShow:
		return CheckinDecision{Outcome: CheckinCancelled, Message: "这个活动已经结束了。"}
	}
	return CheckinDecision{Outcome: CheckinCancelled, Message: "这个预约已经取消了,请找工作人员。"}
}
