package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// MustProgramme stores a winter-holiday childcare programme for ages 4–12
// with capacity places.
func MustProgramme(tb testing.TB, db *sqlite.DB, capacity int) *chorus.Programme {
	tb.Helper()
	place := MustPlace(tb, db, "幼儿园活动室")
	p := &chorus.Programme{Title: "寒假托管班", PlaceID: place.ID, StartDate: "2027-01-18", EndDate: "2027-02-10",
		MinAge: 4, MaxAge: 12, Capacity: capacity}
	if err := db.CreateProgramme(context.Background(), p); err != nil {
		tb.Fatalf("create programme: %v", err)
	}
	return p
}

// Kids returns n children aged 6.
func Kids(n int) []chorus.Child {
	out := make([]chorus.Child, n)
	for i := range out {
		out[i] = chorus.Child{Name: "小明", Age: 6}
	}
	return out
}

// MustEnrol enrols n children of phone.
func MustEnrol(tb testing.TB, db *sqlite.DB, p *chorus.Programme, phone string, n int) *chorus.Enrolment {
	tb.Helper()
	e, err := db.Enrol(context.Background(), chorus.EnrolmentRequest{ProgrammeID: p.ID, Phone: phone, Name: "李女士", Children: Kids(n)})
	if err != nil {
		tb.Fatalf("enrol %s: %v", phone, err)
	}
	return e
}

// wantEnrolment fails the test unless enrolment id has status st.
func wantEnrolment(tb testing.TB, db *sqlite.DB, p *chorus.Programme, id int64, st chorus.Status) chorus.Enrolment {
	tb.Helper()
	list, err := db.Enrolments(context.Background(), p.ID, "")
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range list {
		if e.ID == id {
			if e.Status != st {
				tb.Fatalf("enrolment %d = %s, want %s", id, e.Status, st)
			}
			return e
		}
	}
	tb.Fatalf("enrolment %d not found", id)
	return chorus.Enrolment{}
}

