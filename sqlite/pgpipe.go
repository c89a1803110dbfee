package sqlite

import (
	"context"
	"database/sql/driver"
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
// next statement of the transaction (or at the transaction's end,
// Tx.flush), in one pgx batch: one round trip for several statements.
// Every statement still runs in the order the transaction gave them, and
// an error in one still fails the transaction that gave it (the writer
// flushes each transaction before it decides that transaction's result).

// pgLater is a statement kept for the next round trip.
type pgLater struct {
	q     string
	args  []any
	check func(pgconn.CommandTag) error // of its result; nil: none
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
	c.pending = append(c.pending, pgLater{q: pgRewrite(query), args: conv, check: check})
	return nil
}

// batch returns the kept statements as a pgx batch.
func (c *pgConn) batch() *pgx.Batch {
	b := &pgx.Batch{}
	for _, p := range c.pending {
		b.Queue(p.q, p.args...)
	}
	return b
}

// readPending reads the results of the kept statements sent first in br,
// forgets them and returns the first error (the statements after a failed
// one are not run: the transaction is aborted).
func (c *pgConn) readPending(br pgx.BatchResults) error {
	pending := c.pending
	c.pending = nil
	var first error
	for _, p := range pending {
		tag, err := br.Exec()
		if err == nil && p.check != nil {
			err = p.check(tag)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

// flush sends the kept statements in one round trip.
func (c *pgConn) flush(ctx context.Context) error {
	if len(c.pending) == 0 {
		return nil
	}
	br := c.Conn.Conn().SendBatch(ctx, c.batch())
	err := c.readPending(br)
	if cerr := br.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// drop forgets the kept statements (their transaction failed), reporting
// whether the first of them was unsent, so that the transaction's
// savepoint, when it was among them, was never set.
func (c *pgConn) drop(first string) (unsent bool) {
	unsent = len(c.pending) > 0 && c.pending[0].q == pgRewrite(first)
	c.pending = nil
	return unsent
}

// queryAfterPending runs query after the kept statements, in one round
// trip.
func (c *pgConn) queryAfterPending(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	b := c.batch()
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	b.Queue(query, vals...)
	br := c.Conn.Conn().SendBatch(ctx, b)
	if err := c.readPending(br); err != nil {
		br.Close()
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
	c.pending = nil
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

// drop forgets what the failed transaction kept for later, reporting
// whether its savepoint (first, set with later) was never sent.
func (tx *Tx) drop(first string) (unsent bool) {
	if !tx.db.pg {
		return false
	}
	tx.conn.Raw(func(dc any) error { unsent = dc.(*pgConn).drop(first); return nil })
	return unsent
}
