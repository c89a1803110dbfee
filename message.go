package chorus

import (
	"fmt"
	"time"
)

// MessageKind names a kind of SMS. Each kind has a template in the sms
// package's catalogue.
type MessageKind string

// Message kinds.
const (
	MsgBookingConfirm  MessageKind = "booking_confirm"  // booking made: event, time, place, code; reply 1/2
	MsgReminder        MessageKind = "reminder"         // the day before
	MsgCancelled       MessageKind = "cancelled"        // a booking was cancelled
	MsgWaitlistOffer   MessageKind = "waitlist_offer"   // a seat freed; reply 1 within the offer time
	MsgEnrolled        MessageKind = "enrolled"         // childcare enrolment confirmed or waitlisted
	MsgHaircutAccepted MessageKind = "haircut_accepted" // a partner accepted a home visit
	MsgPartnerOrder    MessageKind = "partner_order"    // 派单 to a partner; reply 接+number
	MsgOrderTaken      MessageKind = "order_taken"      // the order went to another partner
	MsgCheckinCode     MessageKind = "checkin_code"     // the check-in code again
	MsgOptOutAck       MessageKind = "optout_ack"       // opt-out recorded
	MsgHelp            MessageKind = "help"             // a short help answer to a reply not understood
	MsgWaitlisted      MessageKind = "waitlisted"       // joined the waitlist of a full slot or programme
	MsgOrderUnclaimed  MessageKind = "order_unclaimed"  // to the on-duty staff phone: nobody accepted an order
	MsgDispatchUntold  MessageKind = "dispatch_untold"  // to the on-duty staff phone: no partner of a wave could be told
	MsgBookingBooked   MessageKind = "booking_booked"   // a confirmed booking (staff booked it, or a seat taken): code, no 回复1
	MsgReplyAck        MessageKind = "reply_ack"        // a reply changed something: 已为您确认/取消…
	MsgReplyWhich      MessageKind = "reply_which"      // a reply could mean several bookings: which one?
	MsgReplyUnclear    MessageKind = "reply_unclear"    // a numbered reply (取消N, 接N…) could mean two things: nothing done, staff will call
	MsgPartnerAck      MessageKind = "partner_ack"      // a partner's 接/完成/退 was carried out
	MsgVerifyCode      MessageKind = "verify_code"      // a kiosk verification code, typed back to look or cancel
	MsgOrderConfirm    MessageKind = "order_confirm"    // a home visit asked at a kiosk; reply 1 to dispatch, 2 to cancel
	MsgVenueRequest    MessageKind = "venue_request"    // to a venue's approvers: may we use it? reply 同意N/不同意N
	MsgVenueAck        MessageKind = "venue_ack"        // to the approver: the answer was recorded
	MsgVenueAlert      MessageKind = "venue_alert"      // to the on-duty staff phone: refused, unanswered or withdrawn
	MsgClassKeep       MessageKind = "class_keep"       // missed 3 sessions of a class in a row; reply 1 to keep the place
	MsgSessionOff      MessageKind = "session_off"      // one session of a class is called off (teacher ill)
	MsgClassEnrolled   MessageKind = "class_enrolled"   // a class enrolment holds a place: the class, its time, venue and check-in code
	MsgSessionMakeup   MessageKind = "session_makeup"   // staff added a make-up session (补课) to a class
	MsgSessionHoliday  MessageKind = "session_holiday"  // a class's session skipped for a 法定节假日 (an import or a day's change)
	MsgVenueTomorrow   MessageKind = "venue_tomorrow"   // to a venue's approvers, the day before: one use of the room and how many booked
	MsgPartnerMonth    MessageKind = "partner_month"    // to a partner's phones: last month's hours lent, events and people served
	// Volunteer shifts (issue 20): a call-out (reply 参加N), the answer
	// to a signup (a place, or the waitlist), a freed place given to the
	// first in line, the reminder the day before, a cancellation.
	MsgShiftCallOut   MessageKind = "shift_callout"
	MsgShiftSignup    MessageKind = "shift_signup"
	MsgShiftFull      MessageKind = "shift_full"
	MsgShiftPlace     MessageKind = "shift_place"
	MsgShiftReminder  MessageKind = "shift_reminder"
	MsgShiftCancelled MessageKind = "shift_cancelled"
	// MsgVolunteerJoined answers the keyword 志愿者: the phone is now a
	// volunteer, and how to sign up for a shift.
	MsgVolunteerJoined MessageKind = "volunteer_joined"
	// MsgShiftLeaderHours sends an activity's leader, after a shift, the
	// hours proposed from its check-ins (回复确认N confirms them);
	// MsgShiftLeaderAck answers their 确认N.
	MsgShiftLeaderHours MessageKind = "shift_leader_hours"
	MsgShiftLeaderAck   MessageKind = "shift_leader_ack"
)

// Message kinds of the time bank's help requests (issue 20).
const (
	MsgHelpAsk       MessageKind = "help_ask"       // to volunteers: a resident needs help; reply 接+number
	MsgHelpTaken     MessageKind = "help_taken"     // to the others asked: a volunteer took it
	MsgHelpAccepted  MessageKind = "help_accepted"  // to the volunteer who took it: where, when; reply 完成+number hours
	MsgHelpConfirm   MessageKind = "help_confirm"   // to the resident helped: 志愿者为您服务1.5小时,属实请回复1
	MsgHelpAck       MessageKind = "help_ack"       // to the volunteer: their 完成 was recorded, or the hours confirmed
	MsgHelpUnclaimed MessageKind = "help_unclaimed" // to the on-duty staff phone: no volunteer took a help request
	MsgClassChanged  MessageKind = "class_changed"  // a class's weekday, time, dates or venue changed: the new ones, from which date
	MsgSessionBack   MessageKind = "session_back"   // a session skipped for a 法定节假日 is on again (the calendar changed)
	MsgHelpComing    MessageKind = "help_coming"    // to the resident: a volunteer (surname only) took the request, and when
	MsgHelpDisputed  MessageKind = "help_disputed"  // to the on-duty staff phone: the resident said the hours are not true
	MsgHelpCallBack  MessageKind = "help_callback"  // to the resident: their 不属实 was passed on, staff will call
)

