package sqlite_test

import (
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/internal/storetest"
	"github.com/chorus-community/chorus/sqlite"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openPG opens a store on a fresh PostgreSQL database (pgtest), closed when
// t ends.
func openPG(t *testing.T) *sqlite.DB {
	t.Helper()
	return openPGAt(t, pgtest.DSN(t))
}

// openPGAt opens a store on the PostgreSQL database at dsn, closed when t
// ends.
func openPGAt(t *testing.T, dsn string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return db
}

// TestContractPostgres runs the store contract (internal/storetest)
// against PostgreSQL.
func TestContractPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time, loc *time.Location) storetest.Store {
		db := openPG(t)
		db.Now, db.Location = now, loc
		return db
	})
}
