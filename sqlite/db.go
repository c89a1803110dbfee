// Package sqlite stores Chorus in one SQLite file through mattn/go-sqlite3:
// WAL, foreign keys, a busy timeout and synchronous=FULL, so a confirmed
// booking survives power loss. Writes go through one connection in
// BEGIN IMMEDIATE transactions; reads use a pool of read-only connections.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/push"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// busyTimeout is how long a connection waits for a lock held by another
// process (a backup, the command line) before giving up.
const busyTimeout = 5 * time.Second

// readConns is the size of the read pool: enough for the kiosks' reads on
// a 2-core machine while the writer works.
const readConns = 8

// Defaults for the booking rules.
const (
	// DefaultConfirmWindow is how long a pending booking waits for the reply 1.
	DefaultConfirmWindow = 24 * time.Hour
	// DefaultOfferTTL is how long a freed seat is held for the first in line.
	DefaultOfferTTL = 2 * time.Hour
	// DefaultPerPhoneDaily caps the SMS one phone gets in a day.
	DefaultPerPhoneDaily = 5
	// DefaultResendDaily caps check-in code resends per phone per day.
	DefaultResendDaily = 3
	// DefaultPartnerDaily caps the 派单 and "taken" SMS a partner's phone
	// gets in a day: below the provider's 50 a day per number and template.
	DefaultPartnerDaily = 40
	// DefaultStaffDaily caps the alerts the on-duty staff phone gets in a day.
	DefaultStaffDaily = 40
)

// DB is the Chorus store. It implements the domain's service interfaces.
type DB struct {
	write *sql.DB // one connection, owned by the writer goroutine
	// writes feeds the writer goroutine (group commit, see writer.go).
	writes  chan writeReq
	closing chan struct{}
	stopped chan struct{}
	read    *sql.DB
	path    string
	// pg is set on a PostgreSQL store (pg.go): the writer's batches take
	// turns with the other instances' (pgWriteLock).
	pg bool
	// pgMessageID is a new message's id on PostgreSQL, its sequence
	// named once (pgNextMessageIDOf).
	pgMessageID string
	// owner names this store's claims on the outbox and its notices
	// (PostgreSQL, pgoutbox.go, pgnotify.go).
	owner string
	// leader holds the timed work's lock (PostgreSQL, pgleader.go).
	leader leader
	// listenOnce starts Listen's goroutine, stopListen ends it at Close;
	// listening, when set (tests), hears that LISTEN took effect.
	listenOnce sync.Once
	stopListen func()
	listening  func()

	// Now is the clock; tests replace it.
	Now func() time.Time
	// Location is the community's time zone, for dates and SMS texts.
	Location *time.Location
	// RequireConfirm makes residents' bookings start pending until they
	// reply 1; staff bookings are confirmed at once.
	RequireConfirm bool
	ConfirmWindow  time.Duration
	OfferTTL       time.Duration
	PerPhoneDaily  int // SMS a resident's phone may get a day
	ResendDaily    int
	// PartnerDaily and StaffDaily are the daily SMS allowances of a
	// partner's phone and of the on-duty staff phone (chorus.Budget);
	// 0 means no limit.
	PartnerDaily int
	StaffDaily   int
	// Limits bound the unconfirmed bookings of one kiosk and one phone.
	Limits chorus.Limits
	// ValidateMessage checks a message's template parameters before it is
	// queued (the sms catalogue); nil accepts all.
	ValidateMessage func(kind chorus.MessageKind, params map[string]string) error
	// OnCommit, when set, is called after a commit that changed seats or
	// queued messages (outside the transaction, never blocking it for long).
	OnCommit func(Change)
	Logger   *slog.Logger
	// OnBatch, when set (before the first write), hears each group
	// commit's size and how long its commit took (the metrics).
	OnBatch func(size int, commit time.Duration)

	// DispatchWait and UrgentWait are how long a wave of partners has to
	// accept an order before the next is asked; StaffPhone is alerted when
	// nobody accepts.
	DispatchWait time.Duration
	UrgentWait   time.Duration
	StaffPhone   string

	// PasswordCost is bcrypt's work factor for new passwords; 0 uses
	// DefaultPasswordCost (tests lower it).
	PasswordCost int

	keyMu sync.Mutex
	key   []byte // signs check-in tokens; read once from secrets
	dummy string // a bcrypt hash compared for unknown usernames

	// kiosks remembers KioskByToken's answers (kioskcache.go).
	kiosks *kioskCache
}

// Change tells listeners what a committed transaction touched.
type Change struct {
	Slots      []int64 // slots whose seats changed
	Events     []int64 // events changed (status, slots)
	Programmes []int64 // programmes whose places changed
	Orders     []int64 // orders whose status or dispatch changed
	Messages   int     // messages queued
	Inbox      int     // replies received or settled
	// Kiosks are the kiosks whose name, place, mode, settings, pairing or
	// revocation changed: the other instances pass them to the screens
	// they serve (internal/app).
	Kiosks []int64 `json:",omitempty"`
	// Announcements are the announcements created, for the kiosks of
	// every instance.
	Announcements []int64 `json:",omitempty"`
	// Reloads are the kiosks whose screens staff asked to reload.
	Reloads []int64 `json:",omitempty"`
	// Remote is set on a change another instance committed, heard through
	// LISTEN (pgnotify.go); this instance's handlers have not seen it.
	Remote bool `json:"-"`
}

