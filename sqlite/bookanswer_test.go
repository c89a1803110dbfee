package sqlite_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// TestDB_Book_AnswerAsStored checks that a new booking is answered with
// the booking as stored (the transaction builds the answer instead of
// reading it back): every field, the waitlist position, the signed
// check-in token and where its SMS is.
func TestDB_Book_AnswerAsStored(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, db *sqlite.DB, got *chorus.Booking) {
		t.Helper()
		want := MustBooking(t, db, got.ID)
		sms, err := db.RequestSMS(ctx, "booking", got.ID, got.Phone)
		if err != nil {
			t.Fatal(err)
		}
		want.SMS = sms
		g, w := *got, *want
		for _, b := range []*chorus.Booking{&g, &w} {
			b.Deadline, b.CheckedInAt, b.CreatedAt = b.Deadline.UTC(), b.CheckedInAt.UTC(), b.CreatedAt.UTC()
			b.SlotStart, b.SlotEnd = b.SlotStart.UTC(), b.SlotEnd.UTC()
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("answer\n%+v\nstored\n%+v", g, w)
		}
		if g.CheckinToken == "" || g.SMS == "" {
			t.Fatalf("answer without token or sms: %+v", g)
		}
	}

	t.Run("Pending", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		check(t, db, MustBook(t, db, Req(e, 0, Phone(1))))
	})
	t.Run("Confirmed", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		db.RequireConfirm = false
		e := MustEvent(t, db)
		check(t, db, MustBook(t, db, Req(e, 0, Phone(1))))
	})
	t.Run("Waitlisted", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db, Capacity(1), Waitlist)
		MustBook(t, db, Req(e, 0, Phone(1)))
		wait := func(phone string) chorus.BookingRequest {
			r := Req(e, 0, phone)
			r.Waitlist = true
			return r
		}
		b2 := MustBook(t, db, wait(Phone(2)))
		b3 := MustBook(t, db, wait(Phone(3)))
		if b2.Status != chorus.StatusWaitlisted || b2.Position != 1 || b3.Position != 2 {
			t.Fatalf("waitlist = %s %d, %s %d", b2.Status, b2.Position, b3.Status, b3.Position)
		}
		check(t, db, b2)
		check(t, db, b3)
	})
	t.Run("SMSRefusedConfirmsAtOnce", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		db.ValidateMessage = func(chorus.MessageKind, map[string]string) error { return errors.New("no template") }
		e := MustEvent(t, db)
		b := MustBook(t, db, Req(e, 0, Phone(1)))
		if b.Status != chorus.StatusConfirmed || b.SMS != chorus.MessageRefused {
			t.Fatalf("status %s, sms %s; want confirmed, refused", b.Status, b.SMS)
		}
		check(t, db, b)
	})
}
