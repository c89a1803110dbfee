package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/sqlite"
)

// TestDB_KioskTokens: a ticket is taken once and not after it expires; a
// proof is read as often as needed until it expires; on SQLite and on
// PostgreSQL alike.
func TestDB_KioskTokens(t *testing.T) {
	ctx := context.Background()
	for name, open := range map[string]func(t *testing.T) (*sqlite.DB, *Clock){
		"sqlite": func(t *testing.T) (*sqlite.DB, *Clock) { return MustOpenDB(t) },
		"postgres": func(t *testing.T) (*sqlite.DB, *Clock) {
			db := openPG(t)
			clk := clocktest.New(T0)
			db.Now, db.Location = clk.Now, shanghai
			return db, clk
		},
	} {
		t.Run(name, func(t *testing.T) {
			db, clk := open(t)
			if err := db.PutKioskToken(ctx, "ticket", "t1", 7, "", clk.Now().Add(30*time.Second)); err != nil {
				t.Fatal(err)
			}
			if k, _, ok, err := db.TakeKioskToken(ctx, "proof", "t1"); err != nil || ok {
				t.Errorf("a ticket taken as a proof = %d %v %v", k, ok, err)
			}
			if k, _, ok, err := db.TakeKioskToken(ctx, "ticket", "t1"); err != nil || !ok || k != 7 {
				t.Fatalf("take = %d %v %v, want kiosk 7", k, ok, err)
			}
			if _, _, ok, err := db.TakeKioskToken(ctx, "ticket", "t1"); err != nil || ok {
				t.Errorf("taken twice: %v %v", ok, err)
			}
			if err := db.PutKioskToken(ctx, "ticket", "t2", 7, "", clk.Now().Add(30*time.Second)); err != nil {
				t.Fatal(err)
			}
			clk.Add(30 * time.Second)
			if _, _, ok, err := db.TakeKioskToken(ctx, "ticket", "t2"); err != nil || ok {
				t.Errorf("expired ticket taken: %v %v", ok, err)
			}

			if err := db.PutKioskToken(ctx, "proof", "p1", 7, "13812345678", clk.Now().Add(5*time.Minute)); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				if k, phone, ok, err := db.KioskToken(ctx, "proof", "p1"); err != nil || !ok || k != 7 || phone != "13812345678" {
					t.Fatalf("proof read %d = %d %q %v %v", i, k, phone, ok, err)
				}
			}
			if _, _, ok, _ := db.KioskToken(ctx, "ticket", "p1"); ok {
				t.Error("a proof read as a ticket")
			}
			clk.Add(5 * time.Minute)
			if _, _, ok, err := db.KioskToken(ctx, "proof", "p1"); err != nil || ok {
				t.Errorf("expired proof read: %v %v", ok, err)
			}
		})
	}
}

// TestDB_KioskTokensHashedAndSwept: the table holds a token's hash, never
// the token, and issuing a token sweeps the expired ones.
func TestDB_KioskTokensHashedAndSwept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, clk := MustOpenDBAt(t, path)
	raw := MustRawDB(t, path)
	for _, tok := range []string{"old1", "old2"} {
		if err := db.PutKioskToken(ctx, "ticket", tok, 1, "", clk.Now().Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := raw.QueryRow("SELECT COUNT(*) FROM kiosk_tokens WHERE token_hash IN ('old1', 'old2') OR phone LIKE '%old%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("rows holding the token itself: %d, %v", n, err)
	}
	clk.Add(31 * time.Second)
	if err := db.PutKioskToken(ctx, "proof", "new", 1, "13812345678", clk.Now().Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT COUNT(*) FROM kiosk_tokens").Scan(&n); err != nil || n != 1 {
		t.Errorf("rows after the sweep = %d, %v; want the new one only", n, err)
	}
}

// TestPostgresKioskTicketTakenOnce: two instances taking one ticket at
// the same moment: exactly one gets it.
func TestPostgresKioskTicketTakenOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	a, b := openPGAt(t, dsn), openPGAt(t, dsn)
	for round := 0; round < 20; round++ {
		tok := "race" + string(rune('a'+round))
		if err := a.PutKioskToken(ctx, "ticket", tok, 3, "", time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		got := make([]bool, 2)
		for i, db := range []*sqlite.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, ok, err := db.TakeKioskToken(ctx, "ticket", tok)
				if err != nil {
					t.Error(err)
				}
				got[i] = ok
			}()
		}
		wg.Wait()
		if got[0] == got[1] {
			t.Fatalf("round %d: A took it %v, B took it %v; want exactly one", round, got[0], got[1])
		}
	}
}
