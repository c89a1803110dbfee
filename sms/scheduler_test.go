package sms_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sqlite"
)

func TestScheduler_RunOnce(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "chorus.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := clocktest.New(time.Date(2026, 12, 4, 9, 0, 0, 0, loc)) // Friday morning
	db.Now, db.Location, db.Logger = clk.Now, loc, discard
	ctx := context.Background()
	place := &chorus.Place{Name: "社区活动室"}
	db.SavePlace(ctx, place)
	clinic := time.Date(2026, 12, 5, 9, 0, 0, 0, loc) // Saturday's clinic
	ev := &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", PlaceID: place.ID,
		Slots: []chorus.Slot{{Start: clinic, End: clinic.Add(15 * time.Minute), Capacity: 6}}}
	if err := db.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	db.ConfirmWindow = 2 * time.Hour
	confirmed, _ := db.Book(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13812345678", Confirmed: true})
	pending, _ := db.Book(ctx, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: "13912345678"})
	if pending.Status != chorus.StatusPending {
		t.Fatalf("pending = %s", pending.Status)
	}
	woken := 0
	s := &sms.Scheduler{Store: db, Now: clk.Now, ReminderHour: 18, Logger: discard, Wake: func() { woken++ }}

	c, err := s.RunOnce(ctx)
	if err != nil || c != (sms.Counts{}) || woken != 0 {
		t.Fatalf("09:00 round = %+v, %v, woken %d", c, err, woken)
	}
	clk.Add(2 * time.Hour) // 11:00: the pending booking's 2 hours are up
	c, _ = s.RunOnce(ctx)
	if c.Expired != 1 || woken != 1 {
		t.Fatalf("11:00 round = %+v, woken %d", c, woken)
	}
	if b, _ := db.Booking(ctx, pending.ID); b.Status != chorus.StatusCancelled {
		t.Fatalf("pending booking = %s", b.Status)
	}
	clk.Add(6*time.Hour + 59*time.Minute) // 17:59
	if c, _ := s.RunOnce(ctx); c.Reminders != 0 {
		t.Fatalf("17:59 reminders = %d", c.Reminders)
	}
	clk.Add(time.Minute) // 18:00
	if c, _ := s.RunOnce(ctx); c.Reminders != 1 {
		t.Fatalf("18:00 reminders = %d", c.Reminders)
	}
	if c, _ := s.RunOnce(ctx); c.Reminders != 0 {
		t.Fatalf("reminded twice: %d", c.Reminders)
	}
	msgs, _ := db.Messages(ctx, "13812345678", 10)
	if msgs[0].Kind != chorus.MsgReminder || msgs[0].BookingID != confirmed.ID {
		t.Fatalf("last message = %+v", msgs[0])
	}
}

// TestScheduler_NotLeader: an instance that does not lead the timed work
// (Leads false: another instance holds the lock) does nothing in a round.
func TestScheduler_NotLeader(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "chorus.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	asked := 0
	s := &sms.Scheduler{Store: panicky{db}, Logger: discard, Leads: func(context.Context) bool { asked++; return false }}
	if c, err := s.RunOnce(context.Background()); err != nil || c != (sms.Counts{}) || asked != 1 {
		t.Fatalf("RunOnce = %+v, %v (asked %d)", c, err, asked)
	}
}

// panicky is a store that fails the test if the scheduler touches it.
type panicky struct{ *sqlite.DB }

func (panicky) Expire(context.Context, time.Time) (int, error) { panic("Expire on a non-leader") }
