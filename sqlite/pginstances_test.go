package sqlite

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
)

// twoInstances opens two stores on one fresh PostgreSQL database.
func twoInstances(t *testing.T) (a, b *DB) {
	t.Helper()
	dsn := pgtest.DSN(t)
	open := func() *DB {
		db, err := Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		db.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		t.Cleanup(func() { db.Close() })
		return db
	}
	return open(), open()
}

// TestPostgresLeaderMoves: one instance of two leads the timed work; when
// its connection dies (its process killed), the other takes over at its
// next round, and the old one no longer leads.
func TestPostgresLeaderMoves(t *testing.T) {
	a, b := twoInstances(t)
	ctx := context.Background()
	if !a.Leads(ctx) {
		t.Fatal("the first instance to ask does not lead")
	}
	if b.Leads(ctx) || !a.Leads(ctx) {
		t.Fatal("both instances lead, or the leader stopped")
	}
	// A's process dies: its session ends (pg_terminate_backend waits up
	// to 5 s for it).
	var ended bool
	if err := b.write.QueryRowContext(ctx, "SELECT pg_terminate_backend(?, 5000)", int64(a.leaderPID())).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate A's session: %v, %v", ended, err)
	}
	if !b.Leads(ctx) {
		t.Fatal("B does not take over once A's session ended")
	}
	if a.Leads(ctx) {
		t.Error("A still leads after losing its session")
	}
}

// TestPostgresChangesReachOtherInstance: a booking committed through A
// reaches B's OnCommit (its kiosks and consoles) within a second, with the
// slot.
func TestPostgresChangesReachOtherInstance(t *testing.T) {
	a, b := twoInstances(t)
	ctx := chorus.WithScope(context.Background(), chorus.Scope{Community: 1})
	heard := make(chan Change, 16)
	b.OnCommit = func(ch Change) { heard <- ch }
	ready := make(chan struct{})
	b.listening = func() { close(ready) }
	b.Listen()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("B never started listening")
	}
	p := &chorus.Place{Name: "社区活动室"}
	if err := a.SavePlace(ctx, p); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, 1, 5, 9, 0, 0, 0, time.UTC)
	e := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: p.ID,
		Slots: []chorus.Slot{{Start: start, End: start.Add(30 * time.Minute), Capacity: 5}}}
	if err := a.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	drain(heard)
	at := time.Now()
	if _, err := a.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: "13800000001", Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case ch := <-heard:
			if !slices.Contains(ch.Slots, e.Slots[0].ID) {
				continue
			}
			if d := time.Since(at); d > time.Second {
				t.Errorf("B heard of the booking after %v, want within 1s", d)
			}
			return
		case <-time.After(5 * time.Second):
			t.Fatal("B never heard of the booking made through A")
		}
	}
}

// drain empties ch.
func drain(ch chan Change) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// TestPostgresLastInsertId: an INSERT run with ExecContext on PostgreSQL
// answers LastInsertId as on SQLite (the driver adds RETURNING id for a
// table with an id), so that statements written for SQLite keep working.
func TestPostgresLastInsertId(t *testing.T) {
	db, _ := twoInstances(t)
	ctx := context.Background()
	for want := int64(1); want <= 2; want++ {
		res, err := db.write.ExecContext(ctx, "INSERT INTO places (name, address) VALUES (?, ?)", "活动室", "")
		if err != nil {
			t.Fatal(err)
		}
		if id, err := res.LastInsertId(); err != nil || id != want {
			t.Errorf("LastInsertId = %d, %v; want %d", id, err, want)
		}
	}
	// A table without an id: no RETURNING, rows affected as usual.
	res, err := db.write.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?)", "k", "v")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Errorf("RowsAffected = %d, %v", n, err)
	}
}
