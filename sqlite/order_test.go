package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// Haircut returns a request of phone for a haircut on Thursday morning,
// with no address.
func Haircut(phone string) chorus.HaircutRequest {
	return chorus.HaircutRequest{Phone: phone, Name: "王大爷", Day: "2026-12-03", HalfDay: chorus.Morning}
}

// MustHaircut requests a haircut and fails the test on an error.
func MustHaircut(tb testing.TB, db *sqlite.DB, req chorus.HaircutRequest) *chorus.Order {
	tb.Helper()
	o, err := db.RequestHaircut(context.Background(), req)
	if err != nil {
		tb.Fatalf("haircut for %s: %v", req.Phone, err)
	}
	return o
}

func TestDB_RequestHaircut(t *testing.T) {
	ctx := context.Background()

	t.Run("AddressKeptOnFile", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		estate := MustEstate(t, db, "光华街16号院")
		req := Haircut("138 1234 5678")
		req.Address = chorus.Address{EstateID: estate.ID, Building: "3", Unit: "2", Room: "502"}
		req.Notes = "行动不便"
		o := MustHaircut(t, db, req)
		want := chorus.Address{EstateID: estate.ID, Estate: "光华街16号院", Building: "3", Unit: "2", Room: "502"}
		if o.Address != want || o.Status != chorus.OrderRequested || o.Kind != chorus.ServiceHaircut ||
			o.Phone != "13812345678" || o.Name != "王大爷" || o.Notes != "行动不便" || o.Existing {
			t.Fatalf("order = %+v", o)
		}
		if got := o.Address.String(); got != "光华街16号院3号楼2单元502" {
			t.Fatalf("address = %q", got)
		}
		r, err := db.Resident(ctx, "13812345678")
		if err != nil || r.Address != want {
			t.Fatalf("resident = %+v, %v", r, err)
		}

		// The next request without an address (after the first is done
		// with) goes to the one on file.
		if _, err := db.CancelOrder(ctx, o.ID, chorus.ActorResident, ""); err != nil {
			t.Fatal(err)
		}
		req = Haircut("13812345678")
		req.Name = ""
		second := MustHaircut(t, db, req)
		if second.ID == o.ID || second.Existing || second.Address != want || second.Name != "王大爷" {
			t.Fatalf("second order = %+v", second)
		}
	})

	t.Run("AddressFromSaveResident", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		estate := MustEstate(t, db, "光华北里")
		if err := db.SaveResident(ctx, &chorus.Resident{Phone: Phone(1), Name: "赵奶奶",
			Address: chorus.Address{EstateID: estate.ID, Building: "7", Room: "101"}}); err != nil {
			t.Fatal(err)
		}
		o := MustHaircut(t, db, Haircut(Phone(1)))
		if o.Address.EstateID != estate.ID || o.Address.Building != "7" || o.Address.Room != "101" {
			t.Fatalf("order address = %+v", o.Address)
		}
	})

	t.Run("ErrNoAddress", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		_, err := db.RequestHaircut(ctx, Haircut(Phone(1)))
		wantCode(t, err, chorus.EINVALID)
		// Nothing of the refused request is kept.
		_, err = db.Resident(ctx, Phone(1))
		wantCode(t, err, chorus.ENOTFOUND)
		if orders, _ := db.Orders(ctx, ""); len(orders) != 0 {
			t.Fatalf("orders = %+v", orders)
		}
	})

	t.Run("ErrUnknownEstate", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		req := Haircut(Phone(1))
		req.Address = chorus.Address{EstateID: 99, Building: "1"}
		_, err := db.RequestHaircut(ctx, req)
		wantCode(t, err, chorus.EINVALID)
	})

	t.Run("ExistingOpenOrder", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		estate := MustEstate(t, db, "光华街16号院")
		req := Haircut(Phone(1))
		req.Address = chorus.Address{EstateID: estate.ID, Building: "3"}
		first := MustHaircut(t, db, req)
		req.Day, req.HalfDay = "2026-12-04", chorus.Afternoon
		again := MustHaircut(t, db, req)
		if !again.Existing || again.ID != first.ID || again.Day != "2026-12-03" {
			t.Fatalf("again = %+v", again)
		}
		if orders, _ := db.Orders(ctx, ""); len(orders) != 1 {
			t.Fatalf("orders = %d, want 1", len(orders))
		}
	})

	t.Run("Days", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		estate := MustEstate(t, db, "光华街16号院")
		clock.Set(time.Date(2026, 12, 2, 7, 0, 0, 0, shanghai)) // still the 1st in UTC
		for day, want := range map[string]string{
			"2026-12-01": chorus.EINVALID, // yesterday in Shanghai
			"2026-12-02": "",              // today
			"2027-01-01": "",              // 30 days ahead
			"2027-01-02": chorus.EINVALID, // 31 days ahead
			"12月3日":      chorus.EINVALID,
		} {
			req := Haircut(Phone(1))
			req.Day = day
			req.Address = chorus.Address{EstateID: estate.ID, Building: "3"}
			o, err := db.RequestHaircut(ctx, req)
			if got := chorus.ErrorCode(err); got != want {
				t.Errorf("day %s: code %q, want %q", day, got, want)
			}
			if err == nil {
				if _, err := db.CancelOrder(ctx, o.ID, chorus.ActorStaff, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		req := Haircut(Phone(1))
		req.HalfDay = "evening"
		_, err := db.RequestHaircut(ctx, req)
		wantCode(t, err, chorus.EINVALID)
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		estate := MustEstate(t, db, "光华街16号院")
		req := Haircut(Phone(1))
		req.Address = chorus.Address{EstateID: estate.ID, Building: "3", Room: "502"}
		req.IdempotencyKey = "kiosk-1-0001"
		first := MustHaircut(t, db, req)
		if again := MustHaircut(t, db, req); !again.Existing || again.ID != first.ID {
			t.Fatalf("retry = %+v", again)
		}
		// The same key from another phone (a kiosk whose counter started
		// again) must not hand out the first resident's order and address.
		other := Haircut(Phone(2))
		other.Address = chorus.Address{EstateID: estate.ID, Building: "9"}
		other.IdempotencyKey = "kiosk-1-0001"
		_, err := db.RequestHaircut(ctx, other)
		wantCode(t, err, chorus.ECONFLICT)
	})
}

func TestDB_CancelOrder(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		estate := MustEstate(t, db, "光华街16号院")
		req := Haircut(Phone(1))
		req.Address = chorus.Address{EstateID: estate.ID, Building: "3"}
		o := MustHaircut(t, db, req)
		t1 := T0.Add(30 * time.Minute)
		clock.Set(t1)
		got, err := db.CancelOrder(ctx, o.ID, "staff:li", "居民电话取消")
		if err != nil || got.Status != chorus.OrderCancelled {
			t.Fatalf("cancel = %+v, %v", got, err)
		}
		tl, err := db.OrderTimeline(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		// No barbershop in this store: the order is escalated to staff at once.
		want := []chorus.OrderEvent{
			{At: T0, Status: chorus.OrderRequested, Actor: chorus.ActorResident},
			{At: T0, Status: chorus.OrderRequested, Actor: chorus.ActorSystem, Note: "无人接单,已通知值班工作人员"},
			{At: t1, Status: chorus.OrderCancelled, Actor: "staff:li", Note: "居民电话取消"},
		}
		if len(tl) != len(want) {
			t.Fatalf("timeline = %+v, want %+v", tl, want)
		}
		for i := range want {
			if !tl[i].At.Equal(want[i].At) || tl[i].Status != want[i].Status || tl[i].Actor != want[i].Actor || tl[i].Note != want[i].Note {
				t.Fatalf("timeline[%d] = %+v, want %+v", i, tl[i], want[i])
			}
		}
		if list, _ := db.Orders(ctx, chorus.OrderCancelled); len(list) != 1 || list[0].ID != o.ID {
			t.Fatalf("cancelled orders = %+v", list)
		}
		if list, _ := db.Orders(ctx, chorus.OrderRequested); len(list) != 0 {
			t.Fatalf("requested orders = %+v", list)
		}
		_, err = db.CancelOrder(ctx, o.ID, chorus.ActorStaff, "")
		wantCode(t, err, chorus.ECONFLICT)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		_, err := db.CancelOrder(ctx, 42, chorus.ActorStaff, "")
		wantCode(t, err, chorus.ENOTFOUND)
		_, err = db.Order(ctx, 42)
		wantCode(t, err, chorus.ENOTFOUND)
	})
}
