package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"
)

// maxBatch bounds how many write transactions share one commit. With
// synchronous=FULL each commit waits for the disk, so under load the writer
// runs the waiting transactions back to back inside one SQLite transaction,
// each in its own savepoint, and commits them together (group commit): the
// disk wait is paid once per batch instead of once per booking.
const maxBatch = 128

// errClosed answers writes after Close.
var errClosed = errors.New("database closed")

// writeReq is one logical transaction waiting for the writer.
type writeReq struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error // buffered 1
}

// Tx is one logical write transaction with what it changed, so that
// listeners hear of it after the commit. It runs inside a savepoint of the
// batch: if fn returns an error, everything it wrote is undone and nothing
// else in the batch is touched. Its statements go to the write
// connection, inside the batch's transaction.
type Tx struct {
	conn   *sql.Conn
	db     *DB
	now    time.Time
	change Change
}

func (db *DB) startWriter() {
	// Buffered for a whole batch: a request waiting for the writer does
	// not have to be woken up again to hand itself over.
	db.writes = make(chan writeReq, maxBatch)
	db.closing = make(chan struct{})
	db.stopped = make(chan struct{})
	go db.writer()
}

func (db *DB) stopWriter() {
	select {
	case <-db.closing:
	default:
		close(db.closing)
	}
	<-db.stopped
}

// update runs fn as one write transaction: its changes are committed, and
// durable, when update returns nil, and undone when fn returns an error,
// which update returns. After the commit, OnCommit hears what changed.
func (db *DB) update(ctx context.Context, fn func(tx *Tx) error) error {
	req := writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.writes <- req:
	case <-db.closing:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-db.stopped:
		// The writer answers a request it ran before it stops; one still
		// in the channel was never run.
		select {
		case err := <-req.done:
			return err
		default:
			return errClosed
		}
	}
}

// writer owns the write connection: it takes the waiting transactions in
// batches and commits each batch once.
func (db *DB) writer() {
	defer close(db.stopped)
	for {
		var first writeReq
		select {
		case first = <-db.writes:
		case <-db.closing:
			return
		}
		batch := []writeReq{first}
	collect:
		for len(batch) < maxBatch {
			select {
			case r := <-db.writes:
				batch = append(batch, r)
			default:
				break collect
			}
		}
		db.runBatch(batch)
	}
}

