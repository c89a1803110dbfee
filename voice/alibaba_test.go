package voice_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/voice"
	"github.com/chorus-community/chorus/voice/voicefake"
)

const showNumber = "057100001111"

var templates = map[string][]string{
	"TTS_CONFIRM": {"event", "time"},
	"TTS_DONE":    nil,
	"TTS_CANCEL":  nil,
	"TTS_REMIND":  {"event", "time"},
}

// newCaller starts a fake and the real SDK client against it.
func newCaller(t *testing.T, clock *clocktest.Clock, show string, secret string) (*voice.Alibaba, *voicefake.Server) {
	t.Helper()
	f := voicefake.New(voicefake.Options{Templates: templates, ShowNumbers: []string{showNumber}, Now: clock.Now})
	t.Cleanup(f.Close)
	if secret == "" {
		secret = voicefake.DefaultAccessKeySecret
	}
	a, err := voice.NewAlibaba(voice.AlibabaConfig{AccessKeyID: voicefake.DefaultAccessKeyID, AccessKeySecret: secret,
		ShowNumber: show, Endpoint: f.Endpoint, Scheme: "http", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, f
}

func confirmCall(id int64, phone string) voice.Call {
	return voice.Call{ID: id, Phone: phone, Kind: chorus.MessageKind("booking_pending"), Code: "TTS_CONFIRM",
		Params: map[string]string{"event": "免费义诊", "time": "十二月五日上午九点"},
		Menu:   []voice.MenuKey{{Key: "1", Code: "TTS_DONE"}, {Key: "2", Code: "TTS_CANCEL"}}, ByeCode: "TTS_DONE"}
}

func classOf(err error) sms.Class {
	var se *sms.SendError
	if errors.As(err, &se) {
		return se.Class
	}
	return ""
}

func codeOf(err error) string {
	var se *sms.SendError
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

func TestAlibaba_Place(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)) // 10:00 in Beijing
	a, f := newCaller(t, clock, showNumber, "")
	ctx := context.Background()

	// An IVR call with its menu, as the SDK sends it.
	id, err := a.Place(ctx, confirmCall(42, "13800001111"))
	if err != nil || id == "" {
		t.Fatalf("IvrCall: %q %v", id, err)
	}
	calls := f.Calls()
	if len(calls) != 1 {
		t.Fatalf("calls = %+v", calls)
	}
	c := calls[0]
	if c.Action != "IvrCall" || c.CallID != id || c.OutID != "42" || c.ShowNumber != showNumber || c.Code != "TTS_CONFIRM" ||
		c.Params["event"] != "免费义诊" || len(c.Menu) != 2 || c.Menu[1].Key != "2" || c.Menu[1].Code != "TTS_CANCEL" ||
		c.PlayTimes != 2 || c.Timeout != 8000 || c.ByeCode != "TTS_DONE" {
		t.Errorf("call = %+v", c)
	}

	// A spoken notification to another phone.
	_, err = a.Place(ctx, voice.Call{ID: 43, Phone: "13800002222", Code: "TTS_REMIND",
		Params: map[string]string{"event": "免费义诊", "time": "明天上午九点"}})
	if err != nil || f.Calls()[1].Action != "SingleCallByTts" {
		t.Errorf("SingleCallByTts: %v %+v", err, f.Calls())
	}

	// The provider's per-number limit: a second call within the minute is
	// deferred, and goes through a minute later.
	if _, err := a.Place(ctx, voice.Call{ID: 44, Phone: "13800002222", Code: "TTS_DONE"}); classOf(err) != sms.ClassDeferred ||
		codeOf(err) != "isv.BUSINESS_LIMIT_CONTROL" {
		t.Errorf("within the minute: %v", err)
	}
	clock.Add(time.Minute)
	if _, err := a.Place(ctx, voice.Call{ID: 44, Phone: "13800002222", Code: "TTS_DONE"}); err != nil {
		t.Errorf("a minute later: %v", err)
	}

	// Refusals and their classes.
	cases := []struct {
		name  string
		call  voice.Call
		class sms.Class
		code  string
	}{
		{"unknown template", voice.Call{ID: 50, Phone: "13800003333", Code: "TTS_NONE"}, sms.ClassPermanent, "isv.TTS_TEMPLATE_ILLEGAL"},
		{"missing variable", voice.Call{ID: 51, Phone: "13800003334", Code: "TTS_REMIND", Params: map[string]string{"event": "x"}},
			sms.ClassPermanent, "isv.TEMPLATE_MISSING_PARAMETERS"},
		{"bad number", voice.Call{ID: 52, Phone: "12345", Code: "TTS_DONE"}, sms.ClassPermanent, "isv.MOBILE_NUMBER_ILLEGAL"},
		{"out id too long", voice.Call{ID: 1234567890123456, Phone: "13800003335", Code: "TTS_DONE"}, sms.ClassPermanent, sms.CodeInvalidParams},
		{"too many keys", voice.Call{ID: 53, Phone: "13800003336", Code: "TTS_DONE", Menu: make([]voice.MenuKey, 16)},
			sms.ClassPermanent, sms.CodeInvalidParams},
	}
	for _, c := range cases {
		_, err := a.Place(ctx, c.call)
		if classOf(err) != c.class || codeOf(err) != c.code {
			t.Errorf("%s: %v, want %s %s", c.name, err, c.class, c.code)
		}
	}
	f.FailNext("isv.VOICE_CALL_FAIL", 1)
	if _, err := a.Place(ctx, voice.Call{ID: 54, Phone: "13800003337", Code: "TTS_DONE"}); classOf(err) != sms.ClassRetry {
		t.Errorf("VOICE_CALL_FAIL: %v, want retry", err)
	}
	f.FailNext("isv.AMOUNT_NOT_ENOUGH", 1)
	if _, err := a.Place(ctx, voice.Call{ID: 55, Phone: "13800003338", Code: "TTS_DONE"}); classOf(err) != sms.ClassPermanent {
		t.Errorf("AMOUNT_NOT_ENOUGH: %v, want permanent", err)
	}
}

// TestAlibaba_NoShowNumber: without a purchased number an IVR call is
// refused before it is placed; a TTS notification goes in public mode.
func TestAlibaba_NoShowNumber(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC))
	a, f := newCaller(t, clock, "", "")
	if _, err := a.Place(context.Background(), confirmCall(1, "13800001111")); classOf(err) != sms.ClassPermanent {
		t.Errorf("IVR without a number: %v", err)
	}
	if _, err := a.Place(context.Background(), voice.Call{ID: 2, Phone: "13800001111", Code: "TTS_DONE"}); err != nil {
		t.Errorf("public mode: %v", err)
	}
	if n := len(f.Calls()); n != 1 {
		t.Errorf("%d calls placed, want 1", n)
	}
}

