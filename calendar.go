package chorus

import (
	"slices"
	"strings"
	"time"
)

// DayKind is the kind of day an opening rule of a venue applies to: the
// rules are keyed by day type, not only by weekday, so a 法定节假日 and a
// 调休上班 day each get the venue's own answer.
type DayKind string

// Day kinds of opening rules.
const (
	// DayWeekday rules apply on ordinary days, on the weekdays they list.
	DayWeekday DayKind = "weekday"
	// DayHoliday rules apply on 法定节假日 only; a venue without one stays
	// shut on a holiday.
	DayHoliday DayKind = "holiday"
	// DayWorkday rules apply on 调休上班 days only; a venue without one
	// opens on such a day as on the weekday the calendar says it follows.
	DayWorkday DayKind = "workday"
)

// Label is the day kind in Chinese, as the console shows it.
func (k DayKind) Label() string {
	return map[DayKind]string{DayWeekday: "平日", DayHoliday: "法定节假日", DayWorkday: "调休上班日"}[k]
}

// DefaultFollows is the weekday a 调休上班 day follows when the calendar
// does not say (holiday-cn files never do): Monday (design; staff set the
// real one per day in the console).
const DefaultFollows = 1

// FollowsDay returns the weekday (1 = Monday … 7 = Sunday) whose weekday
// rules a 调休上班 day d follows: d.Follows, else DefaultFollows.
func (d CalendarDay) FollowsDay() int {
	if d.Follows >= 1 && d.Follows <= 7 {
		return d.Follows
	}
	return DefaultFollows
}

// RulesOn returns the opening rules of v that apply on the local date day
// given what the calendar says of it (cal, zero for an ordinary day):
//   - on a 法定节假日, only the venue's holiday rules (none: shut);
//   - on a 调休上班 day, the venue's workday rules when it has any, else
//     its weekday rules of the weekday the day follows;
//   - on an ordinary day, its weekday rules listing the day's weekday.
func RulesOn(v Venue, day time.Time, cal CalendarDay) []OpeningRule {
	kind, weekday := DayWeekday, isoWeekday(day)
	switch cal.Kind {
	case CalendarHoliday:
		kind = DayHoliday
	case CalendarWorkday:
		kind, weekday = DayWorkday, cal.FollowsDay()
		if !slices.ContainsFunc(v.Hours, func(r OpeningRule) bool { return r.DayKind() == DayWorkday }) {
			kind = DayWeekday
		}
	}
	var out []OpeningRule
	for _, r := range v.Hours {
		if r.DayKind() == kind && (kind != DayWeekday || slices.Contains(r.Weekdays, weekday)) {
			out = append(out, r)
		}
	}
	return out
}

// DayKind returns the kind of day r applies to (DayWeekday when unset).
func (r OpeningRule) DayKind() DayKind {
	if r.Day == "" {
		return DayWeekday
	}
	return r.Day
}

// CheckCalendarDay checks one day that staff add to or change in the
// holiday calendar, trimming its name: a real date from 2000 to 2100, a
// kind (法定节假日 or 调休上班), a name, and for a 调休上班 day the weekday
// it follows (0 = not said, or 1–7). Errors: EINVALID, in plain Chinese.
func CheckCalendarDay(d *CalendarDay) error {
	t, ok := parseDay(d.Date)
	if !ok || t.Year() < 2000 || t.Year() > 2100 {
		return Errorf(EINVALID, "日期应写成2026-10-01这样。")
	}
	if d.Kind != CalendarHoliday && d.Kind != CalendarWorkday {
		return Errorf(EINVALID, "请选择这天是“法定节假日”还是“调休上班”。")
	}
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" {
		return Errorf(EINVALID, "请写上节日名称,比如国庆节。")
	}
	if err := checkText("节日名称", d.Name, 20); err != nil {
		return err
	}
	if d.Follows < 0 || d.Follows > 7 {
		return Errorf(EINVALID, "调休上班日按星期几安排应为1(周一)到7(周日)。")
	}
	if d.Kind == CalendarHoliday {
		d.Follows = 0
	}
	d.Source = strings.TrimSpace(d.Source)
	if d.Source == "" {
		d.Source = "工作人员修改"
	}
	return nil
}