// runBatch runs each request in its own savepoint of one transaction,
// commits, and only then answers each request.
//
// The transaction is BEGIN IMMEDIATE and COMMIT on the write connection
// rather than a sql.Tx: database/sql gives a sql.Tx a context it can
// cancel, which costs each query of the transaction a goroutine watching
// it, on the one writer every write waits for.
func (db *DB) runBatch(batch []writeReq) {
	results := make([]error, len(batch))
	changes := make([]Change, len(batch))
	answer := func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}
	fail := func(err error) {
		for i := range results {
			results[i] = errors.Join(results[i], err)
		}
		answer()
	}
	bg := context.Background()
	conn, err := db.write.Conn(bg)
	if err != nil {
		fail(fmt.Errorf("write connection: %w", err))
		return
	}
	defer conn.Close()
	exec := func(q string) error { _, err := conn.ExecContext(bg, q); return err }
	if err := db.begin(exec); err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		tx := &Tx{conn: conn, db: db, now: db.Now()}
		tx.begin(i)
		// On PostgreSQL the savepoint goes with the transaction's first
		// statement (Tx.later, pgpipe.go).
		if err := tx.later(bg, "SAVEPOINT w"); err != nil {
			results[i] = fmt.Errorf("savepoint: %w", err)
			continue
		}
		results[i] = runFn(r.fn, tx)
		if results[i] == nil {
			// What it kept for later goes with the next statement; an
			// error there is still this transaction's (flushLate).
			results[i] = tx.handOver(bg)
		}
		if results[i] != nil {
			if tx.drop("SAVEPOINT w") {
				// Nothing of it reached the server, not even its
				// savepoint: there is nothing to undo.
				continue
			}
			if err := exec("ROLLBACK TO w"); err != nil {
				// The transaction itself is broken: undo the whole batch.
				exec("ROLLBACK")
				fail(fmt.Errorf("batch rolled back: %w", err))
				return
			}
		}
		// PostgreSQL keeps the savepoint to the commit (the next SAVEPOINT w
		// nests in it, and ROLLBACK TO w undoes only the latest): a
		// release would be one more round trip per transaction.
		if !db.pg {
			if err := exec("RELEASE w"); err != nil && results[i] == nil {
				results[i] = fmt.Errorf("release savepoint: %w", err)
			}
		}
		changes[i] = tx.change
	}
	if db.pg {
		// What the last transactions handed over, before the commit;
		// and the transactions undone after they ended.
		late, err := flushLate(bg, conn)
		if err != nil {
			exec("ROLLBACK")
			fail(fmt.Errorf("batch rolled back: %w", err))
			return
		}
		for i, err := range late {
			results[i] = err
		}
	}
	// What kiosk tokens are answered with may have changed: read the
	// counter the kiosk triggers move, to forget remembered kiosks after
	// the commit and before any answer (kioskcache.go).
	var kioskVersion int64
	versionErr := conn.QueryRowContext(bg, "SELECT n FROM kiosk_version").Scan(&kioskVersion)
	if db.pg {
		// The other instances hear of it with the commit (pgnotify.go).
		if ch := mergeChanges(changes, results); !ch.empty() {
			if err := db.notifyChange(bg, conn, ch); err != nil {
				exec("ROLLBACK")
				fail(fmt.Errorf("notify: %w", err))
				return
			}
		}
	}
	commitStart := time.Now()
	err = exec("COMMIT")
	if err != nil {
		// A failed COMMIT may leave the transaction open (SQLITE_BUSY):
		// end it, so that the next batch starts clean.
		exec("ROLLBACK")
	}
	if db.OnBatch != nil {
		db.OnBatch(len(batch), time.Since(commitStart))
	}
	if err != nil || versionErr != nil {
		db.kiosks.forget()
	} else {
		db.kiosks.saw(kioskVersion)
	}
	if err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = fmt.Errorf("commit: %w", err)
			}
		}
		answer()
		return
	}
	answer()
	if db.OnCommit != nil {
		if ch := mergeChanges(changes, results); !ch.empty() {
			db.OnCommit(ch)
		}
	}
}

// mergeChanges returns what the committed transactions of a batch (those
// whose result is nil) changed, as one Change naming each slot, event,
// programme and order once: the batch is one commit, and its listeners (the
// kiosks, the consoles, the SMS worker) need hear of it once.
func mergeChanges(changes []Change, results []error) Change {
	var m Change
	for i, ch := range changes {
		if results[i] != nil {
			continue
		}
		m.Slots = append(m.Slots, ch.Slots...)
		m.Events = append(m.Events, ch.Events...)
		m.Programmes = append(m.Programmes, ch.Programmes...)
		m.Orders = append(m.Orders, ch.Orders...)
		m.Kiosks = append(m.Kiosks, ch.Kiosks...)
		m.Announcements = append(m.Announcements, ch.Announcements...)
		m.Reloads = append(m.Reloads, ch.Reloads...)
		m.Messages += ch.Messages
		m.Inbox += ch.Inbox
	}
	for _, ids := range []*[]int64{&m.Slots, &m.Events, &m.Programmes, &m.Orders, &m.Kiosks, &m.Announcements, &m.Reloads} {
		slices.Sort(*ids)
		*ids = slices.Compact(*ids)
	}
	return m
}

// runFn runs fn, turning a panic into an error so one bad request cannot
// stop the writer.
func runFn(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic in transaction: %v\n%s", v, debug.Stack())
		}
	}()
	return fn(tx)
}

// The statements of a write transaction run to its end whatever becomes of
// the request that asked for it (its context is checked before the
// transaction starts, and the batch around it is not the request's to
// cancel). Each runs without the request's cancellation: a context that can
// be cancelled costs every statement a goroutine or a watcher in
// database/sql and mattn/go-sqlite3, on the one writer every write waits
// for. Its values are kept.

// ExecContext runs a statement in the transaction, without ctx's
// cancellation.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.conn.ExecContext(context.WithoutCancel(ctx), query, args...)
}

// QueryContext runs a query in the transaction, without ctx's
// cancellation.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.conn.QueryContext(context.WithoutCancel(ctx), query, args...)
}

// QueryRowContext runs a query of one row in the transaction, without
// ctx's cancellation.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.conn.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}
