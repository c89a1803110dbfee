package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

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

// classEnrolment returns the class's enrolment id of phone.
func classEnrolment(tb testing.TB, db *sqlite.DB, classID int64, phone string) chorus.Enrolment {
	tb.Helper()
	list, err := db.ClassEnrolments(context.Background(), classID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range list {
		if e.Phone == phone {
			return e
		}
	}
	tb.Fatalf("no enrolment of %s in %+v", phone, list)
	return chorus.Enrolment{}
}

// TestDB_ClassEnrolment: a class takes a term's enrolments up to its size,
// then a waitlist; one live enrolment per phone; a withdrawal offers the
// place to the first in line by SMS, who takes it by replying 1 through
// the SMS reply path; an offer not taken in time lapses (fake clock) and
// goes on down the line.
func TestDB_ClassEnrolment(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	c := MustClass(t, db, ctx, MustPlace(t, db, "小礼堂").ID, MustPartnerID(t, db), 2)
	enrol := func(i int) *chorus.Enrolment {
		t.Helper()
		e, err := db.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: Phone(i), Name: "王大爷", Actor: chorus.ActorResident})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	if e := enrol(1); e.Status != chorus.StatusConfirmed || e.Existing || e.Programme != "书法班" || !e.Class {
		t.Fatalf("first %+v", e)
	}
	enrol(2)
	if e := enrol(3); e.Status != chorus.StatusWaitlisted {
		t.Fatalf("third %+v", e)
	}
	enrol(4)
	if e := enrol(1); !e.Existing || e.Status != chorus.StatusConfirmed {
		t.Fatalf("again %+v", e)
	}
	got, _ := db.Class(ctx, c.ID)
	if got.Taken != 2 || got.Waiting != 2 {
		t.Fatalf("taken %d waiting %d", got.Taken, got.Waiting)
	}
	if e := classEnrolment(t, db, c.ID, Phone(4)); e.Position != 2 {
		t.Fatalf("4th %+v", e)
	}
	// The class's places are not a 托管 programme.
	if l, _ := db.Programmes(ctx, "2026-12-01"); len(l) != 0 {
		t.Fatalf("programmes %+v", l)
	}
	if l, _ := db.ListProgrammes(ctx, chorus.PeriodAll, "2026-12-01"); len(l) != 0 {
		t.Fatalf("staff programmes %+v", l)
	}
	if l, _ := db.DistrictProgrammes(ctx, T0); len(l) != 0 {
		t.Fatalf("kiosk programmes %+v", l)
	}

	// The 托管 endpoints do not reach the class's places.
	pr := &chorus.Programme{ID: c.ProgrammeID, Title: "改", PlaceID: c.PlaceID, StartDate: "2026-12-01", EndDate: "2026-12-31", Capacity: 100}
	wantCode(t, db.UpdateProgramme(ctx, pr), chorus.ENOTFOUND)
	_, err := db.CancelProgramme(ctx, c.ProgrammeID, chorus.ActorStaff, "测试")
	wantCode(t, err, chorus.ENOTFOUND)

	// 1 withdraws: 3 is offered the place by SMS and replies 1.
	if _, err := db.CancelEnrolment(ctx, classEnrolment(t, db, c.ID, Phone(1)).ID, chorus.ActorResident, "不学了"); err != nil {
		t.Fatal(err)
	}
	if e := classEnrolment(t, db, c.ID, Phone(3)); e.Status != chorus.StatusOffered {
		t.Fatalf("3 %+v", e)
	}
	if m := MessagesOf(MustMessages(t, db, Phone(3)), chorus.MsgWaitlistOffer); len(m) != 1 || !strings.Contains(m[0].Params["event"], "书法班") {
		t.Fatalf("offer SMS %+v", m)
	}
	if _, _, err := db.HandleInbound(ctx, chorus.Inbound{Phone: Phone(3), Content: "1", SequenceID: "k1", Intent: chorus.IntentConfirm}); err != nil {
		t.Fatal(err)
	}
	if e := classEnrolment(t, db, c.ID, Phone(3)); e.Status != chorus.StatusConfirmed {
		t.Fatalf("3 after reply 1: %+v", e)
	}

	// 2 withdraws: 4 is offered and stays silent; the offer lapses.
	if _, err := db.CancelEnrolment(ctx, classEnrolment(t, db, c.ID, Phone(2)).ID, chorus.ActorStaff, "搬走了"); err != nil {
		t.Fatal(err)
	}
	enrol(5) // waits behind 4's offer
	clock.Add(sqlite.DefaultOfferTTL + time.Minute)
	if n, err := db.ExpireEnrolmentOffers(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d %v", n, err)
	}
	if e := classEnrolment(t, db, c.ID, Phone(4)); e.Status != chorus.StatusExpired {
		t.Fatalf("4 %+v", e)
	}
	if e := classEnrolment(t, db, c.ID, Phone(5)); e.Status != chorus.StatusOffered {
		t.Fatalf("5 %+v", e)
	}

	// Fewer places than taken is refused; a closed class takes nobody.
	upd, _ := db.Class(ctx, c.ID)
	upd.Capacity = 1
	wantCode(t, db.UpdateClass(ctx, upd), chorus.ECONFLICT)
	upd.Capacity, upd.Status = 2, chorus.EventClosed
	if err := db.UpdateClass(ctx, upd); err != nil {
		t.Fatal(err)
	}
	_, err = db.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: Phone(9)})
	if chorus.ErrorCode(err) != chorus.ECONFLICT || !strings.Contains(chorus.ErrorMessage(err), "停止报名") {
		t.Fatalf("closed: %v", err)
	}
}

