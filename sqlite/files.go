package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/mattn/go-sqlite3"

	"github.com/chorus-community/chorus"
)

// FileMode is the mode of the database, its WAL and shared-memory files,
// and backups, whatever the umask: they hold phones, addresses, password
// hashes and the check-in key.
const FileMode fs.FileMode = 0o600

// MustExist returns a clear error when no database file is at path, for
// commands that must never create one (backup, restore, user passwd).
func MustExist(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s: check -db or CHORUS_DB (nothing was created)", path)
	} else if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("database %s is not a file", path)
	}
	return nil
}

// prepareFile makes sure the database file exists with FileMode and that
// its directory is writable, before SQLite opens it. SQLite gives the WAL
// and shared-memory files the database file's mode.
func prepareFile(path string) error {
	dir := filepath.Dir(path)
	if err := checkWritableDir(dir); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return fmt.Errorf("cannot write the database %s: %w (it must be writable by the user Chorus runs as)", path, err)
		}
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	return chmodFiles(path)
}

// chmodFiles sets FileMode on the database and its WAL and shared-memory
// files where they exist.
func chmodFiles(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, FileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("chmod %s: %w", p, err)
		}
	}
	return nil
}

// checkWritableDir says plainly when the database's directory is read-only:
// SQLite needs to create the WAL and shared-memory files beside the
// database, and would otherwise fail later with "attempt to write a
// readonly database".
func checkWritableDir(dir string) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("the database directory %s does not exist: create it, writable by the user Chorus runs as", dir)
	}
	f, err := os.CreateTemp(dir, ".chorus-write-check-*")
	if err != nil {
		return fmt.Errorf("the database directory %s is read-only (%v): Chorus needs to write the database, its WAL and backups there; make it writable by the user Chorus runs as (StateDirectory= in deploy/chorus.service)", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// syncDir fsyncs a directory, so that a rename in it survives power loss.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Lock takes the lock that says "Chorus runs on the database at path" (an
// flock on path+".lock"), held until unlock is called; chorus restore
// refuses to replace a database while it is held. It fails at once when
// another process holds it.
func Lock(path string) (unlock func(), err error) {
	if IsPostgres(path) {
		return func() {}, nil // several instances share a PostgreSQL database
	}
	if err := checkWritableDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("Chorus is running on %s: stop it first (systemctl stop chorus)", path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// writeCheckKey is the meta row /readyz rewrites to prove a write commits.
const writeCheckKey = "ready_probe"

// WriteCheck proves that a write can commit: a tiny write through the
// writer goroutine, like any booking, under ctx's deadline. A failure's
// Kind (chorus.WriteDiskFull, …) says why not.
func (db *DB) WriteCheck(ctx context.Context) error {
	err := db.update(ctx, func(tx *Tx) error {
		// SQLite keeps its REPLACE (TestReadyz_DiskFull shows a full disk
		// refusing it, not the upsert); PostgreSQL has no REPLACE.
		q := "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"
		if tx.db.pg {
			q = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
		}
		_, err := tx.ExecContext(ctx, q,
			writeCheckKey, strconv.FormatInt(tx.now.UnixMilli(), 10))
		return err
	})
	if err == nil {
		return nil
	}
	var se sqlite3.Error
	kind := chorus.WriteFailed
	switch {
	case errors.As(err, &se) && se.Code == sqlite3.ErrFull:
		kind = chorus.WriteDiskFull
	case errors.As(err, &se) && se.Code == sqlite3.ErrReadonly:
		kind = chorus.WriteReadOnly
	case errors.As(err, &se) && se.Code == sqlite3.ErrIoErr:
		kind = chorus.WriteIOError
	case errors.Is(err, context.DeadlineExceeded):
		kind = chorus.WriteTimeout
	}
	return &writeError{kind, err}
}

// writeError is a failed WriteCheck: why, and the cause.
type writeError struct {
	kind string
	err  error
}

func (e *writeError) Error() string { return "write check: " + e.kind + ": " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// Kind says why the write failed (chorus.WriteDiskFull, …).
func (e *writeError) Kind() string { return e.kind }
