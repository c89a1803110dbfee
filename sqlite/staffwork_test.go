package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// The clinic's first patient cannot come at 09:00: staff move her to
// 09:30. She keeps her booking and code, the seat at 09:00 goes to the
// first on its waitlist, and she is sent the new time.
func TestMoveBooking(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	e := MustEvent(t, db, Slots(3, 1), Waitlist)
	zhang := MustBook(t, db, Req(e, 0, Phone(1)))
	waiting := MustBook(t, db, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[0].ID, Phone: Phone(2), Name: "李大爷", Waitlist: true})
	if waiting.Status != chorus.StatusWaitlisted {
		t.Fatalf("second booking = %s, want waitlisted", waiting.Status)
	}

	moved, err := db.MoveBooking(ctx, zhang.ID, e.Slots[1].ID, "staff:wanggang", "下午有事")
	if err != nil {
		t.Fatal(err)
	}
	if moved.ID != zhang.ID || moved.SlotID != e.Slots[1].ID || moved.Code != zhang.Code || moved.Status != zhang.Status ||
		moved.CheckinToken != zhang.CheckinToken {
		t.Fatalf("moved = %+v, was %+v", moved, zhang)
	}
	wantTaken(t, db, e.Slots[1].ID, 1)
	wantTaken(t, db, e.Slots[0].ID, 1) // held by the offer
	wantStatus(t, db, waiting.ID, chorus.StatusOffered)
	confirms := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgBookingConfirm)
	if len(confirms) != 2 || confirms[1].Params["time"] != "12月5日周六09:30" || confirms[1].Params["code"] != zhang.Code {
		t.Fatalf("confirmations = %+v", confirms)
	}
	hist, err := db.History(ctx, zhang.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Actor != "staff:wanggang" || !strings.Contains(last.Reason, "改到12月5日周六09:30") || !strings.Contains(last.Reason, "下午有事") {
		t.Fatalf("last transition = %+v", last)
	}

	// Nowhere to go: a full slot, the same slot, another event's slot.
	other := MustEvent(t, db)
	MustBook(t, db, Req(e, 2, Phone(3)))
	_, err = db.MoveBooking(ctx, zhang.ID, e.Slots[2].ID, chorus.ActorStaff, "")
	wantCode(t, err, chorus.EFULL)
	_, err = db.MoveBooking(ctx, zhang.ID, e.Slots[1].ID, chorus.ActorStaff, "")
	wantCode(t, err, chorus.EINVALID)
	_, err = db.MoveBooking(ctx, zhang.ID, other.Slots[0].ID, chorus.ActorStaff, "")
	wantCode(t, err, chorus.EINVALID)
	_, err = db.MoveBooking(ctx, zhang.ID, 9999, chorus.ActorStaff, "")
	wantCode(t, err, chorus.ENOTFOUND)
	_, err = db.MoveBooking(ctx, 9999, e.Slots[0].ID, chorus.ActorStaff, "")
	wantCode(t, err, chorus.ENOTFOUND)
	// Nothing moved on the way.
	wantTaken(t, db, e.Slots[1].ID, 1)
	wantTaken(t, db, e.Slots[2].ID, 1)

	// A waitlisted or cancelled booking holds no seat to move.
	li := MustBook(t, db, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[2].ID, Phone: Phone(4), Waitlist: true})
	_, err = db.MoveBooking(ctx, li.ID, e.Slots[0].ID, chorus.ActorStaff, "")
	wantCode(t, err, chorus.ECONFLICT)
}

// Staff may move a booking after the cut-off, but not to a slot that has
// ended.
func TestMoveBooking_Times(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	e := MustEvent(t, db, Slots(3, 5))
	b := MustBook(t, db, Req(e, 2, Phone(1)))
	clock.Set(SlotStart.Add(45 * time.Minute)) // the first slot is over, the second running
	if _, err := db.MoveBooking(ctx, b.ID, e.Slots[0].ID, chorus.ActorStaff, ""); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Fatalf("move to an ended slot: %v", err)
	}
	if got, err := db.MoveBooking(ctx, b.ID, e.Slots[1].ID, chorus.ActorStaff, ""); err != nil || got.SlotID != e.Slots[1].ID {
		t.Fatalf("move after the cut-off = %+v, %v", got, err)
	}
}

