package sqlite_test

import (
	"context"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

var codeRE = regexp.MustCompile(`^\d{6}$`)

func TestDB_Book(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		req := Req(e, 0, "+86 138-1234-5678")
		b := MustBook(t, db, req)
		if got, want := b.Status, chorus.StatusPending; got != want {
			t.Fatalf("status = %s, want %s", got, want)
		}
		if got, want := b.Phone, "13812345678"; got != want {
			t.Fatalf("phone = %q, want %q", got, want)
		}
		if b.Existing {
			t.Fatal("a new booking is marked existing")
		}
		if !codeRE.MatchString(b.Code) {
			t.Fatalf("code = %q, want 6 digits", b.Code)
		}
		// A pending booking waits ConfirmWindow for the reply 1.
		if got, want := b.Deadline, T0.Add(24*time.Hour); !got.Equal(want) {
			t.Fatalf("deadline = %v, want %v", got, want)
		}
		if got, want := b.Source, "kiosk"; got != want {
			t.Fatalf("source = %q, want %q", got, want)
		}
		if b.EventTitle != "免费义诊" || b.Place != "社区活动室" || !b.SlotStart.Equal(SlotStart) {
			t.Fatalf("display fields = %q %q %v", b.EventTitle, b.Place, b.SlotStart)
		}
		wantTaken(t, db, e.Slots[0].ID, 1)
		if r, err := db.Resident(ctx, "13812345678"); err != nil || r.Name != "张阿姨" {
			t.Fatalf("resident = %+v, %v", r, err)
		}
	})

	t.Run("PendingDeadlineNotPastStart", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		e := MustEvent(t, db, func(e *chorus.Event) { e.CutoffMinutes = 0 })
		clock.Set(SlotStart.Add(-3 * time.Hour))
		b := MustBook(t, db, Req(e, 0, Phone(1)))
		if !b.Deadline.Equal(SlotStart) {
			t.Fatalf("deadline = %v, want the slot start %v", b.Deadline, SlotStart)
		}
	})

	t.Run("Confirmed", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		req := Req(e, 0, Phone(1))
		req.Confirmed, req.Actor, req.Source = true, "staff:wang", "staff"
		b := MustBook(t, db, req)
		if got, want := b.Status, chorus.StatusConfirmed; got != want {
			t.Fatalf("status = %s, want %s", got, want)
		}
		if !b.Deadline.IsZero() {
			t.Fatalf("a confirmed booking has a deadline %v", b.Deadline)
		}
		hist, err := db.History(ctx, b.ID)
		if err != nil || len(hist) != 1 || hist[0].Actor != "staff:wang" || hist[0].To != chorus.StatusConfirmed {
			t.Fatalf("history = %+v, %v", hist, err)
		}
	})

	t.Run("ConfirmedWithoutRequireConfirm", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		db.RequireConfirm = false
		e := MustEvent(t, db)
		if got, want := MustBook(t, db, Req(e, 0, Phone(1))).Status, chorus.StatusConfirmed; got != want {
			t.Fatalf("status = %s, want %s", got, want)
		}
	})

	t.Run("Message", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		b := MustBook(t, db, Req(e, 0, Phone(1)))
		msgs := MustMessages(t, db, Phone(1))
		if len(msgs) != 1 {
			t.Fatalf("messages = %+v, want one", msgs)
		}
		m := msgs[0]
		if m.Kind != chorus.MsgBookingConfirm || m.Status != chorus.MessageQueued || m.BookingID != b.ID || !m.ExpectsReply {
			t.Fatalf("message = %+v", m)
		}
		want := map[string]string{"event": "免费义诊", "time": "12月5日周六09:00", "place": "社区活动室", "code": b.Code}
		if len(m.Params) != len(want) {
			t.Fatalf("params = %v, want %v", m.Params, want)
		}
		for k, v := range want {
			if m.Params[k] != v {
				t.Fatalf("params[%s] = %q, want %q", k, m.Params[k], v)
			}
		}
		if !m.NextAttempt.Equal(T0) || !m.CreatedAt.Equal(T0) {
			t.Fatalf("queued at %v, next attempt %v, want %v", m.CreatedAt, m.NextAttempt, T0)
		}
	})

	t.Run("ErrFull", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(1))
		MustBook(t, db, Req(e, 0, Phone(1)))
		req := Req(e, 0, Phone(2))
		req.Waitlist = true // the event keeps no waitlist
		_, err := db.Book(ctx, req)
		wantCode(t, err, chorus.EFULL)
		wantTaken(t, db, e.Slots[0].ID, 1)
		if msgs := MustMessages(t, db, Phone(2)); len(msgs) != 0 {
			t.Fatalf("a refused booking queued %+v", msgs)
		}
	})

	t.Run("ErrFullWithoutAskingForWaitlist", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(1), Waitlist)
		MustBook(t, db, Req(e, 0, Phone(1)))
		_, err := db.Book(ctx, Req(e, 0, Phone(2)))
		wantCode(t, err, chorus.EFULL)
	})

	t.Run("Waitlisted", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(1), Waitlist)
		MustBook(t, db, Req(e, 0, Phone(1)))
		for i, phone := range []string{Phone(2), Phone(3)} {
			req := Req(e, 0, phone)
			req.Waitlist = true
			b := MustBook(t, db, req)
			if b.Status != chorus.StatusWaitlisted || b.Position != i+1 {
				t.Fatalf("booking %d = %s at %d, want waitlisted at %d", i, b.Status, b.Position, i+1)
			}
			if !b.Deadline.IsZero() {
				t.Fatalf("waitlisted with a deadline %v", b.Deadline)
			}
			msgs := MustMessages(t, db, phone)
			if len(msgs) != 1 || msgs[0].Kind != chorus.MsgWaitlisted || msgs[0].Params["time"] != "12月5日周六09:00" {
				t.Fatalf("messages = %+v", msgs)
			}
		}
		s := MustSlot(t, db, e.Slots[0].ID)
		if s.Taken != 1 || s.Waiting != 2 {
			t.Fatalf("slot taken %d waiting %d, want 1 and 2", s.Taken, s.Waiting)
		}
	})

	t.Run("ExistingSamePhone", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Slots(2, 5))
		first := MustBook(t, db, Req(e, 0, "13812345678"))
		// The same phone typed differently, for the other slot.
		again := MustBook(t, db, Req(e, 1, "0086 138 1234 5678"))
		if !again.Existing || again.ID != first.ID || again.SlotID != e.Slots[0].ID {
			t.Fatalf("again = %+v, want existing booking %d of the first slot", again, first.ID)
		}
		wantTaken(t, db, e.Slots[0].ID, 1)
		wantTaken(t, db, e.Slots[1].ID, 0)
		if msgs := MustMessages(t, db, "13812345678"); len(msgs) != 1 {
			t.Fatalf("messages = %d, want 1", len(msgs))
		}
	})

	t.Run("ExistingWaitlisted", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Slots(2, 1), Waitlist)
		MustBook(t, db, Req(e, 0, Phone(1)))
		req := Req(e, 0, Phone(2))
		req.Waitlist = true
		first := MustBook(t, db, req)
		again := MustBook(t, db, Req(e, 1, Phone(2))) // slot 1 has a free seat
		if !again.Existing || again.ID != first.ID || again.Status != chorus.StatusWaitlisted {
			t.Fatalf("again = %+v", again)
		}
	})

	t.Run("AfterCancelBooksAgain", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		first := MustBook(t, db, Req(e, 0, Phone(1)))
		MustTransition(t, db, first.ID, chorus.StatusCancelled, chorus.ActorResident)
		again := MustBook(t, db, Req(e, 0, Phone(1)))
		if again.Existing || again.ID == first.ID {
			t.Fatalf("after cancelling, booking again = %+v", again)
		}
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		other := MustEvent(t, db)
		req := Req(e, 0, Phone(1))
		req.IdempotencyKey = "kiosk-3-0001"
		first := MustBook(t, db, req)
		again := MustBook(t, db, req)
		if !again.Existing || again.ID != first.ID {
			t.Fatalf("retry = %+v, want booking %d", again, first.ID)
		}
		// The retry after a cancellation still answers with the first booking.
		MustTransition(t, db, first.ID, chorus.StatusCancelled, chorus.ActorResident)
		if again := MustBook(t, db, req); again.ID != first.ID || again.Status != chorus.StatusCancelled {
			t.Fatalf("retry after cancel = %+v", again)
		}

		t.Run("ErrOtherEvent", func(t *testing.T) {
			req := Req(other, 0, Phone(1))
			req.IdempotencyKey = "kiosk-3-0001"
			_, err := db.Book(ctx, req)
			wantCode(t, err, chorus.ECONFLICT)
			wantTaken(t, db, other.Slots[0].ID, 0)
		})
		t.Run("ErrOtherPhone", func(t *testing.T) {
			req := Req(e, 0, Phone(2))
			req.IdempotencyKey = "kiosk-3-0001"
			_, err := db.Book(ctx, req)
			wantCode(t, err, chorus.ECONFLICT)
		})
	})

	t.Run("ErrCutoff", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		e := MustEvent(t, db) // 60 minutes before the start
		clock.Set(SlotStart.Add(-60*time.Minute - time.Millisecond))
		MustBook(t, db, Req(e, 0, Phone(1)))
		clock.Set(SlotStart.Add(-60 * time.Minute))
		_, err := db.Book(ctx, Req(e, 0, Phone(2)))
		wantCode(t, err, chorus.ECONFLICT)
		clock.Set(SlotStart.Add(time.Minute))
		_, err = db.Book(ctx, Req(e, 0, Phone(3)))
		wantCode(t, err, chorus.ECONFLICT)
		wantTaken(t, db, e.Slots[0].ID, 1)
	})

	t.Run("ErrEventClosed", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		e.Status = chorus.EventClosed
		if err := db.UpdateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		_, err := db.Book(ctx, Req(e, 0, Phone(1)))
		wantCode(t, err, chorus.ECONFLICT)
	})

	t.Run("ErrEventCancelled", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		if err := db.CancelEvent(ctx, e.ID, chorus.ActorStaff, "医生有事"); err != nil {
			t.Fatal(err)
		}
		_, err := db.Book(ctx, Req(e, 0, Phone(1)))
		wantCode(t, err, chorus.ECONFLICT)
	})

	t.Run("ErrUnknownSlot", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		req := Req(e, 0, Phone(1))
		req.SlotID = 9999
		_, err := db.Book(ctx, req)
		wantCode(t, err, chorus.ENOTFOUND)
		req = Req(e, 0, Phone(1))
		req.EventID = 9999
		_, err = db.Book(ctx, req)
		wantCode(t, err, chorus.ENOTFOUND)
	})

	t.Run("ErrSlotOfAnotherEvent", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		other := MustEvent(t, db)
		req := Req(e, 0, Phone(1))
		req.SlotID = other.Slots[0].ID
		_, err := db.Book(ctx, req)
		wantCode(t, err, chorus.ENOTFOUND)
		wantTaken(t, db, other.Slots[0].ID, 0)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		for name, req := range map[string]chorus.BookingRequest{
			"phone":   Req(e, 0, "12345"),
			"noslot":  {EventID: e.ID, Phone: Phone(1)},
			"name":    {EventID: e.ID, SlotID: e.Slots[0].ID, Phone: Phone(1), Name: "一二三四五六七八九十一二三四五六七八九十一"},
			"control": {EventID: e.ID, SlotID: e.Slots[0].ID, Phone: Phone(1), Name: "张\x00"},
		} {
			_, err := db.Book(ctx, req)
			if got := chorus.ErrorCode(err); got != chorus.EINVALID {
				t.Errorf("%s: code = %q, want %q", name, got, chorus.EINVALID)
			}
		}
		wantTaken(t, db, e.Slots[0].ID, 0)
	})

	t.Run("RolledBackWithItsMessage", func(t *testing.T) {
		// The booking and its SMS are one transaction: when queueing the
		// SMS fails, no seat is taken and nothing is kept.
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		db.ValidateMessage = func(chorus.MessageKind, map[string]string) error { panic("catalogue broken") }
		_, err := db.Book(ctx, Req(e, 0, Phone(1)))
		wantCode(t, err, chorus.EINTERNAL)
		wantTaken(t, db, e.Slots[0].ID, 0)
		if list, _ := db.EventBookings(ctx, e.ID); len(list) != 0 {
			t.Fatalf("bookings = %+v", list)
		}
		if msgs := MustMessages(t, db, ""); len(msgs) != 0 {
			t.Fatalf("messages = %+v", msgs)
		}
		_, err = db.Resident(ctx, Phone(1))
		wantCode(t, err, chorus.ENOTFOUND)
		// The writer goes on.
		db.ValidateMessage = nil
		MustBook(t, db, Req(e, 0, Phone(1)))
	})

	t.Run("CodesUnique", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(300))
		seen := map[string]bool{}
		for i := 0; i < 300; i++ {
			b := MustBook(t, db, Req(e, 0, Phone(i)))
			if !codeRE.MatchString(b.Code) {
				t.Fatalf("code = %q, want 6 digits", b.Code)
			}
			if seen[b.Code] {
				t.Fatalf("code %s given twice at one event", b.Code)
			}
			seen[b.Code] = true
		}
	})
}

