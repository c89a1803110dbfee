package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func TestOffersSeats(t *testing.T) {
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		status chorus.EventStatus
		now    time.Time
		want   bool
	}{
		{"OpenBeforeStart", chorus.EventOpen, start.Add(-time.Minute), true},
		{"OpenAtStart", chorus.EventOpen, start, false},
		{"OpenAfterStart", chorus.EventOpen, start.Add(time.Minute), false},
		{"Closed", chorus.EventClosed, start.Add(-time.Hour), false},
		{"Cancelled", chorus.EventCancelled, start.Add(-time.Hour), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := chorus.OffersSeats(tt.status, start, tt.now); got != tt.want {
				t.Errorf("OffersSeats(%s, now %s) = %v, want %v", tt.status, tt.now, got, tt.want)
			}
		})
	}
}

func TestOfferDeadline(t *testing.T) {
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	ttl := 2 * time.Hour
	for _, tt := range []struct {
		name  string
		now   time.Time
		start time.Time
		want  time.Time
	}{
		{"TTL", start.Add(-24 * time.Hour), start, start.Add(-22 * time.Hour)},
		{"NeverPastStart", start.Add(-time.Hour), start, start},
		{"EndsAtStartExactly", start.Add(-ttl), start, start},
		{"NoStartForProgrammes", start, time.Time{}, start.Add(ttl)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := chorus.OfferDeadline(tt.now, ttl, tt.start); !got.Equal(tt.want) {
				t.Errorf("OfferDeadline = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOfferHours(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		left time.Duration
		want int
	}{
		{2 * time.Hour, 2}, {90 * time.Minute, 2}, {89 * time.Minute, 1}, {10 * time.Minute, 1}, {0, 1}, {-time.Hour, 1}, {24 * time.Hour, 24},
	} {
		if got := chorus.OfferHours(now.Add(tt.left), now); got != tt.want {
			t.Errorf("OfferHours(%s left) = %d, want %d", tt.left, got, tt.want)
		}
	}
}

// TestDecideLapse: what every deadline does when it passes, and that
// nothing lapses before.
func TestDecideLapse(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	var none time.Time
	for _, tt := range []struct {
		name     string
		st       chorus.Status
		deadline time.Time
		end      time.Time
		want     chorus.Lapse
		ok       bool
	}{
		{"PendingUnconfirmed", chorus.StatusPending, past, future, chorus.Lapse{To: chorus.StatusCancelled, Reason: chorus.LapseUnconfirmed}, true},
		{"PendingAtDeadline", chorus.StatusPending, now, future, chorus.Lapse{To: chorus.StatusCancelled, Reason: chorus.LapseUnconfirmed}, true},
		{"PendingInTime", chorus.StatusPending, future, future, chorus.Lapse{}, false},
		{"PendingNoDeadline", chorus.StatusPending, none, past, chorus.Lapse{}, false},
		{"OfferLapsed", chorus.StatusOffered, past, future, chorus.Lapse{To: chorus.StatusExpired, Reason: chorus.LapseOffer}, true},
		{"OfferOpen", chorus.StatusOffered, future, future, chorus.Lapse{}, false},
		{"EnrolmentOfferLapsed", chorus.StatusOffered, past, none, chorus.Lapse{To: chorus.StatusExpired, Reason: chorus.LapseOffer}, true},
		{"ConfirmedEventOver", chorus.StatusConfirmed, none, past, chorus.Lapse{To: chorus.StatusNoShow, Reason: chorus.LapseNoShow}, true},
		{"ConfirmedEventEndsNow", chorus.StatusConfirmed, none, now, chorus.Lapse{To: chorus.StatusNoShow, Reason: chorus.LapseNoShow}, true},
		{"ConfirmedLateForEarlySlot", chorus.StatusConfirmed, none, future, chorus.Lapse{}, false},
		{"ConfirmedNoEvent", chorus.StatusConfirmed, none, none, chorus.Lapse{}, false},
		{"CheckedInNeverLapses", chorus.StatusCheckedIn, past, past, chorus.Lapse{}, false},
		{"WaitlistedNeverLapses", chorus.StatusWaitlisted, past, past, chorus.Lapse{}, false},
		{"CancelledStays", chorus.StatusCancelled, past, past, chorus.Lapse{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := chorus.DecideLapse(tt.st, tt.deadline, tt.end, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("DecideLapse = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
			if ok && !chorus.CanTransition(tt.st, got.To) {
				t.Errorf("lapse %s → %s is not an edge of the state machine", tt.st, got.To)
			}
		})
	}
}
