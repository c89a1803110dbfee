package sqlite

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
)

// TestPostgresClaimWithBacklog: with 8,000 messages queued (the outbox
// behind a burst of bookings, as in `make bench-postgres`), one claim of
// the due messages (pgClaim) reads a number of the database's pages that
// grows with the backlog at most linearly. It used to look for each due
// message's older message to the same phone among all live messages, a
// quadratic that took 3.7 s of PostgreSQL's CPU per claim at 8,000 (pages
// read, not time, are counted here: a figure the machine's load does not
// change).
func TestPostgresClaimWithBacklog(t *testing.T) {
	db, err := Open(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Queue(ctx, chorus.Message{Phone: "13800000000", Kind: chorus.MsgHelp}); err != nil {
		t.Fatal(err)
	}
	const n = 8000
	if _, err := db.read.ExecContext(ctx, `INSERT INTO messages (phone, kind, params, status, next_attempt_ms, channel,
		created_ms, updated_ms, community_id, budget)
		SELECT '139' || lpad(CAST(g AS text), 8, '0'), kind, params, status, next_attempt_ms, channel,
			created_ms, updated_ms, community_id, budget FROM messages, generate_series(1, 8000) g`); err != nil {
		t.Fatal(err)
	}
	at := db.Now().UnixMilli()
	var out string
	if err := db.read.QueryRowContext(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+pgClaim,
		"other", at+60_000, at, chorus.ChannelSMS, at, "other", "other", at, 20).Scan(&out); err != nil {
		t.Fatal(err)
	}
	var plan []struct {
		Plan struct {
			Rows int   `json:"Actual Rows"`
			Hit  int64 `json:"Shared Hit Blocks"`
			Read int64 `json:"Shared Read Blocks"`
		}
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan) != 1 {
		t.Fatalf("plan %q: %v", out, err)
	}
	p := plan[0].Plan
	if pages := p.Hit + p.Read; pages > 5*n {
		t.Errorf("one claim with %d messages queued read %d pages, want at most %d: the phone's older message is looked up by scanning the backlog", n+1, pages, 5*n)
	} else {
		t.Logf("one claim with %d messages queued read %d pages", n+1, pages)
	}
	msgs, err := db.Due(ctx, db.Now(), 20)
	if err != nil || len(msgs) != 20 {
		t.Fatalf("due = %d, %v; want 20", len(msgs), err)
	}
}
