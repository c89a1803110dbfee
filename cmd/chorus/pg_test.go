package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/sqlite"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" { // a Chorus process started by a test (instanceProcess)
		main()
		return
	}
	os.Exit(pgtest.Main(m))
}

// TestSeedDemoPostgres seeds the demo data (which goes through most of the
// store: communities, places, partners, events, bookings, venues, classes,
// orders) twice into a PostgreSQL store opened as `-db postgres://…` does.
func TestSeedDemoPostgres(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	db, err := sqlite.Open(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now, db.Location, db.PasswordCost, db.RequireConfirm = func() time.Time { return now }, loc, 4, true
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: 1})
	for range 2 {
		if err := seedDemo(ctx, db, now, loc); err != nil {
			t.Fatal(err)
		}
	}
	events, err := db.UpcomingEvents(ctx, now)
	if err != nil || len(events) == 0 {
		t.Fatalf("events = %d, %v", len(events), err)
	}
}
