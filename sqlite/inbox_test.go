package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
)

// smsFixture is a store with one clinic (one slot of capacity 1 with a
// waitlist) on 2026-12-05 09:00, and the store's clock (Now, Set) at T0.
type smsFixture struct {
	*Clock
	db    *sqlite.DB
	event *chorus.Event
}

func mustSMSFixture(tb testing.TB) *smsFixture {
	tb.Helper()
	db, clock := MustOpenDB(tb)
	start := SlotStart
	ev := MustEvent(tb, db, Waitlist, func(e *chorus.Event) {
		e.CutoffMinutes = 0
		e.Slots = []chorus.Slot{{Start: start, End: start.Add(15 * time.Minute), Capacity: 1}}
	})
	return &smsFixture{Clock: clock, db: db, event: ev}
}

func (f *smsFixture) book(tb testing.TB, phone string, waitlist bool) *chorus.Booking {
	tb.Helper()
	b, err := f.db.Book(context.Background(), chorus.BookingRequest{EventID: f.event.ID, SlotID: f.event.Slots[0].ID,
		Phone: phone, Waitlist: waitlist})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func (f *smsFixture) reply(tb testing.TB, phone, seq string, intent chorus.Intent) *chorus.Inbound {
	tb.Helper()
	in, _, err := f.db.HandleInbound(context.Background(), chorus.Inbound{Phone: phone, Content: string(intent), SequenceID: seq, Intent: intent})
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

func (f *smsFixture) status(tb testing.TB, id int64) chorus.Status {
	tb.Helper()
	b, err := f.db.Booking(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return b.Status
}

func (f *smsFixture) kinds(tb testing.TB, phone string) map[chorus.MessageKind]int {
	tb.Helper()
	msgs, err := f.db.Messages(context.Background(), phone, 100)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[chorus.MessageKind]int{}
	for _, m := range msgs {
		if m.Status != chorus.MessageRefused {
			out[m.Kind]++
		}
	}
	return out
}

func TestDB_HandleInbound(t *testing.T) {
	t.Run("ConfirmPending", func(t *testing.T) {
		f := mustSMSFixture(t)
		b := f.book(t, "13812345678", false)
		in := f.reply(t, "13812345678", "1001", chorus.IntentConfirm)
		if !in.Handled || f.status(t, b.ID) != chorus.StatusConfirmed {
			t.Fatalf("reply = %+v, status %s", in, f.status(t, b.ID))
		}
		// The same push again changes nothing and reports the first outcome.
		again, dup, err := f.db.HandleInbound(context.Background(), chorus.Inbound{Phone: "13812345678", Content: "1",
			SequenceID: "1001", Intent: chorus.IntentConfirm})
		if err != nil || !dup || again.Outcome != in.Outcome {
			t.Fatalf("dup = %v %+v %v", dup, again, err)
		}
		hist, _ := f.db.History(context.Background(), b.ID)
		if got := hist[len(hist)-1]; got.Actor != chorus.ActorSMS || got.To != chorus.StatusConfirmed {
			t.Fatalf("last transition = %+v", got)
		}
	})
	t.Run("CancelOffersSeat", func(t *testing.T) {
		f := mustSMSFixture(t)
		first := f.book(t, "13812345678", false)
		second := f.book(t, "13912345678", true)
		if second.Status != chorus.StatusWaitlisted {
			t.Fatalf("second = %s", second.Status)
		}
		f.reply(t, "13812345678", "1", chorus.IntentCancel)
		if got := f.status(t, first.ID); got != chorus.StatusCancelled {
			t.Fatalf("first = %s", got)
		}
		if got := f.status(t, second.ID); got != chorus.StatusOffered {
			t.Fatalf("second = %s", got)
		}
		if f.kinds(t, "13912345678")[chorus.MsgWaitlistOffer] != 1 {
			t.Fatal("no waitlist offer sent")
		}
		// 1 to the offer takes the seat while it is valid.
		in := f.reply(t, "13912345678", "2", chorus.IntentConfirm)
		if !in.Handled || f.status(t, second.ID) != chorus.StatusConfirmed {
			t.Fatalf("reply = %+v", in)
		}
	})
	t.Run("OfferExpired", func(t *testing.T) {
		f := mustSMSFixture(t)
		f.book(t, "13812345678", false)
		second := f.book(t, "13912345678", true)
		f.reply(t, "13812345678", "1", chorus.IntentCancel)
		f.Set(f.Now().Add(3 * time.Hour)) // the offer lasts 2 h
		in := f.reply(t, "13912345678", "2", chorus.IntentConfirm)
		if in.Handled || f.status(t, second.ID) != chorus.StatusOffered {
			t.Fatalf("late reply = %+v, status %s", in, f.status(t, second.ID))
		}
		if f.kinds(t, "13912345678")[chorus.MsgHelp] != 1 {
			t.Fatal("no help answer to the late reply")
		}
	})
	t.Run("OptOutOnce", func(t *testing.T) {
		f := mustSMSFixture(t)
		f.reply(t, "13812345678", "1", chorus.IntentOptOut)
		f.reply(t, "13812345678", "2", chorus.IntentOptOut)
		if n := f.kinds(t, "13812345678")[chorus.MsgOptOutAck]; n != 1 {
			t.Fatalf("acks = %d", n)
		}
		r, err := f.db.Resident(context.Background(), "13812345678")
		if err != nil || !r.OptedOut {
			t.Fatalf("resident = %+v, %v", r, err)
		}
	})
	t.Run("UnknownToInboxHelpOncePerDay", func(t *testing.T) {
		f := mustSMSFixture(t)
		for i, seq := range []string{"a", "b", "c"} {
			in := f.reply(t, "13812345678", seq, chorus.IntentUnknown)
			if in.Handled {
				t.Fatalf("reply %d handled", i)
			}
		}
		if n := f.kinds(t, "13812345678")[chorus.MsgHelp]; n != 1 {
			t.Fatalf("help answers = %d", n)
		}
		inbox, err := f.db.Inbox(context.Background(), true, 10)
		if err != nil || len(inbox) != 3 {
			t.Fatalf("inbox = %d, %v", len(inbox), err)
		}
		f.Set(f.Now().Add(24 * time.Hour))
		f.reply(t, "13812345678", "d", chorus.IntentUnknown)
		if n := f.kinds(t, "13812345678")[chorus.MsgHelp]; n != 2 {
			t.Fatalf("help answers the next day = %d", n)
		}
	})
	t.Run("NothingToAnswer", func(t *testing.T) {
		f := mustSMSFixture(t)
		in := f.reply(t, "13612345678", "x", chorus.IntentConfirm)
		if in.Handled {
			t.Fatalf("reply = %+v", in)
		}
	})
}

func TestDB_ApplyReceipts(t *testing.T) {
	f := mustSMSFixture(t)
	ctx := context.Background()
	f.book(t, "13812345678", false)
	msgs, _ := f.db.Messages(ctx, "13812345678", 10)
	m := msgs[0]
	if err := f.db.MarkSending(ctx, m.ID, f.Now()); err != nil {
		t.Fatal(err)
	}
	if err := f.db.MarkSubmitted(ctx, m.ID, "biz-1", f.Now()); err != nil {
		t.Fatal(err)
	}
	r := chorus.Receipt{Phone: "13812345678", OutID: m.ID, BizID: "biz-1", Success: true, ErrCode: "DELIVERED"}
	n, err := f.db.ApplyReceipts(ctx, []chorus.Receipt{r, r})
	if err != nil || n != 1 {
		t.Fatalf("applied = %d, %v", n, err)
	}
	got, _ := f.db.Message(ctx, m.ID)
	if got.Status != chorus.MessageDelivered {
		t.Fatalf("status = %s", got.Status)
	}
	// A later failure receipt for the same message cannot move it back.
	n, err = f.db.ApplyReceipts(ctx, []chorus.Receipt{{Phone: "13812345678", OutID: m.ID, BizID: "biz-2", ErrCode: "MK:0001"}})
	if err != nil || n != 1 {
		t.Fatalf("applied = %d, %v", n, err)
	}
	if got, _ := f.db.Message(ctx, m.ID); got.Status != chorus.MessageDelivered {
		t.Fatalf("status after a late failure = %s", got.Status)
	}
	// A receipt by biz id alone (no out_id) fails a submitted message.
	f.book(t, "13912345678", true)
	msgs, _ = f.db.Messages(ctx, "13912345678", 10)
	f.db.MarkSubmitted(ctx, msgs[0].ID, "biz-9", f.Now())
	if _, err := f.db.ApplyReceipts(ctx, []chorus.Receipt{{Phone: "13912345678", BizID: "biz-9", ErrCode: "MK:0001", ErrMsg: "空号"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Message(ctx, msgs[0].ID); got.Status != chorus.MessageFailed || got.ErrCode != "MK:0001" {
		t.Fatalf("message = %+v", got)
	}
}

func TestDB_QueueReminders(t *testing.T) {
	f := mustSMSFixture(t)
	ctx := context.Background()
	b := f.book(t, "13812345678", false)
	if _, err := f.db.Transition(ctx, b.ID, chorus.StatusConfirmed, chorus.ActorSMS, ""); err != nil {
		t.Fatal(err)
	}
	loc := f.db.Location
	f.Set(time.Date(2026, 12, 4, 17, 0, 0, 0, loc)) // the day before, before the hour
	if n, err := f.db.QueueReminders(ctx, f.Now(), 18); err != nil || n != 0 {
		t.Fatalf("before the hour = %d, %v", n, err)
	}
	f.Set(time.Date(2026, 12, 4, 18, 0, 0, 0, loc))
	if n, err := f.db.QueueReminders(ctx, f.Now(), 18); err != nil || n != 1 {
		t.Fatalf("at the hour = %d, %v", n, err)
	}
	if n, _ := f.db.QueueReminders(ctx, f.Now(), 18); n != 0 {
		t.Fatalf("twice = %d", n)
	}
	msgs, _ := f.db.Messages(ctx, "13812345678", 10)
	if msgs[0].Kind != chorus.MsgReminder || msgs[0].Params["time"] != "12月5日周六09:00" || !msgs[0].ExpectsReply {
		t.Fatalf("reminder = %+v", msgs[0])
	}
}

func TestDB_Book_ConfirmationUnsendable(t *testing.T) {
	f := mustSMSFixture(t)
	f.db.PerPhoneDaily = 1
	ctx := context.Background()
	if err := f.db.Queue(ctx, chorus.Message{Phone: "13812345678", Kind: chorus.MsgHelp, Params: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	b := f.book(t, "13812345678", false)
	if b.Status != chorus.StatusConfirmed {
		t.Fatalf("status = %s, want confirmed: the resident cannot reply to an SMS never sent", b.Status)
	}
	hist, _ := f.db.History(ctx, b.ID)
	if last := hist[len(hist)-1]; last.From != chorus.StatusPending || last.Actor != chorus.ActorSystem {
		t.Fatalf("last transition = %+v", last)
	}
}

func TestDB_Book_ExistingAfterCutoff(t *testing.T) {
	f := mustSMSFixture(t)
	b := f.book(t, "13812345678", false)
	f.Set(f.event.Slots[0].Start.Add(-time.Minute)) // within the 60-minute cut-off set below
	f.db.UpdateEvent(context.Background(), &chorus.Event{ID: f.event.ID, Kind: f.event.Kind, Title: f.event.Title,
		PlaceID: f.event.PlaceID, Waitlist: true, CutoffMinutes: 60})
	again, err := f.db.Book(context.Background(), chorus.BookingRequest{EventID: f.event.ID, SlotID: f.event.Slots[0].ID, Phone: "13812345678"})
	if err != nil || again.ID != b.ID || !again.Existing {
		t.Fatalf("rebook after the cut-off = %+v, %v", again, err)
	}
	_, err = f.db.Book(context.Background(), chorus.BookingRequest{EventID: f.event.ID, SlotID: f.event.Slots[0].ID, Phone: "13912345678", Waitlist: true})
	if chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Fatalf("a new booking after the cut-off: %v", err)
	}
}

// A resident late for the 09:00 slot can still be checked in at 09:20:
// no-shows are marked when the whole event has ended.
func TestDB_Expire_NoShowAtEventEnd(t *testing.T) {
	db, clock := MustOpenDB(t)
	ctx := context.Background()
	ev := MustEvent(t, db, Slots(2, 5))
	b := MustBook(t, db, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: Phone(1), Confirmed: true})
	clock.Set(ev.Slots[0].End.Add(time.Minute))
	if n, err := db.Expire(ctx, clock.Now()); err != nil || n != 0 {
		t.Fatalf("after the first slot = %d, %v", n, err)
	}
	clock.Set(ev.Slots[1].End)
	if n, err := db.Expire(ctx, clock.Now()); err != nil || n != 1 {
		t.Fatalf("after the event = %d, %v", n, err)
	}
	wantStatus(t, db, b.ID, chorus.StatusNoShow)
}

// Staff mark a reply they dealt with; twice is refused.
func TestDB_SettleInbound(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	in, _, err := db.HandleInbound(ctx, chorus.Inbound{Phone: Phone(1), Content: "你好", SequenceID: "s-1", Intent: chorus.IntentUnknown})
	if err != nil || in.Handled {
		t.Fatalf("reply = %+v, %v", in, err)
	}
	got, err := db.SettleInbound(ctx, in.ID, "王刚", "已回电")
	if err != nil || !got.Handled || got.Outcome != "工作人员王刚已处理:已回电" {
		t.Fatalf("settled = %+v, %v", got, err)
	}
	_, err = db.SettleInbound(ctx, in.ID, "王刚", "")
	wantCode(t, err, chorus.ECONFLICT)
	_, err = db.SettleInbound(ctx, 999, "王刚", "")
	wantCode(t, err, chorus.ENOTFOUND)
}
