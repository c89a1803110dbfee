package voice_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/voice"
)

// The examples of docs/aliyun-voice.md §3.
const (
	reportExample = `[{"call_id":"116012354148^10281378****","out_id":"42","caller":"0571****5678","callee":"1390000****","status_code":"200000","status_msg":"用户听完语音","smart_status_code":"ANSWERED","start_time":"2023-03-13 11:18:36","end_time":"2023-03-13 11:18:43","duration":"7","hangup_direction":"用户","b_duration":7}]`
	eventExample  = `[{"call_id":"116012354148^10281378****","status_code":"300000","smart_status_code":"ANSWERED","dtmf":"1","status_time":"2023-03-06 16:21:12","out_id":"42"}]`
)

func TestParseReports(t *testing.T) {
	got, err := voice.ParseReports([]byte(reportExample))
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	r := got[0]
	cst := time.FixedZone("CST", 8*3600)
	if r.CallID != "116012354148^10281378****" || r.OutID != 42 || r.Status != "200000" || r.Duration != 7 ||
		!r.Start.Equal(time.Date(2023, 3, 13, 11, 18, 36, 0, cst)) || r.HungUpBy != "用户" || r.Message != "用户听完语音" {
		t.Errorf("report = %+v", r)
	}
	// Duration as a number, too.
	got, err = voice.ParseReports([]byte(`[{"call_id":"a^1","status_code":"200003","duration":0}]`))
	if err != nil || got[0].Duration != 0 || got[0].OutID != 0 {
		t.Errorf("%+v %v", got, err)
	}
	if o, final := got[0].Outcome(); o != chorus.CallNoAnswer || !final {
		t.Errorf("200003 = %s %v", o, final)
	}
}

func TestParseEvents(t *testing.T) {
	got, err := voice.ParseEvents([]byte(eventExample))
	if err != nil || len(got) != 1 || got[0].Key != "1" || got[0].OutID != 42 || got[0].Status != "300000" || got[0].At.IsZero() {
		t.Fatalf("%+v %v", got, err)
	}
}

// TestParse_BadItems: a bad item is left out and named; the others stay.
func TestParse_BadItems(t *testing.T) {
	bad := map[string]string{
		"no call id":    `{"status_code":"200000"}`,
		"status":        `{"call_id":"a","status_code":"20000x"}`,
		"out id":        `{"call_id":"a","status_code":"200000","out_id":"-3"}`,
		"long out id":   `{"call_id":"a","status_code":"200000","out_id":"1234567890123456"}`,
		"two keys":      `{"call_id":"a","status_code":"300000","dtmf":"12"}`,
		"key, no dtmf":  `{"call_id":"a","status_code":"300000"}`,
		"call id space": `{"call_id":"a b","status_code":"200000"}`,
		"not an object": `"x"`,
	}
	for name, item := range bad {
		got, err := voice.ParseEvents([]byte(`[` + item + `,{"call_id":"ok^1","status_code":"200101"}]`))
		var ie *sms.ItemsError
		if !errors.As(err, &ie) || len(ie.Items) != 1 || ie.Items[0].Index != 0 || len(got) != 1 || got[0].CallID != "ok^1" {
			t.Errorf("%s: %+v %v", name, got, err)
		}
	}
	if _, err := voice.ParseReports([]byte(`[{"call_id":"a","status_code":"200000","duration":"-1"}]`)); err == nil {
		t.Error("a negative duration was taken")
	}
	for name, body := range map[string]string{
		"not an array": `{"call_id":"a"}`,
		"too large":    "[" + strings.Repeat(" ", sms.MaxPushBytes) + "]",
		"too many":     "[" + strings.Repeat("{},", sms.MaxPushItems) + "{}]",
		"empty":        "",
	} {
		if got, err := voice.ParseEvents([]byte(body)); err == nil || got != nil {
			t.Errorf("%s: %v %v", name, got, err)
		}
	}
}

func TestOutcome(t *testing.T) {
	for _, c := range []struct {
		status, key string
		want        chorus.CallOutcome
		final       bool
	}{
		{"200101", "", "", false}, {"200201", "", "", false}, {"200102", "", "", false}, {"200100", "", "", false},
		{"300000", "1", chorus.CallKey, true}, {"300000", "", "", false},
		{"200000", "", chorus.CallHeard, true}, {"200001", "", chorus.CallHeard, true},
		{"200008", "", chorus.CallNoKey, true},
		{"200002", "", chorus.CallNoAnswer, true}, {"200003", "", chorus.CallNoAnswer, true}, {"200010", "", chorus.CallNoAnswer, true},
		{"200004", "", chorus.CallBadNumber, true}, {"200011", "", chorus.CallBadNumber, true},
		{"200118", "", chorus.CallHeldBack, true}, {"200121", "", chorus.CallHeldBack, true},
		{"999999", "", "", false},
	} {
		if o, final := voice.Outcome(c.status, c.key); o != c.want || final != c.final {
			t.Errorf("Outcome(%s, %q) = %s %v", c.status, c.key, o, final)
		}
	}
}

func TestClassify(t *testing.T) {
	for code, want := range map[string]sms.Class{
		"isv.BUSINESS_LIMIT_CONTROL": sms.ClassDeferred, "isv.VOICE_CALL_FAIL": sms.ClassRetry,
		"isv.TTS_TEMPLATE_ILLEGAL": sms.ClassPermanent, "isv.COMPLAINT_REJECT": sms.ClassPermanent,
		"Throttling.User": sms.ClassRetry, "SignatureDoesNotMatch": sms.ClassPermanent,
	} {
		if got := voice.Classify(code, 200); got != want {
			t.Errorf("%s = %s, want %s", code, got, want)
		}
	}
}

func FuzzParseEvents(f *testing.F) {
	f.Add([]byte(eventExample))
	f.Add([]byte(`[{"call_id":1,"status_code":200000,"out_id":7,"dtmf":1}]`))
	f.Add([]byte(`[null,{},[]]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := voice.ParseEvents(body)
		var ie *sms.ItemsError
		if err != nil && !errors.As(err, &ie) && got != nil {
			t.Fatalf("items returned with a whole-push error: %v", err)
		}
		for _, e := range got {
			if e.CallID == "" || len(e.Status) != 6 || len(e.Key) > 1 || e.OutID < 0 {
				t.Fatalf("invalid event taken: %+v", e)
			}
		}
	})
}

func FuzzParseReports(f *testing.F) {
	f.Add([]byte(reportExample))
	f.Add([]byte(`[{"call_id":"x","status_code":"200003","duration":null}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := voice.ParseReports(body)
		var ie *sms.ItemsError
		if err != nil && !errors.As(err, &ie) && got != nil {
			t.Fatalf("items returned with a whole-push error: %v", err)
		}
		for _, r := range got {
			if r.CallID == "" || len(r.Status) != 6 || r.Duration < 0 || r.OutID < 0 {
				t.Fatalf("invalid report taken: %+v", r)
			}
		}
	})
}