// TestAlibaba_Signature: a wrong secret is refused by the fake's
// signature check, and never retried.
func TestAlibaba_Signature(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC))
	a, f := newCaller(t, clock, showNumber, "wrong-secret")
	_, err := a.Place(context.Background(), voice.Call{ID: 1, Phone: "13800001111", Code: "TTS_DONE"})
	if codeOf(err) != "SignatureDoesNotMatch" || classOf(err) != sms.ClassPermanent || len(f.Calls()) != 0 {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestAlibaba_Detail(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC))
	a, f := newCaller(t, clock, showNumber, "")
	ctx := context.Background()
	f.Script("13800001111", voicefake.Script{Status: "200003"})
	id, err := a.Place(ctx, confirmCall(7, "13800001111"))
	if err != nil {
		t.Fatal(err)
	}
	d, found, err := a.Detail(ctx, id, clock.Now())
	if err != nil || !found || d.State != "200003" {
		t.Errorf("detail = %+v %v %v", d, found, err)
	}
	id2, _ := a.Place(ctx, voice.Call{ID: 8, Phone: "13800002222", Code: "TTS_DONE"})
	d, found, err = a.Detail(ctx, id2, clock.Now())
	if err != nil || !found || d.State != "200000" || d.Duration != 12 || d.End.Sub(d.Start) != 12*time.Second {
		t.Errorf("TTS detail = %+v %v %v", d, found, err)
	}
	// Another day: not found.
	if _, found, err := a.Detail(ctx, id, clock.Now().AddDate(0, 0, 2)); found || err != nil {
		t.Errorf("another day: %v %v", found, err)
	}
	if _, found, err := a.Detail(ctx, "nope", clock.Now()); found || err != nil {
		t.Errorf("unknown call: %v %v", found, err)
	}
}

// TestFake_Play: the fake pushes a call's steps and its record to the
// app's URLs; the parsers read them; the key pressed arrives.
func TestFake_Play(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC))
	a, f := newCaller(t, clock, showNumber, "")
	var mu sync.Mutex
	var events []voice.Event
	var reports []voice.Report
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/events":
			got, err := voice.ParseEvents(body)
			if err != nil {
				t.Errorf("events: %v", err)
			}
			events = append(events, got...)
		case "/reports":
			got, err := voice.ParseReports(body)
			if err != nil {
				t.Errorf("reports: %v", err)
			}
			reports = append(reports, got...)
		case "/broken":
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Write(sms.PushOK)
	}))
	defer app.Close()
	f.Script("13800001111", voicefake.Script{Key: "1"})
	id, err := a.Place(context.Background(), confirmCall(42, "13800001111"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Play(context.Background(), id, voicefake.Pushes{Events: app.URL + "/events", Reports: app.URL + "/reports"}, true); err != nil {
		t.Fatal(err)
	}
	var key *voice.Event
	for i := range events {
		if events[i].Status == "300000" {
			key = &events[i]
		}
	}
	if len(events) != 10 || key == nil || key.Key != "1" || key.OutID != 42 || key.CallID != id {
		t.Fatalf("events = %+v", events)
	}
	if o, final := key.Outcome(); o != chorus.CallKey || !final {
		t.Errorf("key outcome = %s %v", o, final)
	}
	if o, final := events[0].Outcome(); o != "" || final {
		t.Errorf("ringing is not final: %s %v", o, final)
	}
	if len(reports) != 2 || reports[0].DedupeKey() != reports[1].DedupeKey() || events[0].DedupeKey() != events[5].DedupeKey() {
		t.Errorf("repeats do not share their keys: %+v", reports)
	}
	if o, _ := reports[0].Outcome(); o != chorus.CallHeard || reports[0].Duration != 12 {
		t.Errorf("report = %+v", reports[0])
	}
	// An app that does not answer as the provider requires.
	if err := f.Play(context.Background(), id, voicefake.Pushes{Events: app.URL + "/broken", Reports: app.URL + "/broken"}, false); err == nil {
		t.Error("a push answered 500 was taken as received")
	}
}
