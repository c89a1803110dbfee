package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/sqlite"
)

// TestMigrateToPostgres: the demo seed in SQLite, copied by `chorus
// migrate`, reads the same from the PostgreSQL store (events, bookings,
// residents, messages); a new booking there gets an id above the copied
// ones; a second copy into the same database, and a copy between
// databases at different migrations, are refused with a clear message.
func TestMigrateToPostgres(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: 1})
	path := filepath.Join(t.TempDir(), "chorus.db")
	src, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	setup := func(db *sqlite.DB) {
		db.Now, db.Location, db.PasswordCost, db.RequireConfirm = func() time.Time { return now }, loc, 4, true
	}
	setup(src)
	if err := seedDemo(ctx, src, now, loc); err != nil {
		t.Fatal(err)
	}
	type reads struct {
		Events    []chorus.Event
		Bookings  [][]chorus.Booking
		Residents []*chorus.Resident
		Messages  [][]chorus.Message
		MaxID     int64
	}
	read := func(db *sqlite.DB) reads {
		t.Helper()
		var r reads
		if r.Events, err = db.UpcomingEvents(ctx, now); err != nil || len(r.Events) == 0 {
			t.Fatalf("events = %d, %v", len(r.Events), err)
		}
		phones := map[string]bool{}
		for _, e := range r.Events {
			bs, err := db.EventBookings(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			r.Bookings = append(r.Bookings, bs)
			for _, b := range bs {
				phones[b.Phone] = true
				r.MaxID = max(r.MaxID, b.ID)
			}
		}
		if len(phones) == 0 {
			t.Fatal("the demo has no bookings")
		}
		for p := range phones {
			res, err := db.Resident(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := db.Messages(ctx, p, 50)
			if err != nil {
				t.Fatal(err)
			}
			r.Residents, r.Messages = append(r.Residents, res), append(r.Messages, ms)
		}
		return r
	}
	want := read(src)
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}

	dsn := pgtest.DSN(t)
	var out bytes.Buffer
	if err := migrateDB(context.Background(), []string{"--from", path, "--to", dsn}, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "counts match") {
		t.Errorf("output = %s", out.String())
	}
	pg, err := sqlite.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	setup(pg)
	got := read(pg)
	if !reflect.DeepEqual(got.Events, want.Events) {
		t.Errorf("events differ:\n pg %+v\n sqlite %+v", got.Events, want.Events)
	}
	if !reflect.DeepEqual(got.Bookings, want.Bookings) {
		t.Errorf("bookings differ:\n pg %+v\n sqlite %+v", got.Bookings, want.Bookings)
	}
	// Residents and messages are read per phone from a map: compare as sets.
	if len(got.Residents) != len(want.Residents) || len(got.Messages) != len(want.Messages) {
		t.Fatalf("residents %d/%d, messages %d/%d", len(got.Residents), len(want.Residents), len(got.Messages), len(want.Messages))
	}
	for _, r := range got.Residents {
		found := false
		for _, w := range want.Residents {
			found = found || reflect.DeepEqual(r, w)
		}
		if !found {
			t.Errorf("resident %+v not as in SQLite", r)
		}
	}
	for _, m := range got.Messages {
		found := false
		for _, w := range want.Messages {
			found = found || reflect.DeepEqual(m, w)
		}
		if !found {
			t.Errorf("messages %+v not as in SQLite", m)
		}
	}

	// A new booking takes the next id, not one of the copied.
	var ev *chorus.Event
	for i := range got.Events {
		if e := got.Events[i]; e.Kind != chorus.ServiceVenue && len(e.Slots) > 0 {
			ev = &got.Events[i]
			break
		}
	}
	if ev == nil {
		t.Fatal("no event with slots in the demo")
	}
	b, err := pg.Book(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[len(ev.Slots)-1].ID, Phone: "13900009999", Name: "迁移后", Confirmed: true, Waitlist: true})
	if err != nil {
		t.Fatalf("book after migrate: %v", err)
	}
	if b.ID <= want.MaxID {
		t.Errorf("new booking id %d, copied ids up to %d", b.ID, want.MaxID)
	}

	// Into a database that has rows: refused, nothing changed.
	err = migrateDB(context.Background(), []string{"--from", path, "--to", dsn}, &out)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second migrate: %v", err)
	}

	// A SQLite file at another migration than this build: refused.
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	err = migrateDB(context.Background(), []string{"--from", path, "--to", pgtest.DSN(t)}, &out)
	if err == nil || !strings.Contains(err.Error(), "migration versions differ") {
		t.Errorf("migrate from an older file: %v", err)
	}
}
