package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// A haircut asked at a kiosk waits for the phone's reply: 1 dispatches it,
// 2 cancels it; a partner's "1" to an offer touches nothing.
func TestKioskOrder_Reply(t *testing.T) {
	f := mustDispatchFixture(t)
	ctx := context.Background()
	ask := func(phone string) *chorus.Order {
		o, err := f.db.RequestHaircut(ctx, chorus.HaircutRequest{Phone: phone, KioskID: 7,
			Address: chorus.Address{EstateID: f.estate, Unit: "3", Room: "502"}, Day: "2026-12-02", HalfDay: chorus.Afternoon})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	t.Run("OneDispatches", func(t *testing.T) {
		o := ask(resident)
		if o.Status != chorus.OrderRequested || !o.AwaitingReply || len(f.sent(t, barberA1, chorus.MsgPartnerOrder)) != 0 {
			t.Fatalf("order = %+v", o)
		}
		// The answer says where the SMS asking for the reply is.
		if o.SMS != chorus.MessageQueued {
			t.Errorf("the answer's sms = %q, want queued", o.SMS)
		}
		if got := f.sent(t, resident, chorus.MsgOrderConfirm); len(got) != 1 || !got[0].ExpectsReply || got[0].OrderID != o.ID {
			t.Fatalf("order_confirm = %+v", got)
		}
		f.reply(t, barberA1, chorus.IntentConfirm, 0) // a barber's stray "1"
		if got, _ := f.db.Order(ctx, o.ID); !got.AwaitingReply {
			t.Fatalf("a barber's 1 confirmed the order: %+v", got)
		}
		in := f.reply(t, resident, chorus.IntentConfirm, 0)
		got, _ := f.db.Order(ctx, o.ID)
		if !in.Handled || got.Status != chorus.OrderDispatched || got.AwaitingReply || len(f.sent(t, barberA1, chorus.MsgPartnerOrder)) != 1 {
			t.Fatalf("after the reply 1: %+v, inbound %+v", got, in)
		}
	})
	t.Run("TwoCancels", func(t *testing.T) {
		o := ask("13612345678")
		in := f.reply(t, "13612345678", chorus.IntentCancel, 0)
		got, _ := f.db.Order(ctx, o.ID)
		if !in.Handled || got.Status != chorus.OrderCancelled {
			t.Fatalf("after the reply 2: %+v, inbound %+v", got, in)
		}
	})
	// A kiosk order is one more item of the phone's one reply list: a 1
	// confirms it with the phone's pending booking, a 2 that could mean
	// either asks which and changes neither.
	bookAndAsk := func(t *testing.T, phone string) (*chorus.Booking, *chorus.Order) {
		t.Helper()
		b := MustBook(t, f.db, Req(MustEvent(t, f.db), 0, phone))
		if b.Status != chorus.StatusPending {
			t.Fatalf("booking = %+v, want pending", b)
		}
		return b, ask(phone)
	}
	t.Run("OneConfirmsBookingAndOrder", func(t *testing.T) {
		b, o := bookAndAsk(t, "13712345678")
		in := f.reply(t, "13712345678", chorus.IntentConfirm, 0)
		if got, _ := f.db.Order(ctx, o.ID); got.Status != chorus.OrderDispatched || got.AwaitingReply {
			t.Fatalf("order after one reply 1: %+v, inbound %+v", got, in)
		}
		if got := MustBooking(t, f.db, b.ID); got.Status != chorus.StatusConfirmed {
			t.Fatalf("booking after one reply 1: %+v, inbound %+v", got, in)
		}
		if acks := f.sent(t, "13712345678", chorus.MsgReplyAck); len(acks) != 2 {
			t.Errorf("acknowledgements = %+v, want one for each", acks)
		}
	})
	t.Run("TwoOfSeveralAsksWhich", func(t *testing.T) {
		b, o := bookAndAsk(t, "13812345670")
		f.reply(t, "13812345670", chorus.IntentCancel, 0)
		if got, _ := f.db.Order(ctx, o.ID); got.Status != chorus.OrderRequested || !got.AwaitingReply {
			t.Fatalf("order after an ambiguous 2: %+v", got)
		}
		if got := MustBooking(t, f.db, b.ID); got.Status != chorus.StatusPending {
			t.Fatalf("booking after an ambiguous 2: %+v", got)
		}
		if which := f.sent(t, "13812345670", chorus.MsgReplyWhich); len(which) != 1 {
			t.Errorf("reply_which = %+v, want one", which)
		}
	})
	t.Run("UnansweredCancelled", func(t *testing.T) {
		o := ask("13512345678")
		f.clock.Add(f.db.ConfirmWindow + time.Minute)
		if _, err := f.db.DispatchDue(ctx, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.Order(ctx, o.ID); got.Status != chorus.OrderCancelled {
			t.Fatalf("unanswered: %+v", got)
		}
	})
}

// The bounds on unconfirmed bookings refuse the booking over them and give
// its seat back.
func TestBook_PendingBounds(t *testing.T) {
	db, _ := MustOpenDB(t)
	db.Limits = chorus.Limits{PendingPerKiosk: 2, PendingPerPhone: 1}
	ev := MustEvent(t, db, Slots(4, 5))
	req := func(slot int, phone string, kiosk int64) chorus.BookingRequest {
		r := Req(ev, slot, phone)
		r.KioskID = kiosk
		return r
	}
	MustBook(t, db, req(0, Phone(1), 1))
	other := MustEvent(t, db, Slots(1, 5))
	r := Req(other, 0, Phone(1))
	_, err := db.Book(context.Background(), r)
	wantCode(t, err, chorus.ELIMIT)
	MustBook(t, db, req(1, Phone(2), 1))
	_, err = db.Book(context.Background(), req(2, Phone(3), 1))
	wantCode(t, err, chorus.ELIMIT)
	wantTaken(t, db, ev.Slots[2].ID, 0)
	MustBook(t, db, req(2, Phone(3), 2)) // another kiosk
	// Staff bookings are confirmed, never pending: no bound.
	s := req(3, Phone(1), 0)
	s.Confirmed = true
	MustBook(t, db, s)
}

// A verification code works once, within its time and tries, and is sent
// only within the phone's SMS budget.
func TestVerification(t *testing.T) {
	db, clock := MustOpenDB(t)
	db.PerPhoneDaily = 3
	ctx := context.Background()
	phone := Phone(9)
	code := func() string {
		var last chorus.Message // the newest: the fake clock stands still
		for _, m := range MessagesOf(MustMessages(t, db, phone), chorus.MsgVerifyCode) {
			if m.ID > last.ID {
				last = m
			}
		}
		return last.Params["code"]
	}
	if sent, err := db.SendVerification(ctx, phone, 1); err != nil || !sent {
		t.Fatalf("send = %v, %v", sent, err)
	}
	first := code()
	if sent, _ := db.SendVerification(ctx, phone, 1); !sent {
		t.Fatal("second code not sent")
	}
	second := code()
	if first != second {
		wantCode(t, db.CheckVerification(ctx, phone, first), chorus.EINVALID) // the first was retired
	}
	if err := db.CheckVerification(ctx, phone, second); err != nil {
		t.Fatalf("right code: %v", err)
	}
	wantCode(t, db.CheckVerification(ctx, phone, second), chorus.ECONFLICT)
	db.SendVerification(ctx, phone, 1)
	clock.Add(chorus.VerifyCodeTTL)
	wantCode(t, db.CheckVerification(ctx, phone, code()), chorus.ECONFLICT)
	if sent, err := db.SendVerification(ctx, phone, 1); err != nil || sent {
		t.Fatalf("a fourth SMS today = %v, %v; want refused", sent, err)
	}
	wantCode(t, db.CheckVerification(ctx, Phone(8), "123456"), chorus.ECONFLICT) // none sent
}
