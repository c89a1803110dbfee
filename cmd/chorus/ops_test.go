package main

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	chorusapp "github.com/chorus-community/chorus/internal/app"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
	"github.com/chorus-community/chorus/sqlite"
)

// TestBackup_RefusesMissingSource: `chorus backup -db <wrong path>` fails
// with a clear message and creates neither the source nor the backup.
func TestBackup_RefusesMissingSource(t *testing.T) {
	dir := t.TempDir()
	src, dest := filepath.Join(dir, "wrong.db"), filepath.Join(dir, "copy.db")
	err := run(context.Background(), []string{"backup", "-db", src, dest})
	if err == nil || !strings.Contains(err.Error(), "no database at "+src) {
		t.Fatalf("backup of a missing database = %v", err)
	}
	for _, p := range []string{src, dest} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s was created: %v", p, err)
		}
	}
}

// TestFiles_Mode0600: the database, its WAL and shared memory, and a
// backup are 0600 even under umask 0.
func TestFiles_Mode0600(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "chorus.db")
	app, _ := mustApp(t, path)
	if err := app.DB.SavePlace(context.Background(), &chorus.Place{Name: "社区活动室"}); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "copy.db")
	if err := run(context.Background(), []string{"backup", "-db", path, dest}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", dest} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", filepath.Base(p), st.Mode().Perm())
		}
	}
	if err := sqlite.CheckFile(dest); err != nil {
		t.Errorf("backup: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".copy.db.tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestStart_ReadOnlyDirectory: a database directory Chorus cannot write
// is named plainly at start-up.
func TestStart_ReadOnlyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	if os.Geteuid() == 0 {
		dir = "/proc" // root writes anywhere but on a file system that takes no files
	}
	cfg, err := parseConfig([]string{"-db", filepath.Join(dir, "chorus.db")}, func(string) string { return "" }, os.ReadFile, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newApp(cfg, devNull(t))
	if err == nil || !strings.Contains(err.Error(), "database directory "+dir+" is read-only") {
		t.Fatalf("start in a read-only directory = %v", err)
	}
}

// TestBackupSchedule: scheduled backups are written, checked and pruned
// to Keep; a failure is kept for 今日 and the metrics.
func TestBackupSchedule(t *testing.T) {
	dir := t.TempDir()
	app, _ := mustApp(t, filepath.Join(dir, "chorus.db"))
	clock := clocktest.New(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	var results []bool
	b := &sqlite.BackupSchedule{DB: app.DB, Dir: filepath.Join(dir, "backups"), Every: time.Hour, Keep: 2,
		Now: clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnResult: func(ok bool, _ time.Time) { results = append(results, ok) }}
	for i := 0; i < 3; i++ {
		if err := b.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "backups", "chorus-*.db"))
	if len(files) != 2 || !strings.HasSuffix(files[0], "chorus-20261201-090000.db") {
		t.Fatalf("kept %v, want the 2 newest", files)
	}
	if st := b.Status(); st.Problem != "" || st.LastFile != files[1] {
		t.Fatalf("status = %+v", st)
	}
	// The directory becomes a file: the next backup fails, and says so.
	os.RemoveAll(b.Dir)
	os.WriteFile(b.Dir, []byte("x"), 0o600)
	if err := b.RunOnce(context.Background()); err == nil {
		t.Fatal("backup into a file succeeded")
	}
	if st := b.Status(); !strings.Contains(st.Problem, "备份失败") || len(results) != 4 || results[3] {
		t.Fatalf("after a failure: status %+v, results %v", st, results)
	}
}

// TestRestore_RefusesWhileRunning: restore will not replace the database
// of a running Chorus, and refuses a file that is not a sound backup.
func TestRestore_RefusesWhileRunning(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "chorus.db")
	app, closeApp := mustApp(t, path)
	backup := filepath.Join(dir, "b.db")
	if err := app.DB.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"restore", "-db", path, backup})
	if err == nil || !strings.Contains(err.Error(), "Chorus is running") {
		t.Fatalf("restore while running = %v", err)
	}
	closeApp()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database at all, just some text to fill a page"), 0o600)
	if err := run(context.Background(), []string{"restore", "-db", path, junk}); err == nil {
		t.Fatal("restored from junk")
	}
	if err := run(context.Background(), []string{"restore", "-db", path, filepath.Join(dir, "missing.db")}); err == nil {
		t.Fatal("restored from a missing file")
	}
}

