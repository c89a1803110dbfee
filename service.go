package chorus

import (
	"context"
	"time"
)

// BookingService books seats of event slots. Every method that changes a
// booking records the transition and queues the SMS it causes in the same
// transaction.
type BookingService interface {
	// Book takes a seat, or a place on the waitlist when the slot is full and
	// req.Waitlist is set. A phone's second request for the same event, or a
	// repeated idempotency key, returns the existing booking with Existing
	// set. Errors: EINVALID, ENOTFOUND, EFULL (no seat, no waitlist),
	// ECONFLICT (booking closed, event not open, key reused for another
	// request).
	Book(ctx context.Context, req BookingRequest) (*Booking, error)
	// Booking returns one booking. Errors: ENOTFOUND.
	Booking(ctx context.Context, id int64) (*Booking, error)
	// BookingsByPhone returns the phone's live bookings of events that have
	// not ended, soonest first.
	BookingsByPhone(ctx context.Context, phone string) ([]Booking, error)
	// Transition moves a booking to status to and applies what follows: a
	// cancelled seat is offered to the first on the waitlist. Errors:
	// ENOTFOUND, ECONFLICT (illegal transition).
	Transition(ctx context.Context, id int64, to Status, actor Actor, reason string) (*Booking, error)
	// MoveBooking moves a booking that holds a seat (pending, confirmed,
	// offered) to another slot of its event, keeping its id, code and
	// check-in token; the freed seat goes to the old slot's waitlist and the
	// resident is sent the new time. Staff may move past a slot's cut-off.
	// Errors: ENOTFOUND, EINVALID (same slot, another event's slot),
	// EFULL (no seat), ECONFLICT (status, event cancelled, slot over).
	MoveBooking(ctx context.Context, id, slotID int64, actor Actor, reason string) (*Booking, error)
	// History returns a booking's transitions, oldest first.
	History(ctx context.Context, id int64) ([]Transition, error)
	// Expire cancels pending bookings past their deadline and expires offers
	// past theirs, passing each freed seat on. It returns how many changed.
	Expire(ctx context.Context, now time.Time) (int, error)
}

// EventService keeps events and their slots.
type EventService interface {
	// CreateEvent stores a new event with its slots. Errors: EINVALID.
	CreateEvent(ctx context.Context, e *Event) error
	// UpdateEvent changes an event's fields and its slots: slots with an ID
	// are updated, without one added; a slot's capacity cannot drop below
	// the seats it holds. Errors: EINVALID, ENOTFOUND, ECONFLICT.
	UpdateEvent(ctx context.Context, e *Event) error
	// CancelEvent calls an event off and cancels every live booking, telling
	// each by SMS. Errors: ENOTFOUND, ECONFLICT.
	CancelEvent(ctx context.Context, id int64, actor Actor, reason string) error
	// Event returns one event with its slots and seats. Errors: ENOTFOUND.
	Event(ctx context.Context, id int64) (*Event, error)
	// UpcomingEvents returns open events with a slot that has not ended.
	UpcomingEvents(ctx context.Context, now time.Time) ([]Event, error)
	// ListEvents returns the events of a period for staff, whatever their
	// status: upcoming soonest first, the others newest first, at most
	// MaxListed.
	ListEvents(ctx context.Context, p Period, now time.Time) ([]Event, error)
}

// ProgrammeService keeps childcare programmes and their enrolments.
type ProgrammeService interface {
	// CreateProgramme stores a new programme. Errors: EINVALID.
	CreateProgramme(ctx context.Context, p *Programme) error
	// UpdateProgramme changes a programme. Errors: EINVALID, ENOTFOUND,
	// ECONFLICT (capacity below places taken).
	UpdateProgramme(ctx context.Context, p *Programme) error
	// Programme returns one programme. Errors: ENOTFOUND.
	Programme(ctx context.Context, id int64) (*Programme, error)
	// Programmes returns open programmes that have not ended.
	Programmes(ctx context.Context, today string) ([]Programme, error)
	// ListProgrammes returns the programmes of a period for staff, whatever
	// their status, like ListEvents.
	ListProgrammes(ctx context.Context, p Period, today string) ([]Programme, error)
	// CancelProgramme calls a programme off and cancels every live
	// enrolment, telling each guardian by SMS. Errors: ENOTFOUND, ECONFLICT.
	CancelProgramme(ctx context.Context, id int64, actor Actor, reason string) (*Programme, error)
	// ConfirmEnrolmentOffer takes the places offered to a waitlisted
	// enrolment. Errors: ENOTFOUND, ECONFLICT (no offer, or it expired).
	ConfirmEnrolmentOffer(ctx context.Context, id int64, actor Actor) (*Enrolment, error)
	// Enrol enrols children: confirmed when all fit, else on the waitlist in
	// order. Errors: EINVALID, ENOTFOUND, ECONFLICT (closed).
	Enrol(ctx context.Context, req EnrolmentRequest) (*Enrolment, error)
	// CancelEnrolment cancels an enrolment, tells the guardian by SMS and
	// offers the freed places in waitlist order. Errors: ENOTFOUND, ECONFLICT.
	CancelEnrolment(ctx context.Context, id int64, actor Actor, reason string) (*Enrolment, error)
	// Enrolments returns a programme's enrolments, or a phone's when phone is set.
	Enrolments(ctx context.Context, programmeID int64, phone string) ([]Enrolment, error)
}

// OrderService keeps home-service orders.
type OrderService interface {
	// RequestHaircut stores a home-haircut order; the address on file is
	// used when the request has none, and a new address is kept on file.
	// A second open haircut order of the same phone returns the first.
	// Errors: EINVALID (no address anywhere).
	RequestHaircut(ctx context.Context, req HaircutRequest) (*Order, error)
	// Order returns one order. Errors: ENOTFOUND.
	Order(ctx context.Context, id int64) (*Order, error)
	// Orders returns orders, newest first, optionally of one status.
	Orders(ctx context.Context, status OrderStatus) ([]Order, error)
	// OrderTimeline returns an order's events, oldest first.
	OrderTimeline(ctx context.Context, id int64) ([]OrderEvent, error)
	// CancelOrder cancels an order. Errors: ENOTFOUND, ECONFLICT.
	CancelOrder(ctx context.Context, id int64, actor Actor, note string) (*Order, error)
}

// DirectoryService keeps the community's places, estates, partners and
// residents.
type DirectoryService interface {
	Community(ctx context.Context) (*Community, error)
	Places(ctx context.Context) ([]Place, error)
	SavePlace(ctx context.Context, p *Place) error
	Estates(ctx context.Context) ([]Estate, error)
	SaveEstate(ctx context.Context, e *Estate) error
	Partners(ctx context.Context) ([]Partner, error)
	SavePartner(ctx context.Context, p *Partner) error
	// Resident returns the resident with this phone. Errors: ENOTFOUND.
	Resident(ctx context.Context, phone string) (*Resident, error)
	SaveResident(ctx context.Context, r *Resident) error
	// KnownNames returns the names used with this phone (several people
	// often share one phone), most recent first.
	KnownNames(ctx context.Context, phone string) ([]string, error)
}
