package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func testCheckIn(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	e := f.event(t, 1, 5, false)
	other := f.event(t, 1, 5, false)
	confirmed, err := f.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: phone(1), Name: "李阿姨", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	pending := f.book(t, e, 0, phone(2), false)
	byToken := f.book(t, e, 0, phone(3), false)
	check := func(t *testing.T, req chorus.CheckinRequest) *chorus.CheckinResult {
		t.Helper()
		res, err := f.CheckIn(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	t.Run("NotToday", func(t *testing.T) {
		if res := check(t, chorus.CheckinRequest{EventID: e.ID, Code: confirmed.Code}); res.Outcome != chorus.CheckinOtherEvent {
			t.Errorf("days before = %s %q", res.Outcome, res.Message)
		}
	})
	f.clock.Set(SlotStart.Add(-20 * time.Minute))
	t.Run("Code", func(t *testing.T) {
		res := check(t, chorus.CheckinRequest{EventID: e.ID, Code: confirmed.Code})
		if res.Outcome != chorus.CheckinOK || res.Booking == nil || res.Booking.ID != confirmed.ID || res.Booking.Status != chorus.StatusCheckedIn {
			t.Fatalf("check-in = %+v", res)
		}
		again := check(t, chorus.CheckinRequest{EventID: e.ID, Code: confirmed.Code})
		if again.Outcome != chorus.CheckinAlready || !again.FirstAt.Equal(res.FirstAt) {
			t.Errorf("again = %s first at %v, want already at %v", again.Outcome, again.FirstAt, res.FirstAt)
		}
	})
	t.Run("PendingWhoCameIsCheckedIn", func(t *testing.T) {
		if res := check(t, chorus.CheckinRequest{EventID: e.ID, BookingID: pending.ID}); res.Outcome != chorus.CheckinOK {
			t.Fatalf("pending = %s %q", res.Outcome, res.Message)
		}
		if got := f.booking(t, pending.ID); got.Status != chorus.StatusCheckedIn {
			t.Errorf("pending booking is %s after check-in", got.Status)
		}
	})
	t.Run("Token", func(t *testing.T) {
		if byToken.CheckinToken == "" {
			t.Fatal("a booking has no check-in token")
		}
		if res := check(t, chorus.CheckinRequest{EventID: e.ID, Token: byToken.CheckinToken}); res.Outcome != chorus.CheckinOK {
			t.Errorf("token = %s %q", res.Outcome, res.Message)
		}
	})
	t.Run("OtherEvent", func(t *testing.T) {
		if res := check(t, chorus.CheckinRequest{EventID: other.ID, BookingID: confirmed.ID}); res.Outcome != chorus.CheckinOtherEvent {
			t.Errorf("another event's door = %s", res.Outcome)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		code := "000000"
		for _, b := range []*chorus.Booking{confirmed, pending, byToken} {
			if b.Code == code {
				code = "999999"
			}
		}
		if res := check(t, chorus.CheckinRequest{EventID: e.ID, Code: code}); res.Outcome != chorus.CheckinUnknown {
			t.Errorf("unknown code = %s", res.Outcome)
		}
	})
	t.Run("Attendance", func(t *testing.T) {
		a, err := f.Attendance(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Booked != 3 || a.CheckedIn != 3 || a.NotYet != 0 {
			t.Errorf("attendance = %+v, want 3 booked, 3 checked in", a)
		}
	})
}
