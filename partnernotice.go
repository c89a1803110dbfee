package chorus

import (
	"strconv"
	"time"
)

// PartnerNoticesDue decides which notices to partners are due at local,
// the time in the community's zone, with the day-before reminders going
// out from hour (local, 0–23):
//   - tomorrow, the date (2026-12-05) whose uses of each venue its
//     approvers are reminded of, once the hour has come ("" before);
//   - month, the month (2026-11) whose summary each partner gets: the one
//     before local's, from the 1st at hour on ("" on the 1st before the
//     hour), so a summary missed while the server was down still goes.
//
// Each is sent once (the store records it); this only says what is due.
func PartnerNoticesDue(local time.Time, hour int) (tomorrow, month string) {
	y, m, d := local.Date()
	if local.Hour() >= hour {
		tomorrow = time.Date(y, m, d+1, 0, 0, 0, 0, local.Location()).Format(time.DateOnly)
	}
	if d > 1 || local.Hour() >= hour {
		month = time.Date(y, m-1, 1, 0, 0, 0, 0, local.Location()).Format("2006-01")
	}
	return tomorrow, month
}

// PartnerMonth is what a partner's venues did for one community in a
// month, for its summary SMS.
type PartnerMonth struct {
	Month  string  // 2026-11
	Hours  float64 // hours lent: agreed events and open hours
	Events int     // community events held in its venues with its agreement
	People int     // residents checked in there (person-times)
}

// Worth reports whether the month is worth a message: something happened.
func (p PartnerMonth) Worth() bool { return p.Hours > 0 || p.Events > 0 || p.People > 0 }

// Params are the summary's template parameters (partner_month): 11月,
// hours to one decimal without a trailing .0.
func (p PartnerMonth) Params() map[string]string {
	month := p.Month
	if t, err := time.Parse("2006-01", p.Month); err == nil {
		month = strconv.Itoa(int(t.Month())) + "月"
	}
	return map[string]string{"month": month, "hours": strconv.FormatFloat(float64(int(p.Hours*10+0.5))/10, 'f', -1, 64),
		"events": strconv.Itoa(p.Events), "people": strconv.Itoa(p.People)}
}
