package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
)

// TestBookingCodeTaken: a check-in code drawn again for the same event is
// redrawn, on SQLite and on PostgreSQL (where the insert that would break
// the unique index inserts nothing rather than failing the transaction):
// the second booking gets the next code, the first keeps its own, and the
// batch goes on.
func TestBookingCodeTaken(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "chorus.db")
			if kind == "postgres" {
				dsn = pgtest.DSN(t)
			}
			db, err := Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.RequireConfirm = false
			ctx := context.Background()
			p := &chorus.Place{Name: "社区活动室"}
			if err := db.SavePlace(ctx, p); err != nil {
				t.Fatal(err)
			}
			start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
			e := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: p.ID,
				Slots: []chorus.Slot{{Start: start, End: start.Add(time.Hour), Capacity: 10}}}
			if err := db.CreateEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
			codes := []string{"111111", "111111", "222222"}
			old := bookingCode
			bookingCode = func() (string, error) {
				c := codes[0]
				codes = codes[1:]
				return c, nil
			}
			defer func() { bookingCode = old }()
			first, err := db.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: "13800000001", Confirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			second, err := db.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: "13800000002", Confirmed: true})
			if err != nil {
				t.Fatalf("second booking: %v", err)
			}
			if first.Code != "111111" || second.Code != "222222" || len(codes) != 0 {
				t.Errorf("codes %s, %s (left %v)", first.Code, second.Code, codes)
			}
			again, err := db.Booking(ctx, first.ID)
			if err != nil || again.Code != "111111" || again.Phone != "13800000001" {
				t.Errorf("first booking now %+v, %v", again, err)
			}
			bs, err := db.EventBookings(ctx, e.ID)
			if err != nil || len(bs) != 2 {
				t.Errorf("bookings = %d, %v", len(bs), err)
			}
		})
	}
}
