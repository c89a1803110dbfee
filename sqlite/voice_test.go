package sqlite_test

import (
	"context"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestDB_Channel: a resident's channel is kept; their own notices of a
// spoken kind go as calls (both: a call and an SMS), family copies and
// unspoken kinds by SMS; Due holds only SMS and DueCalls only calls.
func TestDB_Channel(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	voice, both, family := Phone(1), Phone(2), Phone(9)
	for phone, ch := range map[string]chorus.Channel{voice: chorus.ChannelVoice, both: chorus.ChannelBoth} {
		r := &chorus.Resident{Phone: phone, Name: "姚大娘", Channel: ch,
			Family: []chorus.FamilyContact{{Name: "女儿", Phone: family, Relation: "女儿"}}}
		if err := db.SaveResident(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Resident(ctx, phone)
		if err != nil || got.Channel != ch {
			t.Fatalf("resident = %+v, %v", got, err)
		}
	}
	if err := db.SaveResident(ctx, &chorus.Resident{Phone: Phone(3), Channel: "fax"}); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("channel fax: %v", err)
	}
	if err := db.SaveResident(ctx, &chorus.Resident{Phone: Phone(3)}); err != nil {
		t.Fatal(err)
	}
	if r, _ := db.Resident(ctx, Phone(3)); r.Channel != chorus.ChannelSMS {
		t.Errorf("default channel = %q", r.Channel)
	}

	e := MustEvent(t, db)
	MustBook(t, db, Req(e, 0, voice))
	MustBook(t, db, Req(e, 0, both))
	channels := func(phone string, kind chorus.MessageKind) (out []chorus.Channel) {
		for _, m := range MessagesOf(MustMessages(t, db, phone), kind) {
			out = append(out, m.Channel)
		}
		return out
	}
	if got := channels(voice, chorus.MsgBookingConfirm); len(got) != 1 || got[0] != chorus.ChannelVoice {
		t.Errorf("voice resident's confirmation: %v", got)
	}
	if got := channels(both, chorus.MsgBookingConfirm); len(got) != 2 || got[0] != chorus.ChannelSMS || got[1] != chorus.ChannelVoice {
		t.Errorf("both: %v", got)
	}
	if got := channels(family, chorus.MsgBookingConfirm); len(got) != 2 || got[0] != chorus.ChannelSMS || got[1] != chorus.ChannelSMS {
		t.Errorf("family copies: %v", got)
	}
	// A verification code is typed back: SMS whatever the channel.
	if err := db.Queue(ctx, chorus.Message{Phone: voice, Kind: chorus.MsgVerifyCode, Params: map[string]string{"code": "123456"}}); err != nil {
		t.Fatal(err)
	}
	if got := channels(voice, chorus.MsgVerifyCode); len(got) != 1 || got[0] != chorus.ChannelSMS {
		t.Errorf("verify code: %v", got)
	}
	due, _ := db.Due(ctx, T0.AddDate(0, 0, 1), 100)
	calls, _ := db.DueCalls(ctx, T0.AddDate(0, 0, 1), 100)
	for _, m := range due {
		if m.Channel != chorus.ChannelSMS {
			t.Errorf("a call among the SMS due: %+v", m)
		}
	}
	if len(calls) != 2 {
		t.Errorf("%d calls due, want 2: %+v", len(calls), calls)
	}
	for _, m := range calls {
		if m.Channel != chorus.ChannelVoice || (m.Phone != voice && m.Phone != both) {
			t.Errorf("due call: %+v", m)
		}
	}
}
