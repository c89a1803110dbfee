package sqlite_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sqlite"
	"github.com/chorus-community/chorus/voice"
	"github.com/chorus-community/chorus/voice/voicefake"
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

// voiceWorker returns a voice worker on db placing calls through the real
// SDK against a local fake of Dyvmsapi.
func voiceWorker(t *testing.T, db *sqlite.DB, now func() time.Time) (*voice.Worker, *voicefake.Server) {
	t.Helper()
	cat, err := voice.NewCatalogue(nil)
	if err != nil {
		t.Fatal(err)
	}
	approved := map[string][]string{}
	for _, tpl := range cat.Templates() {
		approved[tpl.Code] = tpl.Params
	}
	f := voicefake.New(voicefake.Options{Templates: approved, ShowNumbers: []string{"057100001111"}, Now: now})
	t.Cleanup(f.Close)
	caller, err := voice.NewAlibaba(voice.AlibabaConfig{AccessKeyID: voicefake.DefaultAccessKeyID,
		AccessKeySecret: voicefake.DefaultAccessKeySecret, ShowNumber: "057100001111", Endpoint: f.Endpoint, Scheme: "http"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { caller.Close() })
	return &voice.Worker{Outbox: db, Caller: caller, Catalogue: cat, Location: db.Location, Sign: "光华街社区", Now: now,
		Rules: chorus.CallRules{PerPhoneDay: 3, BudgetDay: 100}}, f
}

// TestVoiceWorker: a voice resident's confirmation is called with its
// 按1/按2 menu inside the call windows; at night it waits for the
// morning; a reminder due at night goes by SMS instead; over the day's
// cap a call goes by SMS.
func TestVoiceWorker(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenDB(t) // T0: Tuesday 08:00 in Shanghai
	w, f := voiceWorker(t, db, clock.Now)
	if err := db.SaveResident(ctx, &chorus.Resident{Phone: Phone(1), Name: "姚大娘", Channel: chorus.ChannelVoice}); err != nil {
		t.Fatal(err)
	}
	e := MustEvent(t, db)
	MustBook(t, db, Req(e, 0, Phone(1)))

	// 08:00 is before the first window: nothing rings, the call waits.
	if n, err := w.RunOnce(ctx); err != nil || n != 0 || len(f.Calls()) != 0 {
		t.Fatalf("at 08:00: %d %v %+v", n, err, f.Calls())
	}
	calls, _ := db.DueCalls(ctx, T0.Add(time.Hour), 10)
	if len(calls) != 1 || !calls[0].NextAttempt.Equal(T0.Add(time.Hour)) {
		t.Fatalf("the call should wait for 09:00: %+v", calls)
	}
	clock.Add(time.Hour)
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("at 09:00: %d %v", n, err)
	}
	got := f.Calls()
	if len(got) != 1 || got[0].Action != "IvrCall" || got[0].Phone != Phone(1) || len(got[0].Menu) != 2 ||
		got[0].Params["time"] != "十二月五日星期六上午九点" {
		t.Fatalf("calls = %+v", got)
	}
	msgs := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgBookingConfirm)
	if len(msgs) != 1 || msgs[0].Status != chorus.MessageSubmitted || msgs[0].BizID != got[0].CallID {
		t.Fatalf("message = %+v", msgs)
	}

	// Over the resident's calls for the day: SMS instead.
	w.Rules.PerPhoneDay = 1
	clock.Add(time.Hour)
	if err := db.Queue(ctx, chorus.Message{Phone: Phone(1), Kind: chorus.MsgCancelled, BookingID: msgs[0].BookingID,
		Params: map[string]string{"event": "免费义诊", "time": "12月5日周六09:00"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("over the cap: %d %v", n, err)
	}
	cancels := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgCancelled)
	if len(cancels) != 2 || cancels[0].ErrCode != voice.CallLimitCode || cancels[1].Channel != chorus.ChannelSMS ||
		cancels[1].Status != chorus.MessageQueued {
		t.Fatalf("over the cap = %+v", cancels)
	}
	w.Rules.PerPhoneDay = 3

	// A reminder due at 21:00 would be stale by morning: SMS instead.
	clock.Set(time.Date(2026, 12, 1, 21, 0, 0, 0, db.Location))
	if err := db.Queue(ctx, chorus.Message{Phone: Phone(1), Kind: chorus.MsgReminder, BookingID: msgs[0].BookingID,
		Params: map[string]string{"event": "免费义诊", "time": "12月5日周六09:00", "place": "社区活动室", "code": "123456"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	rem := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgReminder)
	if len(rem) != 2 || rem[0].Channel != chorus.ChannelVoice || rem[0].ErrCode != voice.CallOutsideCode ||
		rem[1].Channel != chorus.ChannelSMS || rem[1].Status != chorus.MessageQueued {
		t.Fatalf("reminder at night = %+v", rem)
	}
	if len(f.Calls()) != 1 {
		t.Errorf("a call rang at night: %+v", f.Calls())
	}
}

// TestVoice_Results: the fake plays the provider's pushes; the key 1
// confirms the booking exactly as the SMS reply 1 would, and a repeated
// push changes nothing; no answer gets one retry, then SMS copies to the
// family and the resident on staff's list for a phone call.
func TestVoice_Results(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenDB(t)
	clock.Set(time.Date(2026, 12, 1, 10, 0, 0, 0, db.Location))
	w, f := voiceWorker(t, db, clock.Now)
	apply := func(events []voice.Event, reports []voice.Report) {
		t.Helper()
		for _, e := range events {
			if _, err := db.ApplyCallResult(ctx, e.Result(), e.DedupeKey()); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range reports {
			if _, err := db.ApplyCallResult(ctx, r.Result(), r.DedupeKey()); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The pushes are read by the real parsers from what the fake posts.
	var events []voice.Event
	var reports []voice.Report
	app := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/events" {
			got, _ := voice.ParseEvents(body)
			events = append(events, got...)
		} else {
			got, _ := voice.ParseReports(body)
			reports = append(reports, got...)
		}
		rw.Write([]byte(`{"code":0}`))
	}))
	defer app.Close()
	play := func(callID string) {
		t.Helper()
		events, reports = nil, nil
		if err := f.Play(ctx, callID, voicefake.Pushes{Events: app.URL + "/events", Reports: app.URL + "/reports"}, true); err != nil {
			t.Fatal(err)
		}
		apply(events, reports)
	}

	for _, p := range []string{Phone(1), Phone(2)} {
		if err := db.SaveResident(ctx, &chorus.Resident{Phone: p, Channel: chorus.ChannelVoice,
			Family: []chorus.FamilyContact{{Name: "儿子", Phone: Phone(9), Relation: "儿子"}}}); err != nil {
			t.Fatal(err)
		}
	}
	e := MustEvent(t, db)
	b1 := MustBook(t, db, Req(e, 0, Phone(1)))
	b2 := MustBook(t, db, Req(e, 0, Phone(2)))
	f.Script(Phone(1), voicefake.Script{Key: "1"})
	f.Script(Phone(2), voicefake.Script{Status: "200003"}) // never answers
	if n, err := w.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("placed %d: %v", n, err)
	}
	calls := f.Calls()

	// 1 pressed: confirmed, acknowledged, in the inbox as a reply.
	play(calls[0].CallID)
	if got, _ := db.Booking(ctx, b1.ID); got.Status != chorus.StatusConfirmed {
		t.Errorf("after 1 pressed the booking is %s", got.Status)
	}
	if acks := MessagesOf(MustMessages(t, db, Phone(1)), chorus.MsgReplyAck); len(acks) != 1 {
		t.Errorf("acknowledgements = %+v", acks)
	}
	inbox, _ := db.Inbox(ctx, false, 10)
	if len(inbox) != 1 || inbox[0].Phone != Phone(1) || !inbox[0].Handled {
		t.Errorf("inbox = %+v", inbox)
	}
	// The provider pushes it all again: nothing changes.
	before := len(MustMessages(t, db, Phone(1)))
	apply(events, reports)
	if after := len(MustMessages(t, db, Phone(1))); after != before {
		t.Errorf("a repeated push queued %d more messages", after-before)
	}

	// No answer: one retry, 30 minutes later, inside the window.
	family := len(MustMessages(t, db, Phone(9)))
	play(calls[1].CallID)
	msgs := MessagesOf(MustMessages(t, db, Phone(2)), chorus.MsgBookingConfirm)
	if len(msgs) != 1 || msgs[0].Status != chorus.MessageQueued {
		t.Fatalf("after no answer: %+v", msgs)
	}
	clock.Add(chorus.CallRetryAfter + time.Minute) // after the call ended
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("retry placed %d: %v", n, err)
	}
	calls = f.Calls()
	play(calls[2].CallID)
	msgs = MessagesOf(MustMessages(t, db, Phone(2)), chorus.MsgBookingConfirm)
	if msgs[0].Status != chorus.MessageFailed {
		t.Errorf("after the second no answer: %+v", msgs[0])
	}
	if got := len(MustMessages(t, db, Phone(9))) - family; got != 1 {
		t.Errorf("the family got %d new SMS, want 1", got)
	}
	staff, err := db.StaffCalls(ctx, clock.Now().Add(-48*time.Hour))
	if err != nil || len(staff) != 1 || staff[0].Phone != Phone(2) || staff[0].BookingID != b2.ID {
		t.Errorf("staff calls = %+v %v", staff, err)
	}
	if got, _ := db.Booking(ctx, b2.ID); got.Status == chorus.StatusConfirmed {
		t.Error("an unanswered call confirmed a booking")
	}
}