// TestRestore_SendsNothingTwice: two messages are queued when the backup
// is taken; after it the first is refused for the moment and the second
// reaches the provider. After a restore from that backup, both are queued
// again; the worker looks each up (QuerySendDetails) before sending, so
// the second is not sent again and the first goes out once.
func TestRestore_SendsNothingTwice(t *testing.T) {
	dir := t.TempDir()
	path, backup := filepath.Join(dir, "chorus.db"), filepath.Join(dir, "backup.db")
	ctx := context.Background()
	clock := clocktest.New(time.Now())
	now := clock.Now
	cat, err := sms.NewCatalogue(nil)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string][]string{}
	for _, tp := range cat.Templates() {
		vars[tp.Code] = tp.Params
	}
	fake := smsfake.New(smsfake.Options{Now: now, SignName: "光华街社区", Templates: vars})
	defer fake.Close()
	sender, err := sms.NewAlibaba(sms.AlibabaConfig{AccessKeyID: smsfake.DefaultAccessKeyID, AccessKeySecret: smsfake.DefaultAccessKeySecret,
		SignName: "光华街社区", Endpoint: fake.Endpoint, Scheme: "http", Timeout: 5 * time.Second, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	drain := func(db *sqlite.DB) {
		t.Helper()
		w := &sms.Worker{Outbox: db, Sender: sender, Catalogue: cat, Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: -1}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}

	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = now
	for i := 0; i < 2; i++ {
		if err := db.Queue(ctx, chorus.Message{Phone: "13812345678", Kind: chorus.MsgHelp}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	// A third message after the backup: sent, then lost with the restore.
	// All to one phone, so that they go in order and the fault below hits
	// the first.
	if err := db.Queue(ctx, chorus.Message{Phone: "13812345678", Kind: chorus.MsgHelp}); err != nil {
		t.Fatal(err)
	}
	fake.FailNext("isp.SYSTEM_ERROR", 1) // the first waits for a retry
	drain(db)
	if got := fake.Count(); got != 2 {
		msgs, _ := db.Messages(ctx, "", 10)
		t.Fatalf("sent before the restore = %d, want 2: %+v", got, msgs)
	}
	db.Close()

	clock.Add(3 * time.Hour) // the disaster, the drill
	if err := run(ctx, []string{"restore", "-db", path, backup}); err != nil {
		t.Fatal(err)
	}
	asides, _ := filepath.Glob(path + ".before-restore-*")
	if len(asides) == 0 {
		t.Fatal("the replaced database was not kept aside")
	}
	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = now
	defer db.Close()
	// A new message after the restore gets an id (the provider's OutId)
	// above every id used before it, never the lost message's.
	if err := db.Queue(ctx, chorus.Message{Phone: "13812345678", Kind: chorus.MsgHelp}); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := db.Messages(ctx, "", 1); len(msgs) != 1 || msgs[0].ID <= 3 {
		t.Fatalf("new message after the restore = %+v, want an id above 3", msgs)
	}
	drain(db)
	drain(db)
	byOut := fake.SendsByOutID()
	if len(byOut) != 4 {
		t.Fatalf("messages sent: %v, want 4: both restored, the lost one and the new one", byOut)
	}
	for out, sends := range byOut {
		if len(sends) != 1 {
			t.Errorf("message %s sent %d times", out, len(sends))
		}
	}
	if fake.Calls("QuerySendDetails") == 0 {
		t.Error("nothing looked up after the restore")
	}
	msgs, _ := db.Messages(ctx, "", 10)
	for _, m := range msgs {
		if m.Status != chorus.MessageSubmitted {
			t.Errorf("message %d is %s", m.ID, m.Status)
		}
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != fs.FileMode(0o600) {
		t.Errorf("restored database mode: %v %v", st.Mode(), err)
	}
}

func devNull(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// mustApp starts the app (without serving) on the database at path; close
// closes it, at the latest when the test ends.
func mustApp(t *testing.T, path string) (app *chorusapp.App, close func()) {
	t.Helper()
	cfg, err := parseConfig([]string{"-db", path, "-log-level", "error"}, func(string) string { return "" }, os.ReadFile, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	app, err = newApp(cfg, devNull(t))
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	close = func() { once.Do(func() { app.Close() }) }
	t.Cleanup(close)
	return app, close
}
