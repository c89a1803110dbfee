package app_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/app"
	"github.com/chorus-community/chorus/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestNew_PostgresTwoInstances: two apps on one PostgreSQL database
// (-db postgres://…) both start; a message queued through A rings B's SMS
// worker too (the commit reaches B by NOTIFY), and exactly one of them
// leads the timed work.
func TestNew_PostgresTwoInstances(t *testing.T) {
	dsn := pgtest.DSN(t)
	start := func(rung chan struct{}) *app.App {
		cfg := testConfig(t)
		cfg.DBPath = dsn
		a, err := app.New(cfg, app.Options{Logger: quiet(), Configure: func(a *app.App) {
			wake := a.Wake
			a.Wake = func() {
				wake()
				select {
				case rung <- struct{}{}:
				default:
				}
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	rungB := make(chan struct{}, 1)
	a, b := start(make(chan struct{}, 1)), start(rungB)
	ctx := context.Background()
	if la, lb := a.DB.Leads(ctx), b.DB.Leads(ctx); la == lb {
		t.Errorf("A leads %v, B leads %v: want exactly one", la, lb)
	}
	// B listens from its start; give its LISTEN a moment by retrying the
	// commit until B hears one (each is a new message to the outbox).
	deadline := time.After(10 * time.Second)
	for {
		if err := a.DB.Queue(ctx, chorus.Message{Phone: "13812345678", Kind: chorus.MsgHelp}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-rungB:
			return
		case <-time.After(time.Second):
		case <-deadline:
			t.Fatal("B's worker never heard of A's commits")
		}
	}
}

// TestNew_PostgresSkipsBackups: a backup directory given with a PostgreSQL
// database schedules nothing (the copies are SQLite files) and says so in
// the log, pointing to pg_dump and pg_basebackup.
func TestNew_PostgresSkipsBackups(t *testing.T) {
	cfg := testConfig(t)
	cfg.DBPath = pgtest.DSN(t)
	cfg.BackupDir, cfg.BackupEvery = t.TempDir(), time.Hour
	var log syncBuilder
	a, err := app.New(cfg, app.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Backups != nil {
		t.Error("a backup schedule on PostgreSQL")
	}
	if !strings.Contains(log.String(), "scheduled backups skipped") || !strings.Contains(log.String(), "pg_basebackup") {
		t.Errorf("log = %s", log.String())
	}
}

// syncBuilder is a strings.Builder the app's goroutines may log to.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
