package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

var shanghai = time.FixedZone("CST", 8*3600)

// at is a time on 2026-12-03 in Beijing time.
func at(hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", "2026-12-03 "+hhmm, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseChannel(t *testing.T) {
	for in, want := range map[string]chorus.Channel{"": chorus.ChannelSMS, "sms": chorus.ChannelSMS, " voice ": chorus.ChannelVoice, "both": chorus.ChannelBoth} {
		if got, err := chorus.ParseChannel(in); err != nil || got != want {
			t.Errorf("ParseChannel(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"phone", "SMS", "语音"} {
		if _, err := chorus.ParseChannel(in); chorus.ErrorCode(err) != chorus.EINVALID || chorus.ErrorMessage(err) == "" {
			t.Errorf("ParseChannel(%q) = %v, want EINVALID", in, err)
		}
	}
	cases := []struct {
		c            chorus.Channel
		calls, texts bool
		label        string
	}{
		{"", false, true, "短信"},
		{chorus.ChannelSMS, false, true, "短信"},
		{chorus.ChannelVoice, true, false, "电话语音"},
		{chorus.ChannelBoth, true, true, "短信和电话语音"},
	}
	for _, c := range cases {
		if c.c.Calls() != c.calls || c.c.Texts() != c.texts || c.c.Label() != c.label {
			t.Errorf("%q: calls %v texts %v label %q", c.c, c.c.Calls(), c.c.Texts(), c.c.Label())
		}
	}
}

func TestParseCallWindows(t *testing.T) {
	good := map[string]string{
		"09:00-12:00,14:00-20:00": "[09:00-12:00 14:00-20:00]",
		"14:00-20:00,09:00-12:00": "[09:00-12:00 14:00-20:00]",
		"9:30-11:00,15:00-18:00":  "[09:30-11:00 15:00-18:00]",
		"08:00-24:00":             "[08:00-24:00]",
		"09:00-12:00 14:00-20:00": "[09:00-12:00 14:00-20:00]",
	}
	for in, want := range good {
		w, err := chorus.ParseCallWindows(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		got := "["
		for i, x := range w {
			if i > 0 {
				got += " "
			}
			got += x.String()
		}
		if got += "]"; got != want {
			t.Errorf("%q = %s, want %s", in, got, want)
		}
	}
	for _, in := range []string{"", "9-12", "12:00-09:00", "09:00-12:00,11:00-13:00", "09:00-25:00", "09:60-10:00", "09:00-09:00", "a-b"} {
		if _, err := chorus.ParseCallWindows(in); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Errorf("%q: %v, want EINVALID", in, err)
		}
	}
}

func TestNextCallTime(t *testing.T) {
	w := chorus.DefaultCallWindows
	tomorrow9 := at("09:00").AddDate(0, 0, 1)
	for _, c := range []struct {
		now  time.Time
		want time.Time
	}{
		{at("06:30"), at("09:00")},
		{at("09:00"), at("09:00")},
		{at("11:59"), at("11:59")},
		{at("12:00"), at("14:00")}, // lunch and the nap after it
		{at("13:10"), at("14:00")},
		{at("19:59"), at("19:59")},
		{at("20:00"), tomorrow9}, // supper and the night
		{at("23:30"), tomorrow9},
		{at("00:10"), at("09:00")},
	} {
		if got := chorus.NextCallTime(c.now, shanghai, w); !got.Equal(c.want) {
			t.Errorf("NextCallTime(%s) = %s, want %s", c.now.Format("15:04"), got.In(shanghai), c.want)
		}
	}
	// The zone is the community's: 07:00 UTC is 15:00 in Beijing.
	utc := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	if got := chorus.NextCallTime(utc, shanghai, w); !got.Equal(utc) {
		t.Errorf("07:00 UTC = %s, want itself", got)
	}
	if got := chorus.NextCallTime(at("23:00"), shanghai, nil); !got.Equal(at("23:00")) {
		t.Errorf("no windows: %s", got)
	}
}

func TestDecideCall(t *testing.T) {
	rules := chorus.CallRules{PerPhoneDay: 3, BudgetDay: 100}
	cases := []struct {
		name    string
		now     time.Time
		earlier []time.Time
		placed  int
		rules   chorus.CallRules
		refusal chorus.CallRefusal
		at      time.Time
	}{
		{"first call in the morning", at("10:00"), nil, 0, rules, chorus.CallOK, at("10:00")},
		{"at night: the next morning", at("21:00"), nil, 0, rules, chorus.CallOutside, at("09:00").AddDate(0, 0, 1)},
		{"at lunch: at two", at("12:30"), nil, 0, rules, chorus.CallOutside, at("14:00")},
		{"a call 20 s ago: a minute after it", at("10:00"), []time.Time{at("10:00").Add(-20 * time.Second)}, 0, rules,
			chorus.CallTooSoon, at("10:00").Add(40 * time.Second)},
		{"three today: an SMS instead", at("15:00"), []time.Time{at("09:10"), at("10:10"), at("11:10")}, 0, rules,
			chorus.CallPhoneLimit, time.Time{}},
		{"three yesterday evening count not today", at("09:30"),
			[]time.Time{at("19:00").AddDate(0, 0, -1), at("19:10").AddDate(0, 0, -1), at("19:20").AddDate(0, 0, -1)}, 0, rules,
			chorus.CallOK, at("09:30")},
		{"the community's budget spent", at("10:00"), nil, 100, rules, chorus.CallBudget, time.Time{}},
		{"no budget: no limit", at("10:00"), nil, 100000, chorus.CallRules{}, chorus.CallOK, at("10:00")},
		{"five in the hour (provider): when the first leaves it", at("10:30"),
			[]time.Time{at("09:40"), at("09:50"), at("10:00"), at("10:10"), at("10:20")}, 0, chorus.CallRules{PerPhoneDay: 10},
			chorus.CallTooSoon, at("10:40")},
		{"provider's wait runs into lunch: at two", at("11:59").Add(45 * time.Second), []time.Time{at("11:59").Add(30 * time.Second)}, 0, rules,
			chorus.CallOutside, at("14:00")},
		{"default three a day", at("15:00"), []time.Time{at("09:10"), at("10:10"), at("11:10")}, 0, chorus.CallRules{},
			chorus.CallPhoneLimit, time.Time{}},
	}
	for _, c := range cases {
		d := chorus.DecideCall(c.now, shanghai, c.rules, c.earlier, c.placed)
		if d.Refusal != c.refusal || !d.At.Equal(c.at) {
			t.Errorf("%s: %+v, want %q at %s", c.name, d, c.refusal, c.at)
		}
		if fb := c.refusal == chorus.CallPhoneLimit || c.refusal == chorus.CallBudget; d.FallBack() != fb {
			t.Errorf("%s: FallBack = %v", c.name, d.FallBack())
		}
	}
}

func TestDecideAfterCall(t *testing.T) {
	end := at("10:00")
	cases := []struct {
		o       chorus.CallOutcome
		attempt int
		reply   bool
		want    chorus.AfterCall
	}{
		{chorus.CallKey, 1, true, chorus.AfterCall{Acknowledged: true}},
		{chorus.CallHeard, 1, false, chorus.AfterCall{Acknowledged: true}},
		{chorus.CallHeard, 1, true, chorus.AfterCall{TellStaff: true}},
		{chorus.CallNoKey, 1, true, chorus.AfterCall{TellStaff: true, TellFamily: true}},
		{chorus.CallNoAnswer, 1, true, chorus.AfterCall{Retry: true, RetryAt: end.Add(chorus.CallRetryAfter)}},
		{chorus.CallNoAnswer, 2, true, chorus.AfterCall{TellFamily: true, TellStaff: true}},
		{chorus.CallHeldBack, 2, false, chorus.AfterCall{Retry: true, RetryAt: end.Add(chorus.CallRetryAfter)}},
		{chorus.CallHeldBack, 3, false, chorus.AfterCall{TellFamily: true, TellStaff: true, SMSToPerson: true}},
		{chorus.CallBadNumber, 1, false, chorus.AfterCall{TellFamily: true, TellStaff: true, SMSToPerson: true}},
	}
	for _, c := range cases {
		if got := chorus.DecideAfterCall(c.o, c.attempt, end, c.reply); got != c.want {
			t.Errorf("%s attempt %d reply %v = %+v, want %+v", c.o, c.attempt, c.reply, got, c.want)
		}
	}
}
