package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupRestorePostgresRefused: `chorus backup` and `chorus restore`
// copy SQLite files; on a PostgreSQL database they refuse, pointing to
// pg_dump and pg_basebackup, and leave no file behind.
func TestBackupRestorePostgresRefused(t *testing.T) {
	dir := t.TempDir()
	dsn := "postgres://chorus@127.0.0.1:1/chorus"
	dest := filepath.Join(dir, "backup.db")
	err := run(context.Background(), []string{"backup", "-db", dsn, dest})
	if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "pg_basebackup") {
		t.Errorf("backup on PostgreSQL: %v", err)
	}
	if err := os.WriteFile(dest, []byte("not used"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = restore(context.Background(), []string{"-db", dsn, dest}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "pg_basebackup") {
		t.Errorf("restore on PostgreSQL: %v", err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Errorf("files left: %v", files)
	}
}
