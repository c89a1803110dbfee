package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func TestDB_CreateEvent(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Slots(3, 6), Waitlist)
		got, err := db.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "免费义诊" || got.Place != "社区活动室" || !got.Waitlist || got.Status != chorus.EventOpen ||
			got.CutoffMinutes != 60 || !got.CreatedAt.Equal(T0) {
			t.Fatalf("event = %+v", got)
		}
		if len(got.Slots) != 3 {
			t.Fatalf("slots = %+v", got.Slots)
		}
		for i, s := range got.Slots {
			if s.ID != e.Slots[i].ID || !s.Start.Equal(e.Slots[i].Start) || s.Capacity != 6 || s.Taken != 0 {
				t.Fatalf("slot %d = %+v", i, s)
			}
		}
		up, err := db.UpcomingEvents(ctx, T0)
		if err != nil || len(up) != 1 || up[0].ID != e.ID {
			t.Fatalf("upcoming = %+v, %v", up, err)
		}
		if up, _ := db.UpcomingEvents(ctx, SlotStart.Add(2*time.Hour)); len(up) != 0 {
			t.Fatalf("upcoming after the end = %+v", up)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		place := MustPlace(t, db, "活动室")
		slot := chorus.Slot{Start: SlotStart, End: SlotStart.Add(time.Hour), Capacity: 5}
		for name, e := range map[string]chorus.Event{
			"title":    {Kind: chorus.ServiceClinic, PlaceID: place.ID, Slots: []chorus.Slot{slot}},
			"kind":     {Kind: "party", Title: "义诊", PlaceID: place.ID, Slots: []chorus.Slot{slot}},
			"place":    {Kind: chorus.ServiceClinic, Title: "义诊", PlaceID: 999, Slots: []chorus.Slot{slot}},
			"capacity": {Kind: chorus.ServiceClinic, Title: "义诊", PlaceID: place.ID, Slots: []chorus.Slot{{Start: SlotStart, End: SlotStart.Add(time.Hour)}}},
			"end":      {Kind: chorus.ServiceClinic, Title: "义诊", PlaceID: place.ID, Slots: []chorus.Slot{{Start: SlotStart, End: SlotStart, Capacity: 1}}},
		} {
			err := db.CreateEvent(ctx, &e)
			if got := chorus.ErrorCode(err); got != chorus.EINVALID {
				t.Errorf("%s: code = %q, want %q", name, got, chorus.EINVALID)
			}
		}
	})
}

func TestDB_UpdateEvent(t *testing.T) {
	ctx := context.Background()

	t.Run("ErrCapacityBelowTaken", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(3))
		MustBook(t, db, Req(e, 0, Phone(1)))
		MustBook(t, db, Req(e, 0, Phone(2)))
		e.Slots[0].Capacity = 1
		e.Title = "新名字"
		wantCode(t, db.UpdateEvent(ctx, e), chorus.ECONFLICT)
		got, err := db.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Nothing of the refused update is kept.
		if got.Slots[0].Capacity != 3 || got.Title != "免费义诊" {
			t.Fatalf("after a refused update: capacity %d, title %q", got.Slots[0].Capacity, got.Title)
		}
		e.Slots[0].Capacity = 2 // exactly the seats held
		if err := db.UpdateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Event(ctx, e.ID); got.Slots[0].Capacity != 2 || got.Title != "新名字" {
			t.Fatalf("after update: %+v", got)
		}
	})

	t.Run("RaiseCapacityLetsWaitlistIn", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(1), Waitlist)
		MustBook(t, db, Req(e, 0, Phone(1)))
		var waiting []int64
		for i := 2; i <= 4; i++ {
			req := Req(e, 0, Phone(i))
			req.Waitlist = true
			waiting = append(waiting, MustBook(t, db, req).ID)
		}
		e.Slots[0].Capacity = 3
		if err := db.UpdateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, db, waiting[0], chorus.StatusOffered)
		wantStatus(t, db, waiting[1], chorus.StatusOffered)
		wantStatus(t, db, waiting[2], chorus.StatusWaitlisted)
		wantTaken(t, db, e.Slots[0].ID, 3)
		if b := MustBooking(t, db, waiting[2]); b.Position != 1 {
			t.Fatalf("last in line at %d, want 1", b.Position)
		}
	})

	t.Run("AddSlot", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		e.Slots = append(e.Slots, chorus.Slot{Start: SlotStart.Add(time.Hour), End: SlotStart.Add(90 * time.Minute), Capacity: 4})
		if err := db.UpdateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Event(ctx, e.ID)
		if len(got.Slots) != 2 || got.Slots[1].Capacity != 4 || e.Slots[1].ID == 0 {
			t.Fatalf("slots = %+v", got.Slots)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		other := MustEvent(t, db)
		e.Slots[0].ID = other.Slots[0].ID // a slot of another event
		wantCode(t, db.UpdateEvent(ctx, e), chorus.ENOTFOUND)
		e.ID = 999
		wantCode(t, db.UpdateEvent(ctx, e), chorus.ENOTFOUND)
	})

	t.Run("ErrCancelled", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		if err := db.CancelEvent(ctx, e.ID, chorus.ActorStaff, ""); err != nil {
			t.Fatal(err)
		}
		e.Status = chorus.EventOpen
		wantCode(t, db.UpdateEvent(ctx, e), chorus.ECONFLICT)
	})

	t.Run("ErrCancelThroughUpdate", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		e.Status = chorus.EventCancelled
		wantCode(t, db.UpdateEvent(ctx, e), chorus.EINVALID)
	})
}

