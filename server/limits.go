package server

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/chorus-community/chorus"
)

// RateLimits are the per-visitor rate limits (golang.org/x/time/rate, on
// the server's clock). A zero field takes its Default*; a negative one
// turns that limit off (load tests). docs/security.md says how to tune
// them.
type RateLimits struct {
	// KioskActionsPerMinute bounds one kiosk's changes: bookings, orders,
	// enrolments, cancels, verification codes.
	KioskActionsPerMinute float64
	// KioskLookupsPerMinute bounds one kiosk's look-ups of a phone's
	// records, names and address.
	KioskLookupsPerMinute float64
	// PhonePerDay bounds what kiosks start for one phone a day: new
	// bookings, orders, enrolments and verification codes.
	PhonePerDay float64
	// PairPerMinute bounds pairing attempts from one source address.
	PairPerMinute float64
}

// Defaults of RateLimits: a resident's whole visit (look up, verify,
// cancel, book again) takes well under them.
const (
	DefaultKioskActionsPerMinute = 20
	DefaultKioskLookupsPerMinute = 30
	DefaultPhonePerDay           = 10
	DefaultPairPerMinute         = 10
)

// maxVisitors bounds each limiter's memory: past it, visitors whose
// allowance has refilled are forgotten.
const maxVisitors = 10000

// limiters holds one visitors table per limit.
type limiters struct {
	kioskActions, kioskLookups, phones, pairing *visitors
}

func newLimiters(c RateLimits) *limiters {
	return &limiters{
		kioskActions: newVisitors(c.KioskActionsPerMinute, DefaultKioskActionsPerMinute, time.Minute),
		kioskLookups: newVisitors(c.KioskLookupsPerMinute, DefaultKioskLookupsPerMinute, time.Minute),
		phones:       newVisitors(c.PhonePerDay, DefaultPhonePerDay, 24*time.Hour),
		pairing:      newVisitors(c.PairPerMinute, DefaultPairPerMinute, time.Minute),
	}
}

// limits returns the server's limiters, made on first use.
func (s *Server) limits() *limiters {
	s.limOnce.Do(func() { s.lim = newLimiters(s.Limits) })
	return s.lim
}

// tooOften is the error of every rate limit: 429 and the sentence the
// kiosk shows.
func tooOften() error { return chorus.Errorf(chorus.ELIMIT, chorus.TooOften) }

// kioskRequest counts one request of kiosk id: a look-up (GET) or a
// change.
func (l *limiters) kioskRequest(id int64, method string, now time.Time) error {
	v := l.kioskActions
	if method == http.MethodGet || method == http.MethodHead {
		v = l.kioskLookups
	}
	if !v.allow(id, now) {
		return tooOften()
	}
	return nil
}

// phoneRequest counts one new thing a kiosk starts for phone; staff are
// not counted. An invalid phone is left to the handler's validation.
func (s *Server) phoneRequest(r *http.Request, phone string) error {
	if kioskFrom(r.Context()) == nil {
		return nil
	}
	p, err := chorus.NormalizePhone(phone)
	if err != nil {
		return nil
	}
	if !s.limits().phones.allow(p, s.Now()) {
		return tooOften()
	}
	return nil
}

// visitors is one rate limit kept per visitor (a kiosk, a phone, an
// address): n events per period, all of them at once at most.
type visitors struct {
	mu    sync.Mutex
	off   bool
	every rate.Limit
	burst int
	m     map[any]*rate.Limiter
}

func newVisitors(n, def float64, per time.Duration) *visitors {
	if n == 0 {
		n = def
	}
	v := &visitors{m: map[any]*rate.Limiter{}, off: n < 0}
	if !v.off {
		v.every, v.burst = rate.Limit(n/per.Seconds()), max(1, int(n))
	}
	return v
}

// allow reports whether key may act at now, and counts it if so.
func (v *visitors) allow(key any, now time.Time) bool {
	if v.off {
		return true
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	lim := v.m[key]
	if lim == nil {
		if len(v.m) >= maxVisitors {
			for k, l := range v.m {
				if l.TokensAt(now) >= float64(v.burst) {
					delete(v.m, k)
				}
			}
		}
		lim = rate.NewLimiter(v.every, v.burst)
		v.m[key] = lim
	}
	return lim.AllowN(now, 1)
}
