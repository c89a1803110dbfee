package chorus

import "time"

// ReplyItem is something a resident's reply 1 or 2 can act on: a booking
// or an enrolment that a message expecting a reply was about. The store
// gathers them for the replying phone; PlanReply decides.
//
// These are "the items a reply 1 can confirm" in one list: another kind of
// pending item (an order waiting for the resident's 1) joins by being
// gathered here with its own Kind, and applied by the store's case for it.
type ReplyItem struct {
	Kind      string    // "booking", "enrolment", …
	ID        int64     // the booking's or enrolment's id
	Status    Status    // its status now
	Deadline  time.Time // an offer's or a pending booking's deadline; zero when none
	MessageID int64     // the newest message about it that expects a reply
}

// Reply item kinds.
const (
	ReplyItemBooking   = "booking"
	ReplyItemEnrolment = "enrolment"
	// ReplyItemOrder is a home-service order asked for at a kiosk and
	// waiting for the resident's 1 before it is dispatched (its Status is
	// StatusPending while it waits, empty after).
	ReplyItemOrder = "order"
)

// ReplyPlan is what a reply does.
type ReplyPlan struct {
	Act []ReplyItem // the items to confirm or cancel
	// Ask is set when the reply could mean several items and the text
	// does not say which: nothing is changed, the resident is asked.
	Ask bool
}

// Answerable reports whether intent can change item at now: 1 confirms a
// pending item or takes an offer still open; 2 cancels a pending, offered
// or confirmed one.
func (it ReplyItem) Answerable(intent Intent, now time.Time) bool {
	switch intent {
	case IntentConfirm:
		return it.Status == StatusPending || (it.Status == StatusOffered && (it.Deadline.IsZero() || now.Before(it.Deadline)))
	case IntentCancel:
		return it.Status == StatusPending || it.Status == StatusOffered || it.Status == StatusConfirmed
	}
	return false
}

// PlanReply decides what a 1 or a 2 does with the items it may answer.
// named is true when the reply's dest_code named the message it answers:
// items then holds that message's item only, and the reply acts on it. A
// reply without a name never picks one item silently:
//
//   - 1 confirms every item it can: confirming is what the resident was
//     asked for each of them, and each can still be cancelled;
//   - 2 cancels the only item it can; when it could cancel several, it
//     cancels none and the resident is asked which (Ask), because a
//     cancelled seat goes to someone else at once.
func PlanReply(intent Intent, items []ReplyItem, named bool, now time.Time) ReplyPlan {
	var can []ReplyItem
	for _, it := range items {
		if it.Answerable(intent, now) {
			can = append(can, it)
		}
	}
	switch {
	case named || intent == IntentConfirm || len(can) <= 1:
		return ReplyPlan{Act: can}
	}
	return ReplyPlan{Ask: true}
}
