package sqlite

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgLeaderLock is the advisory lock whose holder runs the timed work
// (deadlines, reminders, dispatch waves) among the instances sharing a
// PostgreSQL database.
const pgLeaderLock = 0x6c656164 // "lead"

// leader is an instance's hold on the leader lock: a connection of its
// own, as an advisory lock lives as long as the session that took it.
type leader struct {
	mu   sync.Mutex
	conn *pgx.Conn
	held bool
}

// Leads reports whether this store's instance should run the timed work
// now. On SQLite, whose file one instance has to itself, always. On
// PostgreSQL, whether it holds the leader lock (pg_try_advisory_lock), taken
// when free: when the holder dies its session ends, the lock is released
// and the next instance to ask takes it. A holder whose connection has
// broken has lost the lock and answers false until it takes it again.
func (db *DB) Leads(ctx context.Context) bool {
	if !db.pg {
		return true
	}
	l := &db.leader
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if l.conn != nil && l.held {
		if err := l.conn.Ping(ctx); err == nil {
			return true
		}
		db.Logger.Warn("leader: lost the connection holding the lock; timed work stops here")
		l.drop()
		return false
	}
	if l.conn == nil {
		c, err := pgx.Connect(ctx, db.path)
		if err != nil {
			db.Logger.Warn("leader: cannot connect", "err", err)
			return false
		}
		l.conn = c
	}
	if err := l.conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", pgLeaderLock).Scan(&l.held); err != nil {
		db.Logger.Warn("leader: cannot ask for the lock", "err", err)
		l.drop()
		return false
	}
	if l.held {
		db.Logger.Info("leader: this instance runs the timed work")
	}
	return l.held
}

// drop closes the leader connection (releasing the lock if held).
func (l *leader) drop() {
	if l.conn != nil {
		l.conn.Close(context.Background())
	}
	l.conn, l.held = nil, false
}

// leaderPID is the backend process of the leader connection, for tests
// that end it; 0 without one.
func (db *DB) leaderPID() uint32 {
	db.leader.mu.Lock()
	defer db.leader.mu.Unlock()
	if db.leader.conn == nil {
		return 0
	}
	return db.leader.conn.PgConn().PID()
}

// closeLeader ends the leader connection at Close.
func (db *DB) closeLeader() error {
	db.leader.mu.Lock()
	defer db.leader.mu.Unlock()
	if db.leader.conn == nil {
		return nil
	}
	err := db.leader.conn.Close(context.Background())
	db.leader.conn, db.leader.held = nil, false
	if err != nil {
		return fmt.Errorf("leader connection: %w", err)
	}
	return nil
}
