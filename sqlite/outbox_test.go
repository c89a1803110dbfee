package sqlite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

func TestDB_Queue(t *testing.T) {
	ctx := context.Background()

	t.Run("OptedOut", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		other := MustEvent(t, db)
		b := MustBook(t, db, Req(e, 0, Phone(1)))
		changed, err := db.SetOptOut(ctx, Phone(1), true)
		if err != nil || !changed {
			t.Fatalf("opt out = %v, %v", changed, err)
		}
		if changed, _ := db.SetOptOut(ctx, Phone(1), true); changed {
			t.Fatal("opting out twice reports a change")
		}
		if err := db.Queue(ctx, chorus.Message{Phone: Phone(1), Kind: chorus.MsgReminder, BookingID: b.ID,
			Params: map[string]string{"event": "免费义诊"}}); err != nil {
			t.Fatal(err)
		}
		msgs := MustMessages(t, db, Phone(1))
		last := msgs[len(msgs)-1]
		if last.Kind != chorus.MsgReminder || last.Status != chorus.MessageRefused || last.ErrCode != sqlite.RefusedOptedOut {
			t.Fatalf("reminder = %+v", last)
		}
		// Cancelling is told only to those who still want SMS.
		MustTransition(t, db, b.ID, chorus.StatusCancelled, chorus.ActorStaff)
		cancels := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgCancelled)
		if len(cancels) != 1 || cancels[0].Status != chorus.MessageRefused {
			t.Fatalf("cancellation = %+v", cancels)
		}
		// Booking again asks for the confirmation: it is sent.
		b2 := MustBook(t, db, Req(other, 0, Phone(1)))
		confirms := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgBookingConfirm)
		if got := confirms[len(confirms)-1]; got.BookingID != b2.ID || got.Status != chorus.MessageQueued {
			t.Fatalf("confirmation after opt-out = %+v", got)
		}
		// Refused messages are never due.
		due, _ := db.Due(ctx, T0, 100)
		for _, m := range due {
			if m.Status == chorus.MessageRefused {
				t.Fatalf("refused message due: %+v", m)
			}
		}
		// Lifting the opt-out lets reminders through again.
		if changed, _ := db.SetOptOut(ctx, Phone(1), false); !changed {
			t.Fatal("opting in reports no change")
		}
		db.Queue(ctx, chorus.Message{Phone: Phone(1), Kind: chorus.MsgReminder, Params: map[string]string{}})
		msgs = MustMessages(t, db, Phone(1))
		if last := msgs[len(msgs)-1]; last.Status != chorus.MessageQueued {
			t.Fatalf("reminder after opting in = %+v", last)
		}
	})

	t.Run("DailyLimit", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		if got, want := db.PerPhoneDaily, 5; got != want {
			t.Fatalf("PerPhoneDaily = %d, want %d", got, want)
		}
		var events []*chorus.Event
		for i := 0; i < 7; i++ {
			events = append(events, MustEvent(t, db))
		}
		for i := 0; i < 6; i++ {
			MustBook(t, db, Req(events[i], 0, Phone(1))) // the booking is made either way
		}
		msgs := MustMessages(t, db, Phone(1))
		if len(msgs) != 6 {
			t.Fatalf("messages = %d, want 6", len(msgs))
		}
		for i, m := range msgs[:5] {
			if m.Status != chorus.MessageQueued {
				t.Fatalf("message %d = %s, want queued", i, m.Status)
			}
		}
		if m := msgs[5]; m.Status != chorus.MessageRefused || m.ErrCode != sqlite.RefusedDailyLimit {
			t.Fatalf("sixth message = %+v", m)
		}
		// Another phone is not affected, and the count starts again at
		// midnight in Shanghai.
		MustBook(t, db, Req(events[6], 0, Phone(2)))
		if msgs := MustMessages(t, db, Phone(2)); msgs[0].Status != chorus.MessageQueued {
			t.Fatalf("other phone = %+v", msgs[0])
		}
		clock.Set(time.Date(2026, 12, 1, 23, 59, 0, 0, shanghai))
		db.Queue(ctx, chorus.Message{Phone: Phone(1), Kind: chorus.MsgHelp})
		if msgs := MustMessages(t, db, Phone(1)); msgs[len(msgs)-1].ErrCode != sqlite.RefusedDailyLimit {
			t.Fatalf("before midnight = %+v", msgs[len(msgs)-1])
		}
		clock.Set(time.Date(2026, 12, 2, 0, 0, 0, 0, shanghai))
		db.Queue(ctx, chorus.Message{Phone: Phone(1), Kind: chorus.MsgHelp})
		if msgs := MustMessages(t, db, Phone(1)); msgs[len(msgs)-1].Status != chorus.MessageQueued {
			t.Fatalf("after midnight = %+v", msgs[len(msgs)-1])
		}
	})

	t.Run("ResendLimit", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		e := MustEvent(t, db)
		b := MustBook(t, db, Req(e, 0, Phone(1)))
		resend := chorus.Message{Phone: Phone(1), Kind: chorus.MsgCheckinCode, BookingID: b.ID,
			Params: map[string]string{"event": "免费义诊", "code": b.Code}}
		for i := 0; i < db.ResendDaily+1; i++ {
			if err := db.Queue(ctx, resend); err != nil {
				t.Fatal(err)
			}
		}
		codes := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgCheckinCode)
		if len(codes) != 4 {
			t.Fatalf("resends = %d", len(codes))
		}
		for i, m := range codes[:3] {
			if m.Status != chorus.MessageQueued {
				t.Fatalf("resend %d = %+v", i, m)
			}
		}
		if m := codes[3]; m.Status != chorus.MessageRefused || m.ErrCode != sqlite.RefusedResendLimit {
			t.Fatalf("fourth resend = %+v", m)
		}
	})

	t.Run("FamilyCopies", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		if err := db.SaveResident(ctx, &chorus.Resident{Phone: Phone(1), Name: "王大爷", Family: []chorus.FamilyContact{
			{Name: "王小明", Phone: Phone(2), Relation: "儿子"},
			{Name: "王小红", Phone: Phone(3), Relation: "女儿"},
		}}); err != nil {
			t.Fatal(err)
		}
		e := MustEvent(t, db)
		b := MustBook(t, db, Req(e, 0, Phone(1)))
		own := MustMessages(t, db, Phone(1))[0]
		for _, p := range []string{Phone(2), Phone(3)} {
			msgs := MustMessages(t, db, p)
			if len(msgs) != 1 {
				t.Fatalf("family %s messages = %+v", p, msgs)
			}
			m := msgs[0]
			if m.Kind != chorus.MsgBookingConfirm || m.BookingID != b.ID || m.Status != chorus.MessageQueued ||
				m.Params["code"] != b.Code || m.Params["time"] != own.Params["time"] {
				t.Fatalf("family copy = %+v", m)
			}
		}
		// A check-in code resend goes to the resident only.
		db.Queue(ctx, chorus.Message{Phone: Phone(1), Kind: chorus.MsgCheckinCode, BookingID: b.ID,
			Params: map[string]string{"event": "免费义诊", "code": b.Code}})
		if n := len(MustMessages(t, db, Phone(2))); n != 1 {
			t.Fatalf("family got %d messages, want 1", n)
		}
		// Cancelling tells the family too.
		MustTransition(t, db, b.ID, chorus.StatusCancelled, chorus.ActorResident)
		if n := len(MessagesOf(MustMessages(t, db, Phone(3)), chorus.MsgCancelled)); n != 1 {
			t.Fatalf("family cancellations = %d, want 1", n)
		}
	})

	// A relative who replied 退订 gets no more copies: the resident's own
	// booking is not that relative's request.
	t.Run("FamilyOptedOut", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		if err := db.SaveResident(ctx, &chorus.Resident{Phone: Phone(1), Family: []chorus.FamilyContact{
			{Name: "王小明", Phone: Phone(2), Relation: "儿子"},
		}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetOptOut(ctx, Phone(2), true); err != nil {
			t.Fatal(err)
		}
		e := MustEvent(t, db)
		MustBook(t, db, Req(e, 0, Phone(1)))
		if m := MustMessages(t, db, Phone(1))[0]; m.Status != chorus.MessageQueued {
			t.Fatalf("resident's confirmation = %+v", m)
		}
		msgs := MustMessages(t, db, Phone(2))
		if len(msgs) != 1 || msgs[0].Status != chorus.MessageRefused || msgs[0].ErrCode != sqlite.RefusedOptedOut {
			t.Fatalf("opted-out relative's copy = %+v", msgs)
		}
		// The relative booking for themselves does get their confirmation.
		MustBook(t, db, Req(MustEvent(t, db), 0, Phone(2)))
		msgs = MustMessages(t, db, Phone(2))
		if last := msgs[len(msgs)-1]; last.Status != chorus.MessageQueued {
			t.Fatalf("relative's own confirmation = %+v", last)
		}
	})

	t.Run("InvalidParams", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		db.ValidateMessage = func(kind chorus.MessageKind, params map[string]string) error {
			if params["place"] == "" {
				return errors.New("no place")
			}
			return nil
		}
		db.Queue(ctx, chorus.Message{Phone: Phone(1), Kind: chorus.MsgReminder, Params: map[string]string{}})
		if m := MustMessages(t, db, Phone(1))[0]; m.Status != chorus.MessageRefused || m.ErrCode != sqlite.RefusedInvalidParam {
			t.Fatalf("message = %+v", m)
		}
	})
}

