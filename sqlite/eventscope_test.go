package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// districtDB opens a store holding two communities, 光华街社区 (1) and
// 和泽苑社区 (2), each with a room of its own. It returns the store, the
// clock, the scopes of their staff (and kiosks), and the place ids.
func districtDB(t *testing.T) (db *sqlite.DB, clock *Clock, a, b context.Context, placeA, placeB int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chorus.db")
	db, clock = MustOpenDBAt(t, path)
	raw := MustRawDB(t, path)
	if _, err := raw.Exec(`UPDATE community SET name = '光华街社区', sign_name = '光华街社区' WHERE id = 1;
		INSERT INTO community (id, name, sign_name) VALUES (2, '和泽苑社区', '和泽苑社区');
		INSERT INTO places (name, address, community_id) VALUES ('和泽苑小礼堂', '和泽苑1号', 2)`); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT id FROM places WHERE community_id = 2").Scan(&placeB); err != nil {
		t.Fatal(err)
	}
	a = chorus.WithScope(context.Background(), chorus.Scope{Community: 1})
	b = chorus.WithScope(context.Background(), chorus.Scope{Community: 2})
	return db, clock, a, b, MustPlace(t, db, "社区活动室").ID, placeB
}

// eventAt stores a clinic at place in ctx's community.
func eventAt(t *testing.T, db *sqlite.DB, ctx context.Context, place int64, title string, open bool) *chorus.Event {
	t.Helper()
	e := &chorus.Event{Kind: chorus.ServiceLecture, Title: title, PlaceID: place, CutoffMinutes: 60, DistrictOpen: open,
		Slots: []chorus.Slot{{Start: SlotStart, End: SlotStart.Add(60 * 60e9), Capacity: 10}}}
	if err := db.CreateEvent(ctx, e); err != nil {
		t.Fatalf("create %s: %v", title, err)
	}
	return e
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("%s: err = %v, want ENOTFOUND", what, err)
	}
}

func ids(events []chorus.Event) []int64 {
	var out []int64
	for _, e := range events {
		out = append(out, e.ID)
	}
	return out
}

// A community's events are its own: the other community's staff neither
// list nor reach them, creations are the scope's, and a place of another
// community is refused.
func TestDB_EventsIsolated(t *testing.T) {
	db, _, a, b, placeA, placeB := districtDB(t)
	ea := eventAt(t, db, a, placeA, "光华街义诊", false)
	eb := eventAt(t, db, b, placeB, "和泽苑讲座", false)
	if ea.Community != 1 || eb.Community != 2 {
		t.Fatalf("communities = %d, %d", ea.Community, eb.Community)
	}
	// Without a scope: community 1, as before districts.
	if got, err := db.Event(context.Background(), ea.ID); err != nil || got.Community != 1 || got.CommunityName != "光华街社区" {
		t.Fatalf("event without scope = %+v, %v", got, err)
	}
	for _, p := range []chorus.Period{chorus.PeriodUpcoming, chorus.PeriodToday, chorus.PeriodPast, chorus.PeriodCancelled} {
		la, err := db.ListEvents(a, p, T0)
		if err != nil {
			t.Fatal(err)
		}
		lb, _ := db.ListEvents(b, p, T0)
		for _, e := range la {
			if e.Community != 1 {
				t.Errorf("%s: community 1 lists %+v", p, e)
			}
		}
		for _, e := range lb {
			if e.Community != 2 {
				t.Errorf("%s: community 2 lists %+v", p, e)
			}
		}
	}
	if l, _ := db.ListEvents(b, chorus.PeriodUpcoming, T0); len(l) != 1 || l[0].ID != eb.ID || l[0].CommunityName != "和泽苑社区" {
		t.Fatalf("community 2's upcoming = %+v", l)
	}
	// A district admin acting in community 2 lists community 2's only.
	district := chorus.WithScope(context.Background(), chorus.Scope{Community: 2, District: true})
	if l, _ := db.ListEvents(district, chorus.PeriodUpcoming, T0); len(l) != 1 || l[0].ID != eb.ID {
		t.Fatalf("district admin in community 2 lists %v", ids(l))
	}
	if up, _ := db.UpcomingEvents(b, T0); len(up) != 1 || up[0].ID != eb.ID {
		t.Fatalf("community 2's kiosks see %v", ids(up))
	}

	// Lookups and changes of community 1's event from community 2.
	_, err := db.Event(b, ea.ID)
	wantNotFound(t, "Event", err)
	_, err = db.EventBookings(b, ea.ID)
	wantNotFound(t, "EventBookings", err)
	_, err = db.Attendance(b, ea.ID)
	wantNotFound(t, "Attendance", err)
	_, err = db.SearchBookings(b, ea.ID, "张阿姨")
	wantNotFound(t, "SearchBookings", err)
	upd := *ea
	upd.Title = "改了"
	wantNotFound(t, "UpdateEvent", db.UpdateEvent(b, &upd))
	wantNotFound(t, "CancelEvent", db.CancelEvent(b, ea.ID, chorus.ActorStaff, "试试"))
	_, err = db.Book(b, Req(ea, 0, Phone(1)))
	wantNotFound(t, "Book", err)
	if got, _ := db.Event(a, ea.ID); got.Title != "光华街义诊" || got.Status != chorus.EventOpen {
		t.Fatalf("community 1's event changed: %+v", got)
	}
	// The district admin reaches it.
	if _, err := db.Event(district, ea.ID); err != nil {
		t.Fatalf("district admin: %v", err)
	}
	if _, err := db.Attendance(district, ea.ID); err != nil {
		t.Fatalf("district admin attendance: %v", err)
	}

	// A place of the other community is refused, in Chinese.
	wrong := &chorus.Event{Kind: chorus.ServiceClinic, Title: "借场地", PlaceID: placeA,
		Slots: []chorus.Slot{{Start: SlotStart, End: SlotStart.Add(60e9), Capacity: 1}}}
	err = db.CreateEvent(b, wrong)
	if chorus.ErrorCode(err) != chorus.EINVALID || chorus.ErrorMessage(err) != "这个地点不属于本社区,请选择本社区的地点。" {
		t.Fatalf("event of 2 at a place of 1: %v", err)
	}
	moved := *eb
	moved.PlaceID = placeA
	if err := db.UpdateEvent(b, &moved); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Fatalf("moving 2's event to 1's place: %v", err)
	}
}

