package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func testBookings(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("Capacity", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 1, 2, false)
		for i := range 2 {
			if b := f.book(t, e, 0, phone(i), false); b.Status != chorus.StatusPending {
				t.Errorf("booking %d = %s, want pending", i, b.Status)
			}
		}
		_, err := f.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: phone(2), Waitlist: true})
		wantCode(t, err, chorus.EFULL)
		if got := f.taken(t, e, 0); got != 2 {
			t.Errorf("taken = %d, want 2", got)
		}
		staff, err := f.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: phone(3), Confirmed: true})
		wantCode(t, err, chorus.EFULL)
		if staff != nil {
			t.Errorf("a full slot gave staff a booking: %+v", staff)
		}
	})
	t.Run("ConcurrentNeverOverbook", func(t *testing.T) {
		// 200 residents book a slot of 50 seats at once: exactly 50 get a
		// seat, every other is told the slot is full.
		f := newFixture(t, open)
		e := f.event(t, 1, 50, false)
		ok, full := ConcurrentBookings(t, []Store{f.Store}, e, 200)
		if ok != 50 || full != 150 {
			t.Errorf("%d booked and %d full, want 50 and 150", ok, full)
		}
		if got := f.taken(t, e, 0); got != 50 {
			t.Errorf("taken = %d, want 50", got)
		}
	})
	t.Run("CutOff", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 2, 2, false)
		f.clock.Set(SlotStart.Add(-time.Hour)) // the first slot's cut-off
		_, err := f.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: phone(1)})
		wantCode(t, err, chorus.ECONFLICT)
		if b := f.book(t, e, 1, phone(1), false); b.SlotID != e.Slots[1].ID {
			t.Errorf("booked slot %d, want the second", b.SlotID)
		}
	})
	t.Run("OneLiveBookingPerPhonePerEvent", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 2, 5, false)
		first := f.book(t, e, 0, phone(1), false)
		again := f.book(t, e, 1, phone(1), false)
		if again.ID != first.ID || !again.Existing || again.SlotID != e.Slots[0].ID {
			t.Errorf("second request = id %d existing %v slot %d, want the first booking %d back", again.ID, again.Existing, again.SlotID, first.ID)
		}
		if got := f.taken(t, e, 1); got != 0 {
			t.Errorf("the second slot has %d seats taken, want 0", got)
		}
		if _, err := f.Transition(ctx, first.ID, chorus.StatusCancelled, chorus.ActorResident, ""); err != nil {
			t.Fatal(err)
		}
		renewed := f.book(t, e, 1, phone(1), false)
		if renewed.ID == first.ID || renewed.Existing {
			t.Errorf("after a cancel the phone got booking %d (existing %v), want a new one", renewed.ID, renewed.Existing)
		}
		if got := f.taken(t, e, 0); got != 0 {
			t.Errorf("the cancelled seat is still taken: %d", got)
		}
	})
	t.Run("Idempotency", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 1, 5, false)
		req := chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: phone(1), IdempotencyKey: "kiosk-3-0001"}
		first, err := f.Book(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		retry, err := f.Book(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if retry.ID != first.ID || !retry.Existing || !retry.Repeat {
			t.Errorf("retry = id %d existing %v repeat %v, want booking %d repeated", retry.ID, retry.Existing, retry.Repeat, first.ID)
		}
		other := req
		other.Phone = phone(2)
		_, err = f.Book(ctx, other)
		wantCode(t, err, chorus.ECONFLICT)
		if got := f.taken(t, e, 0); got != 1 {
			t.Errorf("taken = %d, want 1", got)
		}
	})
	t.Run("WaitlistOrder", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 1, 1, true)
		seated := f.book(t, e, 0, phone(1), false)
		var line []*chorus.Booking
		for i := 2; i <= 4; i++ {
			b := f.book(t, e, 0, phone(i), true)
			if b.Status != chorus.StatusWaitlisted || b.Position != i-1 {
				t.Fatalf("%s = %s at %d, want waitlisted at %d", phone(i), b.Status, b.Position, i-1)
			}
			line = append(line, b)
		}
		_, err := f.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: phone(9)})
		wantCode(t, err, chorus.EFULL)
		if _, err := f.Transition(ctx, seated.ID, chorus.StatusCancelled, chorus.ActorResident, ""); err != nil {
			t.Fatal(err)
		}
		if got := f.booking(t, line[0].ID); got.Status != chorus.StatusOffered || got.Deadline.IsZero() {
			t.Errorf("first in line = %s (deadline %v), want offered with a deadline", got.Status, got.Deadline)
		}
		for i, b := range line[1:] {
			if got := f.booking(t, b.ID); got.Status != chorus.StatusWaitlisted || got.Position != i+1 {
				t.Errorf("%s = %s at %d, want waitlisted at %d", b.Phone, got.Status, got.Position, i+1)
			}
		}
		if got := f.taken(t, e, 0); got != 1 {
			t.Errorf("taken = %d, want 1 (the offer holds the seat)", got)
		}
		if _, err := f.Transition(ctx, line[1].ID, chorus.StatusCancelled, chorus.ActorResident, ""); err != nil {
			t.Fatal(err)
		}
		if got := f.booking(t, line[2].ID); got.Position != 1 {
			t.Errorf("last in line at %d after one ahead left, want 1", got.Position)
		}
	})
}

// ConcurrentBookings books slot 0 of e for n different phones at once,
// the i-th through stores[i % len(stores)], and returns how many got a
// seat and how many were refused as full; any other error fails t.
func ConcurrentBookings(t *testing.T, stores []Store, e *chorus.Event, n int) (ok, full int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := stores[i%len(stores)].Book(context.Background(), chorus.BookingRequest{
				EventID: e.ID, SlotID: e.Slots[0].ID, Phone: phone(1000 + i)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case chorus.ErrorCode(err) == chorus.EFULL:
				full++
			default:
				t.Errorf("booking %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return ok, full
}
