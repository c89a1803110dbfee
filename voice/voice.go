// Package voice places Chorus's calls through Alibaba Cloud's voice
// service (Dyvmsapi) and reads what comes back: a spoken message from an
// approved TTS template (SingleCallByTts), or one that takes a key press
// (IvrCall: 按1确认 按2取消), and the provider's pushes of call results and
// key presses. It shares the outbox's rules with sms/ — a failure is an
// *sms.SendError whose Class says what to do next, and a call whose
// outcome is unknown is looked up before it is placed again — and differs
// only in the provider call and the push format (docs/aliyun-voice.md).
package voice

import (
	"context"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

// Caller places calls. Implementations must be safe for concurrent use.
type Caller interface {
	// Place starts a call and returns the provider's id for it (CallId);
	// the outcome comes later through the push (Reports). A failure is an
	// *sms.SendError.
	Place(ctx context.Context, c Call) (callID string, err error)
	// Detail asks the provider what became of a call placed about the
	// time placed; found is false when it has no record (yet).
	Detail(ctx context.Context, callID string, placed time.Time) (d Detail, found bool, err error)
}

// Call is one call ready to place.
type Call struct {
	ID     int64              // the outbox message id, sent as OutId (at most 15 digits)
	Phone  string             // a bare mainland number
	Kind   chorus.MessageKind // for logs
	Code   string             // the approved TTS template (TTS_123456), played when answered
	Params map[string]string  // the template's variables, as strings
	// Menu, when set, makes an IVR call: what each key plays (and so
	// which keys are taken); at most 15.
	Menu []MenuKey
	// ByeCode, for an IVR call, is played before hanging up.
	ByeCode string
	Text    string // the rendered Chinese text, for logs only
}

// MenuKey is one key of an IVR call.
type MenuKey struct {
	Key    string // "1"
	Code   string // the TTS template played after the key: 已为您确认
	Params map[string]string
}

// Detail is the provider's record of a call (QueryCallDetailByCallId).
type Detail struct {
	State    string // the status code, as in the push (200000 …)
	Duration int    // seconds
	Start    time.Time
	End      time.Time
}

// Classify returns the class of a failure with the provider's code and
// HTTP status: the voice codes of docs/aliyun-voice.md §4, then SMS's
// table for the gateway codes both products share.
func Classify(code string, httpStatus int) sms.Class {
	if c, ok := codeClasses[code]; ok {
		return c
	}
	return sms.Classify(code, httpStatus)
}

// codeClasses classifies the voice-only codes.
var codeClasses = map[string]sms.Class{
	"isv.BUSINESS_LIMIT_CONTROL": sms.ClassDeferred,
	"isv.VOICE_CALL_FAIL":        sms.ClassRetry,
	"isp.GATEWAY_ERROR":          sms.ClassRetry,

	"isv.MOBILE_NUMBER_ILLEGAL":       sms.ClassPermanent,
	"isv.DISPLAY_NUMBER_ILLEGAL":      sms.ClassPermanent,
	"isv.COMPLAINT_REJECT":            sms.ClassPermanent,
	"isv.TTS_TEMPLATE_ILLEGAL":        sms.ClassPermanent,
	"isv.TEMPLATE_ILLEGAL":            sms.ClassPermanent,
	"isv.TEMPLATE_PARAMS_ILLEGAL":     sms.ClassPermanent,
	"isv.TEMPLATE_MISSING_PARAMETERS": sms.ClassPermanent,
	"isv.BLACK_KEY_CONTROL_LIMIT":     sms.ClassPermanent,
	"isv.PARAM_NOT_SUPPORT_URL":       sms.ClassPermanent,
	"isv.PARAM_LENGTH_LIMIT":          sms.ClassPermanent,
	"isv.INVALID_PARAMETERS":          sms.ClassPermanent,
	"isv.OUT_OF_SERVICE":              sms.ClassPermanent,
	"isv.AMOUNT_NOT_ENOUGH":           sms.ClassPermanent,
	"isv.ACCOUNT_ABNORMAL":            sms.ClassPermanent,
	"isv.PRODUCT_UNSUBSCRIBE":         sms.ClassPermanent,
	"isv.BILLID_NOT_EXIST":            sms.ClassPermanent,
}

// Outcome maps a status code of the provider's push (and the key pressed,
// for 300000) to Chorus's outcome; progress codes (ringing, answered, …)
// and unknown ones give "" and final false.
func Outcome(status, dtmf string) (o chorus.CallOutcome, final bool) {
	switch status {
	case "300000":
		if dtmf == "" {
			return "", false
		}
		return chorus.CallKey, true
	case "200000", "200001":
		return chorus.CallHeard, true
	case "200008":
		return chorus.CallNoKey, true
	case "200002", "200003", "200005", "200007", "200010":
		return chorus.CallNoAnswer, true
	case "200004", "200011":
		return chorus.CallBadNumber, true
	case "200118", "200119", "200121":
		return chorus.CallHeldBack, true
	}
	return "", false
}
