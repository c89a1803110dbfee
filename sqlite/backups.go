package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chorus-community/chorus"
)

// backupPrefix and backupSuffix frame the names of scheduled backups,
// chorus-20261201-180000.db; only such files are ever pruned.
const (
	backupPrefix = "chorus-"
	backupSuffix = ".db"
	backupLayout = "20060102-150405"
)

// BackupSchedule writes a checked backup (see Backup) of the database to
// Dir every Every and keeps the Keep newest. Failures are logged at error
// level and kept for Status (今日 and the metrics).
type BackupSchedule struct {
	DB     *DB
	Dir    string
	Every  time.Duration
	Keep   int // 0: keep all
	Now    func() time.Time
	Logger *slog.Logger
	// OnResult, when set, hears each attempt's outcome (the metrics).
	OnResult func(ok bool, at time.Time)

	mu      sync.Mutex
	status  chorus.BackupStatus
	started time.Time
}

// Run takes a backup at once and then every Every until ctx ends.
func (b *BackupSchedule) Run(ctx context.Context) {
	b.mu.Lock()
	b.started = b.Now()
	b.mu.Unlock()
	t := time.NewTicker(b.Every)
	defer t.Stop()
	for {
		b.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce takes one backup and prunes the old ones.
func (b *BackupSchedule) RunOnce(ctx context.Context) error {
	now := b.Now()
	name := filepath.Join(b.Dir, backupPrefix+now.UTC().Format(backupLayout)+backupSuffix)
	err := os.MkdirAll(b.Dir, 0o700)
	if err == nil {
		err = Backup(ctx, b.DB.path, name)
	}
	if err == nil {
		err = b.prune()
	}
	b.mu.Lock()
	if err != nil {
		b.status.LastError, b.status.ErrorAt = err.Error(), now
	} else {
		b.status.LastOK, b.status.LastFile = now, name
	}
	b.mu.Unlock()
	if err != nil {
		b.Logger.Error("backup failed", "dir", b.Dir, "err", err)
	} else {
		b.Logger.Info("backup written", "file", name)
	}
	if b.OnResult != nil {
		b.OnResult(err == nil, now)
	}
	return err
}

// prune removes the oldest scheduled backups beyond Keep.
func (b *BackupSchedule) prune() error {
	if b.Keep <= 0 {
		return nil
	}
	entries, err := os.ReadDir(b.Dir)
	if err != nil {
		return fmt.Errorf("prune backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix) {
			if _, err := time.Parse(backupLayout, strings.TrimSuffix(strings.TrimPrefix(n, backupPrefix), backupSuffix)); err == nil {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names) // the layout sorts by time
	for len(names) > b.Keep {
		if err := os.Remove(filepath.Join(b.Dir, names[0])); err != nil {
			return fmt.Errorf("prune backups: %w", err)
		}
		names = names[1:]
	}
	return nil
}

// Status returns how the backups are doing, with the problem staff should
// know of.
func (b *BackupSchedule) Status() chorus.BackupStatus {
	if b == nil {
		return chorus.BackupStatus{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.status
	s.Dir, s.Every = b.Dir, b.Every
	started := b.started
	if started.IsZero() {
		started = b.Now()
	}
	s.Problem = chorus.BackupProblem(s, started, b.Now())
	return s
}