func TestDB_Due(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	e := MustEvent(t, db)
	MustBook(t, db, Req(e, 0, Phone(1)))
	MustBook(t, db, Req(e, 0, Phone(2)))
	m1, m2 := MustMessages(t, db, Phone(1))[0], MustMessages(t, db, Phone(2))[0]
	message := func(id int64) *chorus.Message {
		t.Helper()
		m, err := db.Message(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	dueIDs := func(now time.Time) []int64 {
		t.Helper()
		list, err := db.Due(ctx, now, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, m := range list {
			ids = append(ids, m.ID)
		}
		return ids
	}
	equal := func(a, b []int64) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}

	if got := dueIDs(T0.Add(-time.Second)); len(got) != 0 {
		t.Fatalf("due before queued = %v", got)
	}
	if got, want := dueIDs(T0), []int64{m1.ID, m2.ID}; !equal(got, want) {
		t.Fatalf("due = %v, want %v (oldest first)", got, want)
	}
	if list, _ := db.Due(ctx, T0, 1); len(list) != 1 || list[0].ID != m1.ID {
		t.Fatalf("due with limit 1 = %+v", list)
	}

	// An attempt starts and the process dies: the message is due again.
	if err := db.MarkSending(ctx, m1.ID, T0); err != nil {
		t.Fatal(err)
	}
	if m := message(m1.ID); m.Status != chorus.MessageSending || m.Attempts != 1 {
		t.Fatalf("sending = %+v", m)
	}
	if got, want := dueIDs(T0.Add(-time.Hour)), []int64{m1.ID}; !equal(got, want) {
		t.Fatalf("due = %v, want the message left sending %v", got, want)
	}

	// A retryable failure puts it back until next.
	next := T0.Add(time.Minute)
	if err := db.MarkRetry(ctx, m1.ID, next, "isv.BUSINESS_LIMIT_CONTROL", "触发流控"); err != nil {
		t.Fatal(err)
	}
	if m := message(m1.ID); m.Status != chorus.MessageQueued || !m.NextAttempt.Equal(next) || m.ErrCode != "isv.BUSINESS_LIMIT_CONTROL" {
		t.Fatalf("retry = %+v", m)
	}
	if got, want := dueIDs(T0), []int64{m2.ID}; !equal(got, want) {
		t.Fatalf("due before the retry time = %v, want %v", got, want)
	}
	if got, want := dueIDs(next), []int64{m1.ID, m2.ID}; !equal(got, want) {
		t.Fatalf("due at the retry time = %v, want %v", got, want)
	}

	// Second attempt succeeds.
	db.MarkSending(ctx, m1.ID, next)
	if err := db.MarkSubmitted(ctx, m1.ID, "biz-1", next); err != nil {
		t.Fatal(err)
	}
	m := message(m1.ID)
	if m.Status != chorus.MessageSubmitted || m.Attempts != 2 || m.BizID != "biz-1" || m.ErrCode != "" || !m.UpdatedAt.Equal(next) {
		t.Fatalf("submitted = %+v", m)
	}
	// Late retries and restarts of the worker cannot move it backward.
	db.MarkRetry(ctx, m1.ID, next, "X", "late")
	db.MarkSending(ctx, m1.ID, next)
	if m := message(m1.ID); m.Status != chorus.MessageSubmitted || m.Attempts != 2 || m.ErrCode != "" {
		t.Fatalf("after a late retry = %+v", m)
	}
	if got, want := dueIDs(next), []int64{m2.ID}; !equal(got, want) {
		t.Fatalf("due = %v, want %v", got, want)
	}

	// A permanent failure ends it; nothing revives it.
	if err := db.MarkFailed(ctx, m2.ID, "isv.MOBILE_NUMBER_ILLEGAL", "号码格式错误", next); err != nil {
		t.Fatal(err)
	}
	db.MarkSubmitted(ctx, m2.ID, "biz-2", next)
	db.MarkRetry(ctx, m2.ID, next, "X", "late")
	if m := message(m2.ID); m.Status != chorus.MessageFailed || m.ErrCode != "isv.MOBILE_NUMBER_ILLEGAL" || m.BizID != "" {
		t.Fatalf("failed = %+v", m)
	}
	if got := dueIDs(next.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("due = %v, want none", got)
	}
	// A submitted message may still fail (the provider's receipt).
	db.MarkFailed(ctx, m1.ID, "DELIVRD_FAIL", "", next)
	if m := message(m1.ID); m.Status != chorus.MessageFailed {
		t.Fatalf("submitted then failed = %+v", m)
	}
	_, err := db.Message(ctx, 999)
	wantCode(t, err, chorus.ENOTFOUND)
}
