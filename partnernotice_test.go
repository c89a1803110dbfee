package chorus_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

func TestPartnerNoticesDue(t *testing.T) {
	at := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, shanghai) }
	for _, tc := range []struct {
		local           time.Time
		tomorrow, month string
	}{
		{at(12, 1, 17, 59), "", ""},
		{at(12, 1, 18, 0), "2026-12-02", "2026-11"},
		{at(12, 2, 9, 0), "", "2026-11"},
		{at(12, 31, 23, 59), "2027-01-01", "2026-11"},
		{at(1, 1, 18, 0), "2026-01-02", "2025-12"},
		{at(3, 1, 8, 0), "", ""},
	} {
		t.Run(tc.local.Format("01-02 15:04"), func(t *testing.T) {
			tomorrow, month := chorus.PartnerNoticesDue(tc.local, 18)
			if tomorrow != tc.tomorrow || month != tc.month {
				t.Errorf("PartnerNoticesDue = %q, %q, want %q, %q", tomorrow, month, tc.tomorrow, tc.month)
			}
		})
	}
}

func TestPartnerMonth_Params(t *testing.T) {
	p := chorus.PartnerMonth{Month: "2026-11", Hours: 26.46, Events: 4, People: 312}
	if got := fmt.Sprint(p.Params()); got != "map[events:4 hours:26.5 month:11月 people:312]" {
		t.Errorf("Params = %s", got)
	}
	if got := (chorus.PartnerMonth{Month: "2026-11", Hours: 8}).Params()["hours"]; got != "8" {
		t.Errorf("8 hours = %q", got)
	}
	if (chorus.PartnerMonth{Month: "2026-11"}).Worth() {
		t.Errorf("an empty month is worth a message")
	}
}
