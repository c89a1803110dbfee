package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDB_CommunityZone: a community in another time zone than the
// deployment's (和泽苑 in Urumqi, two hours behind Shanghai) has its
// day-before reminders queued at 18:00 of its own clock, for tomorrow in
// its own zone; the SMS answering its resident's reply and the check-in
// at the wrong door tell the slot's time as its community tells it (09:00
// in Urumqi, not 11:00).
func TestDB_CommunityZone(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	urumqi := mustLoadLocation("Asia/Urumqi")
	hzc := &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区", TimeZone: "Asia/Urumqi"}
	if err := db.AddCommunity(ctx, hzc); err != nil {
		t.Fatal(err)
	}
	hz := chorus.WithScope(ctx, chorus.Scope{Community: hzc.ID})
	if got := db.ZoneOf(ctx, hzc.ID); got.String() != "Asia/Urumqi" {
		t.Fatalf("ZoneOf(2) = %s", got)
	}

	// Both communities' events start tomorrow at 09:00 of their own clocks.
	tomorrow := func(loc *time.Location) time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, loc) }
	e1 := MustEvent(t, db, func(e *chorus.Event) {
		e.Slots = []chorus.Slot{{Start: tomorrow(shanghai), End: tomorrow(shanghai).Add(time.Hour), Capacity: 10}}
	})
	place := &chorus.Place{Name: "和泽苑社区活动室"}
	if err := db.SavePlace(hz, place); err != nil {
		t.Fatal(err)
	}
	e2 := &chorus.Event{Kind: chorus.ServiceLecture, Title: "硬笔书法公益课", PlaceID: place.ID, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: tomorrow(urumqi), End: tomorrow(urumqi).Add(time.Hour), Capacity: 10}}}
	if err := db.CreateEvent(hz, e2); err != nil {
		t.Fatal(err)
	}
	staffBooked := func(ctx context.Context, e *chorus.Event, phone string) *chorus.Booking {
		t.Helper()
		b, err := db.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: phone, Name: "孙大爷",
			Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b1 := staffBooked(ctx, e1, Phone(1))
	b2 := staffBooked(hz, e2, Phone(2))

	// 18:30 in Shanghai is 16:30 in Urumqi: only 光华街's reminder goes.
	clock.Set(time.Date(2026, 12, 1, 18, 30, 0, 0, shanghai))
	if n, err := db.QueueReminders(ctx, clock.Now(), 18); err != nil || n != 1 {
		t.Fatalf("reminders at 18:30 Shanghai = %d, %v; want 1", n, err)
	}
	if got := MustBooking(t, db, b1.ID); got.Status != chorus.StatusConfirmed {
		t.Fatalf("光华街's booking = %s", got.Status)
	}
	reminded := func(ctx context.Context, phone string) int {
		t.Helper()
		msgs, err := db.Messages(ctx, phone, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(MessagesOf(msgs, chorus.MsgReminder))
	}
	if reminded(ctx, Phone(1)) != 1 || reminded(hz, Phone(2)) != 0 {
		t.Fatalf("reminded: 光华街 %d, 和泽苑 %d; want 1, 0", reminded(ctx, Phone(1)), reminded(hz, Phone(2)))
	}
	// 18:10 in Urumqi: 和泽苑's goes, once.
	clock.Set(time.Date(2026, 12, 1, 18, 10, 0, 0, urumqi))
	if n, err := db.QueueReminders(ctx, clock.Now(), 18); err != nil || n != 1 {
		t.Fatalf("reminders at 18:10 Urumqi = %d, %v; want 1", n, err)
	}
	if msgs, _ := db.Messages(hz, Phone(2), 100); len(MessagesOf(msgs, chorus.MsgReminder)) != 1 ||
		MessagesOf(msgs, chorus.MsgReminder)[0].Params["time"] != chorus.FormatWhen(tomorrow(urumqi)) {
		t.Errorf("和泽苑's reminder = %+v, want its time %s", MessagesOf(msgs, chorus.MsgReminder), chorus.FormatWhen(tomorrow(urumqi)))
	}
	if n, _ := db.QueueReminders(ctx, clock.Now(), 18); n != 0 || reminded(hz, Phone(2)) != 1 {
		t.Errorf("和泽苑's reminder again = %d, %d queued in all", n, reminded(hz, Phone(2)))
	}

	// At another of 和泽苑's events' door, the booking is told by its
	// time there.
	e3 := &chorus.Event{Kind: chorus.ServiceLecture, Title: "靓丽星期五", PlaceID: place.ID, CutoffMinutes: 60,
		Slots: []chorus.Slot{{Start: tomorrow(urumqi).Add(2 * time.Hour), End: tomorrow(urumqi).Add(3 * time.Hour), Capacity: 10}}}
	if err := db.CreateEvent(hz, e3); err != nil {
		t.Fatal(err)
	}
	res, err := db.CheckIn(hz, chorus.CheckinRequest{EventID: e3.ID, BookingID: b2.ID, Actor: chorus.ActorStaff})
	if err != nil || res.Outcome != chorus.CheckinOtherEvent || !strings.Contains(res.Message, chorus.FormatWhen(tomorrow(urumqi))) {
		t.Errorf("check-in at another event = %+v, %v; want it named %s", res, err, chorus.FormatWhen(tomorrow(urumqi)))
	}

	// The resident answers 2 (cancel): the answer names 09:00, Urumqi's.
	if _, _, err := db.HandleInbound(ctx, chorus.Inbound{Phone: Phone(2), Content: "2", SequenceID: "tz-1",
		Intent: chorus.IntentCancel}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Booking(hz, b2.ID); err != nil || got.Status != chorus.StatusCancelled {
		t.Fatalf("和泽苑's booking after 2 = %+v, %v", got, err)
	}
	msgs, err := db.Messages(hz, Phone(2), 100)
	if err != nil {
		t.Fatal(err)
	}
	acks := MessagesOf(msgs, chorus.MsgReplyAck)
	want := chorus.FormatWhen(tomorrow(urumqi)) // 12月2日周三09:00
	if len(acks) != 1 || acks[0].Params["time"] != want || acks[0].Community != hzc.ID {
		t.Errorf("the answer to 和泽苑's resident = %+v; want time %q, community %d", acks, want, hzc.ID)
	}
}

// TestDB_CommunityZoneDispatch: a barber of 和泽苑 (Urumqi) opening at
// 09:00 is not asked at 08:30 of its clock, though Shanghai's is 10:30;
// once its 09:00 has come the order goes to it.
func TestDB_CommunityZoneDispatch(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	urumqi := mustLoadLocation("Asia/Urumqi")
	hzc := &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区", TimeZone: "Asia/Urumqi"}
	if err := db.AddCommunity(ctx, hzc); err != nil {
		t.Fatal(err)
	}
	hz := chorus.WithScope(ctx, chorus.Scope{Community: hzc.ID})
	estate := &chorus.Estate{Name: "和泽苑一区"}
	if err := db.SaveEstate(hz, estate); err != nil {
		t.Fatal(err)
	}
	const barber = "13903520001"
	if err := db.SavePartner(hz, &chorus.Partner{Name: "和泽苑快剪理发店", Kind: chorus.PartnerBarbershop, Phones: []string{barber},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut}, OpensAt: "09:00", ClosesAt: "18:00", Active: true}); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 12, 1, 8, 30, 0, 0, urumqi)) // 10:30 in Shanghai
	o, err := db.RequestHaircut(hz, chorus.HaircutRequest{Phone: Phone(1), Name: "孙大爷",
		Address: chorus.Address{EstateID: estate.ID, Building: "2", Unit: "1", Room: "301"}, Day: "2026-12-02", HalfDay: chorus.Afternoon})
	if err != nil {
		t.Fatal(err)
	}
	offers := func() int {
		t.Helper()
		msgs, err := db.Messages(hz, barber, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(MessagesOf(msgs, chorus.MsgPartnerOrder))
	}
	if n := offers(); n != 0 {
		t.Fatalf("the barber was asked %d times at 08:30 of its clock, before it opens", n)
	}
	clock.Set(time.Date(2026, 12, 1, 9, 30, 0, 0, urumqi))
	if _, err := db.DispatchDue(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := offers(); n != 1 {
		t.Errorf("order %d: the barber was asked %d times at 09:30 of its clock, want 1", o.ID, n)
	}
}

// TestDB_DistrictProgrammesZone: the kiosks' programmes end at midnight of
// their community's clock. At 01:00 on 12-02 in Shanghai it is still 12-01
// in Urumqi: 和泽苑's programme ending 12-01 is still shown there, while
// 光华街's, ending the same day in Shanghai, is over.
func TestDB_DistrictProgrammesZone(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	hzc := &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区", TimeZone: "Asia/Urumqi"}
	if err := db.AddCommunity(ctx, hzc); err != nil {
		t.Fatal(err)
	}
	hz := chorus.WithScope(ctx, chorus.Scope{Community: hzc.ID})
	mk := func(ctx context.Context, title string) *chorus.Programme {
		t.Helper()
		place := &chorus.Place{Name: title + "活动室"}
		if err := db.SavePlace(ctx, place); err != nil {
			t.Fatal(err)
		}
		p := &chorus.Programme{Title: title, PlaceID: place.ID, StartDate: "2026-11-20", EndDate: "2026-12-01",
			MinAge: 3, MaxAge: 12, Capacity: 10}
		if err := db.CreateProgramme(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mk(ctx, "光华街托管")
	hzp := mk(hz, "和泽苑托管")

	now := time.Date(2026, 12, 2, 1, 0, 0, 0, shanghai)
	l, err := db.DistrictProgrammes(ctx, now)
	if err != nil || len(l) != 1 || l[0].ID != hzp.ID {
		t.Fatalf("at %s the hub reads %+v, %v; want 和泽苑's only", now, l, err)
	}
	if l, _ := db.DistrictProgrammes(ctx, now.Add(-2*time.Hour)); len(l) != 2 {
		t.Fatalf("at 23:00 on 12-01 in Shanghai the hub reads %+v; want both", l)
	}
	if l, _ := db.DistrictProgrammes(ctx, now.Add(2*time.Hour)); len(l) != 0 {
		t.Fatalf("at 01:00 on 12-02 in Urumqi the hub reads %+v; want none", l)
	}
}
