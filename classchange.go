package chorus

import (
	"fmt"
	"time"
)

// ClassChanged reports whether a change of class old into c moves its
// sessions: its weekday, its time, its first or last date, or its venue.
// Residents holding a place are told of such a change (MsgClassChanged);
// a new title, teacher, description or size alone tells nobody.
func ClassChanged(old, c Class) bool {
	return old.Weekday != c.Weekday || old.StartTime != c.StartTime || old.EndTime != c.EndTime ||
		old.FirstDate != c.FirstDate || old.LastDate != c.LastDate || old.PlaceID != c.PlaceID
}

// ClassChangedParams returns the parameters of the class_changed SMS for
// class c (with Place filled) laid out again as sessions: the title, the
// date of the first session still to come (from today on, 12月19日), the
// new weekday and time (每星期六19:00) and the venue. It reports false when
// no session is left to come, or the class is cancelled: then nobody is
// told.
func ClassChangedParams(c Class, sessions []ClassSession, today string) (map[string]string, bool) {
	if c.Status == EventCancelled || c.Weekday < 1 || c.Weekday > 7 {
		return nil, false
	}
	for _, s := range sessions {
		if s.Date < today || s.Status != SessionScheduled {
			continue
		}
		d, err := time.Parse(time.DateOnly, s.Date)
		if err != nil {
			continue
		}
		return map[string]string{
			"event": Ellipsize(c.Title, MaxParamRunes),
			"from":  fmt.Sprintf("%d月%d日", d.Month(), d.Day()),
			"time":  "每" + WeekdayNames[c.Weekday] + c.StartTime,
			"place": Ellipsize(c.Place, MaxParamRunes),
		}, true
	}
	return nil, false
}
