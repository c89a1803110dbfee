package sqlite

import (
	"context"
	"fmt"

	"github.com/chorus-community/chorus"
)

// BookAlone runs the write transaction of Book by itself on the write
// connection: BEGIN IMMEDIATE, the booking (the same statements Book runs),
// COMMIT, which waits for the disk (synchronous=FULL). There is no group
// commit, no read-back of the answer and no OnCommit: it is the baseline
// that `chorus-load bookings` compares bookings over HTTP with, one fsync
// per booking. It returns the new booking's id. It waits for the writer's
// batch in progress (the write pool has one connection), so it is safe,
// if slow, next to other writes. Errors: as Book.
func (db *DB) BookAlone(ctx context.Context, req chorus.BookingRequest) (int64, error) {
	if err := req.Validate(); err != nil {
		return 0, err
	}
	if req.Actor == "" {
		req.Actor = chorus.ActorResident
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("write connection: %w", err)
	}
	defer conn.Close()
	bg := context.Background()
	if err := db.begin(func(q string) error { _, err := conn.ExecContext(bg, q); return err }); err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{conn: conn, db: db, now: db.Now()}
	b, err := tx.book(ctx, req)
	if err != nil {
		conn.ExecContext(bg, "ROLLBACK")
		return 0, err
	}
	if _, err := conn.ExecContext(bg, "COMMIT"); err != nil {
		conn.ExecContext(bg, "ROLLBACK")
		return 0, fmt.Errorf("commit: %w", err)
	}
	return b.ID, nil
}
