package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/pgtest"
	"github.com/chorus-community/chorus/sqlite"
)

// BenchmarkBookStore books seats through the store from 64 goroutines, each
// booking a new phone (one confirmed booking: seat, booking, transition,
// resident, SMS queued), on SQLite (synchronous=FULL, group commit) and on
// PostgreSQL with fsync and synchronous_commit on (a cluster of its own),
// through one store and through two stores on one database (two
// instances). It reports bookings/s and the p99 latency.
func BenchmarkBookStore(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		db, err := sqlite.Open(filepath.Join(b.TempDir(), "chorus.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		benchBook(b, []*sqlite.DB{db})
	})
	c, err := pgtest.StartDurable()
	if err != nil {
		b.Skipf("no PostgreSQL: %v", err)
	}
	defer c.Stop()
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("postgres-%d-instances", n), func(b *testing.B) {
			dsn := c.DSN(b)
			var dbs []*sqlite.DB
			for range n {
				db, err := sqlite.Open(dsn)
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				dbs = append(dbs, db)
			}
			benchBook(b, dbs)
		})
	}
}

func benchBook(b *testing.B, dbs []*sqlite.DB) {
	ctx := context.Background()
	for _, db := range dbs {
		db.RequireConfirm = false
		db.PerPhoneDaily = 0
	}
	p := &chorus.Place{Name: "社区活动室"}
	if err := dbs[0].SavePlace(ctx, p); err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(30 * 24 * time.Hour)
	e := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: p.ID}
	for i := range 50 {
		s := start.Add(time.Duration(i) * 30 * time.Minute)
		e.Slots = append(e.Slots, chorus.Slot{Start: s, End: s.Add(30 * time.Minute), Capacity: chorus.MaxSlotCapacity})
	}
	if err := dbs[0].CreateEvent(ctx, e); err != nil {
		b.Fatal(err)
	}
	const clients = 64
	var next atomic.Int64
	lats := make([][]time.Duration, clients)
	b.ResetTimer()
	t0 := time.Now()
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				at := time.Now()
				slot := e.Slots[int(i)%len(e.Slots)].ID
				if _, err := dbs[w%len(dbs)].Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: slot,
					Phone: fmt.Sprintf("13%09d", i), Confirmed: true}); err != nil {
					b.Error(err)
					return
				}
				lats[w] = append(lats[w], time.Since(at))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "bookings/s")
		b.ReportMetric(float64(all[int(0.99*float64(len(all)-1))].Microseconds())/1000, "p99-ms")
	}
}
