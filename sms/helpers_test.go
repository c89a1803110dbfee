package sms_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
)

// testSign is the signature the tests send with.
const testSign = "光华街社区"

// start is a Saturday morning in the community, 10:00 China time.
var start = time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)

// newClock is the clock shared by the worker, the outbox and the fake,
// standing at start.
func newClock() *clocktest.Clock { return clocktest.New(start) }

// discard is a logger for tests that do not look at logs.
var discard = slog.New(slog.DiscardHandler)

// MustFake starts a fake API on now and an Alibaba sender pointed at it
// with the given call timeout.
func MustFake(tb testing.TB, now func() time.Time, timeout time.Duration) (*smsfake.Server, *sms.Alibaba) {
	tb.Helper()
	fake := smsfake.New(smsfake.Options{Now: now, SignName: testSign, Templates: catalogueVars(tb)})
	tb.Cleanup(fake.Close)
	a, err := sms.NewAlibaba(sms.AlibabaConfig{
		AccessKeyID: smsfake.DefaultAccessKeyID, AccessKeySecret: smsfake.DefaultAccessKeySecret,
		SignName: testSign, Endpoint: fake.Endpoint, Scheme: "http", Timeout: timeout,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	return fake, a
}

// MustCatalogue returns the built-in catalogue.
func MustCatalogue(tb testing.TB) *sms.Catalogue {
	tb.Helper()
	c, err := sms.NewCatalogue(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// catalogueVars tells the fake the catalogue's templates, as the provider
// knows the approved ones.
func catalogueVars(tb testing.TB) map[string][]string {
	out := map[string][]string{}
	for _, t := range MustCatalogue(tb).Templates() {
		out[t.Code] = t.Params
	}
	return out
}

// bookingParams are realistic parameters of a booking confirmation.
func bookingParams() map[string]string {
	return map[string]string{"event": "免费义诊", "time": "12月5日周六09:00", "place": "社区活动室", "code": "482913"}
}

// phone returns the i-th test phone number.
func phone(i int) string { return fmt.Sprintf("1380000%04d", i) }

// memOutbox is an in-memory Outbox with the SQLite outbox's rules.
type memOutbox struct {
	mu      sync.Mutex
	now     func() time.Time
	msgs    map[int64]*chorus.Message
	pending map[int64]bool // queued or sending
	nextID  int64
	counts  map[chorus.MessageStatus]int
	done    map[int64]time.Time // when each message was submitted
	changed chan struct{}       // closed and replaced on every change
	// onSubmitted, when set, is called (outside the lock) after each
	// MarkSubmitted.
	onSubmitted func(id int64)
}

func newMemOutbox(now func() time.Time) *memOutbox {
	return &memOutbox{now: now, msgs: map[int64]*chorus.Message{}, pending: map[int64]bool{},
		counts: map[chorus.MessageStatus]int{}, done: map[int64]time.Time{}, changed: make(chan struct{})}
}

// Add queues m and returns its id.
func (o *memOutbox) Add(m chorus.Message) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.nextID++
	m.ID, m.Status, m.NextAttempt = o.nextID, chorus.MessageQueued, o.now()
	m.CreatedAt, m.UpdatedAt = m.NextAttempt, m.NextAttempt
	o.msgs[m.ID] = &m
	o.pending[m.ID] = true
	o.counts[m.Status]++
	o.notifyLocked()
	return m.ID
}

// Get returns a copy of message id.
func (o *memOutbox) Get(id int64) chorus.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return *o.msgs[id]
}

// Count returns how many messages have status st.
func (o *memOutbox) Count(st chorus.MessageStatus) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[st]
}

// WaitCount blocks until n messages have status st.
func (o *memOutbox) WaitCount(tb testing.TB, st chorus.MessageStatus, n int) {
	tb.Helper()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		o.mu.Lock()
		ch := o.changed
		o.mu.Unlock()
		if o.Count(st) >= n {
			return
		}
		select {
		case <-ch:
		case <-timeout.C:
			tb.Fatalf("timed out waiting for %d messages %s (have %d)", n, st, o.Count(st))
		}
	}
}

func (o *memOutbox) notifyLocked() {
	close(o.changed)
	o.changed = make(chan struct{})
}

func (o *memOutbox) Due(ctx context.Context, now time.Time, limit int) ([]chorus.Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ids []int64
	for id := range o.pending {
		m := o.msgs[id]
		if m.Status == chorus.MessageSending || !m.NextAttempt.After(now) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]chorus.Message, 0, min(limit, len(ids)))
	for _, id := range ids[:min(limit, len(ids))] {
		out = append(out, *o.msgs[id])
	}
	return out, nil
}

