package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/chorus-community/chorus"
)

// Outbox is the storage the worker drains.
type Outbox interface {
	// Due returns up to limit messages that are queued with NextAttempt <= now,
	// or left in status sending by a crash, oldest first.
	Due(ctx context.Context, now time.Time, limit int) ([]chorus.Message, error)
	// MarkSending records that an attempt starts (status sending, Attempts+1).
	MarkSending(ctx context.Context, id int64, at time.Time) error
	// MarkSubmitted records the provider's acceptance.
	MarkSubmitted(ctx context.Context, id int64, bizID string, at time.Time) error
	// MarkRetry puts the message back in the queue until next, with the error seen.
	MarkRetry(ctx context.Context, id int64, next time.Time, code, msg string) error
	// MarkFailed fails it for good.
	MarkFailed(ctx context.Context, id int64, code, msg string, at time.Time) error
	// MarkUnverified puts the message back in the queue until next after
	// a lookup could not tell whether an earlier attempt reached the
	// provider, counting the lookup (Lookups+1).
	MarkUnverified(ctx context.Context, id int64, next time.Time, code, msg string) error
	// MarkUnknown gives up on learning the outcome: status unknown, for
	// staff to see and resend.
	MarkUnknown(ctx context.Context, id int64, code, msg string, at time.Time) error
}

// Worker defaults.
const (
	// DefaultBatchSize is how many due messages one round fetches.
	DefaultBatchSize = 100
	// DefaultConcurrency is how many API calls run at once: enough to reach
	// DefaultRate at a provider latency of 150 ms, far below the
	// provider's ceiling of 5,000 requests/s.
	DefaultConcurrency = 16
	// DefaultRate is the most messages sent per second (CHORUS_SMS_RATE).
	DefaultRate = 100.0
	// DefaultMaxAttempts bounds the attempts of one message: with the
	// backoff below, about two hours of trying.
	DefaultMaxAttempts = 8
	// DefaultMinBackoff is the wait after the first failed attempt; it
	// doubles with each attempt.
	DefaultMinBackoff = 30 * time.Second
	// DefaultMaxBackoff caps the wait between attempts.
	DefaultMaxBackoff = 30 * time.Minute
	// DefaultPollInterval is how often the worker looks for due messages
	// when nothing wakes it: retries come due without a commit.
	DefaultPollInterval = 5 * time.Second
	// DefaultMaxLookups bounds the QuerySendDetails calls that may fail
	// for one message before it is left unknown for staff: with the
	// backoff, about a quarter of an hour of asking.
	DefaultMaxLookups = 5
	// DefaultSlowCall is how long a call may take before it gives its
	// concurrency slot back while it goes on to its own deadline: the
	// provider answers in well under a second, so a call this slow is
	// most likely hung, and must not hold a slot the others need.
	DefaultSlowCall = time.Second
	// DefaultProviderLag is how long after an attempt with no answer the
	// provider's records are trusted to show it (CHORUS_SMS_PROVIDER_LAG):
	// QuerySendDetails lags behind SendSms by seconds to minutes, so a
	// lookup sooner than this that finds nothing proves nothing.
	DefaultProviderLag = 60 * time.Second
)

// CodeGaveUp marks a message failed after MaxAttempts when no better code
// is known.
const CodeGaveUp = "chorus.GaveUp"

// CodeLookupFailed marks a message left unknown because QuerySendDetails
// kept failing.
const CodeLookupFailed = "chorus.LookupFailed"

