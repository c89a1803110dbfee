package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDecideReply: what a 1 or a 2 does to one booking or enrolment, from
// its status and deadline now.
func TestDecideReply(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	booking := func(st chorus.Status, deadline time.Time) chorus.ReplyItem {
		return chorus.ReplyItem{Kind: chorus.ReplyItemBooking, ID: 7, Status: st, Deadline: deadline}
	}
	enrolment := func(st chorus.Status, deadline time.Time) chorus.ReplyItem {
		return chorus.ReplyItem{Kind: chorus.ReplyItemEnrolment, ID: 9, Status: st, Deadline: deadline}
	}
	var none time.Time
	open, lapsed := now.Add(time.Hour), now.Add(-time.Minute)
	for _, tt := range []struct {
		name   string
		item   chorus.ReplyItem
		intent chorus.Intent
		want   chorus.ReplyEffect
	}{
		{"OneConfirmsPending", booking(chorus.StatusPending, open), chorus.IntentConfirm,
			chorus.ReplyEffect{To: chorus.StatusConfirmed, Handled: true, Outcome: "已确认预约7"}},
		{"OneTakesOpenOffer", booking(chorus.StatusOffered, open), chorus.IntentConfirm,
			chorus.ReplyEffect{To: chorus.StatusConfirmed, Handled: true, Outcome: "已确认预约7"}},
		{"OneToOfferWithoutDeadline", booking(chorus.StatusOffered, none), chorus.IntentConfirm,
			chorus.ReplyEffect{To: chorus.StatusConfirmed, Handled: true, Outcome: "已确认预约7"}},
		{"OneToLapsedOffer", booking(chorus.StatusOffered, lapsed), chorus.IntentConfirm,
			chorus.ReplyEffect{Outcome: "预约7的候补名额已过期"}},
		{"OneToOfferAtDeadline", booking(chorus.StatusOffered, now), chorus.IntentConfirm,
			chorus.ReplyEffect{Outcome: "预约7的候补名额已过期"}},
		{"TwoDeclinesLapsedOffer", booking(chorus.StatusOffered, lapsed), chorus.IntentCancel,
			chorus.ReplyEffect{To: chorus.StatusCancelled, Handled: true, Outcome: "已取消预约7"}},
		{"OneAgain", booking(chorus.StatusConfirmed, none), chorus.IntentConfirm,
			chorus.ReplyEffect{Handled: true, Outcome: "预约7已经确认过了"}},
		{"OneAfterCheckIn", booking(chorus.StatusCheckedIn, none), chorus.IntentConfirm,
			chorus.ReplyEffect{Handled: true, Outcome: "预约7已经确认过了"}},
		{"TwoCancelsConfirmed", booking(chorus.StatusConfirmed, none), chorus.IntentCancel,
			chorus.ReplyEffect{To: chorus.StatusCancelled, Handled: true, Outcome: "已取消预约7"}},
		{"TwoAgain", booking(chorus.StatusCancelled, none), chorus.IntentCancel,
			chorus.ReplyEffect{Handled: true, Outcome: "预约7已经取消过了"}},
		{"TwoAfterCheckIn", booking(chorus.StatusCheckedIn, none), chorus.IntentCancel,
			chorus.ReplyEffect{Outcome: "预约7现在是“已签到”,不能取消"}},
		{"OneToCancelled", booking(chorus.StatusCancelled, none), chorus.IntentConfirm,
			chorus.ReplyEffect{Outcome: "预约7现在是“已取消”,不能确认"}},
		{"OneToExpired", booking(chorus.StatusExpired, none), chorus.IntentConfirm,
			chorus.ReplyEffect{Outcome: "预约7现在是“候补已过期”,不能确认"}},
		{"OneToWaitlisted", booking(chorus.StatusWaitlisted, none), chorus.IntentConfirm,
			chorus.ReplyEffect{Outcome: "预约7现在是“候补中”,不能确认"}},
		{"EnrolmentOfferTaken", enrolment(chorus.StatusOffered, open), chorus.IntentConfirm,
			chorus.ReplyEffect{To: chorus.StatusConfirmed, Handled: true, Outcome: "已确认报名9"}},
		{"EnrolmentOfferLapsed", enrolment(chorus.StatusOffered, lapsed), chorus.IntentConfirm,
			chorus.ReplyEffect{Outcome: "报名9的候补名额已过期"}},
		{"EnrolmentAgain", enrolment(chorus.StatusCancelled, none), chorus.IntentCancel,
			chorus.ReplyEffect{Handled: true, Outcome: "报名9已经取消过了"}},
		{"EnrolmentNoShow", enrolment(chorus.StatusNoShow, none), chorus.IntentCancel,
			chorus.ReplyEffect{Outcome: "报名9现在是“未到”,不能取消"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := chorus.DecideReply(tt.item, tt.intent, now); got != tt.want {
				t.Errorf("DecideReply = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReplyItem_Acknowledged(t *testing.T) {
	offer := chorus.ReplyItem{Kind: chorus.ReplyItemBooking, Status: chorus.StatusOffered}
	for _, tt := range []struct {
		name   string
		item   chorus.ReplyItem
		intent chorus.Intent
		want   bool
	}{
		{"SeatTakenGetsItsCodeInstead", offer, chorus.IntentConfirm, false},
		{"OfferDeclined", offer, chorus.IntentCancel, true},
		{"PendingConfirmed", chorus.ReplyItem{Kind: chorus.ReplyItemBooking, Status: chorus.StatusPending}, chorus.IntentConfirm, true},
		{"EnrolmentOfferTaken", chorus.ReplyItem{Kind: chorus.ReplyItemEnrolment, Status: chorus.StatusOffered}, chorus.IntentConfirm, true},
		{"OrderConfirmed", chorus.ReplyItem{Kind: chorus.ReplyItemOrder, Status: chorus.StatusPending}, chorus.IntentConfirm, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.item.Acknowledged(tt.intent); got != tt.want {
				t.Errorf("Acknowledged = %v, want %v", got, tt.want)
			}
		})
	}
	if chorus.ReplyAction(chorus.IntentConfirm) != "确认" || chorus.ReplyAction(chorus.IntentCancel) != "取消" {
		t.Errorf("ReplyAction = %q, %q", chorus.ReplyAction(chorus.IntentConfirm), chorus.ReplyAction(chorus.IntentCancel))
	}
}
