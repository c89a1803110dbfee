package chorus

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Channel is how a resident hears from Chorus: SMS (the default), a voice
// call (for a resident who cannot read an SMS), or both. Family contacts
// always get SMS copies, whatever the resident's channel.
type Channel string

// Channels.
const (
	ChannelSMS   Channel = "sms"
	ChannelVoice Channel = "voice"
	ChannelBoth  Channel = "both"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelSMS || c == ChannelVoice || c == ChannelBoth }

// Calls reports whether messages on c are spoken in a call.
func (c Channel) Calls() bool { return c == ChannelVoice || c == ChannelBoth }

// Texts reports whether messages on c go by SMS. The empty channel is
// SMS.
func (c Channel) Texts() bool { return c == "" || c == ChannelSMS || c == ChannelBoth }

// Label is the channel in the staff console's words.
func (c Channel) Label() string {
	switch c {
	case ChannelVoice:
		return "电话语音"
	case ChannelBoth:
		return "短信和电话语音"
	}
	return "短信"
}

// ParseChannel reads a channel from a form or a query; "" is SMS.
func ParseChannel(s string) (Channel, error) {
	c := Channel(strings.TrimSpace(s))
	if c == "" {
		return ChannelSMS, nil
	}
	if !c.Valid() {
		return "", Errorf(EINVALID, "通知方式只能是短信、电话语音或两者都要。")
	}
	return c, nil
}

// CallWindow is a time of day when calls may ring, in minutes after
// midnight in the community's zone: [From, To).
type CallWindow struct{ From, To int }

// DefaultCallWindows are 09:00–12:00 and 14:00–20:00: never at night,
// never at lunch or the nap after it, never at supper time.
var DefaultCallWindows = []CallWindow{{9 * 60, 12 * 60}, {14 * 60, 20 * 60}}

// String writes w as 09:00-12:00.
func (w CallWindow) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.From/60, w.From%60, w.To/60, w.To%60)
}

// ParseCallWindows reads windows written as "09:00-12:00,14:00-20:00".
// Windows must not be empty, overlap or cross midnight; they are returned
// in order.
func ParseCallWindows(s string) ([]CallWindow, error) {
	bad := Errorf(EINVALID, "通话时段的格式是 09:00-12:00,14:00-20:00,每段不跨午夜、不重叠。")
	var out []CallWindow
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return nil, bad
		}
		f, ok1 := clockMinutes(from)
		t, ok2 := clockMinutes(to)
		if !ok1 || !ok2 || f >= t {
			return nil, bad
		}
		out = append(out, CallWindow{f, t})
	}
	if len(out) == 0 {
		return nil, bad
	}
	slices.SortFunc(out, func(a, b CallWindow) int { return a.From - b.From })
	for i := 1; i < len(out); i++ {
		if out[i].From < out[i-1].To {
			return nil, bad
		}
	}
	return out, nil
}

// clockMinutes reads "09:30" (or "24:00") as minutes after midnight.
func clockMinutes(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) == 0 || len(h) > 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, false
	}
	return hh*60 + mm, true
}

// NextCallTime returns t when it falls in one of the windows (in zone
// loc), else the start of the next window, today or on a later day.
// Without windows it returns t.
func NextCallTime(t time.Time, loc *time.Location, windows []CallWindow) time.Time {
	if len(windows) == 0 {
		return t
	}
	lt := t.In(loc)
	for day := 0; day < 2; day++ {
		midnight := time.Date(lt.Year(), lt.Month(), lt.Day()+day, 0, 0, 0, 0, loc)
		for _, w := range windows {
			from := midnight.Add(time.Duration(w.From) * time.Minute)
			to := midnight.Add(time.Duration(w.To) * time.Minute)
			if !t.Before(to) {
				continue
			}
			if t.Before(from) {
				return from
			}
			return t
		}
	}
	return t // unreachable with valid windows
}

// The provider's limits per called number (docs/aliyun-voice.md §4):
// answered and failed calls both count.
var providerCallLimits = []struct {
	n   int
	per time.Duration
}{{1, time.Minute}, {5, time.Hour}, {20, 24 * time.Hour}}

// CallRules are a community's limits on calls.
type CallRules struct {
	// Windows are when calls may ring; none: DefaultCallWindows.
	Windows []CallWindow
	// PerPhoneDay is how many calls one resident gets in a day at most
	// (0: 3); the provider allows 20.
	PerPhoneDay int
	// BudgetDay is how many calls the community places in a day at most
	// (0: no limit).
	BudgetDay int
}

// CallRefusal says why a call may not be placed now.
type CallRefusal string

// Why a call waits or does not happen.
const (
	CallOK         CallRefusal = ""
	CallOutside    CallRefusal = "outside_window"  // not now: At is the next window
	CallTooSoon    CallRefusal = "provider_limit"  // not now: the provider's per-number limit; At is when it allows one
	CallPhoneLimit CallRefusal = "phone_day_limit" // not today for this resident: send an SMS instead
	CallBudget     CallRefusal = "budget"          // the community's calls for today are spent: send an SMS instead
)

// CallDecision is whether a call may ring, and if not, when or why not.
type CallDecision struct {
	Refusal CallRefusal
	// At is when the call may ring: now when allowed, later when it must
	// wait; zero when it does not happen (FallBack).
	At time.Time
}

// FallBack reports whether the message should go by SMS instead.
func (d CallDecision) FallBack() bool { return d.Refusal == CallPhoneLimit || d.Refusal == CallBudget }

