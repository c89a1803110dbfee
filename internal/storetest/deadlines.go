package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func testDeadlines(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("PendingLapsesAndOfferExpires", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 1, 1, true)
		seated := f.book(t, e, 0, phone(1), false)
		next := f.book(t, e, 0, phone(2), true)
		if seated.Deadline.IsZero() || seated.Deadline.After(T0.Add(24*time.Hour)) {
			t.Fatalf("pending deadline = %v", seated.Deadline)
		}
		if n, err := f.Expire(ctx, seated.Deadline.Add(-time.Second)); err != nil || n != 0 {
			t.Fatalf("Expire before the deadline = %d, %v", n, err)
		}
		f.clock.Set(seated.Deadline.Add(time.Second))
		if n, err := f.Expire(ctx, f.clock.Now()); err != nil || n == 0 {
			t.Fatalf("Expire after the deadline = %d, %v", n, err)
		}
		if got := f.booking(t, seated.ID); got.Status != chorus.StatusCancelled {
			t.Errorf("unconfirmed booking = %s, want cancelled", got.Status)
		}
		offer := f.booking(t, next.ID)
		if offer.Status != chorus.StatusOffered || offer.Deadline.IsZero() {
			t.Fatalf("next in line = %s (deadline %v), want offered", offer.Status, offer.Deadline)
		}
		if f.kinds(t, phone(2))[chorus.MsgWaitlistOffer] != 1 {
			t.Errorf("the next in line was not told of the seat: %v", f.kinds(t, phone(2)))
		}
		f.clock.Set(offer.Deadline.Add(time.Second))
		if _, err := f.Expire(ctx, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := f.booking(t, next.ID); got.Status != chorus.StatusExpired {
			t.Errorf("lapsed offer = %s, want expired", got.Status)
		}
		if got := f.taken(t, e, 0); got != 0 {
			t.Errorf("taken = %d after everything lapsed, want 0", got)
		}
	})
}
