package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDB_DistrictFigures: with two communities, each community's figures
// count its own bookings, orders, SMS and kiosks only, over the period
// asked, whatever the caller's scope.
func TestDB_DistrictFigures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, clock := MustOpenDBAt(t, path)
	ctx := context.Background()
	db.StaffPhone = staffPhone
	e16 := MustEstate(t, db, "光华街16号院")
	if err := db.SavePartner(ctx, &chorus.Partner{Name: "巧手理发店", Kind: chorus.PartnerBarbershop, Phones: []string{barberA1},
		Services: []chorus.ServiceKind{chorus.ServiceHaircut}, OpensAt: "09:00", ClosesAt: "18:00", Active: true}); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)) // Tuesday 10:00, barbers open
	f := &dispatchFixture{db: db, clock: clock, estate: e16.ID}
	raw := MustRawDB(t, path)
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec("UPDATE community SET name = '光华街社区', sign_name = '光华街社区' WHERE id = 1")
	if err := db.AddCommunity(ctx, &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区"}); err != nil {
		t.Fatal(err)
	}
	hz := chorus.WithScope(ctx, chorus.Scope{Community: 2})

	// Community 1: an event of three bookings (one came, one did not, one
	// cancelled), one event next year, and a haircut accepted after 12
	// minutes.
	e1 := MustEvent(t, db, Slots(1, 10))
	came := MustBook(t, db, Req(e1, 0, Phone(1)))
	missed := MustBook(t, db, Req(e1, 0, Phone(2)))
	gone := MustBook(t, db, Req(e1, 0, Phone(3)))
	for _, b := range []*chorus.Booking{came, missed} {
		MustTransition(t, db, b.ID, chorus.StatusConfirmed, chorus.ActorResident)
	}
	MustTransition(t, db, came.ID, chorus.StatusCheckedIn, chorus.ActorStaff)
	MustTransition(t, db, missed.ID, chorus.StatusNoShow, chorus.ActorStaff)
	MustTransition(t, db, gone.ID, chorus.StatusCancelled, chorus.ActorResident)
	later := MustEvent(t, db, func(e *chorus.Event) {
		e.Title = "明年的讲座"
		start := SlotStart.AddDate(1, 0, 0)
		e.Slots = []chorus.Slot{{Start: start, End: start.Add(time.Hour), Capacity: 5}}
	})
	MustBook(t, db, Req(later, 0, Phone(4)))
	o := f.haircut(t)
	f.clock.Add(12 * time.Minute)
	f.reply(t, barberA1, chorus.IntentAccept, o.ID)

	// Community 2: an event of two bookings, one checked in; an order
	// nobody took; a paired kiosk and a revoked one.
	e2 := MustEvent(t, db, Slots(1, 10), func(e *chorus.Event) { e.Title = "靓丽星期五" })
	b21 := MustBook(t, db, Req(e2, 0, Phone(21)))
	MustBook(t, db, Req(e2, 0, Phone(22)))
	MustTransition(t, db, b21.ID, chorus.StatusConfirmed, chorus.ActorResident)
	MustTransition(t, db, b21.ID, chorus.StatusCheckedIn, chorus.ActorStaff)
	o2, err := db.RequestHaircut(ctx, chorus.HaircutRequest{Phone: Phone(23), Name: "李大爷",
		Address: chorus.Address{EstateID: e16.ID, Unit: "1", Room: "202"}, Day: "2026-12-03", HalfDay: chorus.Morning})
	if err != nil {
		t.Fatal(err)
	}
	mustExec("UPDATE events SET community_id = 2 WHERE id = ?", e2.ID)
	mustExec("UPDATE orders SET community_id = 2 WHERE id = ?", o2.ID)
	place := MustPlace(t, db, "社区活动室")
	k1, code, err := db.CreateKiosk(ctx, "光华街一楼", place.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Pair(ctx, code); err != nil {
		t.Fatal(err)
	}
	// Community 2's kiosks, at its own place, made and revoked in its scope.
	place2 := &chorus.Place{Name: "和泽苑社区活动室"}
	if err := db.SavePlace(hz, place2); err != nil {
		t.Fatal(err)
	}
	var k2ids []int64
	for _, name := range []string{"和泽苑一楼", "和泽苑旧机"} {
		k, code, err := db.CreateKiosk(hz, name, place2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Pair(ctx, code); err != nil {
			t.Fatal(err)
		}
		k2ids = append(k2ids, k.ID)
	}
	if _, err := db.RevokeKiosk(hz, k2ids[1]); err != nil {
		t.Fatal(err)
	}
	// SMS: community 2's residents' messages are community 2's; one sent,
	// one failed.
	mustExec("UPDATE messages SET community_id = 2 WHERE phone IN (?, ?, ?)", Phone(21), Phone(22), Phone(23))
	var m21, m22 int64
	if err := raw.QueryRow("SELECT MIN(id) FROM messages WHERE phone = ?", Phone(21)).Scan(&m21); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT MIN(id) FROM messages WHERE phone = ?", Phone(22)).Scan(&m22); err != nil {
		t.Fatal(err)
	}
	now := f.clock.Now()
	if err := db.MarkSubmitted(ctx, m21, "biz-21", now); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, m22, "isv.MOBILE_NUMBER_ILLEGAL", "号码错误", now); err != nil {
		t.Fatal(err)
	}
	var sent1 int
	if err := raw.QueryRow("SELECT COUNT(*) FROM messages WHERE community_id = 1 AND status IN ('submitted','delivered')").Scan(&sent1); err != nil {
		t.Fatal(err)
	}

	from, to := T0.AddDate(0, 0, -1), T0.AddDate(0, 0, 7) // this week, SlotStart in it
	// Asked in community 2's scope (not a district scope): the figures are
	// still every community's — the server lets only the district ask.
	figs, err := db.DistrictFigures(chorus.WithScope(ctx, chorus.Scope{Community: 2}), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 2 || figs[0].ID != 1 || figs[1].ID != 2 || figs[0].Name != "光华街社区" || figs[1].Name != "和泽苑社区" {
		t.Fatalf("communities = %+v", figs)
	}
	g, h := figs[0], figs[1]
	if g.Bookings != 2 || g.Attended != 1 || g.NoShows != 1 {
		t.Errorf("光华街 bookings = %d, attended %d, no-shows %d; want 2, 1, 1 (the cancelled one and next year's not counted)", g.Bookings, g.Attended, g.NoShows)
	}
	if g.Orders != 1 || g.OrdersAccepted != 1 || g.AcceptMinutesMedian != 12 {
		t.Errorf("光华街 orders = %d, accepted %d in %v minutes; want 1, 1, 12", g.Orders, g.OrdersAccepted, g.AcceptMinutesMedian)
	}
	if g.SMSSent != sent1 || g.SMSFailed != 0 || g.Kiosks != 1 || len(g.KioskIDs) != 1 || g.KioskIDs[0] != k1.ID {
		t.Errorf("光华街 SMS %d/%d, kiosks %d %v", g.SMSSent, g.SMSFailed, g.Kiosks, g.KioskIDs)
	}
	if h.Bookings != 2 || h.Attended != 1 || h.NoShows != 0 || h.Orders != 1 || h.OrdersAccepted != 0 || h.AcceptMinutesMedian != 0 {
		t.Errorf("和泽苑 = %+v", h)
	}
	if h.SMSSent != 1 || h.SMSFailed != 1 || h.Kiosks != 1 || len(h.KioskIDs) != 1 || h.KioskIDs[0] != k2ids[0] {
		t.Errorf("和泽苑 SMS %d/%d, kiosks %d %v; want 1/1, the revoked kiosk not counted", h.SMSSent, h.SMSFailed, h.Kiosks, h.KioskIDs)
	}

	// Next year: only the lecture's booking.
	figs, err = db.DistrictFigures(ctx, SlotStart.AddDate(1, 0, -1), SlotStart.AddDate(1, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if figs[0].Bookings != 1 || figs[0].Orders != 0 || figs[0].SMSSent != 0 || figs[1].Bookings != 0 || figs[1].Kiosks != 1 {
		t.Errorf("next year = %+v", figs)
	}
}
