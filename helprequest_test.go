package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestHelpAsk_Validate: a service from the community's list, a half day
// not past and within 30 days, a short note, a known channel.
func TestHelpAsk_Validate(t *testing.T) {
	today := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	ok := chorus.HelpAsk{ResidentID: 1, Service: " 陪伴聊天 ", Day: "2026-12-02", HalfDay: chorus.Morning, Channel: "kiosk"}
	for _, tt := range []struct {
		name string
		edit func(*chorus.HelpAsk)
		code string
	}{
		{"OK", func(*chorus.HelpAsk) {}, ""},
		{"Today", func(a *chorus.HelpAsk) { a.Day = "2026-12-01" }, ""},
		{"NotOnList", func(a *chorus.HelpAsk) { a.Service = "上门护理" }, chorus.EINVALID},
		{"Past", func(a *chorus.HelpAsk) { a.Day = "2026-11-30" }, chorus.EINVALID},
		{"TooFar", func(a *chorus.HelpAsk) { a.Day = "2027-01-05" }, chorus.EINVALID},
		{"NoHalfDay", func(a *chorus.HelpAsk) { a.HalfDay = "" }, chorus.EINVALID},
		{"BadDay", func(a *chorus.HelpAsk) { a.Day = "明天" }, chorus.EINVALID},
		{"NoChannel", func(a *chorus.HelpAsk) { a.Channel = "" }, chorus.EINVALID},
		{"LongNote", func(a *chorus.HelpAsk) { a.Note = string(make([]rune, 51)) }, chorus.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.edit(&a)
			err := a.Validate(chorus.DefaultBankRules(), today)
			if got := chorus.ErrorCode(err); got != tt.code {
				t.Fatalf("code %q, want %q (%v)", got, tt.code, err)
			}
			if err == nil && a.Service != "陪伴聊天" {
				t.Fatalf("service %q not trimmed", a.Service)
			}
		})
	}
}

// TestNextHelpWave: skilled volunteers first, never one of the
// recipient's household, at most HelpWaveSize, then the rest, then staff.
func TestNextHelpWave(t *testing.T) {
	home := chorus.Address{EstateID: 1, Building: "2", Unit: "1", Room: "502"}
	recipient := chorus.Household{ResidentID: 9, Address: home}
	var cands []chorus.HelpCandidate
	for i := int64(1); i <= 8; i++ {
		cands = append(cands, chorus.HelpCandidate{VolunteerID: i, Skilled: i <= 6})
	}
	cands = append(cands, chorus.HelpCandidate{VolunteerID: 20, Skilled: true, Household: chorus.Household{ResidentID: 30, Address: home}})
	ids := func(w chorus.HelpWave) []int64 {
		var out []int64
		for _, c := range w.Wave {
			out = append(out, c.VolunteerID)
		}
		return out
	}
	asked := map[int64]bool{}
	var got [][]int64
	for range 5 {
		w := chorus.NextHelpWave(cands, asked, recipient)
		if w.Step != chorus.DispatchSendWave {
			if w.Step != chorus.DispatchEscalate {
				t.Fatalf("step %s", w.Step)
			}
			break
		}
		got = append(got, ids(w))
		for _, c := range w.Wave {
			asked[c.VolunteerID] = true
		}
	}
	want := [][]int64{{1, 2, 3, 4, 5}, {6}, {7, 8}}
	if len(got) != len(want) {
		t.Fatalf("waves %v, want %v", got, want)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("waves %v, want %v", got, want)
		}
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("waves %v, want %v", got, want)
			}
		}
	}
}

// TestHelpMinutes: hours as typed, rounded down to the quarter hour,
// within one day's 8 hours.
func TestHelpMinutes(t *testing.T) {
	for in, want := range map[string]int{"1.5": 90, "2": 120, "0.25": 15, "0.75": 45, "1.6": 90, ".5": 30, "8": 480, " 1 ": 60} {
		if got, err := chorus.HelpMinutes(in); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0.1", "8.25", "9", "abc", "1.555", "-1", "1.5.5", "99999999999999999999"} {
		if _, err := chorus.HelpMinutes(in); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Errorf("%q: %v, want EINVALID", in, err)
		}
	}
}

// TestCheckHelpConfirm: nobody confirms their own hours — not by reply,
// not as staff; a reply confirms only from the resident's phone, and only
// hours waiting for it.
func TestCheckHelpConfirm(t *testing.T) {
	const resident, volunteer, other = "13800000001", "13800000002", "13800000003"
	done := chorus.HelpRequest{Status: chorus.HelpDone, VolunteerID: 4}
	for _, tt := range []struct {
		name string
		r    chorus.HelpRequest
		c    chorus.HelpConfirmer
		code string
	}{
		{"ResidentReply", done, chorus.HelpConfirmer{Phone: resident}, ""},
		{"Staff", done, chorus.HelpConfirmer{Staff: "wang"}, ""},
		{"StaffWithOwnPhone", done, chorus.HelpConfirmer{Staff: "wang", Phone: other}, ""},
		{"VolunteerReply", done, chorus.HelpConfirmer{Phone: volunteer}, chorus.EFORBIDDEN},
		{"VolunteerAsStaff", done, chorus.HelpConfirmer{Staff: "zhang", Phone: volunteer}, chorus.EFORBIDDEN},
		{"StrangerReply", done, chorus.HelpConfirmer{Phone: other}, chorus.EFORBIDDEN},
		{"Nobody", done, chorus.HelpConfirmer{}, chorus.EFORBIDDEN},
		{"NotDone", chorus.HelpRequest{Status: chorus.HelpAccepted}, chorus.HelpConfirmer{Phone: resident}, chorus.ECONFLICT},
		{"AlreadyConfirmed", chorus.HelpRequest{Status: chorus.HelpConfirmed}, chorus.HelpConfirmer{Staff: "wang"}, chorus.ECONFLICT},
	} {
		if got := chorus.ErrorCode(chorus.CheckHelpConfirm(tt.r, resident, volunteer, tt.c)); got != tt.code {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.code)
		}
	}
	// The volunteer's own phone being the resident's (helping oneself):
	// never.
	if err := chorus.CheckHelpConfirm(done, volunteer, volunteer, chorus.HelpConfirmer{Phone: volunteer}); chorus.ErrorCode(err) != chorus.EFORBIDDEN {
		t.Errorf("self: %v", err)
	}
}

// TestCheckHelpDone: only the volunteer who accepted reports it done,
// once.
func TestCheckHelpDone(t *testing.T) {
	r := chorus.HelpRequest{Status: chorus.HelpAccepted, VolunteerID: 4}
	if err := chorus.CheckHelpDone(r, 4); err != nil {
		t.Fatal(err)
	}
	if err := chorus.CheckHelpDone(r, 5); chorus.ErrorCode(err) != chorus.EFORBIDDEN {
		t.Fatalf("another volunteer: %v", err)
	}
	r.Status = chorus.HelpDone
	if err := chorus.CheckHelpDone(r, 4); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Fatalf("twice: %v", err)
	}
}
