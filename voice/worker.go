package voice

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

// Outbox is what the Worker needs of the store: the call messages due,
// the calls placed, and the ways a call message moves on.
type Outbox interface {
	DueCalls(ctx context.Context, now time.Time, limit int) ([]chorus.Message, error)
	CallHistory(ctx context.Context, phone string, since time.Time) ([]time.Time, error)
	CallsSince(ctx context.Context, since time.Time) (int, error)
	StartCall(ctx context.Context, id int64, phone string, at time.Time) (row int64, err error)
	CallPlaced(ctx context.Context, id, row int64, callID string, at time.Time) error
	CallKnown(ctx context.Context, id int64) (callID string, known bool, err error)
	CallBySMS(ctx context.Context, id int64, reason, msg string) error
	MarkRetry(ctx context.Context, id int64, next time.Time, code, msg string) error
}

// Worker places the outbox's calls, one at a time (calls are few and the
// provider allows one a minute per number). Every call obeys
// chorus.DecideCall: inside the community's call windows, within the
// provider's per-number limits, a daily cap per resident and the
// community's budget; a reminder due outside the windows, and any call
// over a cap, goes by SMS instead.
type Worker struct {
	Outbox    Outbox
	Caller    Caller
	Catalogue *Catalogue
	Rules     chorus.CallRules
	Location  *time.Location // the community's zone
	Sign      string         // the community's name, as the call introduces itself; empty: 社区
	Now       func() time.Time
	Logger    *slog.Logger
	// Lag is how long after a call whose placing got no answer the
	// worker waits for the provider to show it (a CallId or a push)
	// before placing it again; default 5 minutes.
	Lag time.Duration
	// Every is how often Run looks for due calls; default 15 s.
	Every time.Duration
}

// Run places due calls until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	every := w.Every
	if every <= 0 {
		every = 15 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.logger().Error("voice worker", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce handles the calls due now and returns how many it placed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	now := w.now()
	due, err := w.Outbox.DueCalls(ctx, now, 50)
	if err != nil {
		return 0, err
	}
	placed := 0
	for _, m := range due {
		ok, err := w.handle(ctx, m)
		if err != nil {
			return placed, err
		}
		if ok {
			placed++
		}
	}
	return placed, nil
}

// handle moves one call message on; it reports whether a call was placed.
func (w *Worker) handle(ctx context.Context, m chorus.Message) (bool, error) {
	now := w.now()
	loc := w.Location
	if loc == nil {
		loc = time.Local
	}
	// An earlier attempt whose answer was lost: the provider may have
	// placed it. Never ring twice for one message without looking.
	if m.Attempts > 0 {
		callID, known, err := w.Outbox.CallKnown(ctx, m.ID)
		if err != nil {
			return false, err
		}
		if known {
			return false, w.Outbox.CallPlaced(ctx, m.ID, 0, callID, now)
		}
		if m.Status == chorus.MessageSending || (m.ErrCode == sms.CodeTimeout || m.ErrCode == sms.CodeConnectionLost) {
			if wait := m.UpdatedAt.Add(w.lag()); now.Before(wait) {
				return false, w.Outbox.MarkRetry(ctx, m.ID, wait, sms.CodeUnverified, "等待运营商回执,确认电话是否已拨出")
			}
		}
	}
	earlier, err := w.Outbox.CallHistory(ctx, m.Phone, now.Add(-24*time.Hour))
	if err != nil {
		return false, err
	}
	lnow := now.In(loc)
	today, err := w.Outbox.CallsSince(ctx, time.Date(lnow.Year(), lnow.Month(), lnow.Day(), 0, 0, 0, 0, loc))
	if err != nil {
		return false, err
	}
	d := chorus.DecideCall(now, loc, w.Rules, earlier, today)
	switch {
	case d.FallBack():
		return false, w.Outbox.CallBySMS(ctx, m.ID, CallLimitCode, "今天的电话通知次数已用完,改发短信")
	case d.Refusal == chorus.CallOutside && m.Kind.NoWait():
		return false, w.Outbox.CallBySMS(ctx, m.ID, CallOutsideCode, "不在可以打电话的时段,改发短信")
	case d.Refusal != chorus.CallOK:
		return false, w.Outbox.MarkRetry(ctx, m.ID, d.At, string(d.Refusal), "等到可以打电话的时候")
	}
	sign := w.Sign
	if m.SignName != "" { // the message's community's own
		sign = m.SignName
	}
	if sign == "" {
		sign = "社区"
	}
	call, err := w.Catalogue.Call(m, sign)
	if err != nil {
		return false, w.Outbox.CallBySMS(ctx, m.ID, CallFailedCode, chorus.ErrorMessage(err))
	}
	row, err := w.Outbox.StartCall(ctx, m.ID, m.Phone, now)
	if chorus.ErrorCode(err) == chorus.ECONFLICT {
		return false, nil // settled meanwhile
	} else if err != nil {
		return false, err
	}
	callID, err := w.Caller.Place(ctx, call)
	if err == nil {
		w.logger().Info("call placed", "id", m.ID, "kind", m.Kind, "phone", chorus.MaskPhone(m.Phone))
		return true, w.Outbox.CallPlaced(ctx, m.ID, row, callID, w.now())
	}
	var se *sms.SendError
	if !errors.As(err, &se) {
		se = &sms.SendError{Code: sms.CodeConnectionLost, Class: sms.ClassUnknown, Message: err.Error()}
	}
	w.logger().Warn("call not placed", "id", m.ID, "code", se.Code, "class", se.Class)
	switch se.Class {
	case sms.ClassUnknown:
		return false, w.Outbox.MarkRetry(ctx, m.ID, w.now().Add(w.lag()), se.Code, se.Message)
	case sms.ClassRetry, sms.ClassDeferred:
		if m.Attempts+1 >= maxAttempts {
			return false, w.Outbox.CallBySMS(ctx, m.ID, CallFailedCode, se.Message)
		}
		return false, w.Outbox.MarkRetry(ctx, m.ID, w.now().Add(retryAfter(m.Attempts+1)), se.Code, se.Message)
	}
	return false, w.Outbox.CallBySMS(ctx, m.ID, CallFailedCode, se.Code+": "+se.Message)
}

// The codes a call message ends with when it goes by SMS instead (the
// store's err_code).
const (
	CallOutsideCode = "call_outside_window"
	CallLimitCode   = "call_limit"
	CallFailedCode  = "call_failed"
)

// maxAttempts is how often a call is tried against retryable refusals
// before its notice goes by SMS.
const maxAttempts = 4

// retryAfter is the backoff after the n-th refused attempt: 1, 2, 4 minutes…
func retryAfter(n int) time.Duration { return time.Duration(1<<min(n-1, 6)) * time.Minute }

func (w *Worker) lag() time.Duration {
	if w.Lag > 0 {
		return w.Lag
	}
	return 5 * time.Minute
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}
