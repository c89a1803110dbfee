package chorus

import (
	"strings"
	"time"
)

// Status is the state of a booking or an enrolment.
type Status string

// Booking statuses. A booking moves only along the edges in transitions.
const (
	StatusPending    Status = "pending"    // holds a seat, awaiting the SMS reply 1
	StatusConfirmed  Status = "confirmed"  // holds a seat
	StatusCheckedIn  Status = "checked_in" // came
	StatusCancelled  Status = "cancelled"  // by resident, staff, or no confirmation in time
	StatusNoShow     Status = "no_show"    // confirmed but did not come
	StatusWaitlisted Status = "waitlisted" // in line for a seat
	StatusOffered    Status = "offered"    // a seat freed and is held for a while
	StatusExpired    Status = "expired"    // the offer lapsed
)

// transitions lists every legal edge of the booking state machine.
var transitions = map[Status][]Status{
	StatusPending:    {StatusConfirmed, StatusCancelled},
	StatusConfirmed:  {StatusCheckedIn, StatusCancelled, StatusNoShow},
	StatusCheckedIn:  {StatusConfirmed}, // staff undo a check-in made by mistake
	StatusWaitlisted: {StatusOffered, StatusCancelled},
	StatusOffered:    {StatusConfirmed, StatusExpired, StatusCancelled},
}

var statusLabels = map[Status]string{
	StatusPending: "待确认", StatusConfirmed: "已确认", StatusCheckedIn: "已签到",
	StatusCancelled: "已取消", StatusNoShow: "未到", StatusWaitlisted: "候补中",
	StatusOffered: "候补到号待确认", StatusExpired: "候补已过期",
}

// Label returns the Chinese name of the status.
func (s Status) Label() string { return statusLabels[s] }

// Live reports whether a booking in this status still counts: it holds a
// seat or a place in line.
func (s Status) Live() bool {
	switch s {
	case StatusPending, StatusConfirmed, StatusCheckedIn, StatusWaitlisted, StatusOffered:
		return true
	}
	return false
}

// HoldsSeat reports whether a booking in this status takes one of the
// capacity's seats.
func (s Status) HoldsSeat() bool {
	switch s {
	case StatusPending, StatusConfirmed, StatusCheckedIn, StatusOffered:
		return true
	}
	return false
}

// LiveStatuses lists the statuses for which Live is true, for SQL.
var LiveStatuses = []Status{StatusPending, StatusConfirmed, StatusCheckedIn, StatusWaitlisted, StatusOffered}

// CanTransition reports whether from → to is an edge of the state machine.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// CheckTransition returns an ECONFLICT error with a plain message when
// from → to is not allowed.
func CheckTransition(from, to Status) error {
	if CanTransition(from, to) {
		return nil
	}
	switch from {
	case StatusCancelled:
		return Errorf(ECONFLICT, "这个预约已经取消了。")
	case StatusCheckedIn:
		return Errorf(ECONFLICT, "这个预约已经签到了。")
	case StatusExpired:
		return Errorf(ECONFLICT, "候补名额已过期,请重新预约。")
	case StatusNoShow:
		return Errorf(ECONFLICT, "活动已经结束了。")
	}
	return Errorf(ECONFLICT, "这个预约现在是“%s”,不能改成“%s”。", from.Label(), to.Label())
}

// Actor says who made a change: "resident", "staff:wang", "kiosk:3",
// "sms", "system".
type Actor string

// Common actors.
const (
	ActorResident Actor = "resident"
	ActorStaff    Actor = "staff"
	ActorSMS      Actor = "sms"
	ActorSystem   Actor = "system"
)

// Transition records one change of a booking's or enrolment's status.
type Transition struct {
	From   Status    `json:"from"` // "" for creation
	To     Status    `json:"to"`
	At     time.Time `json:"at"`
	Actor  Actor     `json:"actor"`
	Reason string    `json:"reason,omitempty"`
}

