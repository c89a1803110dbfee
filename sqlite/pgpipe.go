package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// On PostgreSQL each statement is a round trip to the server, and the
// writer holds the write lock (pgWriteLock) for every round trip of its
// batch. A write whose result nothing reads (a transition's history row,
// the resident's upsert, the SMS queued, the seat taken, the savepoint
// before each transaction) need not wait for its answer: Tx.later keeps
// it on the connection, and the connection sends it, in order, with the
// next statement (pgx batch: one round trip for several statements).
//
// What a transaction still keeps when it ends is handed over (Tx.handOver)
// and goes with the next transaction's first statement, or, for the last
// of a batch, in one round trip before the commit (Tx.flushLate). Every
// statement still runs in the order given, and an error still fails the
// transaction that gave the statement: an error in a statement handed
// over by an earlier transaction undoes that transaction (ROLLBACK TO its
// savepoint, the latest, as nothing after the failed statement ran),
// is kept for the writer to answer it with (lateErrors), and the later
// transactions' statements are sent again. A statement whose result is
// checked (laterCheck) is never handed over: the check may fail after the
// statements behind it ran.

// pgLater is a statement kept for the next round trip.
type pgLater struct {
	q     string
	args  []any
	check func(pgconn.CommandTag) error // of its result; nil: none
	owner int                           // the batch's transaction that gave it
}

// later keeps query (in SQLite's dialect) for the next round trip; check,
// when set, judges its result.
func (c *pgConn) later(query string, args []any, check func(pgconn.CommandTag) error) error {
	conv := make([]any, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return fmt.Errorf("argument %d of %q: %w", i+1, query, err)
		}
		if b, ok := v.(bool); ok { // booleans live in integer columns
			v = int64(0)
			if b {
				v = int64(1)
			}
		}
		conv[i] = v
	}
	c.pending = append(c.pending, pgLater{q: pgRewrite(query), args: conv, check: check, owner: c.owner})
	return nil
}

// begin marks the start of the batch's transaction owner: the statements
// kept from now on are its own.
func (c *pgConn) begin(owner int) { c.owner = owner }

// send sends the kept statements, then query (unless ""), in one round
// trip, and returns the batch's results at query's (nil without one; the
// caller closes them). It handles an error in a statement an earlier
// transaction handed over as described above.
func (c *pgConn) send(ctx context.Context, query string, args []any) (pgx.BatchResults, error) {
	for {
		b := &pgx.Batch{}
		for _, p := range c.pending {
			b.Queue(p.q, p.args...)
		}
		if query != "" {
			b.Queue(query, args...)
		}
		br := c.Conn.Conn().SendBatch(ctx, b)
		pending := c.pending
		c.pending = nil
		failed := -1
		var first error
		for i, p := range pending {
			tag, err := br.Exec()
			if err == nil && p.check != nil {
				err = p.check(tag)
			}
			if err != nil && first == nil {
				failed, first = i, err
			}
		}
		if first == nil {
			if query == "" {
				return nil, br.Close()
			}
			return br, nil
		}
		br.Close()
		owner := pending[failed].owner
		if owner == c.owner {
			return nil, first
		}
		// An earlier transaction's: undo it, remember why, and send
		// again what the others gave after the failed statement.
		if c.late == nil {
			c.late = map[int]error{}
		}
		c.late[owner] = first
		if _, err := c.Conn.Conn().Exec(ctx, "ROLLBACK TO SAVEPOINT w"); err != nil {
			return nil, fmt.Errorf("undo transaction %d of the batch: %w", owner, errors.Join(first, err))
		}
		for _, p := range pending[failed+1:] {
			if p.owner != owner {
				c.pending = append(c.pending, p)
			}
		}
	}
}

// flush sends the kept statements in one round trip.
func (c *pgConn) flush(ctx context.Context) error {
	if len(c.pending) == 0 {
		return nil
	}
	_, err := c.send(ctx, "", nil)
	return err
}

// handOver keeps the current transaction's statements for the next
// round trip, unless one has its result checked: then they are sent now.
func (c *pgConn) handOver(ctx context.Context) error {
	for _, p := range c.pending {
		if p.check != nil {
			return c.flush(ctx)
		}
	}
	return nil
}

// drop forgets the current transaction's kept statements (it failed),
// reporting whether the first of them was unsent, so that its savepoint,
// when it was among them, was never set. Those handed over by earlier
// transactions stay.
func (c *pgConn) drop(first string) (unsent bool) {
	q := pgRewrite(first)
	kept := c.pending[:0]
	seen := false
	for _, p := range c.pending {
		if p.owner != c.owner {
			kept = append(kept, p)
			continue
		}
		if !seen {
			seen, unsent = true, p.q == q
		}
	}
	c.pending = kept
	return unsent
}