func TestNewCode(t *testing.T) {
	for i := 0; i < 1000; i++ {
		c, err := sqlite.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if !codeRE.MatchString(c) {
			t.Fatalf("code = %q, want 6 digits", c)
		}
	}
}

func TestDB_BookingsByPhone(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenDB(t)
	later := MustEvent(t, db, func(e *chorus.Event) {
		start := SlotStart.AddDate(0, 0, 7)
		e.Slots[0].Start, e.Slots[0].End = start, start.Add(time.Hour)
	})
	soon := MustEvent(t, db)
	cancelled := MustEvent(t, db)
	b1 := MustBook(t, db, Req(later, 0, Phone(1)))
	b2 := MustBook(t, db, Req(soon, 0, Phone(1)))
	b3 := MustBook(t, db, Req(cancelled, 0, Phone(1)))
	MustTransition(t, db, b3.ID, chorus.StatusCancelled, chorus.ActorResident)
	MustBook(t, db, Req(soon, 0, Phone(2)))
	list, err := db.BookingsByPhone(ctx, Phone(1))
	if err != nil || len(list) != 2 || list[0].ID != b2.ID || list[1].ID != b1.ID {
		t.Fatalf("bookings = %+v, %v; want %d then %d", list, err, b2.ID, b1.ID)
	}
	clock.Set(soon.Slots[0].End) // the first has ended
	list, _ = db.BookingsByPhone(ctx, Phone(1))
	if len(list) != 1 || list[0].ID != b1.ID {
		t.Fatalf("bookings after the first ended = %+v", list)
	}
}

