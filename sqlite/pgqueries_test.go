package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/storetest"
)

// TestPostgresKnownNamesAndMissedClasses: statements that SQLite took and
// PostgreSQL refused, found by the kiosk failover test: the names known
// for a phone (the kiosk asks after the phone is typed; a derived table
// needs an alias on PostgreSQL), a phone's bookings and enrolments (a
// bare boolean parameter, sent as 0 or 1), and the scheduler's classes to
// check for missed sessions (a parameter numbered ?1 used twice).
func TestPostgresKnownNamesAndMissedClasses(t *testing.T) {
	db := openPG(t)
	db.Now, db.Location = func() time.Time { return storetest.T0 }, storetest.T0.Location()
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: chorus.DefaultCommunity})
	ev := clinic(t, db, 5)
	if _, err := db.Book(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13812345678", Name: "姚大娘", Source: "api"}); err != nil {
		t.Fatal(err)
	}
	names, err := db.KnownNames(ctx, "13812345678")
	if err != nil || len(names) != 1 || names[0] != "姚大娘" {
		t.Errorf("known names = %v, %v", names, err)
	}
	if list, err := db.BookingsByPhone(ctx, "13812345678"); err != nil || len(list) != 1 {
		t.Errorf("the phone's bookings = %d, %v", len(list), err)
	}
	if _, err := db.Enrolments(ctx, 0, "13812345678"); err != nil {
		t.Errorf("the phone's enrolments: %v", err)
	}
	if _, err := db.AskMissedClasses(ctx); err != nil {
		t.Errorf("missed classes: %v", err)
	}
}
