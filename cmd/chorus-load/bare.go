package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sqlite"
)

func init() {
	register("bookings-bare", "the bare SQLite loop of a booking's transaction, one commit each", runBookingsBare)
}

// runBookingsBare runs the bare loop alone (`chorus-load bookings
// -bare-db` runs it before the HTTP load).
func runBookingsBare(args []string) error {
	fs := flag.NewFlagSet("bookings-bare", flag.ContinueOnError)
	db := fs.String("db", "", "a Chorus SQLite file (the server's, seeded with -demo) to copy; required")
	d := fs.Duration("duration", 5*time.Second, "how long the loop books")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("-db is required")
	}
	r, err := bareLoop(*db, *d)
	if err != nil {
		return err
	}
	fmt.Printf("bare loop: %d bookings in %.2fs = %.0f/s (one connection, synchronous=FULL, WAL, one commit each)\n",
		r.ok, r.elapsed.Seconds(), r.rate())
	fmt.Printf("bare latency: p50 %.2f ms, p99 %.2f ms\n", r.pct(0.50), r.pct(0.99))
	return nil
}

// bareLoop copies the database at src (SQLite's online backup, so the
// server may be running) to a temporary file beside it, opens the copy as
// the server does (WAL, synchronous=FULL, the same booking rules as `make
// bench` gives the server: no confirmation SMS awaited, no bound on
// unconfirmed bookings), adds an event like the HTTP load's and a kiosk,
// and books new phones one after another for d with sqlite.DB.BookAlone:
// the store's own booking transaction, each committed by itself on the one
// write connection.
func bareLoop(src string, d time.Duration) (*loopResult, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp(filepath.Dir(src), "bare-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bare.db")
	if err := sqlite.Backup(ctx, src, path); err != nil {
		return nil, err
	}
	db, err := sqlite.Open(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	loc, err := time.LoadLocation("Asia/Shanghai") // the server's default
	if err != nil {
		return nil, err
	}
	cat, err := sms.NewCatalogue(nil)
	if err != nil {
		return nil, err
	}
	db.Location, db.RequireConfirm, db.Limits, db.ValidateMessage = loc, false, chorus.Limits{}, cat.Validate
	places, err := db.Places(ctx)
	if err != nil {
		return nil, err
	}
	if len(places) == 0 {
		return nil, fmt.Errorf("no place in %s: start the server with -demo", src)
	}
	ev := &chorus.Event{Kind: chorus.ServiceLecture, Title: "压测讲座", PlaceID: places[0].ID, Status: chorus.EventOpen}
	day := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	for i := 0; i < bookingSlots; i++ {
		s := day.Add(time.Duration(i) * time.Hour)
		ev.Slots = append(ev.Slots, chorus.Slot{Start: s, End: s.Add(30 * time.Minute), Capacity: bookingCapacity})
	}
	if err := db.CreateEvent(ctx, ev); err != nil {
		return nil, err
	}
	k, _, err := db.CreateKiosk(ctx, "压测1号机", places[0].ID)
	if err != nil {
		return nil, err
	}
	res := &loopResult{statuses: map[int]int64{}}
	start := time.Now()
	for i := int64(1); time.Since(start) < d; i++ {
		t0 := time.Now()
		_, err := db.BookAlone(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[i%int64(len(ev.Slots))].ID,
			Phone: fmt.Sprintf("139%08d", i), Name: "居民", Source: "kiosk", Actor: chorus.ActorResident, KioskID: k.ID})
		if err != nil {
			return nil, fmt.Errorf("booking %d: %w", i, err)
		}
		res.lat = append(res.lat, time.Since(t0))
		res.ok++
	}
	res.elapsed = time.Since(start)
	sortDurations(res.lat)
	return res, nil
}