// update applies fn to message id when its status is one of from.
func (o *memOutbox) update(id int64, fn func(m *chorus.Message), from ...chorus.MessageStatus) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.msgs[id]
	if !ok {
		return fmt.Errorf("message %d not found", id)
	}
	if slices.Contains(from, m.Status) {
		o.counts[m.Status]--
		fn(m)
		o.counts[m.Status]++
		o.pending[id] = m.Status == chorus.MessageQueued || m.Status == chorus.MessageSending
		if !o.pending[id] {
			delete(o.pending, id)
		}
		o.notifyLocked()
	}
	return nil
}

func (o *memOutbox) MarkSending(ctx context.Context, id int64, at time.Time) error {
	return o.update(id, func(m *chorus.Message) {
		m.Status, m.UpdatedAt = chorus.MessageSending, at
		m.Attempts++
	}, chorus.MessageQueued, chorus.MessageSending)
}

func (o *memOutbox) MarkSubmitted(ctx context.Context, id int64, bizID string, at time.Time) error {
	err := o.update(id, func(m *chorus.Message) {
		m.Status, m.BizID, m.ErrCode, m.ErrMsg, m.UpdatedAt = chorus.MessageSubmitted, bizID, "", "", at
		o.done[id] = time.Now()
	}, chorus.MessageQueued, chorus.MessageSending)
	if err == nil && o.onSubmitted != nil {
		o.onSubmitted(id)
	}
	return err
}

func (o *memOutbox) MarkRetry(ctx context.Context, id int64, next time.Time, code, msg string) error {
	return o.update(id, func(m *chorus.Message) {
		m.Status, m.NextAttempt, m.ErrCode, m.ErrMsg, m.UpdatedAt = chorus.MessageQueued, next, code, msg, o.now()
	}, chorus.MessageQueued, chorus.MessageSending)
}

func (o *memOutbox) MarkFailed(ctx context.Context, id int64, code, msg string, at time.Time) error {
	return o.update(id, func(m *chorus.Message) {
		m.Status, m.ErrCode, m.ErrMsg, m.UpdatedAt = chorus.MessageFailed, code, msg, at
	}, chorus.MessageQueued, chorus.MessageSending, chorus.MessageSubmitted)
}

func (o *memOutbox) MarkUnverified(ctx context.Context, id int64, next time.Time, code, msg string) error {
	return o.update(id, func(m *chorus.Message) {
		m.Status, m.NextAttempt, m.ErrCode, m.ErrMsg, m.UpdatedAt = chorus.MessageQueued, next, code, msg, o.now()
		m.Lookups++
	}, chorus.MessageQueued, chorus.MessageSending)
}

func (o *memOutbox) MarkUnknown(ctx context.Context, id int64, code, msg string, at time.Time) error {
	return o.update(id, func(m *chorus.Message) {
		m.Status, m.ErrCode, m.ErrMsg, m.UpdatedAt = chorus.MessageUnknown, code, msg, at
	}, chorus.MessageQueued, chorus.MessageSending)
}

// deadOutbox is the outbox as seen by a process that has crashed: once
// dead is set, nothing it writes lands.
type deadOutbox struct {
	*memOutbox
	dead atomic.Bool
}

var errDead = fmt.Errorf("process has crashed")

func (d *deadOutbox) MarkSending(ctx context.Context, id int64, at time.Time) error {
	if d.dead.Load() {
		return errDead
	}
	return d.memOutbox.MarkSending(ctx, id, at)
}

func (d *deadOutbox) MarkSubmitted(ctx context.Context, id int64, bizID string, at time.Time) error {
	if d.dead.Load() {
		return errDead
	}
	return d.memOutbox.MarkSubmitted(ctx, id, bizID, at)
}

func (d *deadOutbox) MarkRetry(ctx context.Context, id int64, next time.Time, code, msg string) error {
	if d.dead.Load() {
		return errDead
	}
	return d.memOutbox.MarkRetry(ctx, id, next, code, msg)
}

func (d *deadOutbox) MarkUnverified(ctx context.Context, id int64, next time.Time, code, msg string) error {
	if d.dead.Load() {
		return errDead
	}
	return d.memOutbox.MarkUnverified(ctx, id, next, code, msg)
}

func (d *deadOutbox) MarkUnknown(ctx context.Context, id int64, code, msg string, at time.Time) error {
	if d.dead.Load() {
		return errDead
	}
	return d.memOutbox.MarkUnknown(ctx, id, code, msg, at)
}

func (d *deadOutbox) MarkFailed(ctx context.Context, id int64, code, msg string, at time.Time) error {
	if d.dead.Load() {
		return errDead
	}
	return d.memOutbox.MarkFailed(ctx, id, code, msg, at)
}
