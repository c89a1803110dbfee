package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func testOutbox(t *testing.T, open Opener) {
	ctx := context.Background()
	// due returns the ids of the messages due at now to phone.
	due := func(t *testing.T, f *fixture, now time.Time, phone string) []chorus.Message {
		t.Helper()
		msgs, err := f.Due(ctx, now, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []chorus.Message
		for _, m := range msgs {
			if m.Phone == phone {
				out = append(out, m)
			}
		}
		return out
	}
	t.Run("ClaimAndSubmit", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 1, 5, false)
		b := f.book(t, e, 0, phone(1), false)
		now := f.clock.Now()
		msgs := due(t, f, now, phone(1))
		if len(msgs) != 1 || msgs[0].Kind != chorus.MsgBookingConfirm || msgs[0].BookingID != b.ID || msgs[0].Status != chorus.MessageQueued {
			t.Fatalf("due = %+v, want the booking's confirmation, queued", msgs)
		}
		id := msgs[0].ID
		if err := f.MarkSending(ctx, id, now); err != nil {
			t.Fatal(err)
		}
		if err := f.MarkSubmitted(ctx, id, "biz-1", now); err != nil {
			t.Fatal(err)
		}
		if msgs := due(t, f, now.Add(time.Hour), phone(1)); len(msgs) != 0 {
			t.Errorf("a submitted message is due again: %+v", msgs)
		}
		sent, err := f.Messages(ctx, phone(1), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) != 1 || sent[0].Status != chorus.MessageSubmitted || sent[0].BizID != "biz-1" || sent[0].Attempts != 1 {
			t.Errorf("messages = %+v, want one submitted after one attempt", sent)
		}
	})
	t.Run("RetryThenFail", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 1, 5, false)
		f.book(t, e, 0, phone(2), false)
		now := f.clock.Now()
		msgs := due(t, f, now, phone(2))
		if len(msgs) != 1 {
			t.Fatalf("due = %+v", msgs)
		}
		id := msgs[0].ID
		if err := f.MarkSending(ctx, id, now); err != nil {
			t.Fatal(err)
		}
		if err := f.MarkRetry(ctx, id, now.Add(time.Minute), "isp.RAM_PERMISSION_DENY", "try later"); err != nil {
			t.Fatal(err)
		}
		if msgs := due(t, f, now.Add(59*time.Second), phone(2)); len(msgs) != 0 {
			t.Errorf("due before its next attempt: %+v", msgs)
		}
		msgs = due(t, f, now.Add(time.Minute), phone(2))
		if len(msgs) != 1 || msgs[0].Attempts != 1 || msgs[0].ErrCode != "isp.RAM_PERMISSION_DENY" {
			t.Fatalf("due at its next attempt = %+v", msgs)
		}
		if err := f.MarkSending(ctx, id, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := f.MarkFailed(ctx, id, "isv.MOBILE_NUMBER_ILLEGAL", "bad number", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if msgs := due(t, f, now.Add(24*time.Hour), phone(2)); len(msgs) != 0 {
			t.Errorf("a failed message is due again: %+v", msgs)
		}
	})
	t.Run("SendingLeftByCrashIsDue", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 1, 5, false)
		f.book(t, e, 0, phone(3), false)
		now := f.clock.Now()
		msgs := due(t, f, now, phone(3))
		if len(msgs) != 1 {
			t.Fatalf("due = %+v", msgs)
		}
		if err := f.MarkSending(ctx, msgs[0].ID, now); err != nil {
			t.Fatal(err)
		}
		if again := due(t, f, now, phone(3)); len(again) != 1 || again[0].Status != chorus.MessageSending {
			t.Errorf("a message left sending = %+v, want it due, sending", again)
		}
	})
}
