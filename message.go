package chorus

import "time"

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
	MsgVerifyCode      MessageKind = "verify_code"      // a kiosk verification code, typed back to look or cancel
	MsgOrderConfirm    MessageKind = "order_confirm"    // a home visit asked at a kiosk; reply 1 to dispatch, 2 to cancel
)

// MessageStatus is where an outgoing SMS is. It only moves forward:
// queued → sending → submitted → delivered | failed; refused is final and
// means Chorus itself decided not to send (opt-out, limits).
type MessageStatus string

// Message statuses.
const (
	MessageQueued    MessageStatus = "queued"    // waiting for the worker
	MessageSending   MessageStatus = "sending"   // an attempt started; outcome not yet recorded
	MessageSubmitted MessageStatus = "submitted" // the provider accepted it (Code OK)
	MessageDelivered MessageStatus = "delivered" // the receipt says delivered
	MessageFailed    MessageStatus = "failed"    // permanently failed, with ErrCode
	MessageRefused   MessageStatus = "refused"   // not sent by our own rules, with ErrCode as reason
)

// messageRank orders statuses so that receipts only move a message forward.
var messageRank = map[MessageStatus]int{
	MessageQueued: 0, MessageSending: 1, MessageSubmitted: 2,
	MessageDelivered: 3, MessageFailed: 3, MessageRefused: 3,
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
	NextAttempt time.Time         `json:"next_attempt"`
	BizID       string            `json:"biz_id"` // the provider's id, from SendSms
	ErrCode     string            `json:"err_code"`
	ErrMsg      string            `json:"err_msg"`
	// ExpectsReply marks messages a resident or partner may answer (1/2, 接单).
	ExpectsReply bool      `json:"expects_reply"`
	BookingID    int64     `json:"booking_id,omitempty"` // 0 when none
	EnrolmentID  int64     `json:"enrolment_id,omitempty"`
	OrderID      int64     `json:"order_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}