// wantPlacesTaken fails the test unless the programme has want places taken.
func wantPlacesTaken(tb testing.TB, db *sqlite.DB, id int64, want int) {
	tb.Helper()
	p, err := db.Programme(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	if p.Taken != want {
		tb.Fatalf("programme taken = %d, want %d", p.Taken, want)
	}
}

func TestDB_Enrol(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 5)
		e, err := db.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: p.ID, Phone: "139 1234 5678", Name: "李女士",
			Children: []chorus.Child{{Name: "小明", Age: 4}, {Name: " 小红 ", Age: 12}}})
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != chorus.StatusConfirmed || e.Existing || e.Phone != "13912345678" || e.Programme != "寒假托管班" {
			t.Fatalf("enrolment = %+v", e)
		}
		if len(e.Children) != 2 || e.Children[1] != (chorus.Child{Name: "小红", Age: 12}) {
			t.Fatalf("children = %+v", e.Children)
		}
		wantPlacesTaken(t, db, p.ID, 2) // children count, not enrolments
		msgs := MustMessages(t, db, "13912345678")
		if len(msgs) != 1 || msgs[0].Kind != chorus.MsgEnrolled || msgs[0].EnrolmentID != e.ID ||
			msgs[0].Params["status"] != chorus.StatusConfirmed.Label() {
			t.Fatalf("messages = %+v", msgs)
		}
	})

	t.Run("ErrAge", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 5)
		for _, age := range []int{3, 13} {
			_, err := db.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: p.ID, Phone: Phone(1),
				Children: []chorus.Child{{Age: 6}, {Age: age}}})
			wantCode(t, err, chorus.EINVALID)
		}
		wantPlacesTaken(t, db, p.ID, 0)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 10)
		for name, req := range map[string]chorus.EnrolmentRequest{
			"nochildren": {ProgrammeID: p.ID, Phone: Phone(1)},
			"toomany":    {ProgrammeID: p.ID, Phone: Phone(1), Children: Kids(chorus.MaxChildren + 1)},
			"phone":      {ProgrammeID: p.ID, Phone: "110", Children: Kids(1)},
		} {
			_, err := db.Enrol(ctx, req)
			if got := chorus.ErrorCode(err); got != chorus.EINVALID {
				t.Errorf("%s: code = %q, want %q", name, got, chorus.EINVALID)
			}
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		_, err := db.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: 42, Phone: Phone(1), Children: Kids(1)})
		wantCode(t, err, chorus.ENOTFOUND)
	})

	t.Run("ErrClosed", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		p := MustProgramme(t, db, 5)
		p.Status = chorus.EventClosed
		if err := db.UpdateProgramme(ctx, p); err != nil {
			t.Fatal(err)
		}
		_, err := db.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: p.ID, Phone: Phone(1), Children: Kids(1)})
		wantCode(t, err, chorus.ECONFLICT)

		// An open programme that has ended takes no one either.
		ended := MustProgramme(t, db, 5)
		clock.Set(time.Date(2027, 2, 11, 0, 0, 0, 0, shanghai))
		_, err = db.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: ended.ID, Phone: Phone(1), Children: Kids(1)})
		wantCode(t, err, chorus.ECONFLICT)
	})

	t.Run("FullWaitlistedInOrder", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 5)
		MustEnrol(t, db, p, Phone(1), 3)
		MustEnrol(t, db, p, Phone(2), 2)
		x := MustEnrol(t, db, p, Phone(3), 2)
		y := MustEnrol(t, db, p, Phone(4), 1)
		if x.Status != chorus.StatusWaitlisted || x.Position != 1 || y.Status != chorus.StatusWaitlisted || y.Position != 2 {
			t.Fatalf("x = %s at %d, y = %s at %d", x.Status, x.Position, y.Status, y.Position)
		}
		got, _ := db.Programme(ctx, p.ID)
		if got.Taken != 5 || got.Waiting != 2 || got.PlacesLeft() != 0 {
			t.Fatalf("programme = %+v", got)
		}
		msgs := MustMessages(t, db, Phone(3))
		if len(msgs) != 1 || msgs[0].Params["status"] != chorus.StatusWaitlisted.Label() {
			t.Fatalf("messages = %+v", msgs)
		}
	})

	t.Run("StrictOrder", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 5)
		a := MustEnrol(t, db, p, Phone(1), 2)
		d := MustEnrol(t, db, p, Phone(2), 2)
		e := MustEnrol(t, db, p, Phone(3), 1)
		big := MustEnrol(t, db, p, Phone(4), 3)   // does not fit
		small := MustEnrol(t, db, p, Phone(5), 1) // would fit after a cancellation, but waits behind big
		if big.Status != chorus.StatusWaitlisted || small.Status != chorus.StatusWaitlisted {
			t.Fatalf("big = %s, small = %s", big.Status, small.Status)
		}

		// One place frees: the head needs three, so nobody moves.
		if _, err := db.CancelEnrolment(ctx, e.ID, chorus.ActorResident, ""); err != nil {
			t.Fatal(err)
		}
		wantPlacesTaken(t, db, p.ID, 4)
		wantEnrolment(t, db, p, big.ID, chorus.StatusWaitlisted)
		wantEnrolment(t, db, p, small.ID, chorus.StatusWaitlisted)
		// A newcomer with one child does not take the free place either.
		late := MustEnrol(t, db, p, Phone(6), 1)
		if late.Status != chorus.StatusWaitlisted || late.Position != 3 {
			t.Fatalf("late = %s at %d, want waitlisted at 3", late.Status, late.Position)
		}

		// Two more free: the head fits and is offered; the rest wait.
		if _, err := db.CancelEnrolment(ctx, d.ID, chorus.ActorResident, ""); err != nil {
			t.Fatal(err)
		}
		got := wantEnrolment(t, db, p, big.ID, chorus.StatusOffered)
		if !got.Deadline.Equal(T0.Add(2 * time.Hour)) {
			t.Fatalf("offer deadline = %v", got.Deadline)
		}
		wantEnrolment(t, db, p, small.ID, chorus.StatusWaitlisted)
		wantPlacesTaken(t, db, p.ID, 5)
		offers := MessagesOf(MustMessages(t, db, Phone(4)), chorus.MsgWaitlistOffer)
		if len(offers) != 1 || offers[0].EnrolmentID != big.ID || !offers[0].ExpectsReply {
			t.Fatalf("offers = %+v", offers)
		}

		if _, err := db.ConfirmEnrolmentOffer(ctx, big.ID, chorus.ActorSMS); err != nil {
			t.Fatal(err)
		}
		wantEnrolment(t, db, p, big.ID, chorus.StatusConfirmed)
		wantPlacesTaken(t, db, p.ID, 5)

		// Two more free: small then late, in order.
		if _, err := db.CancelEnrolment(ctx, a.ID, chorus.ActorStaff, ""); err != nil {
			t.Fatal(err)
		}
		wantEnrolment(t, db, p, small.ID, chorus.StatusOffered)
		wantEnrolment(t, db, p, late.ID, chorus.StatusOffered)
		wantPlacesTaken(t, db, p.ID, 5)
	})

	t.Run("ExistingSamePhone", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 5)
		first := MustEnrol(t, db, p, Phone(1), 1)
		again := MustEnrol(t, db, p, "+86 "+Phone(1), 3)
		if !again.Existing || again.ID != first.ID || len(again.Children) != 1 {
			t.Fatalf("again = %+v", again)
		}
		wantPlacesTaken(t, db, p.ID, 1)
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 5)
		other := MustProgramme(t, db, 5)
		req := chorus.EnrolmentRequest{ProgrammeID: p.ID, Phone: Phone(1), Children: Kids(1), IdempotencyKey: "kiosk-2-0007"}
		first, err := db.Enrol(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := db.Enrol(ctx, req)
		if err != nil || !again.Existing || again.ID != first.ID {
			t.Fatalf("retry = %+v, %v", again, err)
		}
		req.ProgrammeID = other.ID
		_, err = db.Enrol(ctx, req)
		wantCode(t, err, chorus.ECONFLICT)
		// A key reused by another phone must not hand out the first
		// guardian's enrolment (children's names, phone).
		req.ProgrammeID, req.Phone = p.ID, Phone(2)
		_, err = db.Enrol(ctx, req)
		wantCode(t, err, chorus.ECONFLICT)
	})
}

