package storetest

import (
	"context"
	"testing"

	"github.com/chorus-community/chorus"
)

func testReplies(t *testing.T, open Opener) {
	ctx := context.Background()
	reply := func(t *testing.T, f *fixture, phone, seq string, intent chorus.Intent, content string) (*chorus.Inbound, bool) {
		t.Helper()
		in, dup, err := f.HandleInbound(ctx, chorus.Inbound{Phone: phone, Content: content, SequenceID: seq, Intent: intent})
		if err != nil {
			t.Fatalf("reply %q: %v", content, err)
		}
		return in, dup
	}
	t.Run("ConfirmOnce", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 1, 2, false)
		b := f.book(t, e, 0, phone(1), false)
		in, dup := reply(t, f, phone(1), "s1", chorus.IntentConfirm, "1")
		if dup || !in.Handled {
			t.Errorf("reply 1 = dup %v handled %v, want handled once", dup, in.Handled)
		}
		if got := f.booking(t, b.ID); got.Status != chorus.StatusConfirmed {
			t.Fatalf("after 1 the booking is %s", got.Status)
		}
		again, dup := reply(t, f, phone(1), "s1", chorus.IntentConfirm, "1")
		if !dup || again.ID != in.ID {
			t.Errorf("the same push again = dup %v id %d, want the stored reply %d", dup, again.ID, in.ID)
		}
	})
	t.Run("CancelFreesSeat", func(t *testing.T) {
		f := newFixture(t, open)
		e := f.event(t, 1, 1, true)
		b := f.book(t, e, 0, phone(1), false)
		next := f.book(t, e, 0, phone(2), true)
		reply(t, f, phone(1), "s1", chorus.IntentCancel, "2")
		if got := f.booking(t, b.ID); got.Status != chorus.StatusCancelled {
			t.Errorf("after 2 the booking is %s", got.Status)
		}
		if got := f.booking(t, next.ID); got.Status != chorus.StatusOffered {
			t.Errorf("the freed seat went to nobody: the next in line is %s", got.Status)
		}
	})
	t.Run("UnknownToInbox", func(t *testing.T) {
		f := newFixture(t, open)
		in, _ := reply(t, f, phone(5), "s9", chorus.IntentUnknown, "请问义诊几点开始")
		if in.Handled {
			t.Fatal("a question was handled by itself")
		}
		inbox, err := f.Inbox(ctx, true, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox) != 1 || inbox[0].ID != in.ID || inbox[0].Content != "请问义诊几点开始" {
			t.Fatalf("staff inbox = %+v", inbox)
		}
		if _, err := f.SettleInbound(ctx, in.ID, "liting", "已电话回复"); err != nil {
			t.Fatal(err)
		}
		if inbox, _ := f.Inbox(ctx, true, 10); len(inbox) != 0 {
			t.Errorf("a settled reply stays in the inbox: %+v", inbox)
		}
	})
}
