package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// MustPartnerID stores the research institute of the seed and returns its
// id.
func MustPartnerID(tb testing.TB, db *sqlite.DB) int64 {
	tb.Helper()
	p := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"13900000001"},
		OpensAt: "08:30", ClosesAt: "17:30", Active: true}
	if err := db.SavePartner(context.Background(), p); err != nil {
		tb.Fatalf("save partner: %v", err)
	}
	return p.ID
}

// MustClass stores a Thursday 书法 class of the autumn term 2026
// (2026-09-03 to 2026-12-31, 国庆 skipped) in ctx's community at place.
func MustClass(tb testing.TB, db *sqlite.DB, ctx context.Context, place, partner int64, capacity int) *chorus.Class {
	tb.Helper()
	c := &chorus.Class{Title: "书法班", Teacher: "王老师", PartnerID: partner, PlaceID: place, Weekday: 4,
		StartTime: "19:00", EndTime: "20:30", FirstDate: "2026-09-03", LastDate: "2026-12-31", Capacity: capacity,
		Skipped: []chorus.DateRange{{From: "2026-10-01", To: "2026-10-07", Reason: "国庆节"}}}
	if err := db.CreateClass(ctx, c); err != nil {
		tb.Fatalf("create class: %v", err)
	}
	return c
}

func sessionAt(tb testing.TB, c *chorus.Class, date string) chorus.ClassSession {
	tb.Helper()
	for _, s := range c.Sessions {
		if s.Date == date {
			return s
		}
	}
	tb.Fatalf("no session on %s in %+v", date, c.Sessions)
	return chorus.ClassSession{}
}

