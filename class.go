package chorus

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Class is a free term class (公益培训: 书法, 瑜伽, 声乐): a partner's teacher
// teaches it at a place once a week, on one weekday at one time, from a
// first to a last date. Each week is a session; the dates named in Skipped
// (holidays) are skipped, not moved.
type Class struct {
	ID          int64       `json:"id"`
	Community   int64       `json:"community"` // set by the store from the caller's scope
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Teacher     string      `json:"teacher"`
	PartnerID   int64       `json:"partner_id"`
	Partner     string      `json:"partner,omitempty"` // filled on read
	PlaceID     int64       `json:"place_id"`
	Place       string      `json:"place,omitempty"` // filled on read
	Weekday     int         `json:"weekday"`         // 1 = 星期一 … 7 = 星期日
	StartTime   string      `json:"start_time"`      // 19:00
	EndTime     string      `json:"end_time"`        // 20:30
	FirstDate   string      `json:"first_date"`      // 2026-09-03
	LastDate    string      `json:"last_date"`       // 2026-12-31
	Skipped     []DateRange `json:"skipped"`         // holidays: no session on these dates
	Capacity    int         `json:"capacity"`        // residents per term
	MinAge      int         `json:"min_age"`         // 0 and 0: any age
	MaxAge      int         `json:"max_age"`
	Status      EventStatus `json:"status"`
	CreatedAt   time.Time   `json:"created_at"`
	// ProgrammeID is the programme that holds the class's places: term
	// enrolment, the waitlist and its SMS offers are the programmes'
	// (托管) own. Taken and Waiting are its places held and enrolments in
	// line, filled on read.
	ProgrammeID int64 `json:"programme_id"`
	Taken       int   `json:"taken"`
	Waiting     int   `json:"waiting"`
	// Sessions are the class's weeks, oldest first, filled on read.
	Sessions []ClassSession `json:"sessions,omitempty"`
}