func TestDB_History(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenDB(t)
	e := MustEvent(t, db)
	b := MustBook(t, db, Req(e, 0, Phone(1)))
	t1 := T0.Add(time.Hour)
	clock.Set(t1)
	if _, err := db.Transition(ctx, b.ID, chorus.StatusConfirmed, chorus.ActorSMS, "短信回复:1"); err != nil {
		t.Fatal(err)
	}
	t2 := SlotStart.Add(-5 * time.Minute)
	clock.Set(t2)
	b, err := db.Transition(ctx, b.ID, chorus.StatusCheckedIn, "kiosk:3", "")
	if err != nil {
		t.Fatal(err)
	}
	if !b.CheckedInAt.Equal(t2) {
		t.Fatalf("checked in at %v, want %v", b.CheckedInAt, t2)
	}
	t3 := t2.Add(time.Minute)
	clock.Set(t3)
	b = MustTransition(t, db, b.ID, chorus.StatusConfirmed, "staff:wang") // a check-in by mistake
	if !b.CheckedInAt.IsZero() {
		t.Fatalf("undone check-in keeps its time %v", b.CheckedInAt)
	}
	hist, err := db.History(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []chorus.Transition{
		{From: "", To: chorus.StatusPending, At: T0, Actor: chorus.ActorResident},
		{From: chorus.StatusPending, To: chorus.StatusConfirmed, At: t1, Actor: chorus.ActorSMS, Reason: "短信回复:1"},
		{From: chorus.StatusConfirmed, To: chorus.StatusCheckedIn, At: t2, Actor: "kiosk:3"},
		{From: chorus.StatusCheckedIn, To: chorus.StatusConfirmed, At: t3, Actor: "staff:wang"},
	}
	if len(hist) != len(want) {
		t.Fatalf("history = %+v, want %+v", hist, want)
	}
	for i := range want {
		got := hist[i]
		if got.From != want[i].From || got.To != want[i].To || !got.At.Equal(want[i].At) ||
			got.Actor != want[i].Actor || got.Reason != want[i].Reason {
			t.Fatalf("history[%d] = %+v, want %+v", i, got, want[i])
		}
	}
}

func TestDB_Transition(t *testing.T) {
	ctx := context.Background()

	t.Run("CancelOffersSeat", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(1), Waitlist)
		a := MustBook(t, db, Req(e, 0, Phone(1)))
		var waiting []*chorus.Booking
		for _, p := range []string{Phone(2), Phone(3)} {
			req := Req(e, 0, p)
			req.Waitlist = true
			waiting = append(waiting, MustBook(t, db, req))
		}
		a = MustTransition(t, db, a.ID, chorus.StatusCancelled, chorus.ActorResident)
		if a.Status != chorus.StatusCancelled {
			t.Fatalf("a = %s", a.Status)
		}
		b := MustBooking(t, db, waiting[0].ID)
		if b.Status != chorus.StatusOffered || !b.Deadline.Equal(T0.Add(2*time.Hour)) {
			t.Fatalf("first in line = %s until %v, want offered until %v", b.Status, b.Deadline, T0.Add(2*time.Hour))
		}
		if c := MustBooking(t, db, waiting[1].ID); c.Status != chorus.StatusWaitlisted || c.Position != 1 {
			t.Fatalf("second in line = %s at %d, want waitlisted at 1", c.Status, c.Position)
		}
		wantTaken(t, db, e.Slots[0].ID, 1) // the offer holds the seat
		hist, _ := db.History(ctx, b.ID)
		if last := hist[len(hist)-1]; last.From != chorus.StatusWaitlisted || last.To != chorus.StatusOffered || last.Actor != chorus.ActorSystem {
			t.Fatalf("offer recorded as %+v", last)
		}
		offers := MessagesOf(MustMessages(t, db, Phone(2)), chorus.MsgWaitlistOffer)
		if len(offers) != 1 || offers[0].Params["hours"] != "2" || offers[0].Params["time"] != "12月5日周六09:00" ||
			!offers[0].ExpectsReply || offers[0].BookingID != b.ID {
			t.Fatalf("offers = %+v", offers)
		}
		cancels := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgCancelled)
		if len(cancels) != 1 || cancels[0].BookingID != a.ID {
			t.Fatalf("cancel messages = %+v", cancels)
		}
		if n := len(MessagesOf(MustMessages(t, db, Phone(3)), chorus.MsgWaitlistOffer)); n != 0 {
			t.Fatalf("second in line got %d offers", n)
		}

		// The first in line takes the seat.
		b = MustTransition(t, db, b.ID, chorus.StatusConfirmed, chorus.ActorSMS)
		if b.Status != chorus.StatusConfirmed || !b.Deadline.IsZero() {
			t.Fatalf("confirmed offer = %s, deadline %v", b.Status, b.Deadline)
		}
		wantTaken(t, db, e.Slots[0].ID, 1)
	})

	t.Run("CancelWaitlistedKeepsSeats", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(1), Waitlist)
		MustBook(t, db, Req(e, 0, Phone(1)))
		req := Req(e, 0, Phone(2))
		req.Waitlist = true
		w := MustBook(t, db, req)
		MustTransition(t, db, w.ID, chorus.StatusCancelled, chorus.ActorResident)
		wantTaken(t, db, e.Slots[0].ID, 1)
	})

	t.Run("ErrIllegal", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(2), Waitlist)
		pending := MustBook(t, db, Req(e, 0, Phone(1)))
		cancelled := MustBook(t, db, Req(e, 0, Phone(2)))
		MustTransition(t, db, cancelled.ID, chorus.StatusCancelled, chorus.ActorResident)
		MustBook(t, db, Req(e, 0, Phone(3)))
		req := Req(e, 0, Phone(4))
		req.Waitlist = true
		waitlisted := MustBook(t, db, req)
		for _, tc := range []struct {
			id int64
			to chorus.Status
		}{
			{pending.ID, chorus.StatusCheckedIn},
			{pending.ID, chorus.StatusNoShow},
			{pending.ID, chorus.StatusWaitlisted},
			{pending.ID, chorus.StatusPending},
			{cancelled.ID, chorus.StatusConfirmed},
			{cancelled.ID, chorus.StatusPending},
			{waitlisted.ID, chorus.StatusConfirmed},
			{waitlisted.ID, chorus.StatusCheckedIn},
			{waitlisted.ID, chorus.StatusExpired},
		} {
			before := MustBooking(t, db, tc.id)
			hist, _ := db.History(ctx, tc.id)
			_, err := db.Transition(ctx, tc.id, tc.to, chorus.ActorStaff, "")
			if got := chorus.ErrorCode(err); got != chorus.ECONFLICT {
				t.Errorf("%s → %s: code %q, want %q", before.Status, tc.to, got, chorus.ECONFLICT)
				continue
			}
			if after := MustBooking(t, db, tc.id); after.Status != before.Status {
				t.Errorf("%s → %s refused but status now %s", before.Status, tc.to, after.Status)
			}
			if again, _ := db.History(ctx, tc.id); len(again) != len(hist) {
				t.Errorf("%s → %s refused but recorded", before.Status, tc.to)
			}
		}
		wantTaken(t, db, e.Slots[0].ID, 2)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		_, err := db.Transition(ctx, 42, chorus.StatusCancelled, chorus.ActorStaff, "")
		wantCode(t, err, chorus.ENOTFOUND)
	})

	// Staff may offer a seat by hand (waitlisted → offered is an edge), but
	// only a free one: an offer holds a seat.
	t.Run("OfferByHandNeedsFreeSeat", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(1), Waitlist)
		a := MustBook(t, db, Req(e, 0, Phone(1)))
		req := Req(e, 0, Phone(2))
		req.Waitlist = true
		w := MustBook(t, db, req)
		_, err := db.Transition(ctx, w.ID, chorus.StatusOffered, chorus.ActorStaff, "")
		wantCode(t, err, chorus.ECONFLICT)
		wantStatus(t, db, w.ID, chorus.StatusWaitlisted)
		wantTaken(t, db, e.Slots[0].ID, 1)

		// A seat freed while the event was closed is not offered by itself;
		// once reopened, staff can offer it.
		e.Status = chorus.EventClosed
		if err := db.UpdateEvent(ctx, &chorus.Event{ID: e.ID, Kind: e.Kind, Title: e.Title, PlaceID: e.PlaceID,
			Waitlist: true, CutoffMinutes: e.CutoffMinutes, Status: chorus.EventClosed}); err != nil {
			t.Fatal(err)
		}
		MustTransition(t, db, a.ID, chorus.StatusCancelled, chorus.ActorResident)
		wantStatus(t, db, w.ID, chorus.StatusWaitlisted)
		wantTaken(t, db, e.Slots[0].ID, 0)
		if err := db.UpdateEvent(ctx, &chorus.Event{ID: e.ID, Kind: e.Kind, Title: e.Title, PlaceID: e.PlaceID,
			Waitlist: true, CutoffMinutes: e.CutoffMinutes, Status: chorus.EventOpen}); err != nil {
			t.Fatal(err)
		}
		b := MustTransition(t, db, w.ID, chorus.StatusOffered, chorus.ActorStaff)
		if b.Deadline.IsZero() {
			t.Fatal("an offer made by hand never expires")
		}
		wantTaken(t, db, e.Slots[0].ID, 1)
		if n := len(MessagesOf(MustMessages(t, db, Phone(2)), chorus.MsgWaitlistOffer)); n != 1 {
			t.Fatalf("offer messages = %d, want 1", n)
		}
		// A third phone finds the slot full.
		_, err = db.Book(ctx, Req(e, 0, Phone(3)))
		wantCode(t, err, chorus.EFULL)
	})
}

