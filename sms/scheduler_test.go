package sms_test

import (
	"context"
	"fmt"
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

// TestScheduler_PartnerNotices (issue 19): the 小礼堂's approver gets, the
// evening before, one SMS per use of the room tomorrow (an agreed lecture,
// the open hours) with the number booked; its partner gets November's
// summary on 1 December. Each goes once: a second round and a restart
// (the store opened again on the same file) send nothing more.
func TestScheduler_PartnerNotices(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	path := filepath.Join(t.TempDir(), "chorus.db")
	clk := clocktest.New(time.Date(2026, 11, 30, 9, 0, 0, 0, loc)) // Monday morning
	open := func() *sqlite.DB {
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		db.Now, db.Location, db.Logger = clk.Now, loc, discard
		return db
	}
	db := open()
	ctx := context.Background()
	const desk, approver = "13910240001", "13910240002"
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{desk}, Active: true}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SavePartner(ctx, partner))
	hall := &chorus.Place{Name: "小礼堂"}
	must(db.SavePlace(ctx, hall))
	must(db.SaveVenue(ctx, &chorus.Venue{PlaceID: hall.ID, PartnerID: partner.ID, Capacity: 120, AnswerHours: 1, Approvers: []string{approver},
		Hours: []chorus.OpeningRule{{Weekdays: []int{1, 2, 3, 4, 5}, Start: "08:00", End: "17:00", Mode: chorus.VenueModeEvent},
			{Weekdays: []int{2}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 30}}}))
	lecture := func(title string, start time.Time) *chorus.Event {
		e := &chorus.Event{Kind: chorus.ServiceLecture, Title: title, PlaceID: hall.ID, Status: chorus.EventOpen,
			Slots: []chorus.Slot{{Start: start, End: start.Add(2 * time.Hour), Capacity: 80}}}
		must(db.CreateEvent(ctx, e))
		reqs, err := db.VenueRequests(ctx, "", 10)
		must(err)
		_, err = db.AnswerVenueRequest(ctx, reqs[0].ID, chorus.IntentVenueAgree, "", chorus.ActorStaff)
		must(err)
		return e
	}
	today := lecture("重阳联欢", time.Date(2026, 11, 30, 10, 0, 0, 0, loc))
	tomorrow := lecture("健康讲座", time.Date(2026, 12, 1, 14, 0, 0, 0, loc))
	b, err := db.Book(ctx, chorus.BookingRequest{EventID: today.ID, SlotID: today.Slots[0].ID, Phone: "13812345678", Confirmed: true})
	must(err)
	_, err = db.CheckIn(ctx, chorus.CheckinRequest{EventID: today.ID, BookingID: b.ID, Actor: chorus.ActorStaff})
	must(err)
	_, err = db.Book(ctx, chorus.BookingRequest{EventID: tomorrow.ID, SlotID: tomorrow.Slots[0].ID, Phone: "13812345678", Confirmed: true})
	must(err)
	events, err := db.UpcomingEvents(ctx, clk.Now())
	must(err)
	for _, e := range events {
		if e.Kind == chorus.ServiceVenue {
			for i := 0; i < 2; i++ {
				_, err := db.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: fmt.Sprint("1391234567", i), Confirmed: true})
				must(err)
			}
			break
		}
	}
	of := func(phone string, kind chorus.MessageKind) []chorus.Message {
		t.Helper()
		msgs, err := db.Messages(ctx, phone, 50)
		must(err)
		var out []chorus.Message
		for _, m := range msgs {
			if m.Kind == kind {
				out = append([]chorus.Message{m}, out...)
			}
		}
		return out
	}
	s := &sms.Scheduler{Store: db, Now: clk.Now, ReminderHour: 18, Logger: discard}
	clk.Set(time.Date(2026, 11, 30, 17, 59, 0, 0, loc))
	if c, err := s.RunOnce(ctx); err != nil || c.PartnerNotices != 0 {
		t.Fatalf("17:59 round = %+v, %v", c, err)
	}
	clk.Add(time.Minute)
	if c, err := s.RunOnce(ctx); err != nil || c.PartnerNotices != 2 {
		t.Fatalf("18:00 round = %+v, %v", c, err)
	}
	got := of(approver, chorus.MsgVenueTomorrow)
	if len(got) != 2 || got[0].Params["event"] != "健康讲座" || got[0].Params["people"] != "1" ||
		got[0].Params["time"] != "12月1日 14:00–16:00" || got[1].Params["event"] != "小礼堂开放" ||
		got[1].Params["people"] != "2" || got[1].Params["time"] != "12月1日 18:00–20:00" {
		t.Fatalf("the approver's reminders %+v", got)
	}
	if c, _ := s.RunOnce(ctx); c.PartnerNotices != 0 {
		t.Fatalf("a second round queued %d", c.PartnerNotices)
	}
	must(db.Close())
	db = open() // a restart
	defer db.Close()
	s = &sms.Scheduler{Store: db, Now: clk.Now, ReminderHour: 18, Logger: discard}
	if c, err := s.RunOnce(ctx); err != nil || c.PartnerNotices != 0 {
		t.Fatalf("after a restart = %+v, %v", c, err)
	}
	if got := of(desk, chorus.MsgPartnerMonth); len(got) != 0 {
		t.Fatalf("a summary of October, when nothing happened: %+v", got)
	}

	clk.Set(time.Date(2026, 12, 1, 18, 0, 0, 0, loc))
	if c, err := s.RunOnce(ctx); err != nil || c.PartnerNotices != 1 {
		t.Fatalf("1 December 18:00 = %+v, %v", c, err)
	}
	sum := of(desk, chorus.MsgPartnerMonth)
	if len(sum) != 1 || fmt.Sprint(sum[0].Params) != "map[events:1 hours:2 month:11月 people:1]" {
		t.Fatalf("November's summary %+v", sum)
	}
	if c, _ := s.RunOnce(ctx); c.PartnerNotices != 0 {
		t.Fatalf("the summary again: %d", c.PartnerNotices)
	}
}

