package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDB_BookAnswer: a booking's answer says whether it is new, a retry of
// the same request, or one the phone already held, and where its SMS is.
func TestDB_BookAnswer(t *testing.T) {
	db, _ := MustOpenDB(t)
	e := MustEvent(t, db, Slots(2, 5))
	req := Req(e, 0, Phone(1))
	req.IdempotencyKey = "kiosk-1"
	first := MustBook(t, db, req)
	if first.Existing || first.Replayed || first.SMS != chorus.MessageQueued {
		t.Errorf("new booking: existing %v replayed %v sms %q, want a new one with its SMS queued", first.Existing, first.Replayed, first.SMS)
	}
	retry := MustBook(t, db, req)
	if !retry.Existing || !retry.Replayed || retry.SMS != chorus.MessageQueued || retry.ID != first.ID {
		t.Errorf("retry: %+v, want the first booking, replayed, with its SMS", retry)
	}
	again := Req(e, 1, Phone(1))
	again.IdempotencyKey = "kiosk-2"
	held := MustBook(t, db, again)
	if !held.Existing || held.Replayed || held.SMS != "" || held.SlotID != e.Slots[0].ID {
		t.Errorf("second request: %+v, want the booking held, not replayed, no SMS", held)
	}

	// A phone over its daily limit: the booking is made, its SMS refused.
	db.PerPhoneDaily = 1
	other := MustBook(t, db, Req(e, 0, Phone(2)))
	if other.SMS != chorus.MessageQueued {
		t.Fatalf("sms = %q", other.SMS)
	}
	MustTransition(t, db, other.ID, chorus.StatusCancelled, chorus.ActorResident)
	refused := MustBook(t, db, Req(e, 1, Phone(2)))
	if refused.Existing || refused.SMS != chorus.MessageRefused {
		t.Errorf("over the limit: existing %v sms %q, want a new booking with its SMS refused", refused.Existing, refused.SMS)
	}
}

func TestDB_MoveOwnBooking(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenDB(t)
	e := MustEvent(t, db, Slots(3, 1))
	b := MustBook(t, db, Req(e, 0, Phone(1)))
	MustBook(t, db, Req(e, 2, Phone(2)))

	if _, err := db.MoveOwnBooking(ctx, b.ID, Phone(3), e.Slots[1].ID); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("another phone: %v, want ENOTFOUND", err)
	}
	if _, err := db.MoveOwnBooking(ctx, b.ID, Phone(1), e.Slots[2].ID); chorus.ErrorCode(err) != chorus.EFULL {
		t.Errorf("to a full slot: %v, want EFULL", err)
	}
	moved, err := db.MoveOwnBooking(ctx, b.ID, Phone(1), e.Slots[1].ID)
	if err != nil || moved.SlotID != e.Slots[1].ID {
		t.Fatalf("move: %+v, %v", moved, err)
	}
	wantTaken(t, db, e.Slots[0].ID, 0)
	wantTaken(t, db, e.Slots[1].ID, 1)
	// The same move again (a retry after a slow network): the booking as
	// it is, not 已经是这个时段了; nothing changes and no SMS is sent.
	sms, err := db.Messages(ctx, Phone(1), 100)
	if err != nil {
		t.Fatal(err)
	}
	again, err := db.MoveOwnBooking(ctx, b.ID, Phone(1), e.Slots[1].ID)
	if err != nil || again.SlotID != e.Slots[1].ID || again.Code != moved.Code || again.Status != moved.Status {
		t.Errorf("the same move again: %+v, %v; want the moved booking", again, err)
	}
	wantTaken(t, db, e.Slots[1].ID, 1)
	if after, _ := db.Messages(ctx, Phone(1), 100); len(after) != len(sms) {
		t.Errorf("the same move again sent %d SMS", len(after)-len(sms))
	}
	// After the cut-off of the slot asked for, a resident cannot move there.
	clock.Set(e.Slots[0].Start.Add(-59 * time.Minute))
	if _, err := db.MoveOwnBooking(ctx, b.ID, Phone(1), e.Slots[0].ID); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Errorf("after the cut-off: %v, want ECONFLICT", err)
	}
}

func TestDB_ChangeOrderDay(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	estate := MustEstate(t, db, "光华街16号院")
	req := Haircut(Phone(1))
	req.Address = chorus.Address{EstateID: estate.ID, Building: "3", Unit: "2", Room: "502"}
	o := MustHaircut(t, db, req)

	// A second request answers with the open order, not the new day.
	second := req
	second.Day, second.HalfDay = "2026-12-04", chorus.Afternoon
	again := MustHaircut(t, db, second)
	if !again.Existing || again.Replayed || again.ID != o.ID || again.Day != "2026-12-03" {
		t.Fatalf("second request: %+v", again)
	}
	if _, err := db.ChangeOrderDay(ctx, o.ID, Phone(2), "2026-12-04", chorus.Afternoon); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Errorf("another phone: %v, want ENOTFOUND", err)
	}
	if _, err := db.ChangeOrderDay(ctx, o.ID, Phone(1), "2026-11-01", chorus.Afternoon); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("a past day: %v, want EINVALID", err)
	}
	got, err := db.ChangeOrderDay(ctx, o.ID, Phone(1), "2026-12-04", chorus.Afternoon)
	if err != nil || got.Day != "2026-12-04" || got.HalfDay != chorus.Afternoon {
		t.Fatalf("change: %+v, %v", got, err)
	}
	tl, err := db.OrderTimeline(ctx, o.ID)
	if err != nil || tl[len(tl)-1].Note == "" {
		t.Errorf("timeline %+v, %v: want the change noted", tl, err)
	}
	if _, err := db.CancelOrder(ctx, o.ID, chorus.ActorStaff, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ChangeOrderDay(ctx, o.ID, Phone(1), "2026-12-05", chorus.Morning); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Errorf("a cancelled order: %v, want ECONFLICT", err)
	}
}

// TestDB_EstateLayout: an estate keeps its buildings and units, and an
// address in a building or unit it does not have is refused in words.
func TestDB_EstateLayout(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	e := &chorus.Estate{Name: "和平里小区", Buildings: 9, Units: 3}
	if err := db.SaveEstate(ctx, e); err != nil {
		t.Fatal(err)
	}
	list, err := db.Estates(ctx)
	if err != nil || len(list) != 1 || list[0].Buildings != 9 || list[0].Units != 3 {
		t.Fatalf("estates = %+v, %v", list, err)
	}
	for _, bad := range []chorus.Estate{{Name: "x", Buildings: -1}, {Name: "x", Buildings: 100}, {Name: "x", Units: 21}} {
		if err := db.SaveEstate(ctx, &bad); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Errorf("SaveEstate(%+v) = %v, want EINVALID", bad, err)
		}
	}
	req := Haircut(Phone(1))
	for _, c := range []struct {
		building, unit string
		want           string
	}{{"10", "1", "1到9号楼"}, {"2", "4", "1到3单元"}, {"x", "1", "1到9号楼"}} {
		req.Address = chorus.Address{EstateID: e.ID, Building: c.building, Unit: c.unit, Room: "101"}
		_, err := db.RequestHaircut(ctx, req)
		if chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), c.want) {
			t.Errorf("building %s unit %s: %v, want EINVALID naming %s", c.building, c.unit, err, c.want)
		}
	}
	req.Address = chorus.Address{EstateID: e.ID, Building: "9", Unit: "3", Room: "101"}
	MustHaircut(t, db, req)
}