// Staff lists show events of any status by period.
func TestListEvents(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	MustEvent(t, db, func(e *chorus.Event) {
		e.Title = "早上的讲座"
		e.Slots[0].Start, e.Slots[0].End = T0.Add(1*time.Hour), T0.Add(2*time.Hour)
	})
	closed := MustEvent(t, db, func(e *chorus.Event) { e.Title = "已满义诊" })
	closed.Status = chorus.EventClosed
	if err := db.UpdateEvent(ctx, closed); err != nil {
		t.Fatal(err)
	}
	called := MustEvent(t, db, func(e *chorus.Event) { e.Title = "取消的瑜伽" })
	if err := db.CancelEvent(ctx, called.ID, chorus.ActorStaff, "老师生病"); err != nil {
		t.Fatal(err)
	}
	clock.Set(T0.Add(3 * time.Hour))
	titles := func(p chorus.Period) string {
		list, err := db.ListEvents(ctx, p, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range list {
			if len(e.Slots) == 0 {
				t.Errorf("%s has no slots", e.Title)
			}
			out = append(out, e.Title)
		}
		return strings.Join(out, ",")
	}
	for p, want := range map[chorus.Period]string{
		chorus.PeriodUpcoming:  "已满义诊",
		chorus.PeriodPast:      "早上的讲座",
		chorus.PeriodCancelled: "取消的瑜伽",
		chorus.PeriodAll:       "取消的瑜伽,已满义诊,早上的讲座", // newest first, then newest made
		chorus.PeriodToday:     "早上的讲座",            // over this morning, still today's
	} {
		if got := titles(p); got != want {
			t.Errorf("%s = %s, want %s", p, got, want)
		}
	}
	if _, err := chorus.ParsePeriod("yesterday"); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("ParsePeriod(yesterday) = %v", err)
	}
}

// The winter programme is called off: every live enrolment is cancelled,
// each guardian told, the waitlist not offered the freed places.
func TestCancelProgramme(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	p := MustProgramme(t, db, 2)
	a := MustEnrol(t, db, p, Phone(1), 2)
	b := MustEnrol(t, db, p, Phone(2), 1)
	if a.Status != chorus.StatusConfirmed || b.Status != chorus.StatusWaitlisted {
		t.Fatalf("enrolments = %s, %s", a.Status, b.Status)
	}
	got, err := db.CancelProgramme(ctx, p.ID, "staff:liting", "场地维修")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != chorus.EventCancelled || got.Taken != 0 {
		t.Fatalf("programme = %+v", got)
	}
	wantEnrolment(t, db, p, a.ID, chorus.StatusCancelled)
	wantEnrolment(t, db, p, b.ID, chorus.StatusCancelled)
	for _, ph := range []string{Phone(1), Phone(2)} {
		msgs := MessagesOf(MustMessages(t, db, ph), chorus.MsgEnrolled)
		if len(msgs) != 2 || msgs[1].Params["status"] != chorus.StatusCancelled.Label() {
			t.Errorf("messages to %s = %+v", ph, msgs)
		}
		if offers := MessagesOf(MustMessages(t, db, ph), chorus.MsgWaitlistOffer); len(offers) != 0 {
			t.Errorf("offers to %s = %+v", ph, offers)
		}
	}
	_, err = db.CancelProgramme(ctx, p.ID, chorus.ActorStaff, "")
	wantCode(t, err, chorus.ECONFLICT)
	_, err = db.CancelProgramme(ctx, 999, chorus.ActorStaff, "")
	wantCode(t, err, chorus.ENOTFOUND)

	list, err := db.ListProgrammes(ctx, chorus.PeriodCancelled, "2026-12-01")
	if err != nil || len(list) != 1 || list[0].ID != p.ID {
		t.Fatalf("cancelled programmes = %+v, %v", list, err)
	}
	if list, err := db.ListProgrammes(ctx, chorus.PeriodUpcoming, "2026-12-01"); err != nil || len(list) != 0 {
		t.Fatalf("upcoming programmes = %+v, %v", list, err)
	}
}