// DecideCall decides whether a call to one phone may ring at now. earlier
// holds the times of the calls placed to that phone in the last 24 hours
// (any order); placedToday is the community's count of calls today (in
// zone loc). urgent messages (a booking's confirmation, a waitlist offer)
// may wait for the next window; a message that would be stale by then is
// the caller's to send by SMS instead (see CallDecision.At).
func DecideCall(now time.Time, loc *time.Location, r CallRules, earlier []time.Time, placedToday int) CallDecision {
	windows := r.Windows
	if len(windows) == 0 {
		windows = DefaultCallWindows
	}
	perDay := r.PerPhoneDay
	if perDay <= 0 {
		perDay = 3
	}
	if r.BudgetDay > 0 && placedToday >= r.BudgetDay {
		return CallDecision{Refusal: CallBudget}
	}
	lnow := now.In(loc)
	today := time.Date(lnow.Year(), lnow.Month(), lnow.Day(), 0, 0, 0, 0, loc)
	calledToday := 0
	for _, t := range earlier {
		if !t.Before(today) && !t.After(now) {
			calledToday++
		}
	}
	if calledToday >= perDay {
		return CallDecision{Refusal: CallPhoneLimit}
	}
	// The provider's limits: the earliest time each allows another call.
	at := now
	sorted := slices.Clone(earlier)
	slices.SortFunc(sorted, func(a, b time.Time) int { return b.Compare(a) }) // newest first
	for _, l := range providerCallLimits {
		var in []time.Time
		for _, t := range sorted {
			if t.After(now.Add(-l.per)) && !t.After(now) {
				in = append(in, t)
			}
		}
		if len(in) >= l.n {
			// The oldest of the last n calls must leave the window.
			if free := in[l.n-1].Add(l.per); free.After(at) {
				at = free
			}
		}
	}
	refusal := CallOK
	if at.After(now) {
		refusal = CallTooSoon
	}
	if next := NextCallTime(at, loc, windows); next.After(at) {
		at = next
		refusal = CallOutside
	}
	return CallDecision{Refusal: refusal, At: at}
}

// CallOutcome is what became of a call, in Chorus's terms; voice/ maps the
// provider's status codes to it.
type CallOutcome string

// Call outcomes.
const (
	CallHeard     CallOutcome = "heard"     // answered and heard (to the end, or hung up after the message)
	CallKey       CallOutcome = "key"       // a key was pressed: it acts as the SMS reply with that digit
	CallNoKey     CallOutcome = "no_key"    // answered, no key pressed in time
	CallNoAnswer  CallOutcome = "no_answer" // not answered, busy, unreachable, switched off: worth one more try
	CallHeldBack  CallOutcome = "held_back" // the carrier's window or frequency limit: try in a later window
	CallBadNumber CallOutcome = "bad_number"
)

// ErrCode is the error code a call message ends with after outcome o
// (call_no_answer, call_no_key …): the outbox keeps it, 今日 explains it.
func (o CallOutcome) ErrCode() string { return "call_" + string(o) }

// AfterCall is what to do once a call's outcome is known.
type AfterCall struct {
	Retry        bool // call once more, at RetryAt
	RetryAt      time.Time
	TellFamily   bool // send the message by SMS to the family contacts
	TellStaff    bool // list the resident on 今日 for a staff phone call
	SMSToPerson  bool // send the resident the SMS version (a channel of both already has it)
	Acknowledged bool // the resident heard it: nothing more to do
}

// CallRetryAfter is how long after an unanswered call the one retry comes
// (inside a call window: DecideCall moves it there).
const CallRetryAfter = 30 * time.Minute

// DecideAfterCall decides what follows a call's outcome. attempt is 1 for
// the first call. A call that was not answered gets one more try; after
// the second, the family gets the SMS and staff are asked to phone. A bad
// number is not retried. expectsReply: the message asks for 1 or 2, so
// an answered call without a key is not done with.
func DecideAfterCall(o CallOutcome, attempt int, ended time.Time, expectsReply bool) AfterCall {
	switch o {
	case CallHeard:
		if expectsReply {
			return AfterCall{TellStaff: true}
		}
		return AfterCall{Acknowledged: true}
	case CallKey:
		return AfterCall{Acknowledged: true}
	case CallNoKey:
		return AfterCall{TellStaff: true, TellFamily: true}
	case CallHeldBack:
		// The carrier held it back, not the resident: up to 3 tries.
		if attempt < 3 {
			return AfterCall{Retry: true, RetryAt: ended.Add(CallRetryAfter)}
		}
		return AfterCall{TellFamily: true, TellStaff: true, SMSToPerson: true}
	case CallNoAnswer:
		if attempt < 2 {
			return AfterCall{Retry: true, RetryAt: ended.Add(CallRetryAfter)}
		}
		return AfterCall{TellFamily: true, TellStaff: true}
	}
	return AfterCall{TellFamily: true, TellStaff: true, SMSToPerson: true}
}

// CallResult is what the provider's push says of a call: a key pressed,
// or its outcome once it ended (Outcome "" for a step that is neither).
type CallResult struct {
	CallID   string
	OutID    int64 // the outbox message's id; 0 when the push has none
	Outcome  CallOutcome
	Key      string // with CallKey: the key pressed
	Duration int    // seconds, with a final outcome
	At       time.Time
}

// KeyIntent is what a key pressed in a call means, as the same digit
// would in an SMS reply: 1 confirms, 2 cancels; other keys mean nothing.
func KeyIntent(key string) Intent {
	switch key {
	case "1":
		return IntentConfirm
	case "2":
		return IntentCancel
	}
	return ""
}