// TestScheduler_ShiftReminders: the scheduler reminds volunteers of
// tomorrow's shift once, from the reminder hour.
func TestScheduler_ShiftReminders(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "chorus.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := clocktest.New(time.Date(2026, 12, 3, 17, 0, 0, 0, loc)) // Thursday
	db.Now, db.Location, db.Logger = clk.Now, loc, discard
	ctx := context.Background()
	a := &chorus.Activity{Kind: "环境整治", Title: "靓丽星期五", Place: "和泽苑3号楼", Weekly: true}
	if err := db.SaveActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, loc)
	shifts, err := db.AddShifts(ctx, chorus.Shift{ActivityID: a.ID, Start: fri, End: fri.Add(3 * time.Hour), Task: "清扫", Capacity: 3}, 2)
	if err != nil {
		t.Fatal(err)
	}
	v := &chorus.Volunteer{Name: "李华", Phone: "13812345678", Consent: true}
	if err := db.SaveVolunteer(ctx, v); err != nil {
		t.Fatal(err)
	}
	for _, s := range shifts {
		if _, err := db.SignUp(ctx, s.ID, v.ID, chorus.JoinStaff); err != nil {
			t.Fatal(err)
		}
	}
	s := &sms.Scheduler{Store: db, Now: clk.Now, ReminderHour: 18, Logger: discard}
	if c, _ := s.RunOnce(ctx); c.ShiftReminders != 0 {
		t.Fatalf("17:00 shift reminders = %d", c.ShiftReminders)
	}
	clk.Add(time.Hour)
	if c, _ := s.RunOnce(ctx); c.ShiftReminders != 1 {
		t.Fatalf("18:00 shift reminders = %d, want 1 (tomorrow's shift, not next week's)", c.ShiftReminders)
	}
	if c, _ := s.RunOnce(ctx); c.ShiftReminders != 0 {
		t.Fatalf("reminded twice: %d", c.ShiftReminders)
	}
	msgs, _ := db.Messages(ctx, v.Phone, 10)
	if msgs[0].Kind != chorus.MsgShiftReminder || msgs[0].Params["code"] != fmt.Sprint(shifts[0].ID) {
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