// MessageStatus is where an outgoing SMS is. It only moves forward:
// queued → sending → submitted → delivered | failed; refused is final and
// means Chorus itself decided not to send (opt-out, limits); unknown is
// final for the worker and means Chorus could not learn whether the
// provider has it (no answer, and lookups that kept failing): staff see it
// and may 重发, which looks it up again before sending.
type MessageStatus string

// Message statuses.
const (
	MessageQueued    MessageStatus = "queued"    // waiting for the worker
	MessageSending   MessageStatus = "sending"   // an attempt started; outcome not yet recorded
	MessageSubmitted MessageStatus = "submitted" // the provider accepted it (Code OK)
	MessageDelivered MessageStatus = "delivered" // the receipt says delivered
	MessageFailed    MessageStatus = "failed"    // permanently failed, with ErrCode
	MessageRefused   MessageStatus = "refused"   // not sent by our own rules, with ErrCode as reason
	MessageUnknown   MessageStatus = "unknown"   // outcome never learnt; for staff to resend
)

// messageRank orders statuses so that receipts only move a message forward.
var messageRank = map[MessageStatus]int{
	MessageQueued: 0, MessageSending: 1, MessageSubmitted: 2, MessageUnknown: 3,
	MessageDelivered: 4, MessageFailed: 4, MessageRefused: 4,
}

// CanAdvance reports whether a message may move from status from to to.
func (from MessageStatus) CanAdvance(to MessageStatus) bool {
	if from == MessageSending && to == MessageQueued {
		return true // a retryable failure puts it back in the queue
	}
	return messageRank[to] > messageRank[from]
}

// Message is one outgoing SMS, written to the outbox in the same transaction
// as the change that causes it. Its ID is sent to the provider as OutId.
type Message struct {
	ID          int64             `json:"id"`
	Phone       string            `json:"phone"`
	Kind        MessageKind       `json:"kind"`
	Params      map[string]string `json:"params"` // template parameters, all strings
	Status      MessageStatus     `json:"status"`
	Attempts    int               `json:"attempts"`
	Lookups     int               `json:"lookups"` // QuerySendDetails calls that could not answer
	NextAttempt time.Time         `json:"next_attempt"`
	BizID       string            `json:"biz_id"` // the provider's id, from SendSms
	ErrCode     string            `json:"err_code"`
	ErrMsg      string            `json:"err_msg"`
	// ExpectsReply marks messages a resident or partner may answer (1/2, 接单).
	ExpectsReply bool `json:"expects_reply"`
	// Channel is how this message goes: SMS (also when empty), or a
	// voice call (the resident's channel is voice and the kind is
	// spoken). One notification to a resident on both channels is two
	// messages.
	Channel     Channel   `json:"channel,omitempty"`
	BookingID   int64     `json:"booking_id,omitempty"` // 0 when none
	EnrolmentID int64     `json:"enrolment_id,omitempty"`
	OrderID     int64     `json:"order_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Community is the community the message is sent for: the one of the
	// record it is about (the booking's event, the order...), else the
	// resident's. 0 when queued lets the store decide.
	Community int64 `json:"community,omitempty"`
	// SignName and TemplateCode are the community's own SMS signature and
	// template code for the kind, filled by the outbox for the sender; ""
	// is the deployment's.
	SignName     string `json:"-"`
	TemplateCode string `json:"-"`
}

// extendDigits is the width of the SmsUpExtendCode Chorus sends: the
// provider takes at most 7 digits, and a fixed width lets a reply's
// dest_code be read even when the provider puts the signature's own
// extension in front of it.
const extendDigits = 7

// ExtendCode returns the SmsUpExtendCode a message is sent with: its id
// modulo 10^7, as 7 digits, for messages that expect a reply; "" for the
// others. A reply's dest_code then names the message it answers (see
// ReplyTo).
func ExtendCode(m Message) string {
	if !m.ExpectsReply || m.ID <= 0 {
		return ""
	}
	return fmt.Sprintf("%0*d", extendDigits, m.ID%1e7)
}

// ReplyTo reads an SmsUp dest_code: the id modulo 10^7 of the message the
// reply answers, and whether the code holds one (its last 7 characters
// are digits). The store finds the newest message to the replying phone
// with that remainder.
func ReplyTo(destCode string) (int64, bool) {
	if len(destCode) < extendDigits {
		return 0, false
	}
	var n int64
	for _, c := range destCode[len(destCode)-extendDigits:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// CodeUnverified is the error code of a message whose last attempt may
// have reached the provider without its answer reaching Chorus: it must be
// looked up (QuerySendDetails) before it is sent again. The sms worker
// sets it; a resent unknown message carries it so the worker looks first.
const CodeUnverified = "chorus.Unverified"

// Budget names whose daily allowance of SMS a message counts against.
// Residents keep a small per-phone limit (a phone number is not proof of
// anything: nobody may flood it); partners and the on-duty staff phone
// have their own, higher ones, because their work comes by SMS — a barber
// who takes ten orders a day must get every one.
type Budget string

// Budgets.
const (
	BudgetResident Budget = "resident" // the per-phone daily limit
	BudgetPartner  Budget = "partner"  // a partner's phones: 派单 and "taken"
	BudgetStaff    Budget = "staff"    // the on-duty staff phone's alerts
)