// lateErrors returns (and forgets) the errors of transactions undone
// after they ended, by their place in the batch.
func (c *pgConn) lateErrors() map[int]error {
	late := c.late
	c.late = nil
	return late
}

// queryAfterPending runs query after the kept statements, in one round
// trip.
func (c *pgConn) queryAfterPending(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	br, err := c.send(ctx, query, vals)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	// Read the first row now: its columns are known once it is read.
	more := rows.Next()
	if err := rows.Err(); err != nil {
		rows.Close()
		br.Close()
		return nil, err
	}
	return &pgBatchRows{br: br, rows: rows, first: true, more: more}, nil
}

// pgBatchRows are the rows of the last statement of a batch.
type pgBatchRows struct {
	br          pgx.BatchResults
	rows        pgx.Rows
	first, more bool // the first row is read and not yet returned; there was one
	closed      bool
}

// Columns returns the names of the columns.
func (r *pgBatchRows) Columns() []string {
	fds := r.rows.FieldDescriptions()
	names := make([]string, len(fds))
	for i, fd := range fds {
		names[i] = fd.Name
	}
	return names
}

// Close closes the rows and the batch.
func (r *pgBatchRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.rows.Close()
	err := r.rows.Err()
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// Next reads the next row into dest as the values database/sql converts
// (int64, float64, string, []byte, time.Time, bool, nil).
func (r *pgBatchRows) Next(dest []driver.Value) error {
	if r.first {
		r.first = false
		if !r.more {
			return io.EOF
		}
	} else if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	vals, err := r.rows.Values()
	if err != nil {
		return err
	}
	for i, v := range vals {
		switch x := v.(type) {
		case int16:
			v = int64(x)
		case int32:
			v = int64(x)
		case float32:
			v = float64(x)
		case driver.Valuer:
			if v, err = x.Value(); err != nil {
				return err
			}
		}
		dest[i] = v
	}
	return nil
}

// ResetSession forgets kept statements (none are kept between
// transactions) and checks the connection.
func (c *pgConn) ResetSession(ctx context.Context) error {
	c.pending, c.late, c.owner = nil, nil, 0
	return c.Conn.ResetSession(ctx)
}

// later runs a write whose result nothing reads: at once on SQLite; on
// PostgreSQL it goes with the transaction's next statement, or at its end
// (see above). Its error, if any, fails this transaction all the same.
func (tx *Tx) later(ctx context.Context, query string, args ...any) error {
	return tx.laterCheck(ctx, nil, query, args...)
}

// laterCheck is later, with want judging how many rows the statement
// changed (nil: any number).
func (tx *Tx) laterCheck(ctx context.Context, want func(n int64) error, query string, args ...any) error {
	if !tx.db.pg {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil || want == nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		return want(n)
	}
	var check func(pgconn.CommandTag) error
	if want != nil {
		check = func(tag pgconn.CommandTag) error { return want(tag.RowsAffected()) }
	}
	return tx.conn.Raw(func(dc any) error { return dc.(*pgConn).later(query, args, check) })
}

// flush sends what the transaction kept for later (PostgreSQL), returning
// the first error.
func (tx *Tx) flush(ctx context.Context) error {
	if !tx.db.pg {
		return nil
	}
	return tx.conn.Raw(func(dc any) error { return dc.(*pgConn).flush(ctx) })
}

// begin marks the start of transaction i of the batch (PostgreSQL).
func (tx *Tx) begin(i int) {
	if tx.db.pg {
		tx.conn.Raw(func(dc any) error { dc.(*pgConn).begin(i); return nil })
	}
}

// handOver ends the transaction: what it kept for later goes with the
// next statement (PostgreSQL; see above). An error is this transaction's.
func (tx *Tx) handOver(ctx context.Context) error {
	if !tx.db.pg {
		return nil
	}
	return tx.conn.Raw(func(dc any) error { return dc.(*pgConn).handOver(ctx) })
}

// flushLate sends what the batch's last transactions handed over, before
// the commit, and returns the errors of the transactions undone after they
// ended (a statement they handed over failed), by their place in the
// batch; err is an error of none of them (the batch's transaction is
// broken).
func flushLate(ctx context.Context, conn *sql.Conn) (late map[int]error, err error) {
	err = conn.Raw(func(dc any) error {
		c := dc.(*pgConn)
		c.begin(-1) // every statement kept is an earlier transaction's
		ferr := c.flush(ctx)
		late = c.lateErrors()
		return ferr
	})
	return late, err
}

// drop forgets what the failed transaction kept for later, reporting
// whether its savepoint (first, set with later) was never sent.
func (tx *Tx) drop(first string) (unsent bool) {
	if !tx.db.pg {
		return false
	}
	tx.conn.Raw(func(dc any) error { unsent = dc.(*pgConn).drop(first); return nil })
	return unsent
}
