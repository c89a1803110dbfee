package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chorus-community/chorus/internal/pgtest"
)

// TestPGSchema checks that PostgreSQL's migrations end with SQLite's
// tables, columns and indexes (PostgreSQL's rowid columns, which stand for
// SQLite's hidden ones, and the outbox's leases left out), and that every SQLite migration after
// the baseline has a PostgreSQL version: its own file or a translation.
func TestPGSchema(t *testing.T) {
	lite, err := Open(filepath.Join(t.TempDir(), "chorus.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := Open(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	ctx := context.Background()
	want, err := queryRows(ctx, lite.read, scanValue[string], `SELECT m.name || '.' || c.name FROM sqlite_master m,
		pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := queryRows(ctx, pg.read, scanValue[string], `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name != 'rowid'
		AND table_name || '.' || column_name NOT IN ('messages.lease_owner', 'messages.lease_until_ms') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "column", want, got)
	want, err = queryRows(ctx, lite.read, scanValue[string], `SELECT name FROM sqlite_master WHERE type = 'index'
		AND sql IS NOT NULL ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	got, err = queryRows(ctx, pg.read, scanValue[string], `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'
		AND indexname NOT LIKE '%\_pkey' AND indexname NOT LIKE '%\_key'
		AND indexname NOT IN ('messages_live', 'messages_live_phone') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "index", want, got)
	var liteN, pgN int
	lite.read.QueryRow("SELECT MAX(version) FROM schema_migrations").Scan(&liteN)
	pg.read.QueryRow("SELECT MAX(version) FROM schema_migrations").Scan(&pgN)
	if liteN != pgN {
		t.Errorf("SQLite is at migration %d, PostgreSQL at %d", liteN, pgN)
	}
}

// diff reports what only one of two sorted lists holds.
func diff(t *testing.T, what string, sqlite, pg []string) {
	t.Helper()
	for _, s := range sqlite {
		if !slices.Contains(pg, s) {
			t.Errorf("%s %s is in SQLite's schema, not in PostgreSQL's", what, s)
		}
	}
	for _, s := range pg {
		if !slices.Contains(sqlite, s) {
			t.Errorf("%s %s is in PostgreSQL's schema, not in SQLite's", what, strings.TrimSpace(s))
		}
	}
}
