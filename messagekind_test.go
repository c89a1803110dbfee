package chorus_test

import (
	"slices"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestMessageKind_Rule: what Chorus does with each kind of SMS, as the
// store and the sms package ask it.
func TestMessageKind_Rule(t *testing.T) {
	tests := []struct {
		kind     chorus.MessageKind
		family   bool // a copy to each family contact
		passes   bool // reaches the phone that acted despite its opt-out
		reply    bool // asks for an answer
		receipt  bool // tells a resident what their request became
		resend   bool // limited as a check-in code resend
		budget   chorus.Budget
		whyShort string
	}{
		{chorus.MsgBookingConfirm, true, true, true, true, false, chorus.BudgetResident, "a pending booking asks for 1"},
		{chorus.MsgBookingBooked, true, true, true, true, false, chorus.BudgetResident, "a confirmed booking may answer 2"},
		{chorus.MsgReminder, true, false, true, false, false, chorus.BudgetResident, "nobody asked for a reminder just now"},
		{chorus.MsgCancelled, true, false, false, false, false, chorus.BudgetResident, "told, not asked"},
		{chorus.MsgWaitlisted, true, true, false, true, false, chorus.BudgetResident, "the answer to a booking of a full slot"},
		{chorus.MsgWaitlistOffer, true, false, true, false, false, chorus.BudgetResident, "a seat freed: reply 1 in time"},
		{chorus.MsgEnrolled, true, true, false, true, false, chorus.BudgetResident, "the answer to an enrolment"},
		{chorus.MsgHaircutAccepted, true, true, false, false, false, chorus.BudgetResident, "the resident asked for the visit"},
		{chorus.MsgReplyAck, true, true, false, false, false, chorus.BudgetResident, "the answer to a reply"},
		{chorus.MsgReplyWhich, false, true, false, false, false, chorus.BudgetResident, "only the phone that replied"},
		{chorus.MsgReplyUnclear, false, true, false, false, false, chorus.BudgetResident, "only the phone that replied"},
		{chorus.MsgCheckinCode, false, true, false, false, true, chorus.BudgetResident, "asked for again, within a limit"},
		{chorus.MsgOptOutAck, false, true, false, false, false, chorus.BudgetResident, "the opt-out is told once"},
		{chorus.MsgVerifyCode, false, true, false, false, false, chorus.BudgetResident, "typed back at the kiosk"},
		{chorus.MsgOrderConfirm, false, true, true, true, false, chorus.BudgetResident, "a kiosk order waits for 1"},
		{chorus.MsgHelp, false, false, false, false, false, chorus.BudgetResident, "an opted-out phone gets no help text"},
		{chorus.MsgPartnerOrder, false, false, true, false, false, chorus.BudgetPartner, "接+number takes it"},
		{chorus.MsgOrderTaken, false, false, false, false, false, chorus.BudgetPartner, "a partner's own allowance"},
		{chorus.MsgPartnerAck, false, false, false, false, false, chorus.BudgetPartner, "a partner's own allowance"},
		{chorus.MsgOrderUnclaimed, false, false, false, false, false, chorus.BudgetStaff, "to the on-duty phone"},
		{chorus.MsgDispatchUntold, false, false, false, false, false, chorus.BudgetStaff, "to the on-duty phone"},
		{chorus.MsgVenueRequest, false, false, true, false, false, chorus.BudgetPartner, "同意/不同意+number answers it"},
		{chorus.MsgVenueAck, false, false, false, false, false, chorus.BudgetPartner, "a partner's own allowance"},
		{chorus.MsgVenueAlert, false, false, false, false, false, chorus.BudgetStaff, "to the on-duty phone"},
		{chorus.MsgClassKeep, true, false, true, false, false, chorus.BudgetResident, "missed 3 sessions: reply 1 keeps the place"},
		{chorus.MsgSessionOff, true, false, false, false, false, chorus.BudgetResident, "told, not asked"},
		// The class's check-in code goes to the phone that enrolled only:
		// never a copy to family (a code checks anyone in).
		{chorus.MsgClassEnrolled, false, true, false, true, false, chorus.BudgetResident, "the answer to a class enrolment, with the code"},
		{chorus.MsgSessionMakeup, true, false, false, false, false, chorus.BudgetResident, "told, not asked"},
		{chorus.MsgSessionHoliday, true, false, false, false, false, chorus.BudgetResident, "told, not asked"},
		{chorus.MsgVenueTomorrow, false, false, false, false, false, chorus.BudgetPartner, "a partner's own allowance"},
		{chorus.MsgPartnerMonth, false, false, false, false, false, chorus.BudgetPartner, "a partner's own allowance"},
		{chorus.MsgShiftCallOut, false, false, true, false, false, chorus.BudgetResident, "参加N answers a call-out; an opt-out stops it"},
		{chorus.MsgShiftSignup, false, true, true, true, false, chorus.BudgetResident, "the answer to a signup; 取消N answers it"},
		{chorus.MsgShiftFull, false, true, false, true, false, chorus.BudgetResident, "the answer to a signup of a full shift"},
		{chorus.MsgShiftPlace, false, false, true, false, false, chorus.BudgetResident, "a freed place given; 取消N answers it"},
		{chorus.MsgShiftReminder, false, false, true, false, false, chorus.BudgetResident, "nobody asked for a reminder just now"},
		{chorus.MsgShiftCancelled, false, true, false, false, false, chorus.BudgetResident, "the answer to 取消N"},
		{chorus.MsgHelpComing, false, false, false, false, false, chorus.BudgetResident, "told who is coming, not asked"},
		{chorus.MsgHelpDisputed, false, false, false, false, false, chorus.BudgetStaff, "to the on-duty phone"},
		{chorus.MsgHelpCallBack, false, true, false, true, false, chorus.BudgetResident, "the answer to 不属实"},
		{chorus.MsgShiftLeaderHours, false, false, true, false, false, chorus.BudgetPartner, "确认N answers it"},
		{chorus.MsgShiftLeaderAck, false, false, false, false, false, chorus.BudgetPartner, "a volunteer's work allowance"},
		{chorus.MsgVolunteerJoined, false, true, false, true, false, chorus.BudgetResident, "the answer to 志愿者"},
		{chorus.MsgHelpAsk, false, false, true, false, false, chorus.BudgetPartner, "接+number takes a help request"},
		{chorus.MsgHelpTaken, false, false, false, false, false, chorus.BudgetPartner, "told, not asked"},
		{chorus.MsgHelpAccepted, false, false, true, false, false, chorus.BudgetPartner, "完成+number reports it done"},
		{chorus.MsgHelpConfirm, false, false, true, false, false, chorus.BudgetResident, "the resident's 1 confirms the hours"},
		{chorus.MsgHelpAck, false, false, false, false, false, chorus.BudgetPartner, "told, not asked"},
		{chorus.MsgHelpUnclaimed, false, false, false, false, false, chorus.BudgetStaff, "to the on-duty phone"},
		{chorus.MsgClassChanged, true, false, false, false, false, chorus.BudgetResident, "told, not asked"},
		{chorus.MsgSessionBack, true, false, false, false, false, chorus.BudgetResident, "told, not asked"},
	}
	var listed []chorus.MessageKind
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			k := tt.kind
			if _, ok := k.Rule(); !ok {
				t.Fatalf("%s has no rule", k)
			}
			if k.ToFamily() != tt.family || k.PassesOptOut() != tt.passes || k.ExpectsReply() != tt.reply ||
				k.Resend() != tt.resend || k.Budget() != tt.budget || slices.Contains(chorus.ReceiptKinds(), k) != tt.receipt {
				t.Errorf("%s (%s): family %v, passes opt-out %v, reply %v, resend %v, budget %s, receipt %v",
					k, tt.whyShort, k.ToFamily(), k.PassesOptOut(), k.ExpectsReply(), k.Resend(), k.Budget(),
					slices.Contains(chorus.ReceiptKinds(), k))
			}
		})
		listed = append(listed, tt.kind)
	}
	if got, want := chorus.MessageKinds(), slices.Sorted(slices.Values(listed)); !slices.Equal(got, want) {
		t.Errorf("MessageKinds() = %v, want %v", got, want)
	}
}