func TestDB_Expire(t *testing.T) {
	ctx := context.Background()

	// waitlistEvent is an event of one seat held by a pending booking with
	// two phones in line.
	waitlistEvent := func(t *testing.T) (db *sqlite.DB, clock *Clock, e *chorus.Event, a, b, c *chorus.Booking) {
		db, clock = MustOpenDB(t)
		e = MustEvent(t, db, Capacity(1), Waitlist)
		a = MustBook(t, db, Req(e, 0, Phone(1)))
		req := Req(e, 0, Phone(2))
		req.Waitlist = true
		b = MustBook(t, db, req)
		req = Req(e, 0, Phone(3))
		req.Waitlist = true
		c = MustBook(t, db, req)
		return db, clock, e, a, b, c
	}

	t.Run("NothingDue", func(t *testing.T) {
		db, _, _, a, _, _ := waitlistEvent(t)
		n, err := db.Expire(ctx, T0.Add(24*time.Hour-time.Millisecond))
		if err != nil || n != 0 {
			t.Fatalf("expire = %d, %v", n, err)
		}
		wantStatus(t, db, a.ID, chorus.StatusPending)
	})

	t.Run("PendingCancelledOfferExpired", func(t *testing.T) {
		db, clock, e, a, b, c := waitlistEvent(t)
		clock.Add(24 * time.Hour)
		n, err := db.Expire(ctx, clock.Now())
		if err != nil || n != 1 {
			t.Fatalf("expire = %d, %v; want 1", n, err)
		}
		wantStatus(t, db, a.ID, chorus.StatusCancelled)
		wantStatus(t, db, b.ID, chorus.StatusOffered)
		wantStatus(t, db, c.ID, chorus.StatusWaitlisted)
		wantTaken(t, db, e.Slots[0].ID, 1)
		hist, _ := db.History(ctx, a.ID)
		if last := hist[len(hist)-1]; last.Actor != chorus.ActorSystem || last.To != chorus.StatusCancelled || last.Reason == "" {
			t.Fatalf("expiry recorded as %+v", last)
		}
		if len(MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgCancelled)) != 1 {
			t.Fatal("no cancellation SMS for the lapsed booking")
		}

		// The offer lapses two hours later: the next in line gets it.
		clock.Add(2 * time.Hour)
		n, err = db.Expire(ctx, clock.Now())
		if err != nil || n != 1 {
			t.Fatalf("expire = %d, %v; want 1", n, err)
		}
		wantStatus(t, db, b.ID, chorus.StatusExpired)
		wantStatus(t, db, c.ID, chorus.StatusOffered)
		wantTaken(t, db, e.Slots[0].ID, 1)
		if len(MessagesOf(MustMessages(t, db, Phone(3)), chorus.MsgWaitlistOffer)) != 1 {
			t.Fatal("no offer SMS for the next in line")
		}
		if n, _ := db.Expire(ctx, clock.Now()); n != 0 {
			t.Fatalf("expire again = %d, want 0", n)
		}
	})

	t.Run("NoShow", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(2), Waitlist)
		req := Req(e, 0, Phone(1))
		req.Confirmed = true
		a := MustBook(t, db, req)
		req = Req(e, 0, Phone(2))
		req.Confirmed = true
		came := MustBook(t, db, req)
		clock.Set(SlotStart)
		MustTransition(t, db, came.ID, chorus.StatusCheckedIn, "kiosk:1")
		clock.Set(e.Slots[0].End.Add(-time.Millisecond))
		if n, _ := db.Expire(ctx, clock.Now()); n != 0 {
			t.Fatalf("before the end = %d", n)
		}
		clock.Set(e.Slots[0].End)
		n, err := db.Expire(ctx, clock.Now())
		if err != nil || n != 1 {
			t.Fatalf("expire = %d, %v; want 1", n, err)
		}
		wantStatus(t, db, a.ID, chorus.StatusNoShow)
		wantStatus(t, db, came.ID, chorus.StatusCheckedIn)
		wantTaken(t, db, e.Slots[0].ID, 1)
		if n := len(MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgCancelled)); n != 0 {
			t.Fatal("a no-show was told of a cancellation")
		}
	})

	t.Run("ConfirmedMeanwhile", func(t *testing.T) {
		// Two pending bookings lapse; after Expire has read them and
		// cancelled the first, the reply 1 of the second is written (as by
		// another connection). Expire must not cancel it.
		path := t.TempDir() + "/chorus.db"
		db, clock := MustOpenDBAt(t, path)
		raw := MustRawDB(t, path)
		// OnCommit runs on the writer after each commit; it is set before
		// the first write and armed only once Expire starts.
		var armed atomic.Int64 // the booking to confirm, 0 when disarmed
		var rawErr error
		db.OnCommit = func(sqlite.Change) {
			if id := armed.Swap(0); id != 0 {
				_, rawErr = raw.Exec("UPDATE bookings SET status = 'confirmed', deadline_ms = NULL WHERE id = ?", id)
			}
		}
		e := MustEvent(t, db)
		a := MustBook(t, db, Req(e, 0, Phone(1)))
		b := MustBook(t, db, Req(e, 0, Phone(2)))
		armed.Store(b.ID)
		clock.Add(24 * time.Hour)
		n, err := db.Expire(ctx, clock.Now())
		if rawErr != nil {
			t.Fatal(rawErr)
		}
		if err != nil || n != 1 {
			t.Fatalf("expire = %d, %v; want 1", n, err)
		}
		wantStatus(t, db, a.ID, chorus.StatusCancelled)
		wantStatus(t, db, b.ID, chorus.StatusConfirmed)
		wantTaken(t, db, e.Slots[0].ID, 1)
	})
}

