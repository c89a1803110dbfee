// Package chorus holds the domain of Chorus (社区合唱): communities, places,
// estates, partners, residents, events with slots, bookings, childcare
// programmes, home-service orders and SMS messages, with the rules that bind
// them. It imports nothing else of the project; storage, HTTP, SMS and the
// kiosk hub depend on it.
package chorus

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to one status code.
const (
	EINVALID      = "invalid"      // the input is malformed or breaks a rule
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	ECONFLICT     = "conflict"     // the change clashes with the current state
	EFULL         = "full"         // no seat or place is left
	EUNAUTHORIZED = "unauthorized" // the caller has not shown who it is
	EFORBIDDEN    = "forbidden"    // the caller may not do this
	ELIMIT        = "too_many"     // the caller did this too often: wait and try again
	EINTERNAL     = "internal"     // anything else; details go only to the log
)

// Error is the one error type of Chorus. Message is a plain-Chinese sentence
// a resident can read; internals never go into it.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("chorus error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the resident-facing message of err's *Error, or a
// generic apology for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "系统出了点问题,请稍后再试或联系工作人员。"
}
