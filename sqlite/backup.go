package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// metaBackupTaken is the meta key a backup carries: when it was taken
// (Unix ms), so that a restore knows which messages may have gone out since.
const metaBackupTaken = "backup_taken_ms"

// ErrPostgresBackup is the answer of Backup and Restore on a PostgreSQL
// database, which is saved and brought back with PostgreSQL's own tools.
var ErrPostgresBackup = errors.New("a PostgreSQL database is backed up with PostgreSQL's tools, not by Chorus: " +
	"pg_dump for a copy (pg_restore brings it back), pg_basebackup with WAL archiving for a point in time (docs/operations.md, PostgreSQL)")

// Backup writes a consistent copy of the database to dest with SQLite's
// online backup API while the server keeps running (see Backup).
func (db *DB) Backup(ctx context.Context, dest string) error {
	return Backup(ctx, db.path, dest)
}

// Backup copies the database at src to dest while another process may
// write to src. The copy is written to a temporary name beside dest with
// FileMode, checked with PRAGMA integrity_check, stamped with the time it
// was taken, fsynced, and only then renamed to dest: dest is either a
// whole, checked backup or absent. A src that does not exist is refused,
// never created; an existing dest is refused, never overwritten.
func Backup(ctx context.Context, src, dest string) error {
	if IsPostgres(src) {
		return fmt.Errorf("backup: %w", ErrPostgresBackup)
	}
	if err := MustExist(src); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file", dest)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmpName)
			os.Remove(tmpName + "-journal")
		}
	}()
	if err := os.Chmod(tmpName, FileMode); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	taken := time.Now()
	if err := copyDB(ctx, src, tmpName); err != nil {
		return err
	}
	if err := checkAndStamp(tmpName, taken); err != nil {
		return err
	}
	f, err := os.Open(tmpName)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return fmt.Errorf("backup: fsync: %w", err)
	}
	if err := os.Rename(tmpName, dest); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	ok = true
	if err := syncDir(filepath.Dir(dest)); err != nil {
		return fmt.Errorf("backup: fsync %s: %w", filepath.Dir(dest), err)
	}
	return nil
}

// copyDB copies src into the (empty) file dest with the online backup API.
func copyDB(ctx context.Context, src, dest string) error {
	drv := &sqlite3.SQLiteDriver{}
	// mode=rw: never create src.
	sconn, err := drv.Open("file:" + src + "?mode=rw&_busy_timeout=5000")
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", src, err)
	}
	defer sconn.Close()
	dconn, err := drv.Open("file:" + dest)
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", dest, err)
	}
	defer dconn.Close()
	b, err := dconn.(*sqlite3.SQLiteConn).Backup("main", sconn.(*sqlite3.SQLiteConn), "main")
	if err != nil {
		return fmt.Errorf("backup: start: %w", err)
	}
	if err := ctx.Err(); err != nil {
		b.Finish()
		return err
	}
	// All pages in one step, inside one read transaction of src. In WAL
	// mode that reader does not hold writers back; copying in several
	// steps instead restarts the copy whenever another connection commits
	// between two steps, so under steady bookings a large database never
	// finished copying.
	done, err := b.Step(-1)
	if err != nil {
		b.Finish()
		return fmt.Errorf("backup: step: %w", err)
	}
	if !done {
		b.Finish()
		return fmt.Errorf("backup: copy did not finish")
	}
	if err := b.Finish(); err != nil {
		return fmt.Errorf("backup: finish: %w", err)
	}
	return nil
}

// checkAndStamp runs PRAGMA integrity_check on the copy at path and records
// in it when it was taken.
func checkAndStamp(path string, taken time.Time) error {
	if err := CheckFile(path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	c, err := sql.Open("sqlite3", "file:"+path+"?mode=rw")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer c.Close()
	_, err = c.Exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", metaBackupTaken, strconv.FormatInt(taken.UnixMilli(), 10))
	if err != nil && !isNoTable(err) { // a database from before migration 10
		return fmt.Errorf("backup: stamp: %w", err)
	}
	return nil
}

// CheckFile reports whether the file at path is a sound Chorus database:
// it opens, PRAGMA integrity_check says ok, and it has the migrations
// table. It never creates the file.
func CheckFile(path string) error {
	if err := MustExist(path); err != nil {
		return err
	}
	c, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer c.Close()
	var res string
	if err := c.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("%s failed the integrity check: %s", path, res)
	}
	var n int
	if err := c.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("%s is not a Chorus database (no migrations recorded)", path)
	}
	return nil
}

func isNoTable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such table")
}
