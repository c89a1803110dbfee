package chorus

import "fmt"

// This file holds the routing of numbered SMS replies whose words more
// than one part of Chorus uses: 取消N is a venue approver withdrawing
// request N and a volunteer cancelling shift N; 接N and 完成N are a
// partner's order N and a volunteer's help request N; 参加N is a
// volunteer taking shift N.

// ReplyTarget is what a numbered reply is about.
type ReplyTarget string

// Reply targets.
const (
	TargetNone  ReplyTarget = ""      // nothing: the reply goes to staff
	TargetOrder ReplyTarget = "order" // a partner's order
	TargetVenue ReplyTarget = "venue" // a venue request to its approver
	TargetShift ReplyTarget = "shift" // a volunteer activity's shift
	TargetHelp  ReplyTarget = "help"  // a time-bank help request
	TargetAsk   ReplyTarget = "ask"   // several match: ask which, never guess
)

// ReplyMatches says, for the replying phone and the number N it gave,
// which kinds of thing N can be for that phone: a partner phone asked
// for order N, an approver of venue request N, a volunteer signed up for
// (or called out to) shift N, one asked for help request N.
type ReplyMatches struct {
	Order, Venue, Shift, Help bool
}

// IntentJoin is a volunteer's 参加N: they take a place on shift N.
const IntentJoin Intent = "join"

// IntentDispute is a resident's 不属实 to the hours SMS (help_confirm):
// the hours claimed for helping them are not true; staff call them.
const IntentDispute Intent = "dispute"

// IntentVolunteer is the standing keyword 志愿者: the replying phone
// joins its community's volunteers, the reply being its consent.
const IntentVolunteer Intent = "volunteer"

// replyTargets lists, for each numbered intent, the targets it can
// mean; the first is where it goes when nothing matches (as before
// volunteers existed, so a stranger's 取消N still reads as a venue
// answer and is refused there with its own message).
var replyTargets = map[Intent][]ReplyTarget{
	IntentAccept:        {TargetOrder, TargetHelp},
	IntentDone:          {TargetOrder, TargetHelp},
	IntentGiveBack:      {TargetOrder},
	IntentVenueAgree:    {TargetVenue},
	IntentVenueRefuse:   {TargetVenue},
	IntentVenueWithdraw: {TargetVenue, TargetShift},
	IntentJoin:          {TargetShift},
}

// RouteReply decides what a numbered reply with intent is about, from
// what its number matches for the replying phone: the one target that
// matches; the intent's default when none does (its handler refuses it in
// its own words); TargetAsk when several match; TargetNone for an intent
// that carries no number.
func RouteReply(intent Intent, m ReplyMatches) ReplyTarget {
	targets, ok := replyTargets[intent]
	if !ok {
		return TargetNone
	}
	has := map[ReplyTarget]bool{TargetOrder: m.Order, TargetVenue: m.Venue, TargetShift: m.Shift, TargetHelp: m.Help}
	var hit []ReplyTarget
	for _, t := range targets {
		if has[t] {
			hit = append(hit, t)
		}
	}
	switch len(hit) {
	case 0:
		return targets[0]
	case 1:
		return hit[0]
	}
	return TargetAsk
}

// AskWhich is the staff-inbox outcome of a reply whose number matched
// several things: nothing is changed.
func AskWhich(n int64) string {
	return fmt.Sprintf("编号%d同时对应多项事务,未作处理,已请对方说明", n)
}