// TestMessageKind_Unknown: a kind Chorus does not know gets the strictest
// rule.
func TestMessageKind_Unknown(t *testing.T) {
	k := chorus.MessageKind("no_such_kind")
	r, ok := k.Rule()
	if ok || r != (chorus.KindRule{Budget: chorus.BudgetResident}) || k.Budget() != chorus.BudgetResident ||
		k.ToFamily() || k.PassesOptOut() || k.ExpectsReply() {
		t.Errorf("unknown kind: %+v, %v", r, ok)
	}
}

// TestMessageKind_Invariants: rules that hold across the table.
func TestMessageKind_Invariants(t *testing.T) {
	for _, k := range chorus.MessageKinds() {
		r, _ := k.Rule()
		if r.Budget != chorus.BudgetResident && (r.Family || r.Requested || r.Receipt) {
			t.Errorf("%s: a partner's or staff message is treated as a resident's: %+v", k, r)
		}
		if r.Receipt && !r.Requested {
			t.Errorf("%s: the answer to a resident's request must reach the phone that asked: %+v", k, r)
		}
		if r.NoWait && !r.Voice {
			t.Errorf("%s: only a spoken kind waits for a call window or not: %+v", k, r)
		}
		if k.NoWait() != (k == chorus.MsgReminder || k == chorus.MsgWaitlistOffer) {
			t.Errorf("%s: NoWait = %v; a reminder and an offer would come too late after the night", k, k.NoWait())
		}
	}
}
