package chorus_test

import (
	"testing"

	"github.com/chorus-community/chorus"
)

func TestHeldSessions(t *testing.T) {
	ss := []chorus.ClassSession{
		{Date: "2026-09-24", Status: chorus.SessionScheduled},
		{Date: "2026-10-01", Status: chorus.SessionSkipped},
		{Date: "2026-10-08", Status: chorus.SessionCancelled},
		{Date: "2026-10-15", Status: chorus.SessionScheduled},
		{Date: "2026-10-22", Status: chorus.SessionScheduled}, // today: not yet held
	}
	got := chorus.HeldSessions(ss, "2026-10-22")
	if len(got) != 2 || got[0] != "2026-09-24" || got[1] != "2026-10-15" {
		t.Fatalf("held %v", got)
	}
}

func TestRollTaken(t *testing.T) {
	got := chorus.RollTaken([]string{"2026-09-24", "2026-10-15", "2026-10-22"}, map[string]bool{"2026-10-15": true, "2026-10-22": true, "2026-11-05": true})
	if len(got) != 2 || got[0] != "2026-10-15" || got[1] != "2026-10-22" {
		t.Fatalf("%v", got)
	}
}

func TestDecideKeepAsk(t *testing.T) {
	held := []string{"2026-09-03", "2026-09-10", "2026-09-17", "2026-09-24", "2026-10-08", "2026-10-15"}
	p := func(dates ...string) map[string]bool {
		m := map[string]bool{}
		for _, d := range dates {
			m[d] = true
		}
		return m
	}
	for _, tc := range []struct {
		name                  string
		held                  []string
		present               map[string]bool
		enrolledOn, lastAsked string
		ask                   bool
		about                 string
	}{
		{"never came", held, p(), "2026-09-01", "", true, "2026-10-15"},
		{"came last week", held, p("2026-10-15"), "2026-09-01", "", false, ""},
		{"came 4 weeks ago, missed 3 (国庆 and a call-off not counted)", held, p("2026-09-17"), "2026-09-01", "", true, "2026-10-15"},
		{"missed 2 only", held, p("2026-09-24"), "2026-09-01", "", false, ""},
		{"enrolled late: 2 sessions since", held, p(), "2026-09-24", "", false, ""},
		{"enrolled on a session day: that session does not count", held, p(), "2026-09-17", "", true, "2026-10-15"},
		{"asked already about the last one", held, p(), "2026-09-01", "2026-10-15", false, ""},
		{"asked 3 sessions ago, missed 3 more", held, p(), "2026-09-01", "2026-09-17", true, "2026-10-15"},
		{"no sessions held", nil, p(), "2026-09-01", "", false, ""},
	} {
		about, ask := chorus.DecideKeepAsk(tc.held, tc.present, tc.enrolledOn, tc.lastAsked)
		if ask != tc.ask || about != tc.about {
			t.Errorf("%s: %q %v, want %q %v", tc.name, about, ask, tc.about, tc.ask)
		}
	}
}
