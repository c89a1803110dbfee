package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Stats are the figures the metrics read from the store at each scrape.
type Stats struct {
	// Bookings counts bookings by status (their outcome so far).
	Bookings map[string]int
	// Messages counts SMS by community, kind, status and provider error
	// code.
	Messages []MessageCount
	// OutboxDepth counts messages queued or being sent; OldestQueued is
	// when the oldest of them was queued (zero when none).
	OutboxDepth  int
	OldestQueued time.Time
	// CallsToday counts the voice calls placed since midnight in the
	// community's zone, against the daily budget.
	CallsToday int
}

// MessageCount is the number of SMS of one community, kind, status and
// error code.
type MessageCount struct {
	Community          int64
	Kind, Status, Code string
	N                  int
}

// Stats reads the figures for the metrics.
func (db *DB) Stats(ctx context.Context) (*Stats, error) {
	st := &Stats{Bookings: map[string]int{}}
	type count struct {
		status string
		n      int
	}
	bookings, err := queryRows(ctx, db.read, func(rows rowScanner) (count, error) {
		var c count
		err := rows.Scan(&c.status, &c.n)
		return c, err
	}, "SELECT status, COUNT(*) FROM bookings GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	for _, c := range bookings {
		st.Bookings[c.status] = c.n
	}
	st.Messages, err = queryRows(ctx, db.read, func(rows rowScanner) (MessageCount, error) {
		var c MessageCount
		err := rows.Scan(&c.Community, &c.Kind, &c.Status, &c.Code, &c.N)
		return c, err
	}, "SELECT community_id, kind, status, err_code, COUNT(*) FROM messages GROUP BY community_id, kind, status, err_code")
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	var oldest sql.NullInt64
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*), MIN(created_ms) FROM messages WHERE status IN ('queued','sending')").
		Scan(&st.OutboxDepth, &oldest); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	st.OldestQueued = fromMS(oldest)
	now := db.Now().In(db.Location)
	if st.CallsToday, err = db.CallsSince(ctx, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, db.Location)); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}
