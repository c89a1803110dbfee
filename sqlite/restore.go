package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// RestoreResult tells what a restore did.
type RestoreResult struct {
	// Aside is where the database that was replaced now is ("" when there
	// was none).
	Aside string
	// Taken is when the backup was taken (its stamp, else its file time).
	Taken time.Time
	// Marked counts the messages that were queued or being sent at that
	// time and must be looked up at the provider before any resend.
	Marked int
}

// Restore replaces the database at path with the backup file, for
// `chorus restore`. It refuses while Chorus runs on path (Lock), checks the
// backup (CheckFile), copies it beside path with FileMode, applies pending
// migrations, and marks every message that was queued or being sent when
// the backup was taken with lookupCode (an outcome-unknown code), so that
// the SMS worker asks the provider (QuerySendDetails) whether it went out
// after the backup before it sends it again. Only then is the current
// database (with its WAL) moved aside to path.before-restore-TIME and the
// copy renamed into place.
func Restore(ctx context.Context, path, backup, lookupCode string) (*RestoreResult, error) {
	if IsPostgres(path) {
		return nil, fmt.Errorf("restore: %w", ErrPostgresBackup)
	}
	unlock, err := Lock(path)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer unlock()
	if err := CheckFile(backup); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	tmp := path + ".restoring"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	if err := copyFile(backup, tmp); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	res := &RestoreResult{}
	floor := maxMessageID(path) // ids the replaced database used
	if err := prepareRestored(ctx, tmp, backup, lookupCode, floor, res); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(path); err == nil {
		res.Aside = path + ".before-restore-" + time.Now().UTC().Format(backupLayout)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(path+suffix, res.Aside+suffix); err != nil && !os.IsNotExist(err) {
				return nil, fmt.Errorf("restore: keep the current database aside: %w", err)
			}
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	return res, nil
}

// prepareRestored migrates the copy at tmp and marks its messages.
func prepareRestored(ctx context.Context, tmp, backup, lookupCode string, floor int64, res *RestoreResult) error {
	db, err := Open(tmp)
	if err != nil {
		return err
	}
	defer db.Close()
	var v sql.NullString
	if err := db.read.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaBackupTaken).Scan(&v); err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("backup time: %w", err)
	}
	if ms, err := strconv.ParseInt(v.String, 10, 64); err == nil && v.Valid {
		res.Taken = time.UnixMilli(ms)
	} else if st, err := os.Stat(backup); err == nil {
		res.Taken = st.ModTime()
	}
	if res.Marked, err = db.MarkForLookup(ctx, lookupCode, res.Taken); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE
			SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`, metaMessageIDFloor, strconv.FormatInt(floor, 10))
		return err
	})
}

// metaMessageIDFloor is the meta key below which no new message id is
// given: the highest id the database replaced by a restore used.
const metaMessageIDFloor = "message_id_floor"

// maxMessageID returns the highest message id (and id floor) of the
// database at path, or 0 when it cannot be read (missing, damaged).
func maxMessageID(path string) int64 {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	// mode=rw: a WAL left by a crash is recovered; nothing is created.
	c, err := sql.Open("sqlite3", "file:"+path+"?mode=rw&_busy_timeout=5000")
	if err != nil {
		return 0
	}
	defer c.Close()
	var n int64
	c.QueryRow("SELECT COALESCE(MAX(id), 0) FROM messages").Scan(&n)
	var floor sql.NullInt64
	c.QueryRow("SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?", metaMessageIDFloor).Scan(&floor)
	return max(n, floor.Int64)
}

// MarkForLookup marks every message queued or being sent with code (an
// outcome-unknown code) and sent as the time of its last attempt, so that
// the worker looks it up at the provider before sending it again. It
// returns how many it marked.
func (db *DB) MarkForLookup(ctx context.Context, code string, sent time.Time) (int, error) {
	var n int64
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET err_code = ?, err_msg = ?, updated_ms = ?
			WHERE status IN ('queued','sending')`, code, "restored from a backup: look up before sending", sent.UnixMilli())
		if err != nil {
			return fmt.Errorf("mark messages for lookup: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// copyFile copies src to a new file dest with FileMode and fsyncs it.
func copyFile(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if err != nil {
		return err
	}
	if err := out.Chmod(FileMode); err != nil {
		out.Close()
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
