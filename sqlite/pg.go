package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgReadConns and pgWriteConns size a PostgreSQL store's two connection
// pools. Writes have their one connection, owned by the writer goroutine
// (group commit, writer.go), as on SQLite.
const (
	pgReadConns  = 16
	pgWriteConns = 1
)

// IsPostgres reports whether dsn names a PostgreSQL database
// (postgres://… or postgresql://…) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPostgres opens the PostgreSQL database at dsn and applies pending
// migrations. Writes go through the writer goroutine as on SQLite, in
// batches that take turns with the other instances' (pgWriteLock); reads
// have a pool of their own.
func openPostgres(dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redactDSN(dsn), err)
	}
	pool := func(n int, opts ...stdlib.OptionOpenDB) *sql.DB {
		p := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg, opts...)})
		p.SetMaxOpenConns(n)
		p.SetMaxIdleConns(n)
		p.SetConnMaxIdleTime(5 * time.Minute)
		return p
	}
	db := &DB{
		write: pool(pgWriteConns, stdlib.OptionAfterConnect(durableCommits)), read: pool(pgReadConns), path: dsn, pg: true, owner: newOwner(),
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
		db.read.Close()
		db.write.Close()
		return nil, fmt.Errorf("open %s: %w", redactDSN(dsn), err)
	}
	tables, err := queryRows(ctx, db.read, scanValue[string], `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'id'`)
	if err != nil {
		db.read.Close()
		db.write.Close()
		return nil, fmt.Errorf("open %s: tables: %w", redactDSN(dsn), err)
	}
	ids := map[string]bool{}
	for _, t := range tables {
		ids[t] = true
	}
	idTables.Store(ids)
	var seq sql.NullString
	if err := db.read.QueryRowContext(ctx, "SELECT pg_get_serial_sequence('messages', 'id')").Scan(&seq); err != nil {
		db.read.Close()
		db.write.Close()
		return nil, fmt.Errorf("open %s: messages' sequence: %w", redactDSN(dsn), err)
	}
	if seq.Valid {
		db.pgMessageID = pgNextMessageIDOf("'" + strings.ReplaceAll(seq.String, "'", "''") + "'::regclass")
	}
	key := make([]byte, 32)
	rand.Read(key)
	if _, err := db.write.ExecContext(ctx, "INSERT INTO secrets (name, value) VALUES ('checkin_token_key', ?) ON CONFLICT DO NOTHING", key); err != nil {
		db.read.Close()
		db.write.Close()
		return nil, fmt.Errorf("open %s: check-in key: %w", redactDSN(dsn), err)
	}
	db.startWriter()
	return db, nil
}

// durableCommits makes a write connection's commits durable, as SQLite's
// synchronous=FULL makes them: a booking answered is on disk. A server
// whose synchronous_commit is off (acknowledging commits before the WAL
// reaches the disk) gets it turned on for the writer's connections; the
// settings that wait for as much or more (on, local, remote_write,
// remote_apply) are kept.
func durableCommits(ctx context.Context, c *pgx.Conn) error {
	var v string
	if err := c.QueryRow(ctx, "SHOW synchronous_commit").Scan(&v); err != nil {
		return fmt.Errorf("synchronous_commit: %w", err)
	}
	if v != "off" {
		return nil
	}
	if _, err := c.Exec(ctx, "SET synchronous_commit = on"); err != nil {
		return fmt.Errorf("synchronous_commit on: %w", err)
	}
	return nil
}

// redactDSN hides a password in dsn for error messages.
func redactDSN(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "postgres://…"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// pgWriteLock is the advisory lock each write batch takes first on
// PostgreSQL: the instances sharing a database take turns to write, as
// SQLite's one writer does, so that every rule the store checks before it
// writes (capacity, one live booking per phone, waitlist order) holds
// across instances. Each instance still commits its waiting transactions
// together (group commit), so one turn serves many.
const pgWriteLock = 0x77726974 // "writ"

// begin starts a write transaction: BEGIN IMMEDIATE on SQLite; on
// PostgreSQL BEGIN (READ COMMITTED: each statement sees every commit before
// it), then the write lock, in one round trip (a statement without
// arguments goes as one simple query, which may hold several).
func (db *DB) begin(exec func(string) error) error {
	if !db.pg {
		return exec("BEGIN IMMEDIATE")
	}
	if err := exec(pgBeginSQL); err != nil {
		exec("ROLLBACK")
		return err
	}
	return nil
}

var pgBeginSQL = fmt.Sprintf("BEGIN; SELECT pg_advisory_xact_lock(%d)", pgWriteLock)

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
	if err != nil {
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
