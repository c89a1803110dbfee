package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func TestPlanReply(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	pending := func(id int64) chorus.ReplyItem {
		return chorus.ReplyItem{Kind: chorus.ReplyItemBooking, ID: id, Status: chorus.StatusPending, MessageID: id * 10}
	}
	offer := chorus.ReplyItem{Kind: chorus.ReplyItemBooking, ID: 3, Status: chorus.StatusOffered, Deadline: now.Add(time.Hour)}
	lapsed := chorus.ReplyItem{Kind: chorus.ReplyItemBooking, ID: 4, Status: chorus.StatusOffered, Deadline: now.Add(-time.Minute)}
	confirmed := chorus.ReplyItem{Kind: chorus.ReplyItemEnrolment, ID: 5, Status: chorus.StatusConfirmed}
	for _, tt := range []struct {
		name   string
		intent chorus.Intent
		items  []chorus.ReplyItem
		named  bool
		act    []int64
		ask    bool
	}{
		{"OneConfirmsAllPending", chorus.IntentConfirm, []chorus.ReplyItem{pending(2), pending(1)}, false, []int64{2, 1}, false},
		{"OneTakesOpenOffersNotLapsed", chorus.IntentConfirm, []chorus.ReplyItem{offer, lapsed, confirmed}, false, []int64{3}, false},
		{"TwoCancelsTheOnly", chorus.IntentCancel, []chorus.ReplyItem{pending(1), lapsed}, false, []int64{1, 4}, true},
		{"TwoCancelsTheOnlyOne", chorus.IntentCancel, []chorus.ReplyItem{pending(1)}, false, []int64{1}, false},
		{"TwoThatCouldMeanSeveralAsks", chorus.IntentCancel, []chorus.ReplyItem{pending(2), confirmed}, false, nil, true},
		{"NamedActsOnItsItem", chorus.IntentCancel, []chorus.ReplyItem{pending(2)}, true, []int64{2}, false},
		{"NothingToDo", chorus.IntentConfirm, []chorus.ReplyItem{confirmed}, false, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := chorus.PlanReply(tt.intent, tt.items, tt.named, now)
			var ids []int64
			for _, it := range got.Act {
				ids = append(ids, it.ID)
			}
			if tt.ask {
				if !got.Ask && len(ids) > 1 {
					t.Fatalf("acted on %v without asking", ids)
				}
				return
			}
			if got.Ask || len(ids) != len(tt.act) {
				t.Fatalf("plan = %+v, want act %v", got, tt.act)
			}
			for i := range ids {
				if ids[i] != tt.act[i] {
					t.Fatalf("acts on %v, want %v", ids, tt.act)
				}
			}
		})
	}
}

func TestMessageKind_Budget(t *testing.T) {
	for k, want := range map[chorus.MessageKind]chorus.Budget{
		chorus.MsgBookingConfirm: chorus.BudgetResident, chorus.MsgReplyAck: chorus.BudgetResident,
		chorus.MsgPartnerOrder: chorus.BudgetPartner, chorus.MsgOrderTaken: chorus.BudgetPartner, chorus.MsgPartnerAck: chorus.BudgetPartner,
		chorus.MsgOrderUnclaimed: chorus.BudgetStaff, chorus.MsgDispatchUntold: chorus.BudgetStaff,
	} {
		if got := k.Budget(); got != want {
			t.Errorf("%s.Budget() = %s, want %s", k, got, want)
		}
	}
}

func TestBookingMessage(t *testing.T) {
	for st, want := range map[chorus.Status]chorus.MessageKind{
		chorus.StatusPending: chorus.MsgBookingConfirm, chorus.StatusConfirmed: chorus.MsgBookingBooked,
		chorus.StatusWaitlisted: chorus.MsgWaitlisted,
	} {
		if got := chorus.BookingMessage(st); got != want {
			t.Errorf("BookingMessage(%s) = %s, want %s", st, got, want)
		}
	}
}

func TestExtendCode(t *testing.T) {
	m := chorus.Message{ID: 12_345_678, ExpectsReply: true}
	if got := chorus.ExtendCode(m); got != "2345678" {
		t.Errorf("ExtendCode = %q", got)
	}
	if got := chorus.ExtendCode(chorus.Message{ID: 3}); got != "" {
		t.Errorf("ExtendCode of a message that expects no reply = %q", got)
	}
	for dest, want := range map[string]int64{"2345678": 2345678, "992345678": 2345678, "0000003": 3} {
		if got, ok := chorus.ReplyTo(dest); !ok || got != want {
			t.Errorf("ReplyTo(%q) = %d %v, want %d", dest, got, ok, want)
		}
	}
	for _, dest := range []string{"", "1234", "12345a7", "１２３４５６７"} {
		if _, ok := chorus.ReplyTo(dest); ok {
			t.Errorf("ReplyTo(%q) found a message", dest)
		}
	}
}

// FuzzReplyTo reads the provider's dest_code, outside input: it never
// panics, and what it finds is a 7-digit remainder.
func FuzzReplyTo(f *testing.F) {
	for _, s := range []string{"", "1234", "0000001", "12340000001", "abc\x00", "９９９９９９９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dest string) {
		if n, ok := chorus.ReplyTo(dest); ok && (n < 0 || n >= 10_000_000) {
			t.Fatalf("ReplyTo(%q) = %d", dest, n)
		}
	})
}
