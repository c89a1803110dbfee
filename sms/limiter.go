package sms

import (
	"sync"
	"time"
)

// Limiter is a token bucket on an injected clock: rate tokens a second, at
// most burst saved up. It hands out reservations rather than sleeping, so
// tests can drive it with any clock. It is safe for concurrent use.
type Limiter struct {
	rate   float64 // tokens per second; <= 0: unlimited
	burst  float64
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// NewLimiter returns a full bucket of burst tokens (at least 1) refilled
// at rate tokens a second. A rate <= 0 means no limit.
func NewLimiter(rate float64, burst int) *Limiter {
	b := float64(max(burst, 1))
	return &Limiter{rate: rate, burst: b, tokens: b}
}

// Reserve takes one token at now and returns how long the caller must
// wait before using it: 0 when a token was available. Reservations queue:
// each waits for the tokens of those before it.
func (l *Limiter) Reserve(now time.Time) time.Duration {
	if l == nil || l.rate <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.last = now
	}
	if now.After(l.last) {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
		l.last = now
	}
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(-l.tokens / l.rate * float64(time.Second))
}
