package chorus

import (
	"context"
	"encoding/json"
	"strings"
)

// CalendarKind says what a calendar day is: a 法定节假日 (an off day of a
// public holiday) or a 调休上班 day (a weekend day worked to make the
// holiday longer). Ordinary days are not stored.
type CalendarKind string

// Calendar kinds.
const (
	CalendarHoliday CalendarKind = "holiday" // 法定节假日: no class, venues closed
	CalendarWorkday CalendarKind = "workday" // 调休上班: a working day; it adds no class
)

// CalendarDay is one day of the national holiday calendar, as the
// 国务院办公厅's notice announced it. The calendar is deployment-wide: every
// community of a deployment is in the same country and keeps the same
// holidays, so one admin's import serves them all.
type CalendarDay struct {
	Date   string       `json:"date"` // 2026-10-01
	Kind   CalendarKind `json:"kind"`
	Name   string       `json:"name"`   // 国庆节
	Source string       `json:"source"` // the notice (papers) or the file it came from
	// Follows is, for a 调休上班 day, the weekday (1 = Monday … 7) whose
	// opening rules it follows; 0 when not said (FollowsDay).
	Follows int `json:"follows,omitempty"`
}

// HolidayFile is a year's calendar in the holiday-cn format
// ({"year":2026,"papers":[...],"days":[{"name","date","isOffDay"}]}).
type HolidayFile struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers"`
	Days   []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay *bool  `json:"isOffDay"`
	} `json:"days"`
}

// Limits of a holiday file.
const (
	MaxHolidayFileBytes = 64 << 10 // a real year's file is about 5 KB
	MaxHolidayDays      = 120      // a real year has about 40
)

// ParseHolidayFile reads a year's calendar in the holiday-cn format and
// returns its year and days, sorted as given. It returns EINVALID, in
// plain words, for a file too big, malformed JSON, a year out of range, a
// day without a name, a date not of that year, a day listed twice or
// without isOffDay.
func ParseHolidayFile(data []byte) (int, []CalendarDay, error) {
	if len(data) > MaxHolidayFileBytes {
		return 0, nil, Errorf(EINVALID, "节假日文件太大了(最多%d KB)。", MaxHolidayFileBytes>>10)
	}
	var f HolidayFile
	if err := json.Unmarshal(data, &f); err != nil {
		return 0, nil, Errorf(EINVALID, "节假日文件格式不对:应为 holiday-cn 格式的 JSON。")
	}
	return f.Calendar()
}

// Calendar checks a decoded holiday file (see ParseHolidayFile) and
// returns its year and days.
func (f *HolidayFile) Calendar() (int, []CalendarDay, error) {
	if f.Year < 2000 || f.Year > 2100 {
		return 0, nil, Errorf(EINVALID, "节假日文件的年份不对:应为 2000 到 2100 之间的一年。")
	}
	if len(f.Days) == 0 {
		return 0, nil, Errorf(EINVALID, "节假日文件里没有日期。")
	}
	if len(f.Days) > MaxHolidayDays {
		return 0, nil, Errorf(EINVALID, "节假日文件的日期太多了(最多%d天)。", MaxHolidayDays)
	}
	source := ""
	for _, p := range f.Papers {
		if p = strings.TrimSpace(p); p != "" {
			source = Shorten(p, 200)
			break
		}
	}
	seen := make(map[string]bool, len(f.Days))
	days := make([]CalendarDay, 0, len(f.Days))
	for _, d := range f.Days {
		name := strings.TrimSpace(d.Name)
		if err := checkText("节日名称", name, 20); err != nil {
			return 0, nil, err
		}
		if name == "" {
			return 0, nil, Errorf(EINVALID, "%s 没有写节日名称。", Shorten(d.Date, 20))
		}
		t, ok := parseDay(d.Date)
		if !ok {
			return 0, nil, Errorf(EINVALID, "%s 的日期“%s”格式不对,应为 %d-10-01。", name, Shorten(d.Date, 20), f.Year)
		}
		if t.Year() != f.Year {
			return 0, nil, Errorf(EINVALID, "%s 的日期 %s 不在 %d 年。", name, d.Date, f.Year)
		}
		if seen[d.Date] {
			return 0, nil, Errorf(EINVALID, "%s 写了两次。", d.Date)
		}
		seen[d.Date] = true
		if d.IsOffDay == nil {
			return 0, nil, Errorf(EINVALID, "%s 没有写是放假还是调休上班(isOffDay)。", d.Date)
		}
		kind := CalendarWorkday
		if *d.IsOffDay {
			kind = CalendarHoliday
		}
		days = append(days, CalendarDay{Date: d.Date, Kind: kind, Name: name, Source: source})
	}
	return f.Year, days, nil
}

// HolidaySessions marks each scheduled session of a plan (from
// PlanSessions) that falls on a 法定节假日 of holidays (by date) as skipped,
// with the holiday's name as the reason, and returns the sessions it
// marked. A 调休上班 day changes nothing: sessions follow the weekday, so
// a worked Saturday adds no class, and a class on its own weekday still
// meets on it.
func HolidaySessions(plan []ClassSession, holidays map[string]CalendarDay) []ClassSession {
	var marked []ClassSession
	for i := range plan {
		s := &plan[i]
		if d, ok := holidays[s.Date]; ok && d.Kind == CalendarHoliday && s.Status == SessionScheduled {
			s.Status, s.Reason = SessionSkipped, d.Name
			marked = append(marked, *s)
		}
	}
	return marked
}

// HolidayClash is a session that an import of the calendar skipped: a
// class that would have met on a holiday (the import's clash report).
type HolidayClash struct {
	Community int64  `json:"community"`
	ClassID   int64  `json:"class_id"`
	Class     string `json:"class"`
	Date      string `json:"date"`
	Holiday   string `json:"holiday"`
}

// HolidayImport is the answer to an import (or to a change of one day):
// the year, how many days it stored, the future sessions of every class
// that it skipped, and how many booked open-hours sessions of venues it
// called off (each booked resident told by SMS).
type HolidayImport struct {
	Year    int            `json:"year"`
	Days    int            `json:"days"`
	Skipped []HolidayClash `json:"skipped"`
	// Restored are the future sessions a holiday had skipped that are on
	// again (the day left the calendar or became a working day); those
	// told they were off are told they are back on (session_back).
	Restored  []HolidayClash `json:"restored"`
	CalledOff int            `json:"called_off"`
	// CalledOffSessions lists those open-hours sessions, venue by venue,
	// oldest first.
	CalledOffSessions []CalledOffSession `json:"called_off_sessions"`
}

// HolidayService keeps the deployment-wide holiday calendar.
type HolidayService interface {
	// ImportHolidays replaces a year's days with days and lays out the
	// future sessions of every class again, reporting those it skipped.
	ImportHolidays(ctx context.Context, year int, days []CalendarDay) (*HolidayImport, error)
	// Holidays returns a year's days, oldest first.
	Holidays(ctx context.Context, year int) ([]CalendarDay, error)
	// SaveCalendarDay adds or changes one day and lays out again as an
	// import does. Errors: EINVALID.
	SaveCalendarDay(ctx context.Context, d CalendarDay) (*HolidayImport, error)
	// DeleteCalendarDay takes one day off the calendar and lays out again.
	// Errors: ENOTFOUND.
	DeleteCalendarDay(ctx context.Context, date string) (*HolidayImport, error)
}