func TestDB_CancelEnrolment(t *testing.T) {
	ctx := context.Background()

	t.Run("OfferToHead", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 3)
		a := MustEnrol(t, db, p, Phone(1), 3)
		b := MustEnrol(t, db, p, Phone(2), 2)
		c := MustEnrol(t, db, p, Phone(3), 1)
		got, err := db.CancelEnrolment(ctx, a.ID, chorus.ActorResident, "孩子生病")
		if err != nil || got.Status != chorus.StatusCancelled {
			t.Fatalf("cancel = %+v, %v", got, err)
		}
		wantEnrolment(t, db, p, b.ID, chorus.StatusOffered)
		wantEnrolment(t, db, p, c.ID, chorus.StatusOffered)
		wantPlacesTaken(t, db, p.ID, 3)
	})

	t.Run("ErrTwice", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 3)
		a := MustEnrol(t, db, p, Phone(1), 1)
		if _, err := db.CancelEnrolment(ctx, a.ID, chorus.ActorResident, ""); err != nil {
			t.Fatal(err)
		}
		_, err := db.CancelEnrolment(ctx, a.ID, chorus.ActorResident, "")
		wantCode(t, err, chorus.ECONFLICT)
		wantPlacesTaken(t, db, p.ID, 0)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		_, err := db.CancelEnrolment(ctx, 42, chorus.ActorResident, "")
		wantCode(t, err, chorus.ENOTFOUND)
	})

	t.Run("ErrConfirmWithoutOffer", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 1)
		MustEnrol(t, db, p, Phone(1), 1)
		w := MustEnrol(t, db, p, Phone(2), 1)
		_, err := db.ConfirmEnrolmentOffer(ctx, w.ID, chorus.ActorSMS)
		wantCode(t, err, chorus.ECONFLICT)
		wantEnrolment(t, db, p, w.ID, chorus.StatusWaitlisted)
	})
}

func TestDB_ExpireEnrolmentOffers(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenDB(t)
	p := MustProgramme(t, db, 2)
	a := MustEnrol(t, db, p, Phone(1), 2)
	b := MustEnrol(t, db, p, Phone(2), 2)
	c := MustEnrol(t, db, p, Phone(3), 2)
	if _, err := db.CancelEnrolment(ctx, a.ID, chorus.ActorResident, ""); err != nil {
		t.Fatal(err)
	}
	wantEnrolment(t, db, p, b.ID, chorus.StatusOffered)

	clock.Add(2*time.Hour - time.Millisecond)
	if n, err := db.ExpireEnrolmentOffers(ctx); err != nil || n != 0 {
		t.Fatalf("before the deadline = %d, %v", n, err)
	}
	clock.Add(time.Millisecond)
	n, err := db.ExpireEnrolmentOffers(ctx)
	if err != nil || n != 1 {
		t.Fatalf("expire = %d, %v; want 1", n, err)
	}
	wantEnrolment(t, db, p, b.ID, chorus.StatusExpired)
	wantEnrolment(t, db, p, c.ID, chorus.StatusOffered)
	wantPlacesTaken(t, db, p.ID, 2)
	_, err = db.ConfirmEnrolmentOffer(ctx, b.ID, chorus.ActorSMS)
	wantCode(t, err, chorus.ECONFLICT)
	if _, err := db.ConfirmEnrolmentOffer(ctx, c.ID, chorus.ActorSMS); err != nil {
		t.Fatal(err)
	}
	wantEnrolment(t, db, p, c.ID, chorus.StatusConfirmed)
}

func TestDB_UpdateProgramme(t *testing.T) {
	ctx := context.Background()

	t.Run("ErrCapacityBelowTaken", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 5)
		MustEnrol(t, db, p, Phone(1), 3)
		p.Capacity = 2
		wantCode(t, db.UpdateProgramme(ctx, p), chorus.ECONFLICT)
		p.ID = 999
		p.Capacity = 10
		wantCode(t, db.UpdateProgramme(ctx, p), chorus.ENOTFOUND)
	})

	t.Run("RaiseCapacityOffers", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := MustProgramme(t, db, 2)
		MustEnrol(t, db, p, Phone(1), 2)
		w := MustEnrol(t, db, p, Phone(2), 2)
		p.Capacity = 4
		if err := db.UpdateProgramme(ctx, p); err != nil {
			t.Fatal(err)
		}
		wantEnrolment(t, db, p, w.ID, chorus.StatusOffered)
		wantPlacesTaken(t, db, p.ID, 4)
	})
}
