package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sqlite"
)

// shanghai is the community's time zone in every test.
var shanghai = mustLoadLocation("Asia/Shanghai")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Clock is the tests' fake clock (internal/clocktest).
type Clock = clocktest.Clock

// T0 is when every test starts: Tuesday 2026-12-01 08:00 in Shanghai.
var T0 = time.Date(2026, 12, 1, 8, 0, 0, 0, shanghai)

// SlotStart is when the default event's first slot starts: Saturday
// 2026-12-05 09:00 in Shanghai.
var SlotStart = time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)

// MustOpenDB opens a store on a new file in a temporary directory, with a
// fake clock at T0 and the community in Shanghai. It is closed when the
// test ends.
func MustOpenDB(tb testing.TB) (*sqlite.DB, *Clock) {
	tb.Helper()
	return MustOpenDBAt(tb, filepath.Join(tb.TempDir(), "chorus.db"))
}

// MustOpenDBAt is MustOpenDB on the file at path.
func MustOpenDBAt(tb testing.TB, path string) (*sqlite.DB, *Clock) {
	tb.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	clock := clocktest.New(T0)
	db.Now = clock.Now
	db.Location = shanghai
	db.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return db, clock
}

// MustRawDB opens a plain connection pool on the store's file, for looking
// at tables the store does not expose and for writes from "another
// process".
func MustRawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// Phone returns the i-th test mobile number: 13800000000 + i.
func Phone(i int) string { return fmt.Sprintf("138%08d", i) }

// MustPlace returns the place named name, storing it the first time.
func MustPlace(tb testing.TB, db *sqlite.DB, name string) *chorus.Place {
	tb.Helper()
	places, err := db.Places(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range places {
		if p.Name == name {
			return &p
		}
	}
	p := &chorus.Place{Name: name, Address: "光华街16号"}
	if err := db.SavePlace(context.Background(), p); err != nil {
		tb.Fatalf("save place: %v", err)
	}
	return p
}

// MustEstate stores an estate named name.
func MustEstate(tb testing.TB, db *sqlite.DB, name string) *chorus.Estate {
	tb.Helper()
	e := &chorus.Estate{Name: name}
	if err := db.SaveEstate(context.Background(), e); err != nil {
		tb.Fatalf("save estate: %v", err)
	}
	return e
}

// MustEvent stores a free clinic at a new place: by default one slot at
// SlotStart of 30 minutes and 10 seats, a 60-minute cut-off and no
// waitlist. Each option changes the event before it is stored.
func MustEvent(tb testing.TB, db *sqlite.DB, opts ...func(*chorus.Event)) *chorus.Event {
	tb.Helper()
	place := MustPlace(tb, db, "社区活动室")
	e := &chorus.Event{
		Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: place.ID, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: SlotStart, End: SlotStart.Add(30 * time.Minute), Capacity: 10}},
	}
	for _, o := range opts {
		o(e)
	}
	if err := db.CreateEvent(context.Background(), e); err != nil {
		tb.Fatalf("create event: %v", err)
	}
	return e
}

// Capacity sets the capacity of every slot.
func Capacity(n int) func(*chorus.Event) {
	return func(e *chorus.Event) {
		for i := range e.Slots {
			e.Slots[i].Capacity = n
		}
	}
}

// Waitlist lets the event keep a waitlist.
func Waitlist(e *chorus.Event) { e.Waitlist = true }

// Slots replaces the slots with n slots of 30 minutes from SlotStart, each
// of capacity seats.
func Slots(n, capacity int) func(*chorus.Event) {
	return func(e *chorus.Event) {
		e.Slots = nil
		for i := 0; i < n; i++ {
			start := SlotStart.Add(time.Duration(i) * 30 * time.Minute)
			e.Slots = append(e.Slots, chorus.Slot{Start: start, End: start.Add(30 * time.Minute), Capacity: capacity})
		}
	}
}

// Req returns a request of phone for the slot-th slot of e.
func Req(e *chorus.Event, slot int, phone string) chorus.BookingRequest {
	return chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[slot].ID, Phone: phone, Name: "张阿姨", Source: "kiosk"}
}

// MustBook books and fails the test on an error.
func MustBook(tb testing.TB, db *sqlite.DB, req chorus.BookingRequest) *chorus.Booking {
	tb.Helper()
	b, err := db.Book(context.Background(), req)
	if err != nil {
		tb.Fatalf("book %s: %v", req.Phone, err)
	}
	return b
}

// MustTransition moves a booking and fails the test on an error.
func MustTransition(tb testing.TB, db *sqlite.DB, id int64, to chorus.Status, actor chorus.Actor) *chorus.Booking {
	tb.Helper()
	b, err := db.Transition(context.Background(), id, to, actor, "")
	if err != nil {
		tb.Fatalf("booking %d to %s: %v", id, to, err)
	}
	return b
}

// MustBooking reads a booking.
func MustBooking(tb testing.TB, db *sqlite.DB, id int64) *chorus.Booking {
	tb.Helper()
	b, err := db.Booking(context.Background(), id)
	if err != nil {
		tb.Fatalf("booking %d: %v", id, err)
	}
	return b
}

// MustSlot reads a slot.
func MustSlot(tb testing.TB, db *sqlite.DB, id int64) *chorus.Slot {
	tb.Helper()
	s, err := db.Slot(context.Background(), id)
	if err != nil {
		tb.Fatalf("slot %d: %v", id, err)
	}
	return s
}

// MustMessages returns the messages to phone (every phone when empty),
// oldest first.
func MustMessages(tb testing.TB, db *sqlite.DB, phone string) []chorus.Message {
	tb.Helper()
	msgs, err := db.Messages(context.Background(), phone, 1000)
	if err != nil {
		tb.Fatalf("messages: %v", err)
	}
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	return msgs
}

// MessagesOf keeps the messages of one kind.
func MessagesOf(msgs []chorus.Message, kind chorus.MessageKind) []chorus.Message {
	var out []chorus.Message
	for _, m := range msgs {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// wantCode fails the test unless err carries the error code want.
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := chorus.ErrorCode(err); got != want {
		tb.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
	if err != nil && chorus.ErrorMessage(err) == "" {
		tb.Fatalf("error %v has no message for the resident", err)
	}
}

// wantStatus fails the test unless booking id has status want.
func wantStatus(tb testing.TB, db *sqlite.DB, id int64, want chorus.Status) {
	tb.Helper()
	if got := MustBooking(tb, db, id).Status; got != want {
		tb.Fatalf("booking %d status = %s, want %s", id, got, want)
	}
}

// wantTaken fails the test unless the slot holds want seats.
func wantTaken(tb testing.TB, db *sqlite.DB, slotID int64, want int) {
	tb.Helper()
	if got := MustSlot(tb, db, slotID).Taken; got != want {
		tb.Fatalf("slot %d taken = %d, want %d", slotID, got, want)
	}
}
