package chorus

import "time"

// This file holds the rules of a waitlist offer (when a freed seat is
// offered, how long the offer holds) and of every deadline Chorus keeps
// (what a booking or an enrolment becomes when its deadline passes).

// OffersSeats reports whether a seat freed in a slot starting at start, of
// an event in status st, goes to the slot's waitlist at now: only while the
// event is open and the slot has not started (nobody is called to a seat
// they can no longer reach).
func OffersSeats(st EventStatus, start, now time.Time) bool {
	return st == EventOpen && now.Before(start)
}

// OfferDeadline returns when a seat or a place offered at now lapses: ttl
// later (the community's offer time), never past start, the slot's start
// (zero for a programme's places, which are not bounded by it).
func OfferDeadline(now time.Time, ttl time.Duration, start time.Time) time.Time {
	d := now.Add(ttl)
	if !start.IsZero() && start.Before(d) {
		return start
	}
	return d
}

// OfferHours is the offer time told in a waitlist offer's SMS (为您保留N
// 小时): the time from now to the deadline, rounded to the nearest hour,
// at least 1.
func OfferHours(deadline, now time.Time) int {
	return max(int(deadline.Sub(now).Hours()+0.5), 1)
}

// Lapse is what a booking or an enrolment becomes when its deadline
// passes.
type Lapse struct {
	To     Status // the status it moves to
	Reason string // for its history, in Chinese
}

// Lapse reasons, as the history shows them.
const (
	LapseUnconfirmed = "未在期限内回复确认"   // a pending booking never got its reply 1
	LapseOffer       = "候补名额未在期限内确认" // a waitlist offer was not taken in time
	LapseNoShow      = "活动结束未签到"     // the event ended without a check-in
)

// DecideLapse decides what becomes at now of a booking or an enrolment in
// status st whose deadline (a pending booking's or an offer's; zero when
// none) and whose event's end (the end of its last slot, so that a
// resident late for an early slot can still be checked in; zero for an
// enrolment) are given:
//
//   - pending past its deadline: cancelled;
//   - offered past its deadline: expired, and the seat goes to the next in
//     line;
//   - confirmed once its event has ended: no-show.
//
// ok is false when nothing lapses. The store picks the candidates, asks
// this for each, and moves each from st only (a reply crossing the
// deadline wins).
func DecideLapse(st Status, deadline, eventEnd, now time.Time) (l Lapse, ok bool) {
	due := func(t time.Time) bool { return !t.IsZero() && !now.Before(t) }
	switch {
	case st == StatusPending && due(deadline):
		return Lapse{To: StatusCancelled, Reason: LapseUnconfirmed}, true
	case st == StatusOffered && due(deadline):
		return Lapse{To: StatusExpired, Reason: LapseOffer}, true
	case st == StatusConfirmed && due(eventEnd):
		return Lapse{To: StatusNoShow, Reason: LapseNoShow}, true
	}
	return Lapse{}, false
}