// Booking is one seat (or a place in line) of one slot of an event.
type Booking struct {
	ID      int64 `json:"id"`
	EventID int64 `json:"event_id"`
	SlotID  int64 `json:"slot_id"`
	// Community is the community of the booking's event (its host's, for
	// an event open to the district), filled on read.
	Community int64  `json:"community"`
	Phone     string `json:"phone"`
	Name      string `json:"name"`
	Status    Status `json:"status"`
	Code      string `json:"code"` // 6-digit check-in code, unique among the event's live bookings
	// CheckinToken is carried by the booking's QR code as /c/<token>.
	CheckinToken string `json:"checkin_token,omitempty"`
	Position     int    `json:"position,omitempty"` // place in the waitlist, filled on read
	// Deadline is when a pending booking is cancelled unless confirmed, or
	// when an offer expires.
	Deadline    time.Time `json:"deadline,omitzero"`
	CheckedInAt time.Time `json:"checked_in_at,omitzero"`
	Source      string    `json:"source"` // kiosk, staff, api
	CreatedAt   time.Time `json:"created_at"`
	// Existing is true when a booking request returned a booking the phone
	// already held instead of making a new one.
	Existing bool `json:"existing,omitempty"`
	// Repeat is true when an existing booking came back because the same
	// caller sent the same request again (its idempotency key, from the
	// same kiosk): a retry, still the moment of booking.
	Repeat bool `json:"-"`
	// Replayed is true when the request repeated an earlier one (the same
	// idempotency key): the booking is the one that request made, so the
	// answer is the first one's, not "already booked".
	Replayed bool `json:"replayed,omitempty"`
	// SMS is where the message the booking sent the resident is (queued,
	// sending, submitted, delivered, failed or refused); empty when the
	// request sent none (a booking the phone already held).
	SMS MessageStatus `json:"sms,omitempty"`
	// Filled on read for display.
	EventTitle string    `json:"event_title,omitempty"`
	Place      string    `json:"place,omitempty"`
	SlotStart  time.Time `json:"slot_start,omitzero"`
	SlotEnd    time.Time `json:"slot_end,omitzero"`
}

// BookingRequest asks for a seat.
type BookingRequest struct {
	EventID int64  `json:"event_id"`
	SlotID  int64  `json:"slot_id"`
	Phone   string `json:"phone"`
	Name    string `json:"name"`
	// Waitlist asks to join the waitlist when the slot is full.
	Waitlist bool `json:"waitlist"`
	// IdempotencyKey makes a retried request return the first one's booking.
	IdempotencyKey string `json:"idempotency_key"`
	Source         string `json:"-"`
	Actor          Actor  `json:"-"`
	// Confirmed books without awaiting an SMS reply (staff on the phone).
	Confirmed bool `json:"-"`
	// KioskID is the kiosk the request was made at (0: staff or API); its
	// unconfirmed bookings are bounded.
	KioskID int64 `json:"-"`
}

// MaxIdempotencyKey bounds an idempotency key's length in bytes.
const MaxIdempotencyKey = 100

// Validate normalises the phone and checks the fields.
func (r *BookingRequest) Validate() error {
	if r.EventID <= 0 || r.SlotID <= 0 {
		return Errorf(EINVALID, "请选择活动和时段。")
	}
	p, err := NormalizePhone(r.Phone)
	if err != nil {
		return err
	}
	r.Phone = p
	r.Name = strings.TrimSpace(r.Name)
	if err := checkOptionalSMSText("姓名", r.Name, 20); err != nil {
		return err
	}
	if len(r.IdempotencyKey) > MaxIdempotencyKey {
		return Errorf(EINVALID, "请求编号太长了。")
	}
	return checkText("请求编号", r.IdempotencyKey, MaxIdempotencyKey)
}

// BookingMessage returns the SMS a new booking in status st gets: a
// pending one asks for the reply 1 (booking_confirm); one confirmed at
// once (staff booked it, or no reply is required) gets its code without
// asking (booking_booked); a waitlisted one is told its place in line.
func BookingMessage(st Status) MessageKind {
	switch st {
	case StatusPending:
		return MsgBookingConfirm
	case StatusWaitlisted:
		return MsgWaitlisted
	}
	return MsgBookingBooked
}