func TestDB_Book_Race(t *testing.T) {
	ctx := context.Background()

	t.Run("200For10Seats", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(10))
		const n = 200
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = db.Book(ctx, Req(e, 0, Phone(i)))
			}()
		}
		close(start)
		wg.Wait()
		won, full := 0, 0
		for i, err := range errs {
			switch chorus.ErrorCode(err) {
			case "":
				won++
			case chorus.EFULL:
				full++
			default:
				t.Errorf("booking %d: %v", i, err)
			}
		}
		if won != 10 || full != n-10 {
			t.Fatalf("won %d, full %d; want 10 and %d", won, full, n-10)
		}
		wantTaken(t, db, e.Slots[0].ID, 10)
		list, err := db.EventBookings(ctx, e.ID)
		if err != nil || len(list) != 10 {
			t.Fatalf("bookings = %d, %v; want 10", len(list), err)
		}
		if msgs := MustMessages(t, db, ""); len(msgs) != 10 {
			t.Fatalf("messages = %d, want 10", len(msgs))
		}
	})

	t.Run("SameKey50Times", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(10))
		const n = 50
		got := make([]*chorus.Booking, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				req := Req(e, 0, Phone(1))
				req.IdempotencyKey = "kiosk-1-0042"
				got[i], errs[i] = db.Book(ctx, req)
			}()
		}
		close(start)
		wg.Wait()
		fresh := 0
		for i := range got {
			if errs[i] != nil {
				t.Fatalf("request %d: %v", i, errs[i])
			}
			if got[i].ID != got[0].ID {
				t.Fatalf("request %d got booking %d, request 0 got %d", i, got[i].ID, got[0].ID)
			}
			if !got[i].Existing {
				fresh++
			}
		}
		if fresh != 1 {
			t.Fatalf("%d requests made a booking, want 1", fresh)
		}
		wantTaken(t, db, e.Slots[0].ID, 1)
		if msgs := MustMessages(t, db, ""); len(msgs) != 1 {
			t.Fatalf("messages = %d, want 1", len(msgs))
		}
	})
}
