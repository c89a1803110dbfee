package chorus_test

import (
	"testing"

	"github.com/chorus-community/chorus"
)

var allStatuses = []chorus.Status{
	chorus.StatusPending, chorus.StatusConfirmed, chorus.StatusCheckedIn, chorus.StatusCancelled,
	chorus.StatusNoShow, chorus.StatusWaitlisted, chorus.StatusOffered, chorus.StatusExpired,
}

func TestCheckTransition(t *testing.T) {
	// Every edge of the state machine; any other pair is refused.
	legal := map[[2]chorus.Status]bool{
		{chorus.StatusPending, chorus.StatusConfirmed}:    true, // reply 1
		{chorus.StatusPending, chorus.StatusCancelled}:    true, // reply 2, or no reply in time
		{chorus.StatusConfirmed, chorus.StatusCheckedIn}:  true,
		{chorus.StatusConfirmed, chorus.StatusCancelled}:  true,
		{chorus.StatusConfirmed, chorus.StatusNoShow}:     true,
		{chorus.StatusCheckedIn, chorus.StatusConfirmed}:  true, // check-in undone
		{chorus.StatusWaitlisted, chorus.StatusOffered}:   true,
		{chorus.StatusWaitlisted, chorus.StatusCancelled}: true,
		{chorus.StatusOffered, chorus.StatusConfirmed}:    true,
		{chorus.StatusOffered, chorus.StatusExpired}:      true,
		{chorus.StatusOffered, chorus.StatusCancelled}:    true,
	}

	t.Run("OK", func(t *testing.T) {
		for edge := range legal {
			if !chorus.CanTransition(edge[0], edge[1]) {
				t.Errorf("CanTransition(%s, %s) = false", edge[0], edge[1])
			}
			if err := chorus.CheckTransition(edge[0], edge[1]); err != nil {
				t.Errorf("CheckTransition(%s, %s) = %v", edge[0], edge[1], err)
			}
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		refused := 0
		for _, from := range append(allStatuses, "", "unknown") {
			for _, to := range append(allStatuses, "") {
				if legal[[2]chorus.Status{from, to}] {
					continue
				}
				refused++
				if chorus.CanTransition(from, to) {
					t.Errorf("CanTransition(%q, %q) = true", from, to)
				}
				err := chorus.CheckTransition(from, to)
				if got := chorus.ErrorCode(err); got != chorus.ECONFLICT {
					t.Errorf("CheckTransition(%q, %q) code = %q, want %q", from, to, got, chorus.ECONFLICT)
				} else if chorus.ErrorMessage(err) == "" {
					t.Errorf("CheckTransition(%q, %q) has no message", from, to)
				}
			}
		}
		if refused < 50 {
			t.Fatalf("only %d illegal pairs checked", refused)
		}
	})

	t.Run("FinalStatuses", func(t *testing.T) {
		for _, from := range []chorus.Status{chorus.StatusCancelled, chorus.StatusNoShow, chorus.StatusExpired} {
			for _, to := range allStatuses {
				if chorus.CanTransition(from, to) {
					t.Errorf("%s is final but may become %s", from, to)
				}
			}
		}
	})
}

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		s          chorus.Status
		live, seat bool
	}{
		{chorus.StatusPending, true, true},
		{chorus.StatusConfirmed, true, true},
		{chorus.StatusCheckedIn, true, true},
		{chorus.StatusOffered, true, true},
		{chorus.StatusWaitlisted, true, false},
		{chorus.StatusCancelled, false, false},
		{chorus.StatusNoShow, false, false},
		{chorus.StatusExpired, false, false},
	} {
		if got := tc.s.Live(); got != tc.live {
			t.Errorf("%s.Live() = %v, want %v", tc.s, got, tc.live)
		}
		if got := tc.s.HoldsSeat(); got != tc.seat {
			t.Errorf("%s.HoldsSeat() = %v, want %v", tc.s, got, tc.seat)
		}
		if tc.s.Label() == "" {
			t.Errorf("%s has no label", tc.s)
		}
	}
	live := 0
	for _, s := range allStatuses {
		if s.Live() {
			live++
		}
	}
	if live != len(chorus.LiveStatuses) {
		t.Fatalf("LiveStatuses = %v, want the %d live statuses", chorus.LiveStatuses, live)
	}
	for _, s := range chorus.LiveStatuses {
		if !s.Live() {
			t.Fatalf("LiveStatuses holds %s", s)
		}
	}
}

func TestMessageStatus_CanAdvance(t *testing.T) {
	for _, tc := range []struct {
		from, to chorus.MessageStatus
		want     bool
	}{
		{chorus.MessageQueued, chorus.MessageSending, true},
		{chorus.MessageSending, chorus.MessageSubmitted, true},
		{chorus.MessageSending, chorus.MessageQueued, true}, // a retry
		{chorus.MessageSubmitted, chorus.MessageDelivered, true},
		{chorus.MessageSubmitted, chorus.MessageFailed, true},
		{chorus.MessageSubmitted, chorus.MessageQueued, false},
		{chorus.MessageSubmitted, chorus.MessageSending, false},
		{chorus.MessageDelivered, chorus.MessageFailed, false},
		{chorus.MessageFailed, chorus.MessageQueued, false},
		{chorus.MessageRefused, chorus.MessageQueued, false},
	} {
		if got := tc.from.CanAdvance(tc.to); got != tc.want {
			t.Errorf("%s.CanAdvance(%s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}
