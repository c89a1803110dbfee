package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
)

// TestLaterFailsItsOwn: writes kept for later (Tx.later; on PostgreSQL
// sent with the next statement, the next transaction's first, or before
// the commit) run in order and fail only the transaction that gave them,
// inside one batch: a duplicate key found in the next transaction's first
// round trip, one found with the transaction's own next read, a
// transaction that fails before sending anything (its savepoint still
// kept), a failed check of rows changed, and a duplicate found before the
// commit behind which another transaction's writes wait each undo only
// themselves; the others commit, and a transaction reads its own kept
// writes.
func TestLaterFailsItsOwn(t *testing.T) {
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
			ctx := context.Background()
			put := func(tx *Tx, k, v string) error {
				return tx.later(ctx, "INSERT INTO meta (key, value) VALUES (?, ?)", k, v)
			}
			errEarly := errors.New("refused before any statement")
			var readBack string
			fns := []func(tx *Tx) error{
				func(tx *Tx) error { return put(tx, "t_a", "1") },
				// A duplicate, found when the transaction's writes are sent at its end.
				func(tx *Tx) error {
					if err := put(tx, "t_c", "2"); err != nil {
						return err
					}
					return put(tx, "t_a", "2")
				},
				// A duplicate, found with the transaction's next read.
				func(tx *Tx) error {
					if err := put(tx, "t_d", "3"); err != nil {
						return err
					}
					if err := put(tx, "t_a", "3"); err != nil {
						return err
					}
					var n int
					return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM meta").Scan(&n)
				},
				func(tx *Tx) error { return errEarly },
				// Its own kept writes, read back; and a check of rows changed.
				func(tx *Tx) error {
					if err := put(tx, "t_b", "5"); err != nil {
						return err
					}
					if err := tx.laterCheck(ctx, func(n int64) error {
						if n != 1 {
							return errors.New("want one row changed")
						}
						return nil
					}, "UPDATE meta SET value = value || '!' WHERE key = ?", "t_b"); err != nil {
						return err
					}
					return tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", "t_b").Scan(&readBack)
				},
				// A check that fails: nothing changed.
				func(tx *Tx) error {
					if err := put(tx, "t_e", "6"); err != nil {
						return err
					}
					return tx.laterCheck(ctx, func(n int64) error {
						if n == 0 {
							return errors.New("no row changed")
						}
						return nil
					}, "UPDATE meta SET value = 'x' WHERE key = ?", "t_missing")
				},
				// A duplicate handed over to the next transaction, which
				// sends nothing but kept writes either: both go in the
				// round trip before the commit.
				func(tx *Tx) error { return put(tx, "t_a", "7") },
				func(tx *Tx) error { return put(tx, "t_f", "8") },
			}
			batch := make([]writeReq, len(fns))
			for i, fn := range fns {
				batch[i] = writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
			}
			db.runBatch(batch)
			wantOK := []bool{true, false, false, false, true, false, false, true}
			for i, r := range batch {
				err := <-r.done
				if (err == nil) != wantOK[i] {
					t.Errorf("transaction %d: err %v, want ok %v", i, err, wantOK[i])
				}
			}
			if readBack != "5!" {
				t.Errorf("read back %q, want %q", readBack, "5!")
			}
			got := map[string]string{}
			rows, err := db.read.QueryContext(ctx, "SELECT key, value FROM meta WHERE key LIKE 't\\_%' ESCAPE '\\'")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					t.Fatal(err)
				}
				got[k] = v
			}
			want := map[string]string{"t_a": "1", "t_b": "5!", "t_f": "8"}
			if len(got) != len(want) || got["t_a"] != "1" || got["t_b"] != "5!" || got["t_f"] != "8" {
				t.Errorf("committed %v, want %v", got, want)
			}
		})
	}
}

// TestPostgresDurableCommits: the writer's commits wait for the disk
// (synchronous_commit on, as SQLite's synchronous=FULL) even on a server
// whose default is off, as the test cluster's is; the read pool keeps the
// server's setting.
func TestPostgresDurableCommits(t *testing.T) {
	db, err := Open(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var write, read string
	if err := db.write.QueryRowContext(ctx, "SHOW synchronous_commit").Scan(&write); err != nil {
		t.Fatal(err)
	}
	if err := db.read.QueryRowContext(ctx, "SHOW synchronous_commit").Scan(&read); err != nil {
		t.Fatal(err)
	}
	if write != "on" || read != "off" {
		t.Fatalf("synchronous_commit: writer %q, reads %q; want on, off (the test cluster's)", write, read)
	}
}

// TestBookingFactsKinds: the phone's facts a booking reads ahead
// (bookingFacts) fit the SMS of every status a new booking can get, so
// that the booking's SMS never reads them again.
func TestBookingFactsKinds(t *testing.T) {
	for _, st := range []chorus.Status{chorus.StatusPending, chorus.StatusConfirmed, chorus.StatusWaitlisted} {
		f := bookingFacts
		f.phone = "13800000000"
		m := chorus.Message{Phone: f.phone, Kind: chorus.BookingMessage(st)}
		if !f.fits(m) {
			t.Errorf("a booking %s sends %s: the facts read ahead (budget %s, family %v) do not fit it", st, m.Kind, f.budget, f.withFamily)
		}
	}
}
