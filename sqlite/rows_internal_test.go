package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// TestQueryRows: the generic row query returns every row in order, an
// empty list (not nil) for none, and the first error, whether the query's
// or a row's.
func TestQueryRows(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "rows.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t (name) VALUES ('a'), ('b'), ('c')"); err != nil {
		t.Fatal(err)
	}
	type row struct {
		id   int64
		name string
	}
	scan := func(rows rowScanner) (row, error) {
		var r row
		err := rows.Scan(&r.id, &r.name)
		return r, err
	}
	t.Run("OK", func(t *testing.T) {
		got, err := queryRows(ctx, db, scan, "SELECT id, name FROM t WHERE id >= ? ORDER BY id", 2)
		if err != nil || len(got) != 2 || got[0] != (row{2, "b"}) || got[1] != (row{3, "c"}) {
			t.Fatalf("queryRows = %v, %v", got, err)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		got, err := queryRows(ctx, db, scanValue[string], "SELECT name FROM t WHERE id > 10")
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("queryRows = %#v, %v; want an empty list", got, err)
		}
	})
	t.Run("QueryError", func(t *testing.T) {
		if _, err := queryRows(ctx, db, scan, "SELECT id, name FROM nowhere"); err == nil {
			t.Fatal("no error for a missing table")
		}
	})
	t.Run("ScanError", func(t *testing.T) {
		bad := errors.New("bad row")
		n := 0
		_, err := queryRows(ctx, db, func(rows rowScanner) (row, error) {
			if n++; n == 2 {
				return row{}, bad
			}
			return scan(rows)
		}, "SELECT id, name FROM t ORDER BY id")
		if !errors.Is(err, bad) || n != 2 {
			t.Fatalf("err = %v after %d rows; want the scan's error at the second", err, n)
		}
	})
	t.Run("IDs", func(t *testing.T) {
		ids, err := queryIDs(ctx, db, "SELECT id FROM t ORDER BY id DESC")
		if err != nil || len(ids) != 3 || ids[0] != 3 || ids[2] != 1 {
			t.Fatalf("queryIDs = %v, %v", ids, err)
		}
	})
}
