package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/internal/storetest"
	"github.com/chorus-community/chorus/sqlite"
)

// twoPG opens two stores on one fresh PostgreSQL database, as two
// instances of Chorus would, on a clock standing at storetest.T0.
func twoPG(t *testing.T) (a, b *sqlite.DB) {
	t.Helper()
	dsn := pgtest.DSN(t)
	a, b = openPGAt(t, dsn), openPGAt(t, dsn)
	for _, db := range []*sqlite.DB{a, b} {
		db.Now = func() time.Time { return storetest.T0 }
		db.Location = storetest.T0.Location()
	}
	return a, b
}

// clinic stores an event of one slot of capacity seats through db.
func clinic(t *testing.T, db *sqlite.DB, capacity int) *chorus.Event {
	t.Helper()
	ctx := context.Background()
	p := &chorus.Place{Name: "社区活动室", Address: "光华街16号"}
	if err := db.SavePlace(ctx, p); err != nil {
		t.Fatal(err)
	}
	e := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: p.ID, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: storetest.SlotStart, End: storetest.SlotStart.Add(30 * time.Minute), Capacity: capacity}}}
	if err := db.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestPostgresTwoInstancesNeverOverbook books a slot of 50 seats 200 times
// at once through two stores on one database: exactly 50 get a seat.
func TestPostgresTwoInstancesNeverOverbook(t *testing.T) {
	a, b := twoPG(t)
	e := clinic(t, a, 50)
	ok, full := storetest.ConcurrentBookings(t, []storetest.Store{a, b}, e, 200)
	if ok != 50 || full != 150 {
		t.Errorf("%d booked and %d full, want 50 and 150", ok, full)
	}
	got, err := b.Event(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Slots[0].Taken != 50 {
		t.Errorf("taken = %d, want 50", got.Slots[0].Taken)
	}
}

// TestPostgresKioskRevokedOnOtherInstance: a kiosk revoked through one
// instance is refused at once by the other, which had just answered it.
func TestPostgresKioskRevokedOnOtherInstance(t *testing.T) {
	a, b := twoPG(t)
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: 1})
	p := &chorus.Place{Name: "社区活动室"}
	if err := a.SavePlace(ctx, p); err != nil {
		t.Fatal(err)
	}
	k, code, err := a.CreateKiosk(ctx, "大厅", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := a.Pair(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := b.KioskByToken(ctx, token); err != nil {
			t.Fatalf("B: %v", err)
		}
	}
	if _, err := a.RevokeKiosk(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.KioskByToken(ctx, token); chorus.ErrorCode(err) != chorus.EFORBIDDEN && chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("B answers a kiosk revoked through A: %v", err)
	}
}
