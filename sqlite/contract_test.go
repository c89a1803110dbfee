package sqlite_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus/internal/storetest"
	"github.com/chorus-community/chorus/sqlite"
)

// TestContract runs the store contract (internal/storetest) against SQLite
// on a temp file.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time, loc *time.Location) storetest.Store {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "chorus.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now, db.Location = now, loc
		db.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		return db
	})
}