// Worker drains the outbox: it renders each due message with the
// Catalogue, submits it through the Sender, and records the outcome,
// retrying by the failure's Class (see the package comment for when a
// message can still arrive twice). Up to Concurrency sends run at once,
// each under the Sender's own deadline; Run starts the next due message as
// soon as any send ends, so a hung call delays only its own message.
// Messages to the same phone are sent one after another, oldest first.
// Every message reaches a final state: after MaxLookups failed lookups, or
// attempts used up with the last outcome unknown, it is left unknown for
// staff. Set the exported fields before the first call; run one Worker per
// outbox.
type Worker struct {
	Outbox    Outbox
	Sender    Sender
	Catalogue *Catalogue
	Now       func() time.Time // nil: time.Now
	Logger    *slog.Logger     // nil: slog.Default()

	BatchSize    int           // 0: DefaultBatchSize
	Concurrency  int           // parallel API calls; 0: DefaultConcurrency
	Rate         float64       // messages a second over all sends; 0: DefaultRate; < 0: no limit
	Burst        int           // sends saved up while idle; 0: 1 (the limiter starts empty either way)
	MaxAttempts  int           // 0: DefaultMaxAttempts
	MinBackoff   time.Duration // 0: DefaultMinBackoff
	MaxBackoff   time.Duration // 0: DefaultMaxBackoff
	PollInterval time.Duration // 0: DefaultPollInterval
	MaxLookups   int           // failed lookups before unknown; 0: DefaultMaxLookups
	ProviderLag  time.Duration // 0: DefaultProviderLag
	// SlowCall is how long a send may hold its slot in Run; a slower one
	// goes on to its deadline outside the Concurrency count, with at most
	// 4×Concurrency such calls at once. 0: DefaultSlowCall.
	SlowCall time.Duration

	once    sync.Once
	wake    chan struct{}
	limiter *Limiter
	cfg     workerConfig

	mu       sync.Mutex
	inflight map[int64]string // messages being handled by Run, with their phone
	slots    int              // of those, the ones counting against Concurrency
	slow     int              // of those, calls past SlowCall that gave their slot back
	// ended counts the sends Run has seen end; endedAt is the count at
	// which each message recently ended. fill reads the count before it
	// asks the outbox which messages are due, and passes over a message
	// that ended after that: the outbox's answer may predate its end, and
	// would have it sent again.
	ended   uint64
	endedAt map[int64]uint64
}

// workerConfig is the Worker's settings with defaults applied.
type workerConfig struct {
	batch, concurrency, maxAttempts, maxLookups int
	minBackoff, maxBackoff, poll, lag, slow     time.Duration
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		c := workerConfig{batch: w.BatchSize, concurrency: w.Concurrency, maxAttempts: w.MaxAttempts,
			minBackoff: w.MinBackoff, maxBackoff: w.MaxBackoff, poll: w.PollInterval}
		c.batch = cmpOr(c.batch, DefaultBatchSize)
		c.concurrency = cmpOr(c.concurrency, DefaultConcurrency)
		c.maxAttempts = cmpOr(c.maxAttempts, DefaultMaxAttempts)
		c.minBackoff = cmpOr(c.minBackoff, DefaultMinBackoff)
		c.maxBackoff = cmpOr(c.maxBackoff, DefaultMaxBackoff)
		c.poll = cmpOr(c.poll, DefaultPollInterval)
		c.maxLookups = cmpOr(w.MaxLookups, DefaultMaxLookups)
		c.lag = cmpOr(w.ProviderLag, DefaultProviderLag)
		c.slow = cmpOr(w.SlowCall, DefaultSlowCall)
		w.cfg = c
		rate := w.Rate
		if rate == 0 {
			rate = DefaultRate
		}
		w.limiter = NewLimiter(rate, cmpOr(w.Burst, 1), w.now())
		w.inflight = map[int64]string{}
		w.endedAt = map[int64]uint64{}
	})
}

// cmpOr returns v when positive, else def.
func cmpOr[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
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

// Wake tells the worker that messages may be due, e.g. right after a
// commit that queued some. It never blocks.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default: // already rung
	}
}

// Run drains the outbox until ctx is done. It keeps up to Concurrency
// sends in flight: whenever one ends, whenever Wake is called and every
// PollInterval it fetches the due messages and starts those not in flight
// (one per phone at a time). A send that hangs holds only its own slot
// until the Sender's deadline. When ctx ends it starts no new send, lets
// those in flight finish and records their outcome, then returns nil. It
// returns an error only when the Worker is not set up.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.check(); err != nil {
		return err
	}
	t := time.NewTicker(w.cfg.poll)
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	freed := make(chan struct{}, 1)
	work := context.WithoutCancel(ctx)
	for {
		if err := w.fill(ctx, work, &wg, freed); err != nil && ctx.Err() == nil {
			w.logger().Error("sms outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-freed:
		case <-t.C:
		}
	}
}

