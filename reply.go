package chorus

import (
	"fmt"
	"time"
)

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
	// ReplyItemHelp is a time-bank help request whose hours wait for the
	// resident's 1 (its Status is StatusPending while they wait): the 1
	// confirms them and pays the volunteer; a 2 goes to staff.
	ReplyItemHelp = "help"
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

// ReplyEffect is what a reply 1 or 2 does to one booking or enrolment.
type ReplyEffect struct {
	// To is the status the item moves to; "" when the reply changes
	// nothing.
	To Status
	// Handled means nobody needs to follow the reply up: it is carried
	// out once the store has moved the item to To, or it had been before.
	Handled bool
	// Outcome says what the reply did, in Chinese, for the staff inbox.
	Outcome string
}

// replyNouns names the items a reply changes in an outcome.
var replyNouns = map[string]string{ReplyItemBooking: "预约", ReplyItemEnrolment: "报名"}

// replyVerb is what intent asks for, in Chinese, and the status it asks.
func replyVerb(intent Intent) (Status, string) {
	if intent == IntentCancel {
		return StatusCancelled, "取消"
	}
	return StatusConfirmed, "确认"
}

// DecideReply decides what intent (IntentConfirm or IntentCancel) does to
// the booking or enrolment it at now, from its status and deadline as the
// store's transaction finds them:
//
//   - it is already where the reply would put it (a 1 to a confirmed or
//     checked-in one, a 2 to a cancelled one): nothing changes, handled;
//   - a 1 to an offer past its deadline: nothing changes (the seat has
//     gone or is going to the next in line); staff follow up;
//   - a change the state machine does not allow: nothing changes (see
//     ReplyRefused); staff follow up;
//   - otherwise the item moves to the status the reply asks for.
func DecideReply(it ReplyItem, intent Intent, now time.Time) ReplyEffect {
	to, verb := replyVerb(intent)
	noun := replyNouns[it.Kind]
	switch {
	case it.Status == to || (to == StatusConfirmed && it.Status == StatusCheckedIn):
		return ReplyEffect{Handled: true, Outcome: fmt.Sprintf("%s%d已经%s过了", noun, it.ID, verb)}
	case it.Status == StatusOffered && to == StatusConfirmed && !it.Deadline.IsZero() && !now.Before(it.Deadline):
		return ReplyEffect{Outcome: fmt.Sprintf("%s%d的候补名额已过期", noun, it.ID)}
	case !CanTransition(it.Status, to):
		return ReplyRefused(it, intent)
	}
	return ReplyEffect{To: to, Handled: true, Outcome: fmt.Sprintf("已%s%s%d", verb, noun, it.ID)}
}

// ReplyRefused is the effect of a reply whose change is not allowed from
// the item's status: nothing changes, and staff read why.
func ReplyRefused(it ReplyItem, intent Intent) ReplyEffect {
	_, verb := replyVerb(intent)
	return ReplyEffect{Outcome: fmt.Sprintf("%s%d现在是“%s”,不能%s", replyNouns[it.Kind], it.ID, it.Status.Label(), verb)}
}

// Acknowledged reports whether a reply intent that changed it is told back
// to the phone (已为您确认/取消…). A seat taken from an offer is not: its
// confirmation with the check-in code is sent instead.
func (it ReplyItem) Acknowledged(intent Intent) bool {
	return !(it.Kind == ReplyItemBooking && it.Status == StatusOffered && intent == IntentConfirm)
}

// ReplyAction is the action a reply ack names: 确认 or 取消.
func ReplyAction(intent Intent) string {
	_, verb := replyVerb(intent)
	return verb
}
