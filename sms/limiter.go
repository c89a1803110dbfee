package sms

import (
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces sends: rate a second, at most burst saved up while idle.
// It wraps golang.org/x/time/rate on an injected clock and hands out
// reservations rather than sleeping, so tests can drive it with any clock.
// A new Limiter starts empty: a restart never lets a burst through, the
// first send waits its turn like any other. It is safe for concurrent use.
type Limiter struct {
	lim *rate.Limiter // nil: unlimited
}

// NewLimiter returns an empty bucket of at most burst tokens (at least 1)
// refilled at r tokens a second from now. A rate <= 0 means no limit.
func NewLimiter(r float64, burst int, now time.Time) *Limiter {
	if r <= 0 {
		return &Limiter{}
	}
	b := max(burst, 1)
	lim := rate.NewLimiter(rate.Limit(r), b)
	lim.ReserveN(now, b) // start empty
	return &Limiter{lim: lim}
}

// Reserve takes one token at now and returns how long the caller must
// wait before using it: 0 when a token was available. Reservations queue:
// each waits for the tokens of those before it.
func (l *Limiter) Reserve(now time.Time) time.Duration {
	if l == nil || l.lim == nil {
		return 0
	}
	return l.lim.ReserveN(now, 1).DelayFrom(now)
}