// fill starts due messages in free slots. Each started send signals freed
// when it ends.
func (w *Worker) fill(ctx, work context.Context, wg *sync.WaitGroup, freed chan struct{}) error {
	w.mu.Lock()
	free, flying, asked := w.cfg.concurrency-w.slots, len(w.inflight), w.ended
	w.mu.Unlock()
	if free <= 0 || ctx.Err() != nil {
		return nil
	}
	msgs, err := w.Outbox.Due(ctx, w.now(), w.cfg.batch+flying)
	if err != nil {
		return fmt.Errorf("sms outbox due: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	busy := map[string]bool{} // phones with a message in flight: the next waits
	for _, p := range w.inflight {
		busy[p] = true
	}
	for id, at := range w.endedAt {
		if at <= asked { // ended before the outbox was asked: its answer knows
			delete(w.endedAt, id)
		}
	}
	for _, m := range msgs {
		if w.slots >= w.cfg.concurrency {
			break
		}
		if _, stale := w.endedAt[m.ID]; stale {
			continue // ended while the outbox was asked: the next fill reads it afresh
		}
		if _, ok := w.inflight[m.ID]; ok || busy[m.Phone] {
			busy[m.Phone] = true // nothing newer to this phone passes it
			continue
		}
		w.inflight[m.ID], busy[m.Phone] = m.Phone, true
		w.slots++
		wg.Add(1)
		go func() {
			defer wg.Done()
			var (
				timer    *time.Timer
				finished bool
				released bool // the slot was given back: the call is slow
			)
			onSend := func() {
				timer = time.AfterFunc(w.cfg.slow, func() {
					w.mu.Lock()
					defer w.mu.Unlock()
					if finished || w.slow >= 4*w.cfg.concurrency {
						return
					}
					released = true
					w.slots--
					w.slow++
					signal(freed)
				})
			}
			if _, err := w.handle(ctx, work, m, onSend); err != nil {
				w.logger().Error("sms outbox", "err", err)
			}
			if timer != nil {
				timer.Stop()
			}
			w.mu.Lock()
			finished = true
			delete(w.inflight, m.ID)
			w.ended++
			w.endedAt[m.ID] = w.ended
			if released {
				w.slow--
			} else {
				w.slots--
			}
			w.mu.Unlock()
			signal(freed)
		}()
	}
	return nil
}

func (w *Worker) check() error {
	w.init()
	if w.Outbox == nil || w.Sender == nil || w.Catalogue == nil {
		return errors.New("sms worker: Outbox, Sender and Catalogue are required")
	}
	return nil
}

// RunOnce runs one round: it fetches up to BatchSize due messages and
// handles them, Concurrency at a time. It returns how many it handled and
// the first storage error met. If ctx ends, messages not yet started are
// left as they are; sends already started finish and are recorded.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	msgs, err := w.Outbox.Due(ctx, w.now(), w.cfg.batch)
	if err != nil {
		return 0, fmt.Errorf("sms outbox due: %w", err)
	}
	// An attempt that started is seen through even when ctx ends: its
	// outcome must be recorded, or it would be left to Lookup.
	work := context.WithoutCancel(ctx)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		n        int
		firstErr error
		sem      = make(chan struct{}, w.cfg.concurrency)
	)
	for _, g := range byPhone(msgs) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			for _, m := range g {
				if ctx.Err() != nil {
					return
				}
				handled, err := w.handle(ctx, work, m, nil)
				mu.Lock()
				if handled {
					n++
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return n, firstErr
}

// signal rings ch without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// byPhone groups messages by phone, keeping their order.
func byPhone(msgs []chorus.Message) [][]chorus.Message {
	idx := map[string]int{}
	var out [][]chorus.Message
	for _, m := range msgs {
		i, ok := idx[m.Phone]
		if !ok {
			i = len(out)
			idx[m.Phone] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], m)
	}
	return out
}

// needsLookup reports whether m's last attempt may have reached the
// provider without its answer reaching us.
func needsLookup(m chorus.Message) bool {
	return m.Status == chorus.MessageSending || (m.ErrCode != "" && Classify(m.ErrCode, 0) == ClassUnknown)
}

// handle takes one message through one attempt. ctx stops it before it
// sends; work carries the calls once it does. It reports whether it did
// anything, and returns storage errors only: the message's own failures
// are recorded on it. onSend, when set, is called as the send starts.
func (w *Worker) handle(ctx, work context.Context, m chorus.Message, onSend func()) (bool, error) {
	log := w.logger().With("id", m.ID, "phone", chorus.MaskPhone(m.Phone), "kind", m.Kind)
	if needsLookup(m) {
		last := m.UpdatedAt
		if last.IsZero() {
			last = w.now()
		}
		if trusted := last.Add(w.cfg.lag); m.Status == chorus.MessageSending && w.now().Before(trusted) {
			// Left by a stop too soon after its attempt for the
			// provider's records to show it (a quick restart): look only
			// once they may. (After a timeout the retry is already
			// scheduled past the lag.)
			log.Info("sms: earlier attempt too recent to look up; waiting for the provider's records", "until", trusted)
			return true, w.mark("wait", m, w.Outbox.MarkRetry(work, m.ID, w.now().Add(w.cfg.lag), CodeUnverified,
				"earlier attempt not verified yet: waiting for the provider's records"))
		}
		found, err := w.Sender.Lookup(work, m.Phone, m.ID, last)
		switch {
		case err != nil:
			log.Warn("sms: cannot check an earlier attempt; not sending yet", "err", err, "lookups", m.Lookups+1)
			return true, w.unverified(work, m, lookupPermanent(err), "earlier attempt not verified: "+err.Error())
		case found:
			log.Info("sms: earlier attempt reached the provider; not sending again")
			return true, w.mark("submitted", m, w.Outbox.MarkSubmitted(work, m.ID, "", w.now()))
		}
	}
	if m.Attempts >= w.cfg.maxAttempts {
		code := m.ErrCode
		if code == "" {
			code = CodeGaveUp
		}
		log.Warn("sms: giving up", "attempts", m.Attempts, "code", code)
		return true, w.fail(work, m, code, fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, m.ErrMsg))
	}
	out, err := w.Catalogue.Outgoing(m)
	if err != nil {
		code := CodeInvalidParams
		if _, ok := w.Catalogue.Template(m.Kind); !ok {
			code = CodeNoTemplate
		}
		log.Error("sms: message does not fit its template", "err", err)
		return true, w.fail(work, m, code, chorus.ErrorMessage(err))
	}
	if !w.waitTurn(ctx) {
		return false, nil // stopping: it stays queued
	}
	at := w.now()
	if err := w.Outbox.MarkSending(work, m.ID, at); err != nil {
		return true, w.mark("sending", m, err) // not sent
	}
	m.Attempts++
	if onSend != nil {
		onSend()
	}
	bizID, err := w.Sender.Send(work, out)
	if err == nil {
		log.Debug("sms submitted", "biz_id", bizID)
		return true, w.mark("submitted", m, w.Outbox.MarkSubmitted(work, m.ID, bizID, w.now()))
	}
	var se *SendError
	if !errors.As(err, &se) {
		se = &SendError{Code: CodeConnectionLost, Message: err.Error(), Class: ClassUnknown, Err: err}
	}
	log = log.With("code", se.Code, "class", se.Class, "attempt", m.Attempts)
	switch se.Class {
	case ClassPermanent:
		log.Warn("sms refused by the provider", "msg", se.Message)
		return true, w.fail(work, m, se.Code, se.Message)
	case ClassDeferred:
		next := DeferUntil(se.Code, se.Message, w.now())
		log.Warn("sms held back by a provider limit; staff should know", "msg", se.Message, "until", next)
		return true, w.retry(work, m, se.Code, se.Message, next)
	case ClassUnknown:
		found, lerr := w.Sender.Lookup(work, m.Phone, m.ID, at)
		if lerr == nil && found {
			log.Info("sms: no answer, but the provider has it")
			return true, w.mark("submitted", m, w.Outbox.MarkSubmitted(work, m.ID, "", w.now()))
		}
		code := se.Code
		if Classify(code, 0) != ClassUnknown {
			code = CodeUnverified // keeps the next attempt looking first
		}
		if m.Attempts >= w.cfg.maxAttempts {
			log.Warn("sms: no answer and no attempts left; outcome unknown, for staff", "msg", se.Message)
			return true, w.unknown(work, m, code, fmt.Sprintf("no answer after %d attempts: %s", m.Attempts, se.Message))
		}
		// Not found proves nothing until the provider's records catch up:
		// look again, after the lag, before any resend.
		log.Warn("sms: no answer; will check again before resending", "msg", se.Message, "lookup_err", lerr)
		next := w.backoff(m)
		if lag := w.now().Add(w.cfg.lag); next.Before(lag) {
			next = lag
		}
		return true, w.retry(work, m, code, se.Message, next)
	default:
		log.Warn("sms failed; will retry", "msg", se.Message)
		return true, w.retryOrFail(work, m, se.Code, se.Message)
	}
}