// Staff list programmes of any status by period.
func TestListProgrammes(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	winter := MustProgramme(t, db, 10)
	summer := MustProgramme(t, db, 10)
	summer.Title, summer.StartDate, summer.EndDate, summer.Status = "暑期托管班", "2026-07-10", "2026-08-20", chorus.EventClosed
	if err := db.UpdateProgramme(ctx, summer); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[chorus.Period][]int64{
		chorus.PeriodUpcoming: {winter.ID},
		chorus.PeriodPast:     {summer.ID},
		chorus.PeriodAll:      {winter.ID, summer.ID},
		chorus.PeriodToday:    nil,
	} {
		list, err := db.ListProgrammes(ctx, p, "2026-12-01")
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, g := range list {
			got = append(got, g.ID)
		}
		if len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
			t.Errorf("%s = %v, want %v", p, got, want)
		}
	}
}

// A guardian who cancels hears it by SMS; staff confirm an offer for a
// guardian who phoned instead of replying.
func TestEnrolment_StaffCancelAndConfirm(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	p := MustProgramme(t, db, 1)
	a := MustEnrol(t, db, p, Phone(1), 1)
	b := MustEnrol(t, db, p, Phone(2), 1)
	if _, err := db.CancelEnrolment(ctx, a.ID, "staff:wanggang", "家长电话取消"); err != nil {
		t.Fatal(err)
	}
	if msgs := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgEnrolled); len(msgs) != 2 || msgs[1].Params["status"] != "已取消" {
		t.Fatalf("messages to the guardian = %+v", msgs)
	}
	wantEnrolment(t, db, p, b.ID, chorus.StatusOffered)
	got, err := db.ConfirmEnrolmentOffer(ctx, b.ID, "staff:wanggang")
	if err != nil || got.Status != chorus.StatusConfirmed {
		t.Fatalf("confirm = %+v, %v", got, err)
	}
	_, err = db.ConfirmEnrolmentOffer(ctx, b.ID, chorus.ActorStaff)
	wantCode(t, err, chorus.ECONFLICT)
}

// Staff resend a message: a copy to the same phone, under the same rules.
func TestResendMessage(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	e := MustEvent(t, db)
	b := MustBook(t, db, Req(e, 0, Phone(1)))
	first := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgBookingConfirm)[0]

	_, err := db.ResendMessage(ctx, first.ID)
	wantCode(t, err, chorus.ECONFLICT) // still queued
	if err := db.MarkFailed(ctx, first.ID, "isv.BUSINESS_LIMIT_CONTROL", "触发流控", clock.Now()); err != nil {
		t.Fatal(err)
	}
	copy, err := db.ResendMessage(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if copy.ID == first.ID || copy.Status != chorus.MessageQueued || copy.Phone != first.Phone || copy.Kind != first.Kind ||
		copy.BookingID != b.ID || copy.Params["code"] != b.Code || !copy.ExpectsReply {
		t.Fatalf("copy = %+v of %+v", copy, first)
	}

	// Opted out: the copy is refused with the reason, not sent.
	if _, err := db.SetOptOut(ctx, Phone(1), true); err != nil {
		t.Fatal(err)
	}
	MustTransition(t, db, b.ID, chorus.StatusCancelled, chorus.ActorStaff)
	msgs := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgCancelled)
	if len(msgs) != 1 || msgs[0].Status != chorus.MessageRefused {
		t.Fatalf("cancellation = %+v", msgs)
	}
	again, err := db.ResendMessage(ctx, msgs[0].ID)
	if err != nil || again.Status != chorus.MessageRefused || again.ErrCode == "" {
		t.Fatalf("resend to an opted-out phone = %+v, %v", again, err)
	}
	_, err = db.ResendMessage(ctx, 99999)
	wantCode(t, err, chorus.ENOTFOUND)
}
