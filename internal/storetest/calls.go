package storetest

import (
	"context"
	"testing"

	"github.com/chorus-community/chorus"
)

// testCalls: a resident on voice has their notice as a call (DueCalls,
// never Due); a placed call's key 1 confirms the booking as the SMS reply
// 1 would; a repeated push changes nothing; a call over the cap goes by
// SMS.
func testCalls(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("KeyConfirmsOnce", func(t *testing.T) {
		f := newFixture(t, open)
		voiceCh := chorus.ChannelVoice
		if _, _, err := f.PatchResident(ctx, phone(1), chorus.ResidentPatch{Channel: &voiceCh}); err != nil {
			t.Fatal(err)
		}
		e := f.event(t, 1, 5, false)
		b := f.book(t, e, 0, phone(1), false)
		now := f.clock.Now()
		sms, err := f.Due(ctx, now, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sms {
			if m.Phone == phone(1) {
				t.Fatalf("a voice resident's notice is due as SMS: %+v", m)
			}
		}
		calls, err := f.DueCalls(ctx, now, 100)
		if err != nil || len(calls) != 1 || calls[0].BookingID != b.ID || calls[0].Channel != chorus.ChannelVoice {
			t.Fatalf("calls due = %+v, %v", calls, err)
		}
		row, err := f.StartCall(ctx, calls[0].ID, phone(1), now)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.CallPlaced(ctx, calls[0].ID, row, "call-1", now); err != nil {
			t.Fatal(err)
		}
		if id, known, err := f.CallKnown(ctx, calls[0].ID); err != nil || !known || id != "call-1" {
			t.Errorf("call known = %q %v %v", id, known, err)
		}
		if n, err := f.CallsSince(ctx, now.Add(-1)); err != nil || n != 1 {
			t.Errorf("calls since = %d %v", n, err)
		}
		key := chorus.CallResult{CallID: "call-1", OutID: calls[0].ID, Outcome: chorus.CallKey, Key: "1", At: now}
		for i, want := range []bool{true, false} {
			applied, err := f.ApplyCallResult(ctx, key, "call-1|300000")
			if err != nil || applied != want {
				t.Fatalf("push %d applied = %v %v, want %v", i+1, applied, err, want)
			}
		}
		if got := f.booking(t, b.ID); got.Status != chorus.StatusConfirmed {
			t.Errorf("after the key 1 the booking is %s", got.Status)
		}
	})
	t.Run("KeyTwoCancels", func(t *testing.T) {
		f := newFixture(t, open)
		voiceCh := chorus.ChannelVoice
		f.PatchResident(ctx, phone(3), chorus.ResidentPatch{Channel: &voiceCh})
		e := f.event(t, 1, 1, false)
		b := f.book(t, e, 0, phone(3), false)
		calls, _ := f.DueCalls(ctx, f.clock.Now(), 100)
		row, _ := f.StartCall(ctx, calls[0].ID, phone(3), f.clock.Now())
		f.CallPlaced(ctx, calls[0].ID, row, "call-2", f.clock.Now())
		if _, err := f.ApplyCallResult(ctx, chorus.CallResult{CallID: "call-2", OutID: calls[0].ID, Outcome: chorus.CallKey, Key: "2",
			At: f.clock.Now()}, "call-2|300000"); err != nil {
			t.Fatal(err)
		}
		if got := f.booking(t, b.ID); got.Status != chorus.StatusCancelled {
			t.Errorf("after the key 2 the booking is %s", got.Status)
		}
		if n := f.taken(t, e, 0); n != 0 {
			t.Errorf("the seat was not freed: %d taken", n)
		}
	})
	t.Run("OverTheCapBySMS", func(t *testing.T) {
		f := newFixture(t, open)
		voiceCh := chorus.ChannelVoice
		f.PatchResident(ctx, phone(2), chorus.ResidentPatch{Channel: &voiceCh})
		f.book(t, f.event(t, 1, 5, false), 0, phone(2), false)
		calls, _ := f.DueCalls(ctx, f.clock.Now(), 100)
		if len(calls) != 1 {
			t.Fatalf("calls due = %+v", calls)
		}
		if err := f.CallBySMS(ctx, calls[0].ID, "call_limit", "今天的电话通知次数已用完"); err != nil {
			t.Fatal(err)
		}
		sms, _ := f.Due(ctx, f.clock.Now(), 100)
		found := false
		for _, m := range sms {
			found = found || (m.Phone == phone(2) && m.Kind == chorus.MsgBookingConfirm && m.Channel == chorus.ChannelSMS)
		}
		if !found {
			t.Errorf("the notice did not go by SMS: %+v", sms)
		}
		if left, _ := f.DueCalls(ctx, f.clock.Now(), 100); len(left) != 0 {
			t.Errorf("the call is still due: %+v", left)
		}
	})
}
