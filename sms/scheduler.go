package sms

import (
	"context"
	"log/slog"
	"time"
)

// DefaultScheduleEvery is how often the scheduler applies deadlines: a
// pending booking is cancelled at most this long after its deadline.
const DefaultScheduleEvery = 30 * time.Second

// DefaultReminderHour is when the day-before reminders go out (18:00):
// after work, before the evening news.
const DefaultReminderHour = 18

// Deadlines is the storage the scheduler drives.
type Deadlines interface {
	// QueueReminders queues the day-before reminder of each confirmed
	// booking once the local hour has reached hour.
	QueueReminders(ctx context.Context, now time.Time, hour int) (int, error)
	// Expire cancels pending bookings past their confirmation deadline,
	// expires lapsed offers and marks no-shows, passing seats on.
	Expire(ctx context.Context, now time.Time) (int, error)
	// ExpireEnrolmentOffers expires childcare offers past their deadline.
	ExpireEnrolmentOffers(ctx context.Context) (int, error)
	// DispatchDue sends the next wave of orders nobody accepted in time.
	DispatchDue(ctx context.Context, now time.Time) (int, error)
	// ExpireVenueRequests expires requests for partners' venues nobody
	// answered by their deadline, alerting staff.
	ExpireVenueRequests(ctx context.Context, now time.Time) (int, error)
	// OpenVenueWeeks makes venues' open hours of this week and the next
	// bookable.
	OpenVenueWeeks(ctx context.Context, now time.Time) (int, error)
}

// ClassKeeper is the optional storage of term classes: a scheduler whose
// Store has it also asks residents who missed 3 sessions in a row whether
// to keep their place.
type ClassKeeper interface {
	AskMissedClasses(ctx context.Context) (int, error)
}

// PartnerNotifier is the optional storage of partners' notices: a
// scheduler whose Store has it also sends, once each, the venues'
// reminders the day before (from ReminderHour) and the partners' monthly
// summaries.
type PartnerNotifier interface {
	NotifyPartners(ctx context.Context, now time.Time, hour int) (int, error)
}

// ShiftReminder is the optional storage of volunteer shifts: a scheduler
// whose Store has it also reminds volunteers of tomorrow's shifts, once,
// from ReminderHour.
type ShiftReminder interface {
	QueueShiftReminders(ctx context.Context, now time.Time, hour int) (int, error)
}

// LeaderAsker is the optional storage of volunteer hours: a scheduler
// whose Store has it also sends activity leaders, after a shift, the
// hours to confirm (回复确认N), once per shift.
type LeaderAsker interface {
	AskLeaders(ctx context.Context, now time.Time) (int, error)
}

// Scheduler runs the timed work: reminders the day before, booking and
// offer deadlines, and dispatch waves. Its clock is injectable; RunOnce
// does one round for tests.
type Scheduler struct {
	Store        Deadlines
	Now          func() time.Time // nil: time.Now
	Every        time.Duration    // 0: DefaultScheduleEvery
	ReminderHour int              // local hour, 0-23
	Logger       *slog.Logger     // nil: slog.Default()
	// Wake, when set, nudges the outbox worker after a round that queued
	// messages.
	Wake func()
	// Leads, when set, says whether this instance runs the timed work
	// now (one of several sharing a PostgreSQL database); a round it
	// answers false for does nothing. nil: always.
	Leads func(ctx context.Context) bool
}

// Counts says what one round did.
type Counts struct {
	Reminders, Expired, OffersExpired, Dispatched, VenuesExpired, VenueWeeks int
	// KeepAsked counts the class places residents were asked to keep.
	KeepAsked int
	// PartnerNotices counts the partners' reminders and summaries queued.
	PartnerNotices int
	// ShiftReminders counts volunteers reminded of tomorrow's shift.
	ShiftReminders int
	// LeadersAsked counts leaders sent a shift's hours to confirm.
	LeadersAsked int
}

// RunOnce does one round at the scheduler's clock. It goes on after an
// error in one job and returns the first.
func (s *Scheduler) RunOnce(ctx context.Context) (Counts, error) {
	if s.Leads != nil && !s.Leads(ctx) {
		return Counts{}, nil
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	var c Counts
	var first error
	keep := func(n int, err error, into *int) {
		*into = n
		if err != nil && first == nil {
			first = err
		}
	}
	n, err := s.Store.Expire(ctx, now)
	keep(n, err, &c.Expired)
	n, err = s.Store.ExpireEnrolmentOffers(ctx)
	keep(n, err, &c.OffersExpired)
	if k, ok := s.Store.(ClassKeeper); ok {
		n, err = k.AskMissedClasses(ctx)
		keep(n, err, &c.KeepAsked)
	}
	n, err = s.Store.QueueReminders(ctx, now, s.ReminderHour)
	keep(n, err, &c.Reminders)
	if p, ok := s.Store.(PartnerNotifier); ok {
		n, err = p.NotifyPartners(ctx, now, s.ReminderHour)
		keep(n, err, &c.PartnerNotices)
	}
	if r, ok := s.Store.(ShiftReminder); ok {
		n, err = r.QueueShiftReminders(ctx, now, s.ReminderHour)
		keep(n, err, &c.ShiftReminders)
	}
	if l, ok := s.Store.(LeaderAsker); ok {
		n, err = l.AskLeaders(ctx, now)
		keep(n, err, &c.LeadersAsked)
	}
	n, err = s.Store.DispatchDue(ctx, now)
	keep(n, err, &c.Dispatched)
	n, err = s.Store.ExpireVenueRequests(ctx, now)
	keep(n, err, &c.VenuesExpired)
	n, err = s.Store.OpenVenueWeeks(ctx, now)
	keep(n, err, &c.VenueWeeks)
	if s.Wake != nil && c != (Counts{}) {
		s.Wake()
	}
	return c, first
}

// Run does a round every Every until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	every := s.Every
	if every <= 0 {
		every = DefaultScheduleEvery
	}
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		c, err := s.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Error("scheduled work", "err", err)
		}
		if c != (Counts{}) {
			logger.Info("scheduled work done", "reminders", c.Reminders, "expired", c.Expired,
				"offers_expired", c.OffersExpired, "dispatched", c.Dispatched, "venues_expired", c.VenuesExpired,
				"keep_asked", c.KeepAsked, "partner_notices", c.PartnerNotices)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