func TestDB_ClassEnrolmentAge(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	c := &chorus.Class{Title: "瑜伽", Teacher: "李老师", PartnerID: MustPartnerID(t, db), PlaceID: MustPlace(t, db, "体育馆").ID,
		Weekday: 2, StartTime: "18:30", EndTime: "19:30", FirstDate: "2026-12-01", LastDate: "2027-01-31", Capacity: 15,
		MinAge: 18, MaxAge: 35}
	if err := db.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		age  int
		want string
	}{{70, "只收18到35岁"}, {-1, "年龄应在"}, {200, "年龄应在"}} {
		_, err := db.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: Phone(1), Age: tc.age})
		if chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), tc.want) {
			t.Errorf("age %d: %v", tc.age, err)
		}
	}
	_, err := db.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: "12345", Age: 28})
	wantCode(t, err, chorus.EINVALID)
	e, err := db.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: Phone(1), Name: "李萌", Age: 28})
	if err != nil || e.Status != chorus.StatusConfirmed || e.Children[0].Age != 28 {
		t.Fatalf("%+v %v", e, err)
	}
	b := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	_, err = db.EnrolClass(b, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: Phone(2), Age: 28})
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = db.ClassEnrolments(b, c.ID)
	wantCode(t, err, chorus.ENOTFOUND)
}

// TestDB_ClassPartnerFigures: the partner's share counts the classes it
// teaches with a session in the period and the residents holding a place,
// not the classes' places as 托管 programmes.
func TestDB_ClassPartnerFigures(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	partner := MustPartnerID(t, db)
	c := MustClass(t, db, ctx, MustPlace(t, db, "小礼堂").ID, partner, 2)
	for i := 1; i <= 3; i++ { // the third waits
		if _, err := db.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: Phone(i)}); err != nil {
			t.Fatal(err)
		}
	}
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, shanghai)
	figures, err := db.PartnerFigures(chorus.WithScope(ctx, chorus.Scope{Community: 1, District: true}), from, from.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figures {
		if f.ID == partner {
			if f.Total.Classes != 1 || f.Total.Students != 2 || f.Total.Programmes != 0 {
				t.Fatalf("total %+v", f.Total)
			}
			return
		}
	}
	t.Fatalf("no figures of the partner in %+v", figures)
}
