package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDecideBooking: every way a booking request ends, from the event, the
// slot's counts, the request, the policy and the time.
func TestDecideBooking(t *testing.T) {
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	now := start.Add(-48 * time.Hour)
	confirm := chorus.BookingPolicy{RequireConfirm: true, ConfirmWindow: 24 * time.Hour}
	direct := chorus.BookingPolicy{RequireConfirm: false, ConfirmWindow: 24 * time.Hour}
	event := func(status chorus.EventStatus, waitlist bool) *chorus.Event {
		return &chorus.Event{Status: status, Waitlist: waitlist, CutoffMinutes: 60}
	}
	slot := func(capacity, taken int) chorus.Slot {
		return chorus.Slot{Start: start, Capacity: capacity, Taken: taken}
	}
	tests := []struct {
		name   string
		event  *chorus.Event
		slot   chorus.Slot
		req    chorus.BookingRequest
		policy chorus.BookingPolicy
		now    time.Time
		want   chorus.BookingDecision
		code   string // error code; "" for a decision
		msg    string
	}{
		{name: "PendingUntilReply", event: event(chorus.EventOpen, false), slot: slot(2, 0), policy: confirm, now: now,
			want: chorus.BookingDecision{Status: chorus.StatusPending, Deadline: now.Add(24 * time.Hour)}},
		{name: "PendingNeverPastStart", event: event(chorus.EventOpen, false), slot: slot(2, 1), policy: confirm, now: start.Add(-2 * time.Hour),
			want: chorus.BookingDecision{Status: chorus.StatusPending, Deadline: start}},
		{name: "StaffConfirmsAtOnce", event: event(chorus.EventOpen, false), slot: slot(2, 1), req: chorus.BookingRequest{Confirmed: true},
			policy: confirm, now: now, want: chorus.BookingDecision{Status: chorus.StatusConfirmed}},
		{name: "NoReplyRequired", event: event(chorus.EventOpen, false), slot: slot(1, 0), policy: direct, now: now,
			want: chorus.BookingDecision{Status: chorus.StatusConfirmed}},
		{name: "FullNoWaitlist", event: event(chorus.EventOpen, false), slot: slot(2, 2), req: chorus.BookingRequest{Waitlist: true},
			policy: confirm, now: now, code: chorus.EFULL, msg: "这个时段已满,请选其他时段。"},
		{name: "FullWaitlistNotAsked", event: event(chorus.EventOpen, true), slot: slot(2, 2), policy: confirm, now: now,
			code: chorus.EFULL, msg: "这个时段已满,可以排队候补,或选其他时段。"},
		{name: "FullWaitlisted", event: event(chorus.EventOpen, true), slot: slot(2, 2), req: chorus.BookingRequest{Waitlist: true},
			policy: confirm, now: now, want: chorus.BookingDecision{Status: chorus.StatusWaitlisted}},
		{name: "OverbookedIsFull", event: event(chorus.EventOpen, true), slot: slot(2, 3), req: chorus.BookingRequest{Waitlist: true, Confirmed: true},
			policy: confirm, now: now, want: chorus.BookingDecision{Status: chorus.StatusWaitlisted}},
		{name: "Closed", event: event(chorus.EventClosed, true), slot: slot(2, 0), policy: confirm, now: now,
			code: chorus.ECONFLICT, msg: "这个活动已经停止预约了。"},
		{name: "Cancelled", event: event(chorus.EventCancelled, true), slot: slot(2, 0), policy: confirm, now: now,
			code: chorus.ECONFLICT, msg: "这个活动已经停止预约了。"},
		{name: "AtCutoff", event: event(chorus.EventOpen, true), slot: slot(2, 0), policy: confirm, now: start.Add(-time.Hour),
			code: chorus.ECONFLICT, msg: "这个时段已经截止预约了,请选其他时段。"},
		{name: "JustBeforeCutoff", event: event(chorus.EventOpen, true), slot: slot(2, 0), policy: direct, now: start.Add(-time.Hour - time.Millisecond),
			want: chorus.BookingDecision{Status: chorus.StatusConfirmed}},
		{name: "CutoffBeforeFull", event: event(chorus.EventOpen, false), slot: slot(2, 2), policy: confirm, now: start,
			code: chorus.ECONFLICT, msg: "这个时段已经截止预约了,请选其他时段。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chorus.DecideBooking(tt.event, tt.slot, tt.req, tt.policy, tt.now)
			if tt.code != "" {
				if chorus.ErrorCode(err) != tt.code || chorus.ErrorMessage(err) != tt.msg {
					t.Fatalf("err = %v (%s), want %s %q", err, chorus.ErrorCode(err), tt.code, tt.msg)
				}
				if tt.event.BookingOpen(tt.slot, tt.now) != (tt.code == chorus.EFULL) {
					t.Errorf("BookingOpen = %v for a %s refusal", !(tt.code == chorus.EFULL), tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.want.Status || !got.Deadline.Equal(tt.want.Deadline) {
				t.Errorf("decision = %+v, want %+v", got, tt.want)
			}
			if got.TakesSeat() != (tt.want.Status != chorus.StatusWaitlisted) {
				t.Errorf("TakesSeat = %v for %s", got.TakesSeat(), got.Status)
			}
			if !tt.event.BookingOpen(tt.slot, tt.now) {
				t.Error("BookingOpen = false for a slot that was booked")
			}
		})
	}
}