// lookupPermanent reports whether a failed lookup will fail the same way
// however often it is repeated (isp.RAM_PERMISSION_DENY: the key may not
// call QuerySendDetails).
func lookupPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Class == ClassPermanent
}

// unverified counts a lookup that could not answer and queues m to be
// looked up again after a backoff, or leaves it unknown when lookups are
// used up or can never succeed.
func (w *Worker) unverified(ctx context.Context, m chorus.Message, permanent bool, msg string) error {
	if permanent || m.Lookups+1 >= w.cfg.maxLookups {
		return w.unknown(ctx, m, CodeLookupFailed, fmt.Sprintf("outcome unknown after %d lookups: %s", m.Lookups+1, msg))
	}
	next := w.now().Add(Backoff(m.Lookups+1, w.cfg.minBackoff, w.cfg.maxBackoff))
	return w.mark("unverified", m, w.Outbox.MarkUnverified(ctx, m.ID, next, CodeUnverified, msg))
}

// unknown leaves m for staff: its outcome could not be learnt.
func (w *Worker) unknown(ctx context.Context, m chorus.Message, code, msg string) error {
	return w.mark("unknown", m, w.Outbox.MarkUnknown(ctx, m.ID, code, msg, w.now()))
}

// waitTurn waits for the rate limiter; false when ctx ended first.
func (w *Worker) waitTurn(ctx context.Context) bool {
	d := w.limiter.Reserve(w.now())
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff returns when m may be tried again after its Attempts so far.
func (w *Worker) backoff(m chorus.Message) time.Time {
	return w.now().Add(Backoff(max(m.Attempts, 1), w.cfg.minBackoff, w.cfg.maxBackoff))
}

// retryOrFail queues m again after a backoff, or fails it once its
// attempts are used up.
func (w *Worker) retryOrFail(ctx context.Context, m chorus.Message, code, msg string) error {
	if m.Attempts >= w.cfg.maxAttempts {
		return w.fail(ctx, m, code, fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, msg))
	}
	return w.retry(ctx, m, code, msg, w.backoff(m))
}

func (w *Worker) retry(ctx context.Context, m chorus.Message, code, msg string, next time.Time) error {
	return w.mark("retry", m, w.Outbox.MarkRetry(ctx, m.ID, next, code, msg))
}

func (w *Worker) fail(ctx context.Context, m chorus.Message, code, msg string) error {
	return w.mark("failed", m, w.Outbox.MarkFailed(ctx, m.ID, code, msg, w.now()))
}

// mark wraps a storage error with the message and the step.
func (w *Worker) mark(step string, m chorus.Message, err error) error {
	if err != nil {
		return fmt.Errorf("sms outbox: mark message %d %s: %w", m.ID, step, err)
	}
	return nil
}
