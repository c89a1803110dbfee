// Package sms sends Chorus's text messages through Alibaba Cloud SMS
// (Dysmsapi) and reads what comes back: the Sender interface and its
// Alibaba and log implementations, the template catalogue, the outbox
// Worker, the parser of residents' and partners' replies, and the parsers
// of the provider's receipt and reply pushes.
//
// # Delivery guarantees
//
// Messages are written to an outbox in the same transaction as the change
// that causes them, and the Worker drains it. SendSms is not idempotent, so
// the Worker never resends a message whose previous attempt may have
// reached the provider without first asking the provider
// (Sender.Lookup, i.e. QuerySendDetails by phone and OutId) whether it has
// it. That applies to a message found in status sending (the process
// stopped between starting an attempt and recording its outcome) and to a
// message whose last attempt ended without an answer (a timeout or a
// connection lost after the request left: ClassUnknown).
//
// A resident can still receive a message twice in these cases, and only
// these:
//
//   - the provider accepted the send but QuerySendDetails does not show it
//     yet when the Worker looks (its records lag behind SendSms; the Worker
//     looks right after a timeout and again, before resending, after the
//     retry backoff of at least 30 s);
//   - QuerySendDetails answers for another day than the one the provider
//     filed the send under (Lookup searches the China-time days from a few
//     minutes before to a few minutes after the attempt);
//   - two Workers drain the same outbox at once (run exactly one).
//
// A message is never sent twice because of a retryable refusal
// (throttling, HTTP 5xx, a connection that could not be opened): those are
// answered before the provider accepts anything.
package sms

import (
	"context"
	"fmt"
	"time"

	"github.com/chorus-community/chorus"
)

// Sender submits one SMS to the provider. Implementations must be safe for
// concurrent use.
type Sender interface {
	// Send submits m and returns the provider's id for it (BizId). A
	// failure is a *SendError whose Class says what to do next.
	Send(ctx context.Context, m Outgoing) (bizID string, err error)
	// Lookup reports whether the provider has on record a message to
	// phone with OutId outID, sent about the time sent. It is how the
	// Worker avoids a second send after an attempt with an unknown
	// outcome. A failure is a *SendError.
	Lookup(ctx context.Context, phone string, outID int64, sent time.Time) (found bool, err error)
}

// Outgoing is one SMS ready to submit.
type Outgoing struct {
	ID           int64              // the outbox message id, sent as OutId; 0 sends none
	Phone        string             // a bare mainland mobile number, 13812345678
	Kind         chorus.MessageKind // for logs
	SignName     string             // the community's signature, without 【】; "" is the sender's own
	TemplateCode string             // the provider's approved template, SMS_123456
	ParamJSON    string             // the template parameters, a JSON object of strings
	ExtendCode   string             // SmsUpExtendCode: digits naming the message a reply answers; "" for none
	Text         string             // the rendered Chinese text, for logs only
}

// Class says what to do after a failed send.
type Class string

// Failure classes. The table in the package's reference notes
// (docs/aliyun-sms.md) decides which provider code falls in which.
const (
	// ClassRetry: nothing was accepted; try again after a backoff.
	ClassRetry Class = "retry"
	// ClassDeferred: a provider limit (minute, hour, day, month) was
	// reached; try again after its window and tell staff.
	ClassDeferred Class = "deferred"
	// ClassPermanent: the message can never go as it is; fail it and show
	// staff why. Codes the table does not know also land here.
	ClassPermanent Class = "permanent"
	// ClassUnknown: no answer came (timeout, connection lost after the
	// request left); the provider may have accepted the message, so ask
	// with Lookup before sending it again.
	ClassUnknown Class = "unknown"
)

// Codes Chorus gives to failures that carry no provider code.
const (
	CodeTimeout        = "chorus.Timeout"        // no answer in time: outcome unknown
	CodeConnectionLost = "chorus.ConnectionLost" // the connection broke after the request left: outcome unknown
	CodeNetwork        = "chorus.NetworkError"   // no connection could be made: nothing was sent
	CodeUnverified     = chorus.CodeUnverified   // an earlier attempt's outcome could not be checked yet
	CodeInvalidParams  = "chorus.InvalidParams"  // the message does not fit its template
	CodeNoTemplate     = "chorus.NoTemplate"     // the catalogue has no template for the kind
	CodeBadResponse    = "chorus.BadResponse"    // the provider's answer could not be read: outcome unknown
)