func TestDB_Class(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	place := MustPlace(t, db, "小礼堂").ID
	c := MustClass(t, db, ctx, place, MustPartnerID(t, db), 20)

	got, err := db.Class(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "书法班" || got.Place != "小礼堂" || got.Partner != "中国电子科技集团第二研究所" || got.Community != 1 ||
		got.Status != chorus.EventOpen || len(got.Skipped) != 1 || got.Skipped[0].To != "2026-10-07" {
		t.Fatalf("class %+v", got)
	}
	// 18 Thursdays from 09-03 to 12-31, 10-01 skipped.
	if len(got.Sessions) != 18 || got.Sessions[0].Date != "2026-09-03" || got.Sessions[17].Date != "2026-12-31" {
		t.Fatalf("sessions %+v", got.Sessions)
	}
	if s := sessionAt(t, got, "2026-10-01"); s.Status != chorus.SessionSkipped || s.Reason != "国庆节" {
		t.Fatalf("国庆 %+v", s)
	}
	if s := sessionAt(t, got, "2026-10-08"); s.Status != chorus.SessionScheduled {
		t.Fatalf("10-08 %+v", s)
	}

	t.Run("CancelSession", func(t *testing.T) {
		// The clock is at Tuesday 2026-12-01: Thursday 12-03 can be called off.
		s, err := db.CancelClassSession(ctx, c.ID, "2026-12-03", chorus.ActorStaff, " 老师生病 ")
		if err != nil || s.Status != chorus.SessionCancelled || s.Reason != "老师生病" {
			t.Fatalf("%+v %v", s, err)
		}
		_, err = db.CancelClassSession(ctx, c.ID, "2026-12-03", chorus.ActorStaff, "老师生病")
		wantCode(t, err, chorus.ECONFLICT)
		_, err = db.CancelClassSession(ctx, c.ID, "2026-10-08", chorus.ActorStaff, "老师生病") // past
		wantCode(t, err, chorus.ECONFLICT)
		_, err = db.CancelClassSession(ctx, c.ID, "2026-10-01", chorus.ActorStaff, "老师生病") // a holiday
		wantCode(t, err, chorus.ECONFLICT)
		_, err = db.CancelClassSession(ctx, c.ID, "2026-12-04", chorus.ActorStaff, "老师生病") // a Friday
		wantCode(t, err, chorus.ENOTFOUND)
		_, err = db.CancelClassSession(ctx, c.ID, "2026-12-10", chorus.ActorStaff, "")
		wantCode(t, err, chorus.EINVALID)
		_, err = db.CancelClassSession(ctx, c.ID+100, "2026-12-10", chorus.ActorStaff, "老师生病")
		wantCode(t, err, chorus.ENOTFOUND)
	})

	t.Run("Update", func(t *testing.T) {
		before := sessionAt(t, got, "2026-12-03")
		upd := *got
		upd.LastDate = "2026-12-24"
		upd.Skipped = append(upd.Skipped, chorus.DateRange{From: "2026-12-24", Reason: "期末"})
		upd.Capacity = 25
		if err := db.UpdateClass(ctx, &upd); err != nil {
			t.Fatal(err)
		}
		after, err := db.Class(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Capacity != 25 || len(after.Sessions) != 17 || after.Sessions[16].Date != "2026-12-24" {
			t.Fatalf("after %+v", after)
		}
		if s := sessionAt(t, after, "2026-12-24"); s.Status != chorus.SessionSkipped || s.Reason != "期末" {
			t.Fatalf("12-24 %+v", s)
		}
		// The session called off stays called off, with the same id.
		if s := sessionAt(t, after, "2026-12-03"); s.ID != before.ID || s.Status != chorus.SessionCancelled {
			t.Fatalf("12-03 %+v, was %+v", s, before)
		}
		bad := *after
		bad.Weekday = 9
		wantCode(t, db.UpdateClass(ctx, &bad), chorus.EINVALID)
		again, _ := db.Class(ctx, c.ID)
		if again.Weekday != 4 || len(again.Sessions) != 17 {
			t.Fatalf("a refused change changed %+v", again)
		}
	})

	t.Run("List", func(t *testing.T) {
		l, err := db.ListClasses(ctx, chorus.PeriodUpcoming, "2026-12-01")
		if err != nil || len(l) != 1 || l[0].ID != c.ID || l[0].Sessions != nil {
			t.Fatalf("upcoming %+v %v", l, err)
		}
		if l, _ := db.ListClasses(ctx, chorus.PeriodPast, "2026-12-01"); len(l) != 0 {
			t.Fatalf("past %+v", l)
		}
		if l, _ := db.ListClasses(ctx, chorus.PeriodToday, "2026-12-10"); len(l) != 1 {
			t.Fatalf("today 12-10 %+v", l)
		}
		for _, day := range []string{"2026-12-03", "2026-12-09", "2026-10-01"} { // called off, a Wednesday, 国庆
			if l, _ := db.ListClasses(ctx, chorus.PeriodToday, day); len(l) != 0 {
				t.Fatalf("today %s %+v", day, l)
			}
		}
	})
}

func TestDB_ClassRefs(t *testing.T) {
	db, _, a, b, placeA, placeB := districtDB(t)
	partner := MustPartnerID(t, db)
	for _, tc := range []struct {
		ctx            context.Context
		place, partner int64
		want           string
	}{
		{a, placeB, partner, "不属于本社区"},
		{b, placeA, partner, "不属于本社区"},
		{a, placeA, partner + 1, "共建单位"},
		{a, placeA + 100, partner, "地点"},
	} {
		c := &chorus.Class{Title: "瑜伽", Teacher: "李老师", PartnerID: tc.partner, PlaceID: tc.place, Weekday: 2,
			StartTime: "18:30", EndTime: "19:30", FirstDate: "2026-12-01", LastDate: "2027-01-31", Capacity: 15}
		err := db.CreateClass(tc.ctx, c)
		if chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), tc.want) || c.ID != 0 {
			t.Errorf("%+v: %v, want %q", tc, err, tc.want)
		}
	}
}

// A class is its community's: another community's staff cannot read,
// list, change or call off its sessions.
func TestDB_ClassesIsolated(t *testing.T) {
	db, _, a, b, placeA, placeB := districtDB(t)
	partner := MustPartnerID(t, db)
	ca := MustClass(t, db, a, placeA, partner, 20)
	cb := MustClass(t, db, b, placeB, partner, 12)
	if ca.Community != 1 || cb.Community != 2 {
		t.Fatalf("communities %d %d", ca.Community, cb.Community)
	}
	_, err := db.Class(b, ca.ID)
	wantNotFound(t, "class", err)
	upd := *ca
	upd.Title = "改了"
	wantNotFound(t, "update", db.UpdateClass(b, &upd))
	_, err = db.CancelClassSession(b, ca.ID, "2026-12-03", chorus.ActorStaff, "老师生病")
	wantNotFound(t, "cancel", err)
	if l, _ := db.ListClasses(b, chorus.PeriodAll, "2026-12-01"); len(l) != 1 || l[0].ID != cb.ID {
		t.Fatalf("b lists %+v", l)
	}
	if got, _ := db.Class(a, ca.ID); got.Title != "书法班" || got.Sessions[13].Status != chorus.SessionScheduled {
		t.Fatalf("a's class %+v", got)
	}
}
