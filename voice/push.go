package voice

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/aliyun"
)

// Event is one item of the provider's VoiceCallReport push: a step of a
// call (ringing, answered, a key pressed, hung up).
type Event struct {
	CallID string
	OutID  int64  // our message id; 0 when missing
	Status string // 200101 开始呼叫 … 300000 按键
	Key    string // the key pressed, with 300000: "1"
	At     time.Time
}

// Outcome is what the event tells, if it is final (see Outcome).
func (e Event) Outcome() (chorus.CallOutcome, bool) { return Outcome(e.Status, e.Key) }

// Report is one item of the VoiceReport push: the record of a call after
// it ended.
type Report struct {
	CallID   string
	OutID    int64
	Callee   string // the number called, as the provider writes it (may be masked)
	Status   string
	Message  string // status_msg: 用户听完语音 …
	Key      string // dtmf, in older pushes
	Start    time.Time
	End      time.Time
	Duration int // seconds
	HungUpBy string
}

// Outcome is what the report tells (see Outcome).
func (r Report) Outcome() (chorus.CallOutcome, bool) { return Outcome(r.Status, r.Key) }

// DedupeKey identifies a push item across the provider's repeats: it
// pushes an item again after 1, 5 and 10 minutes when not answered in
// time, and sometimes twice anyway.
func (e Event) DedupeKey() string {
	return e.CallID + "|" + e.Status + "|" + e.At.Format(time.DateTime)
}

// DedupeKey identifies a report across repeats: one report per call.
func (r Report) DedupeKey() string { return r.CallID + "|report" }

type rawEvent struct {
	CallID     aliyun.FlexString `json:"call_id"`
	OutID      aliyun.FlexString `json:"out_id"`
	Status     aliyun.FlexString `json:"status_code"`
	DTMF       aliyun.FlexString `json:"dtmf"`
	StatusTime aliyun.FlexString `json:"status_time"`
}

type rawReport struct {
	CallID    aliyun.FlexString `json:"call_id"`
	OutID     aliyun.FlexString `json:"out_id"`
	Callee    aliyun.FlexString `json:"callee"`
	Status    aliyun.FlexString `json:"status_code"`
	StatusMsg aliyun.FlexString `json:"status_msg"`
	DTMF      aliyun.FlexString `json:"dtmf"`
	Start     aliyun.FlexString `json:"start_time"`
	End       aliyun.FlexString `json:"end_time"`
	Duration  aliyun.FlexString `json:"duration"`
	Hangup    aliyun.FlexString `json:"hangup_direction"`
}

// ParseEvents reads a VoiceCallReport push (a JSON array), within the
// push limits; see aliyun.ParsePush for what is left out and how.
func ParseEvents(body []byte) ([]Event, error) {
	return aliyun.ParsePush(body, "voice", "call", rawEvent.event)
}

// ParseReports reads a VoiceReport push (a JSON array).
func ParseReports(body []byte) ([]Report, error) {
	return aliyun.ParsePush(body, "voice", "report", rawReport.report)
}

func (raw rawEvent) event() (Event, error) {
	id, out, status, err := common(raw.CallID, raw.OutID, raw.Status)
	if err != nil {
		return Event{}, err
	}
	key, err := dtmf(raw.DTMF)
	if err != nil {
		return Event{}, err
	}
	if status == "300000" && key == "" {
		return Event{}, errors.New("a key event (300000) without dtmf")
	}
	return Event{CallID: id, OutID: out, Status: status, Key: key, At: aliyun.PushTime(raw.StatusTime)}, nil
}

func (raw rawReport) report() (Report, error) {
	id, out, status, err := common(raw.CallID, raw.OutID, raw.Status)
	if err != nil {
		return Report{}, err
	}
	key, err := dtmf(raw.DTMF)
	if err != nil {
		return Report{}, err
	}
	dur := 0
	if s := strings.TrimSpace(string(raw.Duration)); s != "" {
		if dur, err = strconv.Atoi(s); err != nil || dur < 0 || dur > 24*3600 {
			return Report{}, fmt.Errorf("duration %q is not a number of seconds", chorus.Shorten(s, 20))
		}
	}
	return Report{CallID: id, OutID: out, Status: status, Key: key,
		Callee: aliyun.CleanText(string(raw.Callee), 20), Message: aliyun.CleanText(string(raw.StatusMsg), 100),
		Start: aliyun.PushTime(raw.Start), End: aliyun.PushTime(raw.End), Duration: dur,
		HungUpBy: aliyun.CleanText(string(raw.Hangup), 10)}, nil
}

// common checks what every item carries: a call id, a status code, and
// an out id when there is one.
func common(callID, outID, status aliyun.FlexString) (string, int64, string, error) {
	id := strings.TrimSpace(string(callID))
	if id == "" {
		return "", 0, "", errors.New("call_id is missing")
	}
	if err := aliyun.CheckID("call_id", id); err != nil {
		return "", 0, "", err
	}
	st := strings.TrimSpace(string(status))
	if len(st) != 6 || strings.Trim(st, "0123456789") != "" {
		return "", 0, "", fmt.Errorf("status_code %q is not a 6-digit code", chorus.Shorten(st, 20))
	}
	var out int64
	if s := strings.TrimSpace(string(outID)); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || len(s) > maxOutID {
			return "", 0, "", fmt.Errorf("out_id %q is not a message id", chorus.Shorten(s, 20))
		}
		out = n
	}
	return id, out, st, nil
}

// dtmf reads the key pressed: one of 0–9, * and #, or none.
func dtmf(f aliyun.FlexString) (string, error) {
	k := strings.TrimSpace(string(f))
	if k == "" {
		return "", nil
	}
	if len(k) != 1 || !strings.Contains("0123456789*#", k) {
		return "", fmt.Errorf("dtmf %q is not one key", chorus.Shorten(k, 10))
	}
	return k, nil
}

// Result is the event as the store applies it: a key, or a final outcome.
func (e Event) Result() chorus.CallResult {
	o, _ := e.Outcome()
	return chorus.CallResult{CallID: e.CallID, OutID: e.OutID, Outcome: o, Key: e.Key, At: e.At}
}

// Result is the report as the store applies it.
func (r Report) Result() chorus.CallResult {
	o, _ := r.Outcome()
	at := r.End
	if at.IsZero() {
		at = r.Start
	}
	return chorus.CallResult{CallID: r.CallID, OutID: r.OutID, Outcome: o, Key: r.Key, Duration: r.Duration, At: at}
}