func TestDB_CancelEvent(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Slots(2, 2), Waitlist)
		pending := MustBook(t, db, Req(e, 0, Phone(1)))
		req := Req(e, 0, Phone(2))
		req.Confirmed = true
		confirmed := MustBook(t, db, req)
		req = Req(e, 0, Phone(3))
		req.Waitlist = true
		waitlisted := MustBook(t, db, req)
		other := MustBook(t, db, Req(e, 1, Phone(4)))
		cancelledBefore := MustBook(t, db, Req(e, 1, Phone(5)))
		MustTransition(t, db, cancelledBefore.ID, chorus.StatusCancelled, chorus.ActorResident)
		before := len(MustMessages(t, db, ""))

		if err := db.CancelEvent(ctx, e.ID, "staff:wang", "医生临时有事"); err != nil {
			t.Fatal(err)
		}
		got, err := db.Event(ctx, e.ID)
		if err != nil || got.Status != chorus.EventCancelled {
			t.Fatalf("event = %+v, %v", got, err)
		}
		for _, b := range []*chorus.Booking{pending, confirmed, waitlisted, other} {
			wantStatus(t, db, b.ID, chorus.StatusCancelled)
			hist, _ := db.History(ctx, b.ID)
			if last := hist[len(hist)-1]; last.Actor != "staff:wang" || last.Reason != "活动取消:医生临时有事" {
				t.Fatalf("booking %d cancellation recorded as %+v", b.ID, last)
			}
			cancels := MessagesOf(MustMessages(t, db, b.Phone), chorus.MsgCancelled)
			if len(cancels) != 1 || cancels[0].Status != chorus.MessageQueued || cancels[0].BookingID != b.ID {
				t.Fatalf("cancel messages of %s = %+v", b.Phone, cancels)
			}
		}
		// One cancellation SMS per live booking, and no seat offered to
		// the waitlist of a cancelled event.
		msgs := MustMessages(t, db, "")
		if got, want := len(msgs)-before, 4; got != want {
			t.Fatalf("messages queued by the cancellation = %d, want %d", got, want)
		}
		if offers := MessagesOf(msgs, chorus.MsgWaitlistOffer); len(offers) != 0 {
			t.Fatalf("offers = %+v", offers)
		}
		for _, s := range got.Slots {
			if s.Taken != 0 || s.Waiting != 0 {
				t.Fatalf("slot %+v still holds seats", s)
			}
		}
		if up, _ := db.UpcomingEvents(ctx, T0); len(up) != 0 {
			t.Fatalf("a cancelled event is upcoming: %+v", up)
		}
	})

	t.Run("ErrTwice", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		if err := db.CancelEvent(ctx, e.ID, chorus.ActorStaff, ""); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.CancelEvent(ctx, e.ID, chorus.ActorStaff, ""), chorus.ECONFLICT)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		wantCode(t, db.CancelEvent(ctx, 999, chorus.ActorStaff, ""), chorus.ENOTFOUND)
	})
}