// DateRange is a range of days, both ends included (a single day when To
// is empty or equal to From), with a reason such as 国庆节.
type DateRange struct {
	From   string `json:"from"`
	To     string `json:"to,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// SessionStatus is where one week of a class stands.
type SessionStatus string

// Session statuses.
const (
	SessionScheduled SessionStatus = "scheduled" // the class takes place
	SessionSkipped   SessionStatus = "skipped"   // a holiday: no class that week
	SessionCancelled SessionStatus = "cancelled" // called off (teacher ill); everyone enrolled is told
)

// ClassSession is one week of a class.
type ClassSession struct {
	ID      int64         `json:"id"`
	ClassID int64         `json:"class_id"`
	Date    string        `json:"date"` // 2026-10-08
	Status  SessionStatus `json:"status"`
	Reason  string        `json:"reason,omitempty"` // the holiday's, or why it was called off
	// Makeup marks a make-up session (补课) staff added on a date of
	// their choice: laying the term out again keeps it.
	Makeup bool `json:"makeup,omitempty"`
}

// Limits of a class.
const (
	MaxClassDays    = 366 // a term is at most a year
	MaxSkippedRange = 30  // holiday ranges of one class
	MaxClassAge     = 120
)

// WeekdayNames are the Chinese names of the weekdays 1 (星期一) to 7.
var WeekdayNames = [8]string{"", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"}

// Validate checks a class and normalises its texts, its skipped ranges
// and its status.
func (c *Class) Validate() error {
	c.Title = strings.TrimSpace(c.Title)
	if err := checkSMSText("课程名称", c.Title, 40); err != nil {
		return err
	}
	c.Description = paragraphs(c.Description)
	if err := checkParagraphs("课程介绍", c.Description, 500); err != nil {
		return err
	}
	c.Teacher = strings.TrimSpace(c.Teacher)
	if err := checkSMSText("老师", c.Teacher, 20); err != nil {
		return err
	}
	if c.PartnerID <= 0 {
		return Errorf(EINVALID, "请选择开课的共建单位。")
	}
	if c.PlaceID <= 0 {
		return Errorf(EINVALID, "请选择上课地点。")
	}
	if c.Weekday < 1 || c.Weekday > 7 {
		return Errorf(EINVALID, "请选择每周星期几上课。")
	}
	start, ok1 := classClock(c.StartTime)
	end, ok2 := classClock(c.EndTime)
	if !ok1 || !ok2 {
		return Errorf(EINVALID, "上课时间格式应为 19:00。")
	}
	if end <= start {
		return Errorf(EINVALID, "下课时间应晚于上课时间。")
	}
	if c.Capacity < 1 || c.Capacity > MaxSlotCapacity {
		return Errorf(EINVALID, "名额应在1到%d之间。", MaxSlotCapacity)
	}
	if c.MinAge != 0 || c.MaxAge != 0 {
		if c.MinAge < 0 || c.MaxAge > MaxClassAge || c.MinAge > c.MaxAge {
			return Errorf(EINVALID, "年龄范围应在0到%d岁之间,不限年龄请都填0。", MaxClassAge)
		}
	}
	if err := c.Status.validate(); err != nil {
		return err
	}
	if _, err := PlanSessions(c.FirstDate, c.LastDate, c.Weekday, c.Skipped); err != nil {
		return err
	}
	return nil
}

// classClock reads a time of day written 19:00 (two digits each) as
// minutes after midnight.
func classClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// parseDay reads a date such as 2026-10-01.
func parseDay(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil && len(s) == len(time.DateOnly)
}

// isoWeekday is 1 for Monday … 7 for Sunday.
func isoWeekday(t time.Time) int {
	if w := int(t.Weekday()); w != 0 {
		return w
	}
	return 7
}

// PlanSessions lays out a term: one session a week on weekday (1 =
// Monday … 7 = Sunday), from the first such day on or after first to
// last, each skipped when a range of skipped covers it (its reason kept)
// and scheduled otherwise. It normalises skipped (To filled in, reasons
// trimmed) and returns EINVALID, in plain words, for malformed dates, a
// term backwards or longer than a year, a skipped range outside the term
// and a term without a single session.
func PlanSessions(first, last string, weekday int, skipped []DateRange) ([]ClassSession, error) {
	from, ok1 := parseDay(first)
	to, ok2 := parseDay(last)
	if !ok1 || !ok2 {
		return nil, Errorf(EINVALID, "日期格式应为 2026-09-03。")
	}
	if to.Before(from) {
		return nil, Errorf(EINVALID, "结束日期不能早于开始日期。")
	}
	if to.Sub(from) > MaxClassDays*24*time.Hour {
		return nil, Errorf(EINVALID, "一个学期最长一年,请把结束日期提前。")
	}
	if weekday < 1 || weekday > 7 {
		return nil, Errorf(EINVALID, "请选择每周星期几上课。")
	}
	if len(skipped) > MaxSkippedRange {
		return nil, Errorf(EINVALID, "停课的日期最多%d段。", MaxSkippedRange)
	}
	type span struct {
		from, to time.Time
		reason   string
	}
	spans := make([]span, len(skipped))
	for i := range skipped {
		r := &skipped[i]
		if r.To == "" {
			r.To = r.From
		}
		r.Reason = strings.TrimSpace(r.Reason)
		if err := checkText("停课原因", r.Reason, 20); err != nil {
			return nil, err
		}
		a, ok1 := parseDay(r.From)
		b, ok2 := parseDay(r.To)
		if !ok1 || !ok2 {
			return nil, Errorf(EINVALID, "停课日期格式应为 2026-10-01。")
		}
		if b.Before(a) {
			return nil, Errorf(EINVALID, "停课日期 %s 到 %s:结束不能早于开始。", r.From, r.To)
		}
		if b.Before(from) || a.After(to) {
			return nil, Errorf(EINVALID, "停课日期 %s 不在本学期(%s 到 %s)之内。", r.From, first, last)
		}
		spans[i] = span{a, b, r.Reason}
	}
	day := from.AddDate(0, 0, (weekday-isoWeekday(from)+7)%7)
	var out []ClassSession
	for ; !day.After(to); day = day.AddDate(0, 0, 7) {
		s := ClassSession{Date: day.Format(time.DateOnly), Status: SessionScheduled}
		for _, sp := range spans {
			if !day.Before(sp.from) && !day.After(sp.to) {
				s.Status, s.Reason = SessionSkipped, sp.reason
				break
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "%s 到 %s 之间没有%s,这门课一节也上不了。", first, last, WeekdayNames[weekday])
	}
	return out, nil
}

// ReplanSessions fits a new plan (from PlanSessions) over a class's
// sessions so far: a date kept keeps its session's ID, and a session that
// was called off stays called off unless the new plan skips it. A make-up
// session (Makeup) stays whatever the plan. Sessions whose dates the plan
// no longer has are returned in dropped. The result is in date order.
func ReplanSessions(old, plan []ClassSession) (sessions, dropped []ClassSession) {
	byDate := make(map[string]ClassSession, len(old))
	for _, s := range old {
		byDate[s.Date] = s
	}
	for _, s := range plan {
		if o, ok := byDate[s.Date]; ok {
			s.ID, s.ClassID, s.Makeup = o.ID, o.ClassID, o.Makeup
			if o.Status == SessionCancelled && s.Status == SessionScheduled {
				s.Status, s.Reason = o.Status, o.Reason
			}
			delete(byDate, s.Date)
		}
		sessions = append(sessions, s)
	}
	for _, s := range old {
		if _, ok := byDate[s.Date]; !ok {
			continue
		}
		if s.Makeup {
			sessions = append(sessions, s)
		} else {
			dropped = append(dropped, s)
		}
	}
	slices.SortStableFunc(sessions, func(a, b ClassSession) int { return strings.Compare(a.Date, b.Date) })
	return sessions, dropped
}

// ReplanFrom is ReplanSessions for a class being changed on today
// (YYYY-MM-DD, the community's date): the past stays as it was. A session
// before today is neither changed nor dropped, so the sessions held keep
// their attendance, and the plan's dates before today add nothing.
func ReplanFrom(old, plan []ClassSession, today string) (sessions, dropped []ClassSession) {
	all, gone := ReplanSessions(old, plan)
	for _, s := range all {
		if s.Date >= today {
			sessions = append(sessions, s)
		}
	}
	for _, s := range gone {
		if s.Date >= today {
			dropped = append(dropped, s)
		}
	}
	return sessions, dropped
}

// MaxMakeupDays bounds how long after a term's last date a make-up
// session may be given, in days.
const MaxMakeupDays = 60

// CheckMakeupSession says whether a make-up session (补课) may be added to
// class c, whose sessions are sessions, on date (YYYY-MM-DD) seen on today
// (the community's date): a date from today on, not before the term's
// first date, at most MaxMakeupDays after its last, and not one that
// already has a session (held, skipped or called off). The class must not
// be cancelled. Errors are EINVALID or ECONFLICT, in plain words.
func CheckMakeupSession(c Class, sessions []ClassSession, date, today string) error {
	d, ok := parseDay(date)
	if !ok {
		return Errorf(EINVALID, "补课日期格式应为 2026-12-17。")
	}
	if c.Status == EventCancelled {
		return Errorf(ECONFLICT, "这门课已经取消了,不能再补课。")
	}
	if date < today {
		return Errorf(EINVALID, "%s 已经过去了,补课日期要从今天起。", date)
	}
	if date < c.FirstDate {
		return Errorf(EINVALID, "补课日期不能早于开课日期 %s。", c.FirstDate)
	}
	if last, ok := parseDay(c.LastDate); ok && d.Sub(last) > MaxMakeupDays*24*time.Hour {
		return Errorf(EINVALID, "补课最晚在结课(%s)后%d天之内。", c.LastDate, MaxMakeupDays)
	}
	for _, s := range sessions {
		if s.Date != date {
			continue
		}
		switch s.Status {
		case SessionScheduled:
			return Errorf(ECONFLICT, "%s 本来就有课,不用补课。", date)
		case SessionSkipped:
			return Errorf(ECONFLICT, "%s 是假期(%s),请换一天补课。", date, s.Reason)
		}
		return Errorf(ECONFLICT, "%s 这一节已经停课了,请换一天补课。", date)
	}
	return nil
}

// CheckCancelSession says whether a session may be called off on today
// (YYYY-MM-DD, in the community's zone): only a scheduled session that
// has not passed. A reason is required: it goes to everyone enrolled.
func CheckCancelSession(s ClassSession, today, reason string) error {
	switch s.Status {
	case SessionSkipped:
		return Errorf(ECONFLICT, "%s 是假期,本来就不上课。", s.Date)
	case SessionCancelled:
		return Errorf(ECONFLICT, "%s 这一节已经停课了。", s.Date)
	}
	if s.Date < today {
		return Errorf(ECONFLICT, "%s 这一节已经过去了,不能再停课。", s.Date)
	}
	if strings.TrimSpace(reason) == "" {
		return Errorf(EINVALID, "请写明停课原因,会用短信告诉报名的居民。")
	}
	return checkSMSText("停课原因", strings.TrimSpace(reason), 30)
}

// Schedule is the class's time in words: 每星期四 19:00–20:30.
func (c Class) Schedule() string {
	if c.Weekday < 1 || c.Weekday > 7 {
		return ""
	}
	return fmt.Sprintf("每%s %s–%s", WeekdayNames[c.Weekday], c.StartTime, c.EndTime)
}

// ClassEnrolmentRequest enrols a resident for a class's term, at a kiosk
// or through staff.
type ClassEnrolmentRequest struct {
	ClassID        int64  `json:"class_id"`
	Phone          string `json:"phone"`
	Name           string `json:"name"`
	Age            int    `json:"age"` // asked only where the class has an age range
	IdempotencyKey string `json:"idempotency_key"`
	Actor          Actor  `json:"-"`
}

// Enrolment returns the request as an enrolment in the class's programme:
// one place, the resident's own, after checking the age against the
// class's range.
func (r ClassEnrolmentRequest) Enrolment(c *Class) (EnrolmentRequest, error) {
	if r.Age < 0 || r.Age > MaxClassAge {
		return EnrolmentRequest{}, Errorf(EINVALID, "年龄应在0到%d岁之间。", MaxClassAge)
	}
	if c.MinAge != 0 || c.MaxAge != 0 {
		if r.Age < c.MinAge || r.Age > c.MaxAge {
			return EnrolmentRequest{}, Errorf(EINVALID, "这门课只收%d到%d岁的学员。", c.MinAge, c.MaxAge)
		}
	}
	e := EnrolmentRequest{ProgrammeID: c.ProgrammeID, Phone: r.Phone, Name: r.Name,
		Children: []Child{{Name: strings.TrimSpace(r.Name), Age: r.Age}}, IdempotencyKey: r.IdempotencyKey, Actor: r.Actor}
	if err := e.Validate(nil); err != nil {
		return EnrolmentRequest{}, err
	}
	return e, nil
}

// ClassService keeps term classes and their sessions. Every method works
// in the caller's scope: a class of another community is ENOTFOUND.
type ClassService interface {
	// CreateClass stores a new class with its sessions. Errors: EINVALID.
	CreateClass(ctx context.Context, c *Class) error
	// UpdateClass changes a class and lays its sessions out again (see
	// ReplanSessions). Errors: EINVALID, ENOTFOUND.
	UpdateClass(ctx context.Context, c *Class) error
	// Class returns one class with its sessions. Errors: ENOTFOUND.
	Class(ctx context.Context, id int64) (*Class, error)
	// ListClasses returns the classes of a period for staff, without
	// their sessions.
	ListClasses(ctx context.Context, p Period, today string) ([]Class, error)
	// AddMakeupSession adds a make-up session (补课) to a class on a
	// date, at its usual time and place, and tells everyone holding a
	// place. Errors: ENOTFOUND, EINVALID, ECONFLICT (see
	// CheckMakeupSession).
	AddMakeupSession(ctx context.Context, classID int64, date string) (*ClassSession, error)
	// CancelClassSession calls off the session of a class on a date.
	// Errors: ENOTFOUND, ECONFLICT, EINVALID (see CheckCancelSession).
	CancelClassSession(ctx context.Context, classID int64, date string, actor Actor, reason string) (*ClassSession, error)
	// EnrolClass enrols a resident for a class's term: confirmed while
	// places are left, waitlisted after; a phone's live enrolment is
	// returned again (Existing). Errors: EINVALID, ENOTFOUND, ECONFLICT
	// (the class no longer takes enrolments).
	EnrolClass(ctx context.Context, req ClassEnrolmentRequest) (*Enrolment, error)
	// ClassEnrolments returns a class's enrolments in order, the
	// waitlist's with their position. Errors: ENOTFOUND.
	ClassEnrolments(ctx context.Context, classID int64) ([]Enrolment, error)
	// MarkAttendance records an enrolled resident's mark (present or
	// absent) at a held session. Errors: ENOTFOUND, EINVALID, ECONFLICT.
	MarkAttendance(ctx context.Context, classID int64, date string, enrolmentID int64, mark string, actor Actor) error
	// SessionRoster returns the residents holding a place with their
	// marks at the session of date. Errors: ENOTFOUND.
	SessionRoster(ctx context.Context, classID int64, date string) ([]SessionAttendance, error)
	// ClassMarks returns every mark of a class. Errors: ENOTFOUND.
	ClassMarks(ctx context.Context, classID int64) ([]ClassMark, error)
	// ClassCheckIn checks an enrolled resident in at today's session of a
	// class by their code and marks them present (DecideClassCheckin).
	// Errors: EINVALID, ENOTFOUND.
	ClassCheckIn(ctx context.Context, req ClassCheckinRequest) (*CheckinResult, error)
}
