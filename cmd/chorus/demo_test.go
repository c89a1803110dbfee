package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// TestSeedDemo: `make run` starts on a community with something in it,
// seeded once: a second start leaves the database alone.
func TestSeedDemo(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, loc) // a Tuesday morning
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "chorus.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now, db.Location, db.PasswordCost, db.RequireConfirm = func() time.Time { return now }, loc, 4, true
	ctx := context.Background()
	for range 2 {
		if err := seedDemo(ctx, db, now, loc); err != nil {
			t.Fatal(err)
		}
	}

	events, err := db.UpcomingEvents(ctx, now)
	if err != nil || len(events) != 3 {
		t.Fatalf("events = %d, %v", len(events), err)
	}
	var clinic chorus.Event
	for _, e := range events {
		if e.Title == "免费义诊" {
			clinic = e
		}
	}
	if len(clinic.Slots) != 10 || !clinic.Slots[0].Start.Equal(time.Date(2026, 12, 5, 9, 0, 0, 0, loc)) || clinic.Slots[0].Taken != 2 {
		t.Fatalf("clinic = %s at %s with %d taken", clinic.Title, clinic.Slots[0].Start, clinic.Slots[0].Taken)
	}
	bookings, err := db.EventBookings(ctx, clinic.ID)
	if err != nil || len(bookings) != 3 {
		t.Fatalf("clinic bookings = %+v, %v", bookings, err)
	}
	statuses := map[string]chorus.Status{}
	for _, b := range bookings {
		statuses[b.Name] = b.Status
	}
	if statuses["姚大娘"] != chorus.StatusConfirmed || statuses["李大爷"] != chorus.StatusPending || statuses["赵大娘"] != chorus.StatusConfirmed {
		t.Errorf("statuses = %v", statuses)
	}
	// The repair at 光华街16号院 (no property management) went to the builder.
	orders, err := db.Orders(ctx, "")
	if err != nil || len(orders) != 1 || orders[0].Status != chorus.OrderDispatched || orders[0].Kind != chorus.ServiceRepair {
		t.Fatalf("orders = %+v, %v", orders, err)
	}
	if msgs, _ := db.Messages(ctx, "13503510005", 5); len(msgs) != 1 || msgs[0].Kind != chorus.MsgPartnerOrder {
		t.Errorf("the builder's messages = %+v", msgs)
	}
	progs, err := db.Programmes(ctx, "2026-12-01")
	if err != nil || len(progs) != 1 || progs[0].Taken != 1 {
		t.Fatalf("programmes = %+v, %v", progs, err)
	}
	if staff, err := db.StaffList(ctx); err != nil || len(staff) != 2 {
		t.Errorf("staff = %+v, %v", staff, err)
	}
}
