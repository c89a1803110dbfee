package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

func TestOpen_Migrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chorus.db")
	type row struct {
		version int
		name    string
		applied int64
	}
	migrations := func() []row {
		t.Helper()
		rows, err := MustRawDB(t, path).Query("SELECT version, name, applied_ms FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.version, &r.name, &r.applied); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}

	db, _ := MustOpenDBAt(t, path)
	e := MustEvent(t, db)
	b := MustBook(t, db, Req(e, 0, Phone(1)))
	// Every file under migrations/ is recorded once, in order.
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) < 2 {
		t.Fatalf("migration files = %v, %v", files, err)
	}
	first := migrations()
	if len(first) != len(files) {
		t.Fatalf("migrations = %+v, want one row for each of %v", first, files)
	}
	for i, f := range files {
		// The version is the file's number: branches take numbers apart,
		// so the numbers need not follow one another.
		want := filepath.Base(f)
		version, _ := strconv.Atoi(strings.SplitN(want, "_", 2)[0])
		if got := first[i].name; got != want || first[i].version != version {
			t.Fatalf("migration %d = %+v, want version %d %s", i, first[i], version, want)
		}
	}

	// A second store on the same file, while the first is open, and a
	// third after both are closed: nothing is applied again.
	again, _ := MustOpenDBAt(t, path)
	if got := MustBooking(t, again, b.ID); got.Code != b.Code {
		t.Fatalf("booking through the second store = %+v", got)
	}
	again.Close()
	db.Close()
	third, _ := MustOpenDBAt(t, path)
	if got := migrations(); !slices.Equal(got, first) {
		t.Fatalf("migrations after reopening = %+v, want %+v", got, first)
	}
	if got := MustBooking(t, third, b.ID); got.Status != chorus.StatusPending || got.Code != b.Code {
		t.Fatalf("booking after reopening = %+v", got)
	}
	if err := third.Ping(ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("OpenedAtOnce", func(t *testing.T) {
		// Stores opened on a new file at the same moment (the server and
		// the command line) apply each migration once.
		path := filepath.Join(t.TempDir(), "chorus.db")
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := sqlite.Open(path)
				if err != nil {
					t.Errorf("open: %v", err)
					return
				}
				db.Close()
			}()
		}
		wg.Wait()
		var n int
		if err := MustRawDB(t, path).QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != len(files) {
			t.Fatalf("schema_migrations rows = %d, %v; want %d", n, err, len(files))
		}
	})
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "chorus.db")
	db, _ := MustOpenDBAt(t, path)
	e := MustEvent(t, db, Capacity(chorus.MaxSlotCapacity))

	// A year and more of delivered SMS, written straight to the file, so
	// that the copy is tens of megabytes as in a community after a while.
	raw := MustRawDB(t, path)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	old := T0.AddDate(-1, 0, 0).UnixMilli()
	for i := 0; i < 100000; i++ {
		if _, err := tx.Exec(`INSERT INTO messages (phone, kind, params, status, next_attempt_ms, biz_id,
			created_ms, updated_ms) VALUES (?, 'booking_confirm', ?, 'delivered', ?, ?, ?, ?)`, Phone(i%3000),
			`{"event":"免费义诊","time":"12月5日周六09:00","place":"社区活动室","code":"123456"}`,
			old, fmt.Sprintf("biz-%d", i), old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// Bookings committed before the copy starts.
	var before []*chorus.Booking
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 10; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				b, err := db.Book(ctx, Req(e, 0, Phone(w*1000+i)))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				before = append(before, b)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	// Keep booking while the copy is made.
	stop, busy, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var during atomic.Int64
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			if i == 3 {
				close(busy)
			}
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.Book(ctx, Req(e, 0, Phone(100000+i))); err != nil {
				t.Errorf("booking during the backup: %v", err)
				return
			}
			during.Add(1)
		}
	}()
	<-busy
	dest := filepath.Join(dir, "backup.db")
	bctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	start := time.Now()
	err = sqlite.Backup(bctx, path, dest)
	elapsed := time.Since(start)
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("backup after %v with %d bookings made meanwhile: %v", elapsed, during.Load(), err)
	}
	t.Logf("backup took %v; %d bookings were made meanwhile", elapsed, during.Load())

	var ok string
	if err := MustRawDB(t, dest).QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity = %q, %v", ok, err)
	}
	copyDB, _ := MustOpenDBAt(t, dest)
	for _, b := range before {
		got, err := copyDB.Booking(ctx, b.ID)
		if err != nil || got.Phone != b.Phone || got.Code != b.Code {
			t.Fatalf("booking %d in the copy = %+v, %v", b.ID, got, err)
		}
	}
	// The copy is one moment of the store: the seats taken match the
	// bookings, and each booking has its confirmation SMS.
	s := MustSlot(t, copyDB, e.Slots[0].ID)
	list, err := copyDB.EventBookings(ctx, e.ID)
	if err != nil || s.Taken != len(list) || len(list) < len(before) {
		t.Fatalf("copy: taken %d, %d bookings (%v); want equal and at least %d", s.Taken, len(list), err, len(before))
	}
	var confirms int
	if err := MustRawDB(t, dest).QueryRow("SELECT COUNT(*) FROM messages WHERE booking_id IS NOT NULL").Scan(&confirms); err != nil || confirms != len(list) {
		t.Fatalf("copy: %d booking messages (%v) for %d bookings", confirms, err, len(list))
	}
}