// Bookings and check-in belong to the event's community: community 2's
// staff reach none of community 1's.
func TestDB_BookingsIsolated(t *testing.T) {
	db, clock, a, b, placeA, _ := districtDB(t)
	ea := eventAt(t, db, a, placeA, "光华街义诊", false)
	booked, err := db.Book(a, chorus.BookingRequest{EventID: ea.ID, SlotID: ea.Slots[0].ID, Phone: Phone(1), Name: "张阿姨", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if booked.Community != 1 {
		t.Fatalf("booking's community = %d", booked.Community)
	}
	_, err = db.Booking(b, booked.ID)
	wantNotFound(t, "Booking", err)
	_, err = db.Transition(b, booked.ID, chorus.StatusCancelled, chorus.ActorStaff, "")
	wantNotFound(t, "Transition", err)
	_, err = db.MoveBooking(b, booked.ID, ea.Slots[0].ID, chorus.ActorStaff, "")
	wantNotFound(t, "MoveBooking", err)
	for name, req := range map[string]chorus.CheckinRequest{
		"code":  {EventID: ea.ID, Code: booked.Code},
		"token": {EventID: ea.ID, Token: booked.CheckinToken},
		"id":    {EventID: ea.ID, BookingID: booked.ID},
	} {
		_, err := db.CheckIn(b, req)
		wantNotFound(t, "CheckIn by "+name, err)
	}
	if got, _ := db.Booking(a, booked.ID); got.Status != chorus.StatusConfirmed {
		t.Fatalf("booking after community 2's attempts = %+v", got)
	}
	// The resident's own lookups reach their booking at a kiosk of the
	// event's community only: the event is not open to the district, so
	// community 2 (its kiosks, its staff) finds nothing of it, even given
	// the phone.
	if l, _ := db.BookingsByPhone(a, Phone(1)); len(l) != 1 || l[0].ID != booked.ID {
		t.Fatalf("by phone at home = %+v", l)
	}
	if l, _ := db.BookingsByPhone(b, Phone(1)); len(l) != 0 {
		t.Fatalf("by phone in community 2 = %+v", l)
	}
	if _, err := db.OwnBooking(a, booked.ID, Phone(1)); err != nil {
		t.Fatalf("own booking: %v", err)
	}
	_, err = db.OwnBooking(b, booked.ID, Phone(1))
	wantNotFound(t, "OwnBooking in community 2", err)
	_, err = db.MoveOwnBooking(b, booked.ID, Phone(1), ea.Slots[0].ID)
	wantNotFound(t, "MoveOwnBooking in community 2", err)
	_, err = db.OwnBooking(a, booked.ID, Phone(2))
	wantNotFound(t, "OwnBooking of another phone", err)
	// Community 1 checks in.
	clock.Set(SlotStart)
	res, err := db.CheckIn(a, chorus.CheckinRequest{EventID: ea.ID, Code: booked.Code})
	if err != nil || res.Outcome != chorus.CheckinOK {
		t.Fatalf("check-in at home = %+v, %v", res, err)
	}
}

// An event opened to the district shows on every community's kiosks,
// labelled with its host, and a resident of community 1 books it from a
// kiosk of community 1: the booking is the host's (community 2's staff
// see it in their lists and check it in), community 1's staff do not.
func TestDB_DistrictOpenEvent(t *testing.T) {
	db, clock, a, b, placeA, placeB := districtDB(t)
	home := eventAt(t, db, a, placeA, "光华街义诊", false)
	closed := eventAt(t, db, b, placeB, "和泽苑内部活动", false)
	open := eventAt(t, db, b, placeB, "小礼堂健康讲座", true)
	if !open.DistrictOpen {
		t.Fatal("not open")
	}
	up, err := db.UpcomingEvents(a, T0)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(up); len(got) != 2 || got[0] != home.ID || got[1] != open.ID {
		t.Fatalf("community 1's kiosks see %v, want [%d %d]", got, home.ID, open.ID)
	}
	if up[1].CommunityName != "和泽苑社区" || up[1].Community != 2 || !up[1].DistrictOpen {
		t.Fatalf("open event = %+v", up[1])
	}
	if l, _ := db.ListEvents(a, chorus.PeriodUpcoming, T0); len(l) != 1 || l[0].ID != home.ID {
		t.Fatalf("community 1's staff list %v", ids(l))
	}
	if got, err := db.Event(a, open.ID); err != nil || got.CommunityName != "和泽苑社区" {
		t.Fatalf("open event read from 1 = %+v, %v", got, err)
	}
	_, err = db.Event(a, closed.ID)
	wantNotFound(t, "2's closed event from 1", err)

	// A resident of community 1 books it from community 1's kiosk.
	kioskA := chorus.WithScope(context.Background(), chorus.Scope{Community: 1})
	bk, err := db.Book(kioskA, chorus.BookingRequest{EventID: open.ID, SlotID: open.Slots[0].ID, Phone: Phone(7),
		Name: "王大爷", Source: "kiosk", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if bk.Community != 2 {
		t.Fatalf("booking's community = %d, want the host's", bk.Community)
	}
	// Again from the same kiosk: the booking held comes back.
	again, err := db.Book(kioskA, chorus.BookingRequest{EventID: open.ID, SlotID: open.Slots[0].ID, Phone: Phone(7)})
	if err != nil || again.ID != bk.ID || !again.Existing {
		t.Fatalf("again = %+v, %v", again, err)
	}
	// The host's staff see it; community 1's do not.
	if l, err := db.EventBookings(b, open.ID); err != nil || len(l) != 1 || l[0].ID != bk.ID {
		t.Fatalf("host's bookings = %+v, %v", l, err)
	}
	if at, err := db.Attendance(b, open.ID); err != nil || at.Booked != 1 {
		t.Fatalf("host's attendance = %+v, %v", at, err)
	}
	_, err = db.EventBookings(a, open.ID)
	wantNotFound(t, "EventBookings from 1", err)
	_, err = db.Attendance(a, open.ID)
	wantNotFound(t, "Attendance from 1", err)
	_, err = db.Booking(a, bk.ID)
	wantNotFound(t, "Booking from 1", err)
	// The resident finds and cancels it at home, by phone.
	if l, _ := db.BookingsByPhone(kioskA, Phone(7)); len(l) != 1 || l[0].ID != bk.ID || l[0].EventTitle != "小礼堂健康讲座" {
		t.Fatalf("resident's bookings = %+v", l)
	}
	// Check-in is the host's: not at community 1's door.
	clock.Set(SlotStart)
	_, err = db.CheckIn(a, chorus.CheckinRequest{EventID: open.ID, Code: bk.Code})
	wantNotFound(t, "check-in at 1", err)
	res, err := db.CheckIn(b, chorus.CheckinRequest{EventID: open.ID, Code: bk.Code})
	if err != nil || res.Outcome != chorus.CheckinOK {
		t.Fatalf("check-in at the host = %+v, %v", res, err)
	}

	// Closing it to the district again: gone from community 1's kiosks.
	open.DistrictOpen = false
	if err := db.UpdateEvent(b, open); err != nil {
		t.Fatal(err)
	}
	if up, _ := db.UpcomingEvents(a, T0); len(up) != 1 || up[0].ID != home.ID {
		t.Fatalf("after closing, community 1 sees %v", ids(up))
	}
	_, err = db.Book(kioskA, chorus.BookingRequest{EventID: open.ID, SlotID: open.Slots[0].ID, Phone: Phone(8)})
	wantNotFound(t, "booking a closed event of 2 from 1", err)
	all, _ := db.DistrictUpcomingEvents(context.Background(), T0)
	if len(all) != 3 {
		t.Fatalf("the hub reads %v", ids(all))
	}
}

// Programmes and enrolments are their community's.
func TestDB_ProgrammesIsolated(t *testing.T) {
	db, _, a, b, placeA, placeB := districtDB(t)
	mk := func(ctx context.Context, place int64, title string) *chorus.Programme {
		p := &chorus.Programme{Title: title, PlaceID: place, StartDate: "2027-01-18", EndDate: "2027-02-05",
			MinAge: 3, MaxAge: 6, Capacity: 10}
		if err := db.CreateProgramme(ctx, p); err != nil {
			t.Fatalf("create %s: %v", title, err)
		}
		return p
	}
	pa := mk(a, placeA, "光华街寒假托管")
	pb := mk(b, placeB, "和泽苑寒假托管")
	if pa.Community != 1 || pb.Community != 2 {
		t.Fatalf("communities %d %d", pa.Community, pb.Community)
	}
	today := T0.Format("2006-01-02")
	if l, _ := db.Programmes(b, today); len(l) != 1 || l[0].ID != pb.ID {
		t.Fatalf("community 2's programmes = %+v", l)
	}
	if l, _ := db.ListProgrammes(a, chorus.PeriodUpcoming, today); len(l) != 1 || l[0].ID != pa.ID {
		t.Fatalf("community 1's list = %+v", l)
	}
	if l, _ := db.DistrictProgrammes(context.Background(), T0); len(l) != 2 {
		t.Fatalf("the hub reads %+v", l)
	}
	_, err := db.Programme(b, pa.ID)
	wantNotFound(t, "Programme", err)
	_, err = db.Enrolments(b, pa.ID, "")
	wantNotFound(t, "Enrolments", err)
	_, err = db.CancelProgramme(b, pa.ID, chorus.ActorStaff, "")
	wantNotFound(t, "CancelProgramme", err)
	upd := *pa
	upd.Capacity = 20
	wantNotFound(t, "UpdateProgramme", db.UpdateProgramme(b, &upd))
	enrol := chorus.EnrolmentRequest{ProgrammeID: pa.ID, Phone: Phone(3), Name: "李妈妈",
		Children: []chorus.Child{{Name: "小明", Age: 5}}}
	_, err = db.Enrol(b, enrol)
	wantNotFound(t, "Enrol from 2", err)
	n, err := db.Enrol(a, enrol)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.CancelEnrolment(b, n.ID, chorus.ActorStaff, "")
	wantNotFound(t, "CancelEnrolment", err)
	_, err = db.ConfirmEnrolmentOffer(b, n.ID, chorus.ActorStaff)
	wantNotFound(t, "ConfirmEnrolmentOffer", err)
	if l, _ := db.Enrolments(a, pa.ID, ""); len(l) != 1 || l[0].Status == chorus.StatusCancelled {
		t.Fatalf("enrolments = %+v", l)
	}
	bad := &chorus.Programme{Title: "借场地", PlaceID: placeA, StartDate: "2027-01-18", EndDate: "2027-02-05", MinAge: 3, MaxAge: 6, Capacity: 1}
	if err := db.CreateProgramme(b, bad); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Fatalf("programme of 2 at 1's place: %v", err)
	}
}

// A phone first seen in a booking becomes a resident of the community
// that took the booking (its kiosk or staff), even for an event another
// community opened to the district: before, every such record was
// community 1's, and a booking at 和泽苑's kiosk left its resident
// unknown to 和泽苑's staff.
func TestDB_BookingResidentCommunity(t *testing.T) {
	db, _, a, b, _, placeB := districtDB(t)
	home := eventAt(t, db, b, placeB, "和泽苑健康讲座", false)
	open := eventAt(t, db, b, placeB, "小礼堂讲座", true)
	for _, c := range []struct {
		ctx   context.Context
		ev    *chorus.Event
		phone string
		in    context.Context // the community that finds the resident
		notIn context.Context
	}{
		{b, home, Phone(7), b, a},
		{a, open, Phone(8), a, b},
	} {
		if _, err := db.Book(c.ctx, chorus.BookingRequest{EventID: c.ev.ID, SlotID: c.ev.Slots[0].ID, Phone: c.phone, Name: "孙阿姨"}); err != nil {
			t.Fatal(err)
		}
		if r, err := db.Resident(c.in, c.phone); err != nil || r.Name != "孙阿姨" {
			t.Fatalf("%s in its community: %+v, %v", c.phone, r, err)
		}
		_, err := db.Resident(c.notIn, c.phone)
		wantNotFound(t, "resident of the other community", err)
	}
}
