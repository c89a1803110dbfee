package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	mathrand "math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgReadConns and pgWriteConns size a PostgreSQL store's two connection
// pools. Writes have their own, as on SQLite: a write transaction that
// reads through the read pool while holding its connection can never wait
// for one held by another write; and the few writers at once keep
// serialization conflicts down.
const (
	pgReadConns  = 16
	pgWriteConns = 8
)

// pgRetries bounds how often a write transaction is run again after
// PostgreSQL found it conflicting with another (serialization failure).
const pgRetries = 60

// IsPostgres reports whether dsn names a PostgreSQL database
// (postgres://… or postgresql://…) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPostgres opens the PostgreSQL database at dsn and applies pending
// migrations. Reads and writes have a pool each; each write transaction is
// SERIALIZABLE and run again when it conflicts with another, so that the
// rules SQLite's single writer keeps (capacity, one live booking per
// phone) hold across connections and instances.
func openPostgres(dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redactDSN(dsn), err)
	}
	pool := func(n int) *sql.DB {
		p := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
		p.SetMaxOpenConns(n)
		p.SetMaxIdleConns(n)
		p.SetConnMaxIdleTime(5 * time.Minute)
		return p
	}
	db := &DB{
		write: pool(pgWriteConns), read: pool(pgReadConns), path: dsn, pg: true, owner: newOwner(),
		Now:            time.Now,
		Location:       time.Local,
		RequireConfirm: true,
		ConfirmWindow:  DefaultConfirmWindow,
		OfferTTL:       DefaultOfferTTL,
		PerPhoneDaily:  DefaultPerPhoneDaily,
		ResendDaily:    DefaultResendDaily,
		PartnerDaily:   DefaultPartnerDaily,
		StaffDaily:     DefaultStaffDaily,
		DispatchWait:   DefaultDispatchWait,
		UrgentWait:     DefaultUrgentWait,
		Logger:         slog.Default(),
		kiosks:         newKioskCache(),
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := db.pgMigrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", redactDSN(dsn), err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	if _, err := db.write.ExecContext(ctx, "INSERT INTO secrets (name, value) VALUES ('checkin_token_key', ?) ON CONFLICT DO NOTHING", key); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: check-in key: %w", redactDSN(dsn), err)
	}
	return db, nil
}

// redactDSN hides a password in dsn for error messages.
func redactDSN(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "postgres://…"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// pgUpdate is update on PostgreSQL: fn runs in its own SERIALIZABLE
// transaction on a connection of the pool, again (from the start, with a
// fresh Tx) when PostgreSQL reports a serialization failure or deadlock.
func (db *DB) pgUpdate(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for try := 0; ; try++ {
		ch, err := db.pgTry(ctx, fn)
		if err == nil {
			if db.OnCommit != nil && !ch.empty() {
				db.OnCommit(mergeChanges([]Change{ch}, []error{nil}))
			}
			return nil
		}
		if !isRetryable(err) || try >= pgRetries {
			return err
		}
		// Back off a little, at random, so that the transactions that
		// conflicted do not meet again at once.
		wait := time.Duration(mathrand.Int64N(int64(time.Millisecond) << min(try, 6)))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
	}
}

// pgTry runs fn once in a transaction and commits it.
func (db *DB) pgTry(ctx context.Context, fn func(tx *Tx) error) (Change, error) {
	bg := context.WithoutCancel(ctx)
	conn, err := db.write.Conn(bg)
	if err != nil {
		return Change{}, fmt.Errorf("connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(bg, "BEGIN ISOLATION LEVEL SERIALIZABLE"); err != nil {
		return Change{}, fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{conn: conn, db: db, now: db.Now()}
	if err := runFn(fn, tx); err != nil {
		conn.ExecContext(bg, "ROLLBACK")
		return Change{}, err
	}
	if ch := mergeChanges([]Change{tx.change}, []error{nil}); !ch.empty() {
		if err := tx.notifyChange(bg, ch); err != nil {
			conn.ExecContext(bg, "ROLLBACK")
			return Change{}, fmt.Errorf("notify: %w", err)
		}
	}
	if _, err := conn.ExecContext(bg, "COMMIT"); err != nil {
		conn.ExecContext(bg, "ROLLBACK")
		return Change{}, fmt.Errorf("commit: %w", err)
	}
	return tx.change, nil
}

// isRetryable reports whether err is PostgreSQL's serialization failure or
// deadlock (or a statement refused because such a failure, swallowed,
// ended the transaction): the transaction did nothing and may be run again.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "25P02")
}

// pgUnique reports whether err is PostgreSQL's unique violation.
func pgUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// mayConflict runs one statement that may break a UNIQUE constraint, which
// the caller answers by trying other values in the same transaction. On
// PostgreSQL, where a failed statement ends the transaction, it runs in a
// savepoint; SQLite needs none.
func (tx *Tx) mayConflict(ctx context.Context, stmt func() error) error {
	if !tx.db.pg {
		return stmt()
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT c"); err != nil {
		return err
	}
	err := stmt()
	if err != nil && !isRetryable(err) {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT c"); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	if _, rerr := tx.ExecContext(ctx, "RELEASE SAVEPOINT c"); rerr != nil && err == nil {
		return rerr
	}
	return err
}

// insert runs an INSERT into a table with an id column; the result's
// LastInsertId is the new row's id on both databases (PostgreSQL's driver
// has none: the statement gets RETURNING id there).
func (tx *Tx) insert(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !tx.db.pg {
		return tx.ExecContext(ctx, query, args...)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
		return nil, err
	}
	return insertResult(id), nil
}

// insertResult is the result of an insert on PostgreSQL: one row, id.
type insertResult int64

// LastInsertId returns the new row's id.
func (r insertResult) LastInsertId() (int64, error) { return int64(r), nil }

// RowsAffected is 1.
func (r insertResult) RowsAffected() (int64, error) { return 1, nil }
