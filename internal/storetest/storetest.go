// Package storetest is the contract every Chorus store passes: the rules
// of bookings (capacity, one live booking per phone per event,
// idempotency, waitlist order), of SMS replies, of the outbox and of
// check-in, checked through the interfaces the server and the SMS worker
// use. sqlite runs it in its tests; a second store (PostgreSQL) runs the
// same suite with its own Opener.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/server"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/voice"
)

// Store is what a Chorus store provides: everything the server, the SMS
// endpoints, the outbox worker and the scheduler need of storage.
type Store interface {
	server.Store
	server.SMSStore
	server.VoiceStore
	sms.Outbox
	sms.Deadlines
	voice.Outbox
}

// Opener opens a fresh, empty store for one test, closed when t ends. The
// store reads the time from now and dates things in loc; residents'
// bookings wait for the reply 1 for 24 hours and a freed seat is held 2
// hours for the first in line; a wave of partners has 30 minutes to accept;
// unconfirmed bookings are not bounded; SMS budgets and template checks
// are the store's defaults; no on-duty staff phone.
type Opener func(t *testing.T, now func() time.Time, loc *time.Location) Store

// T0 is when every test starts: Tuesday 2026-12-01 08:00 in Shanghai.
var T0 = time.Date(2026, 12, 1, 8, 0, 0, 0, shanghai)

// SlotStart is when the events' first slot starts: Saturday 2026-12-05
// 09:00 in Shanghai.
var SlotStart = time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Run runs the whole contract against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Bookings", func(t *testing.T) { testBookings(t, open) })
	t.Run("Replies", func(t *testing.T) { testReplies(t, open) })
	t.Run("Outbox", func(t *testing.T) { testOutbox(t, open) })
	t.Run("CheckIn", func(t *testing.T) { testCheckIn(t, open) })
	t.Run("Deadlines", func(t *testing.T) { testDeadlines(t, open) })
	t.Run("Dispatch", func(t *testing.T) { testDispatch(t, open) })
	t.Run("Calls", func(t *testing.T) { testCalls(t, open) })
}

// kinds counts the messages of each kind queued to phone (refused ones
// left out).
func (f *fixture) kinds(t *testing.T, phone string) map[chorus.MessageKind]int {
	t.Helper()
	msgs, err := f.Messages(context.Background(), phone, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[chorus.MessageKind]int{}
	for _, m := range msgs {
		if m.Status != chorus.MessageRefused {
			out[m.Kind]++
		}
	}
	return out
}

// fixture is one store on a test clock standing at T0.
type fixture struct {
	Store
	clock *clocktest.Clock
	place int64
}

func newFixture(t *testing.T, open Opener) *fixture {
	t.Helper()
	clock := clocktest.New(T0)
	s := open(t, clock.Now, shanghai)
	p := &chorus.Place{Name: "社区活动室", Address: "光华街16号"}
	if err := s.SavePlace(context.Background(), p); err != nil {
		t.Fatalf("save place: %v", err)
	}
	return &fixture{Store: s, clock: clock, place: p.ID}
}

// phone returns the i-th test mobile number.
func phone(i int) string { return fmt.Sprintf("138%08d", i) }

// event stores a clinic with slots of capacity seats each, 30 minutes
// apart from SlotStart, with a 60-minute cut-off.
func (f *fixture) event(t *testing.T, slots, capacity int, waitlist bool) *chorus.Event {
	t.Helper()
	e := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: f.place, CutoffMinutes: 60, Waitlist: waitlist}
	for i := range slots {
		start := SlotStart.Add(time.Duration(i) * 30 * time.Minute)
		e.Slots = append(e.Slots, chorus.Slot{Start: start, End: start.Add(30 * time.Minute), Capacity: capacity})
	}
	if err := f.CreateEvent(context.Background(), e); err != nil {
		t.Fatalf("create event: %v", err)
	}
	return e
}

// book books slot i of e for the phone, failing the test on an error.
func (f *fixture) book(t *testing.T, e *chorus.Event, i int, phone string, waitlist bool) *chorus.Booking {
	t.Helper()
	b, err := f.Book(context.Background(), chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[i].ID, Phone: phone, Waitlist: waitlist})
	if err != nil {
		t.Fatalf("book %s: %v", phone, err)
	}
	return b
}

// booking reads a booking back.
func (f *fixture) booking(t *testing.T, id int64) *chorus.Booking {
	t.Helper()
	b, err := f.Booking(context.Background(), id)
	if err != nil {
		t.Fatalf("booking %d: %v", id, err)
	}
	return b
}

// taken returns the seats taken of slot i of e, as the store reads them.
func (f *fixture) taken(t *testing.T, e *chorus.Event, i int) int {
	t.Helper()
	got, err := f.Event(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Slots[i].Taken
}

// wantCode fails the test unless err carries the error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := chorus.ErrorCode(err); err == nil || got != code {
		t.Fatalf("err = %v (%s), want %s", err, got, code)
	}
}
