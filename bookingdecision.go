package chorus

import "time"

// BookingPolicy is how a community takes bookings: whether a resident's
// booking waits for the SMS reply 1, and for how long.
type BookingPolicy struct {
	// RequireConfirm makes residents' bookings start pending until they
	// reply 1; staff bookings (BookingRequest.Confirmed) are confirmed at
	// once.
	RequireConfirm bool
	// ConfirmWindow is how long a pending booking waits for the reply,
	// never past the slot's start.
	ConfirmWindow time.Duration
}

// BookingDecision is what becomes of a booking request the rules accept.
type BookingDecision struct {
	// Status is StatusPending, StatusConfirmed or StatusWaitlisted.
	Status Status
	// Deadline is when a pending booking is cancelled unless confirmed;
	// zero for any other status.
	Deadline time.Time
}

// TakesSeat reports whether the decided booking takes one of the slot's
// seats (a waitlisted one only joins the line).
func (d BookingDecision) TakesSeat() bool { return d.Status.HoldsSeat() }

// CheckBookable says whether slot s of the event takes new bookings at now:
// the event is open and the slot's cut-off has not passed. Errors:
// ECONFLICT, in words for the resident.
func (e *Event) CheckBookable(s Slot, now time.Time) error {
	if e.Status != EventOpen {
		return Errorf(ECONFLICT, "这个活动已经停止预约了。")
	}
	if !now.Before(e.BookingCloses(s)) {
		return Errorf(ECONFLICT, "这个时段已经截止预约了,请选其他时段。")
	}
	return nil
}

// DecideBooking decides a new booking of slot s of event e at now, from the
// slot's capacity and seats taken (s.Capacity, s.Taken), the request and
// the policy: open or not, before the cut-off or not, a seat or the
// waitlist, pending or confirmed. A store loads e and s in its write
// transaction, asks this, and persists the answer in the same transaction.
// Errors: ECONFLICT (closed, past the cut-off), EFULL (no seat, and no
// waitlist or not asked for).
func DecideBooking(e *Event, s Slot, req BookingRequest, p BookingPolicy, now time.Time) (BookingDecision, error) {
	if err := e.CheckBookable(s, now); err != nil {
		return BookingDecision{}, err
	}
	switch {
	case s.SeatsLeft() == 0 && !e.Waitlist:
		return BookingDecision{}, Errorf(EFULL, "这个时段已满,请选其他时段。")
	case s.SeatsLeft() == 0 && !req.Waitlist:
		return BookingDecision{}, Errorf(EFULL, "这个时段已满,可以排队候补,或选其他时段。")
	case s.SeatsLeft() == 0:
		return BookingDecision{Status: StatusWaitlisted}, nil
	case !req.Confirmed && p.RequireConfirm:
		return BookingDecision{Status: StatusPending, Deadline: earlier(now.Add(p.ConfirmWindow), s.Start)}, nil
	}
	return BookingDecision{Status: StatusConfirmed}, nil
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