func (c *Change) empty() bool {
	return len(c.Slots) == 0 && len(c.Events) == 0 && len(c.Programmes) == 0 && len(c.Orders) == 0 &&
		c.Messages == 0 && c.Inbox == 0 && len(c.Kiosks) == 0 && len(c.Announcements) == 0 &&
		len(c.Reloads) == 0
}

// Topics names what the change touched for the staff console's live feed
// with push's topic names: push.Events (seats, bookings, check-ins),
// push.Programmes, push.Orders, push.SMS (messages queued, replies
// received or settled).
func (c Change) Topics() []string {
	var t []string
	if len(c.Slots) > 0 || len(c.Events) > 0 {
		t = append(t, push.Events)
	}
	if len(c.Programmes) > 0 {
		t = append(t, push.Programmes)
	}
	if len(c.Orders) > 0 {
		t = append(t, push.Orders)
	}
	if c.Messages > 0 || c.Inbox > 0 {
		t = append(t, push.SMS)
	}
	if len(c.Kiosks) > 0 {
		t = append(t, push.Kiosks)
	}
	return t
}

// Open opens (creating if needed) the database at path and applies pending
// migrations. A path postgres://… (IsPostgres) opens a PostgreSQL database
// instead (pg.go).
func Open(path string) (*DB, error) {
	if IsPostgres(path) {
		return openPostgres(path)
	}
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.Itoa(int(busyTimeout/time.Millisecond)))
	q.Set("_synchronous", "FULL")
	// Keep the prepared statements of the hot paths (booking, outbox).
	q.Set("_stmt_cache_size", "64")
	wq := url.Values{}
	for k, v := range q {
		wq[k] = v
	}
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite3", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{
		write: w, path: path,
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
	if err := db.migrateOnce(); err != nil {
		w.Close()
		return nil, err
	}
	if err := chmodFiles(path); err != nil { // the WAL, made by the migration
		w.Close()
		return nil, err
	}
	db.startWriter()
	q.Set("_query_only", "true")
	r, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		db.stopWriter()
		w.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)
	db.read = r
	return db, nil
}

// Close closes both connection pools.
func (db *DB) Close() error {
	if db.stopListen != nil {
		db.stopListen()
	}
	db.closeLeader()
	db.stopWriter()
	return errors.Join(db.read.Close(), db.write.Close())
}

// Ping checks that the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// openRetry bounds how long Open keeps trying while another process holds
// a new file's first lock.
const openRetry = 10 * time.Second

// migrateOnce runs migrate, trying again while the file is locked: on a
// new file, the first connection of each process switches it to WAL, which
// needs the file to itself and answers "database is locked" at once,
// without waiting out the busy timeout, when another process opening the
// same new file (the server and `chorus user add`) has it for a moment.
func (db *DB) migrateOnce() error {
	deadline := time.Now().Add(openRetry)
	wait := 10 * time.Millisecond
	for {
		err := db.migrate(context.Background())
		if !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction, in the order of their numbers.
func (db *DB) migrate(ctx context.Context) error {
	// In BEGIN IMMEDIATE (the write pool's _txlock), so that a second
	// process opening the file at the same moment waits its turn (busy
	// timeout) instead of failing to upgrade a read to a write.
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)`); err != nil {
		tx.Rollback()
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		if err := db.applyMigration(ctx, v, base, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, version int, base, name string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	} else if n > 0 {
		return nil
	}
	body, err := migrationFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)",
		version, base, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	}
	return tx.Commit()
}

// ms turns a time into Unix milliseconds; the zero time becomes NULL.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMS turns nullable Unix milliseconds into a time (zero for NULL).
func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}

// nullID turns 0 into NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullStr turns "" into NULL, for optional unique keys.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// querier is a *sql.DB, *sql.Tx or Tx.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// queryIDs runs q, which selects one integer column, and returns it.
func queryIDs(ctx context.Context, db querier, q string, args ...any) ([]int64, error) {
	return queryRows(ctx, db, scanValue[int64], q, args...)
}

// isBusy reports whether err is SQLite's "database is locked" (or busy).
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// isUnique reports whether err is a UNIQUE constraint violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique || pgUnique(err)
}

// notFound maps sql.ErrNoRows to a plain ENOTFOUND error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return chorus.Errorf(chorus.ENOTFOUND, "没有找到这个%s。", what)
	}
	return err
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// liveIn is the SQL list of live statuses.
var liveIn = func() string {
	s := make([]string, len(chorus.LiveStatuses))
	for i, st := range chorus.LiveStatuses {
		s[i] = "'" + string(st) + "'"
	}
	return "(" + strings.Join(s, ",") + ")"
}()
