package chorus_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// dates renders sessions as "date:status" for comparison, "s" for
// scheduled and "x(reason)" for skipped.
func dates(ss []chorus.ClassSession) string {
	var b []string
	for _, s := range ss {
		switch s.Status {
		case chorus.SessionScheduled:
			b = append(b, s.Date)
		case chorus.SessionSkipped:
			b = append(b, s.Date+"x("+s.Reason+")")
		default:
			b = append(b, s.Date+"!"+string(s.Status))
		}
	}
	return strings.Join(b, " ")
}

var guoqing = chorus.DateRange{From: "2026-10-01", To: "2026-10-07", Reason: "国庆节"}

func TestPlanSessions(t *testing.T) {
	for _, tc := range []struct {
		name        string
		first, last string
		weekday     int
		skipped     []chorus.DateRange
		want        string
	}{
		{"Thursdays across 国庆 and a skipped day", "2026-09-03", "2026-10-29", 4,
			[]chorus.DateRange{guoqing, {From: "2026-10-22", Reason: "运动会"}},
			"2026-09-24 2026-10-01x(国庆节) 2026-10-08 2026-10-15 2026-10-22x(运动会) 2026-10-29"},
		{"Mondays: 国庆's Monday is skipped", "2026-09-28", "2026-10-13", 1, []chorus.DateRange{guoqing},
			"2026-09-28 2026-10-05x(国庆节) 2026-10-12"},
		{"Saturdays start on the first Saturday after the first date", "2026-09-30", "2026-10-17", 6, []chorus.DateRange{guoqing},
			"2026-10-03x(国庆节) 2026-10-10 2026-10-17"},
		{"Sundays, weekday 7", "2026-09-01", "2026-09-14", 7, nil, "2026-09-06 2026-09-13"},
		{"one day, the right weekday", "2026-10-08", "2026-10-08", 4, nil, "2026-10-08"},
		{"a range that hits no session changes nothing", "2026-10-08", "2026-10-15", 4,
			[]chorus.DateRange{{From: "2026-10-09", To: "2026-10-14"}}, "2026-10-08 2026-10-15"},
		{"the last date is included", "2026-12-24", "2026-12-31", 4, nil, "2026-12-24 2026-12-31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chorus.PlanSessions(tc.first, tc.last, tc.weekday, tc.skipped)
			if err != nil {
				t.Fatal(err)
			}
			s := dates(got)
			if tc.name == "Thursdays across 国庆 and a skipped day" {
				// The first three weeks are plain; compare the tail.
				if !strings.HasPrefix(s, "2026-09-03 2026-09-10 2026-09-17 ") {
					t.Fatalf("got %s", s)
				}
				s = strings.TrimPrefix(s, "2026-09-03 2026-09-10 2026-09-17 ")
			}
			if s != tc.want {
				t.Fatalf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

func TestPlanSessions_Errors(t *testing.T) {
	for _, tc := range []struct {
		first, last string
		weekday     int
		skipped     []chorus.DateRange
		want        string
	}{
		{"2026-9-3", "2026-10-29", 4, nil, "日期格式"},
		{"2026-10-29", "2026-09-03", 4, nil, "不能早于"},
		{"2026-01-01", "2027-06-01", 4, nil, "最长一年"},
		{"2026-10-05", "2026-10-07", 4, nil, "没有星期四"},
		{"2026-09-03", "2026-10-29", 0, nil, "星期几"},
		{"2026-09-03", "2026-10-29", 8, nil, "星期几"},
		{"2026-09-03", "2026-10-29", 4, []chorus.DateRange{{From: "2026-11-05"}}, "不在本学期"},
		{"2026-09-03", "2026-10-29", 4, []chorus.DateRange{{From: "2026-10-07", To: "2026-10-01"}}, "不能早于"},
		{"2026-09-03", "2026-10-29", 4, []chorus.DateRange{{From: "10月1日"}}, "停课日期格式"},
		{"2026-09-03", "2026-10-29", 4, []chorus.DateRange{{From: "2026-10-01", Reason: "国庆\x00"}}, "不能识别"},
	} {
		_, err := chorus.PlanSessions(tc.first, tc.last, tc.weekday, tc.skipped)
		if chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), tc.want) {
			t.Errorf("%s..%s w%d %v: %v, want EINVALID %q", tc.first, tc.last, tc.weekday, tc.skipped, err, tc.want)
		}
	}
}

func TestReplanSessions(t *testing.T) {
	old := []chorus.ClassSession{
		{ID: 1, ClassID: 9, Date: "2026-09-24", Status: chorus.SessionScheduled},
		{ID: 2, ClassID: 9, Date: "2026-10-01", Status: chorus.SessionScheduled},
		{ID: 3, ClassID: 9, Date: "2026-10-08", Status: chorus.SessionCancelled, Reason: "老师生病"},
		{ID: 4, ClassID: 9, Date: "2026-10-15", Status: chorus.SessionCancelled, Reason: "老师生病"},
	}
	// The term now starts a week later, skips 国庆 and 10-15, and runs a week longer.
	plan, err := chorus.PlanSessions("2026-09-30", "2026-10-22", 4, []chorus.DateRange{guoqing, {From: "2026-10-15", Reason: "运动会"}})
	if err != nil {
		t.Fatal(err)
	}
	got, dropped := chorus.ReplanSessions(old, plan)
	if s := dates(got); s != "2026-10-01x(国庆节) 2026-10-08!cancelled 2026-10-15x(运动会) 2026-10-22" {
		t.Fatalf("sessions %s", s)
	}
	if got[0].ID != 2 || got[1].ID != 3 || got[2].ID != 4 || got[3].ID != 0 {
		t.Fatalf("ids %+v", got)
	}
	if len(dropped) != 1 || dropped[0].ID != 1 {
		t.Fatalf("dropped %+v", dropped)
	}
}

func TestCheckCancelSession(t *testing.T) {
	s := func(date string, st chorus.SessionStatus) chorus.ClassSession {
		return chorus.ClassSession{Date: date, Status: st}
	}
	for _, tc := range []struct {
		s      chorus.ClassSession
		reason string
		code   string
	}{
		{s("2026-10-08", chorus.SessionScheduled), "老师生病", ""},
		{s("2026-10-07", chorus.SessionScheduled), "老师生病", chorus.ECONFLICT}, // yesterday
		{s("2026-10-08", chorus.SessionScheduled), "  ", chorus.EINVALID},
		{s("2026-10-08", chorus.SessionSkipped), "老师生病", chorus.ECONFLICT},
		{s("2026-10-08", chorus.SessionCancelled), "老师生病", chorus.ECONFLICT},
	} {
		if got := chorus.ErrorCode(chorus.CheckCancelSession(tc.s, "2026-10-08", tc.reason)); got != tc.code {
			t.Errorf("%+v %q: %q, want %q", tc.s, tc.reason, got, tc.code)
		}
	}
}

func validClass() chorus.Class {
	return chorus.Class{Title: "书法班", Teacher: "王老师", PartnerID: 1, PlaceID: 1, Weekday: 4,
		StartTime: "19:00", EndTime: "20:30", FirstDate: "2026-09-03", LastDate: "2026-12-31", Capacity: 20,
		Skipped: []chorus.DateRange{guoqing}}
}

func TestClassValidate(t *testing.T) {
	c := validClass()
	if err := c.Validate(); err != nil || c.Status != chorus.EventOpen {
		t.Fatalf("%v %+v", err, c)
	}
	for _, tc := range []struct {
		change func(*chorus.Class)
		want   string
	}{
		{func(c *chorus.Class) { c.Title = " " }, "课程名称"},
		{func(c *chorus.Class) { c.Teacher = "" }, "老师"},
		{func(c *chorus.Class) { c.PartnerID = 0 }, "共建单位"},
		{func(c *chorus.Class) { c.PlaceID = 0 }, "上课地点"},
		{func(c *chorus.Class) { c.Weekday = 9 }, "星期几"},
		{func(c *chorus.Class) { c.StartTime = "7pm" }, "19:00"},
		{func(c *chorus.Class) { c.StartTime = "9:00" }, "19:00"},
		{func(c *chorus.Class) { c.EndTime = "18:00" }, "晚于"},
		{func(c *chorus.Class) { c.Capacity = 0 }, "名额"},
		{func(c *chorus.Class) { c.MinAge, c.MaxAge = 60, 50 }, "年龄"},
		{func(c *chorus.Class) { c.MaxAge = 200 }, "年龄"},
		{func(c *chorus.Class) { c.Status = "maybe" }, ""},
		{func(c *chorus.Class) { c.LastDate = "2026-08-01" }, "不能早于"},
	} {
		c := validClass()
		tc.change(&c)
		err := c.Validate()
		if chorus.ErrorCode(err) != chorus.EINVALID || !strings.Contains(chorus.ErrorMessage(err), tc.want) {
			t.Errorf("%+v: %v, want EINVALID %q", c, err, tc.want)
		}
	}
	c = validClass()
	c.MinAge, c.MaxAge = 18, 35 // 李萌's 瑜伽 for young adults
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Schedule() != "每星期四 19:00–20:30" {
		t.Fatal(c.Schedule())
	}
}

// FuzzPlanSessions: whatever dates and holidays staff type, PlanSessions
// either says EINVALID in words or lays out 1 to 53 sessions, a week
// apart, on the weekday, within the term.
func FuzzPlanSessions(f *testing.F) {
	f.Add("2026-09-03", "2026-12-31", 4, "2026-10-01", "2026-10-07")
	f.Add("2026-12-31", "2026-09-03", 0, "", "")
	f.Add("2026-02-29", "2027-02-28", 7, "2026-13-01", "")
	f.Fuzz(func(t *testing.T, first, last string, weekday int, from, to string) {
		got, err := chorus.PlanSessions(first, last, weekday, []chorus.DateRange{{From: from, To: to}})
		if err != nil {
			if chorus.ErrorCode(err) != chorus.EINVALID || chorus.ErrorMessage(err) == "" {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(got) == 0 || len(got) > 53 {
			t.Fatalf("%d sessions", len(got))
		}
		for i, s := range got {
			d, err := time.Parse(time.DateOnly, s.Date)
			if err != nil || s.Date < first || s.Date > last {
				t.Fatalf("session %q outside %s..%s", s.Date, first, last)
			}
			if w := int(d.Weekday()); w != weekday%7 {
				t.Fatalf("session %s on weekday %d, want %d", s.Date, w, weekday)
			}
			if i > 0 && got[i-1].Date >= s.Date {
				t.Fatalf("sessions out of order")
			}
		}
	})
}

// TestReplanSessions_Makeup: a make-up session (补课) is not on the weekly
// plan, yet laying the term out again keeps it, in date order.
func TestReplanSessions_Makeup(t *testing.T) {
	old := []chorus.ClassSession{
		{ID: 1, ClassID: 9, Date: "2026-10-08", Status: chorus.SessionCancelled, Reason: "老师生病"},
		{ID: 2, ClassID: 9, Date: "2026-10-10", Status: chorus.SessionScheduled, Makeup: true},
		{ID: 3, ClassID: 9, Date: "2026-10-15", Status: chorus.SessionScheduled},
	}
	plan, err := chorus.PlanSessions("2026-10-08", "2026-10-22", 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, dropped := chorus.ReplanSessions(old, plan)
	if s := dates(got); s != "2026-10-08!cancelled 2026-10-10 2026-10-15 2026-10-22" {
		t.Fatalf("sessions %s", s)
	}
	if !got[1].Makeup || got[1].ID != 2 || len(dropped) != 0 {
		t.Fatalf("make-up %+v, dropped %+v", got[1], dropped)
	}
}

// TestReplanFrom: a class changed mid-term (another weekday) keeps the
// sessions held before today as they were, attendance and all; only today
// and later follow the new plan.
func TestReplanFrom(t *testing.T) {
	old := []chorus.ClassSession{
		{ID: 1, ClassID: 9, Date: "2026-10-01", Status: chorus.SessionScheduled},
		{ID: 2, ClassID: 9, Date: "2026-10-08", Status: chorus.SessionScheduled},
		{ID: 3, ClassID: 9, Date: "2026-10-15", Status: chorus.SessionScheduled},
		{ID: 4, ClassID: 9, Date: "2026-10-22", Status: chorus.SessionScheduled},
	}
	// From Thursdays to Fridays, on Monday 10-12.
	plan, err := chorus.PlanSessions("2026-10-01", "2026-10-23", 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, dropped := chorus.ReplanFrom(old, plan, "2026-10-12")
	if s := dates(got); s != "2026-10-16 2026-10-23" {
		t.Fatalf("sessions from today %s", s)
	}
	var ids []int64
	for _, s := range dropped {
		ids = append(ids, s.ID)
	}
	if len(ids) != 2 || ids[0] != 3 || ids[1] != 4 {
		t.Fatalf("dropped %v, want the Thursdays from today on (3, 4): the held ones (1, 2) stay", ids)
	}
}

func TestCheckMakeupSession(t *testing.T) {
	c := validClass() // Thursdays 2026-09-03 to 2026-12-31, 国庆 skipped
	sessions, err := chorus.PlanSessions(c.FirstDate, c.LastDate, c.Weekday, c.Skipped)
	if err != nil {
		t.Fatal(err)
	}
	sessions[10].Status, sessions[10].Reason = chorus.SessionCancelled, "老师生病" // 2026-11-12
	cancelled := c
	cancelled.Status = chorus.EventCancelled
	for _, tc := range []struct {
		c          chorus.Class
		date, code string
		says       string
	}{
		{c, "2026-11-14", "", ""},                            // a Saturday after the session called off
		{c, "2027-02-20", "", ""},                            // within 60 days of the term's end
		{c, "2027-03-10", chorus.EINVALID, "结课"},             // too long after
		{c, "2026-11-07", chorus.EINVALID, "已经过去了"},          // before today
		{c, "11月14日", chorus.EINVALID, "格式"},                 // not a date
		{c, "2026-11-19", chorus.ECONFLICT, "本来就有课"},         // a Thursday of the term
		{c, "2026-11-12", chorus.ECONFLICT, "已经停课了"},         // the day called off itself
		{c, "2026-10-01", chorus.EINVALID, "已经过去了"},          // 国庆, past anyway
		{cancelled, "2026-11-14", chorus.ECONFLICT, "已经取消了"}, // the class is cancelled
	} {
		err := chorus.CheckMakeupSession(tc.c, sessions, tc.date, "2026-11-10")
		if got := chorus.ErrorCode(err); got != tc.code || (err != nil && !strings.Contains(chorus.ErrorMessage(err), tc.says)) {
			t.Errorf("%s: %v (%q), want %q saying %q", tc.date, err, got, tc.code, tc.says)
		}
	}
	// A holiday of the term, in the future.
	hol := []chorus.ClassSession{{Date: "2026-12-24", Status: chorus.SessionSkipped, Reason: "平安夜"}}
	if err := chorus.CheckMakeupSession(c, hol, "2026-12-24", "2026-11-10"); chorus.ErrorCode(err) != chorus.ECONFLICT ||
		!strings.Contains(chorus.ErrorMessage(err), "假期(平安夜)") {
		t.Errorf("make-up on a holiday: %v", err)
	}
}