// codeClasses classifies the provider's codes (docs/aliyun-sms.md) and
// Chorus's own.
var codeClasses = map[string]Class{
	"isp.SYSTEM_ERROR":       ClassRetry,
	"isp.GATEWAY_ERROR":      ClassRetry,
	"Throttling":             ClassRetry,
	"Throttling.User":        ClassRetry,
	"Throttling.Api":         ClassRetry,
	"InternalError":          ClassRetry,
	"ServiceUnavailable":     ClassRetry,
	CodeNetwork:              ClassRetry,
	CodeTimeout:              ClassUnknown,
	CodeConnectionLost:       ClassUnknown,
	CodeUnverified:           ClassUnknown,
	CodeBadResponse:          ClassUnknown,
	CodeInvalidParams:        ClassPermanent,
	CodeNoTemplate:           ClassPermanent,
	"SDK.TimeoutError":       ClassUnknown,
	"SDK.JsonUnmarshalError": ClassUnknown,

	"isv.BUSINESS_LIMIT_CONTROL": ClassDeferred,
	"isv.DAY_LIMIT_CONTROL":      ClassDeferred,
	"isv.MONTH_LIMIT_CONTROL":    ClassDeferred,

	"isv.MOBILE_NUMBER_ILLEGAL":       ClassPermanent,
	"isv.MOBILE_COUNT_OVER_LIMIT":     ClassPermanent,
	"isv.INVALID_JSON_PARAM":          ClassPermanent,
	"isv.PARAM_LENGTH_LIMIT":          ClassPermanent,
	"isv.TEMPLATE_MISSING_PARAMETERS": ClassPermanent,
	"isv.SMS_SIGNATURE_SCENE_ILLEGAL": ClassPermanent,
	"isv.SMS_SIGN_ILLEGAL":            ClassPermanent,
	"isv.SMS_TEMPLATE_ILLEGAL":        ClassPermanent,
	"isv.BLACK_KEY_CONTROL_LIMIT":     ClassPermanent,
	"isv.SMS_CONTENT_ILLEGAL":         ClassPermanent,
	"isv.AMOUNT_NOT_ENOUGH":           ClassPermanent,
	"isv.OUT_OF_SERVICE":              ClassPermanent,
	"isp.RAM_PERMISSION_DENY":         ClassPermanent,
	"SignatureDoesNotMatch":           ClassPermanent,
	"InvalidAccessKeyId.NotFound":     ClassPermanent,
}

// Classify returns the class of a failure with the provider's code and
// HTTP status (0 when there was no HTTP answer). A known code decides;
// otherwise HTTP 5xx and 429 are retried, and anything else is permanent:
// an unknown refusal is shown to staff rather than repeated blindly.
func Classify(code string, httpStatus int) Class {
	if c, ok := codeClasses[code]; ok {
		return c
	}
	if httpStatus >= 500 || httpStatus == 429 {
		return ClassRetry
	}
	return ClassPermanent
}

// SendError is a failed Send or Lookup.
type SendError struct {
	Code       string // the provider's code (isv.MOBILE_NUMBER_ILLEGAL) or one of the Code* constants
	Message    string // the provider's message or a description of the failure
	Class      Class
	HTTPStatus int   // 0 when no HTTP answer arrived
	Err        error // the underlying error, if any
}

// Error implements the error interface.
func (e *SendError) Error() string {
	s := fmt.Sprintf("sms %s (%s): %s", e.Code, e.Class, e.Message)
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" [HTTP %d]", e.HTTPStatus)
	}
	return s
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// newSendError returns a *SendError classified by code and status.
func newSendError(code, msg string, httpStatus int, err error) *SendError {
	return &SendError{Code: code, Message: msg, Class: Classify(code, httpStatus), HTTPStatus: httpStatus, Err: err}
}
