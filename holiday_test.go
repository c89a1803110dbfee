package chorus

import (
	"os"
	"strings"
	"testing"
)

// calendar2026 reads the 中秋 and 国庆 part of the real 2026 calendar
// (testdata/holiday-cn-2026.json, in the holiday-cn format).
func calendar2026(t *testing.T) map[string]CalendarDay {
	t.Helper()
	data, err := os.ReadFile("testdata/holiday-cn-2026.json")
	if err != nil {
		t.Fatal(err)
	}
	year, days, err := ParseHolidayFile(data)
	if err != nil || year != 2026 {
		t.Fatalf("ParseHolidayFile = %d, %v", year, err)
	}
	m := make(map[string]CalendarDay, len(days))
	for _, d := range days {
		m[d.Date] = d
	}
	return m
}

func TestParseHolidayFile_2026(t *testing.T) {
	cal := calendar2026(t)
	if len(cal) != 39 { // the whole of the State Council's notice for 2026
		t.Fatalf("days = %d, want 39", len(cal))
	}
	if d := cal["2026-10-01"]; d.Kind != CalendarHoliday || d.Name != "国庆节" || !strings.Contains(d.Source, "2026年部分节假日") {
		t.Errorf("10-01 = %+v", d)
	}
	if d := cal["2026-10-10"]; d.Kind != CalendarWorkday {
		t.Errorf("10-10 (调休上班, a Saturday) = %+v", d)
	}
}

func TestParseHolidayFile_Invalid(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"not json", `{"year":`, "格式不对"},
		{"year", `{"year":1900,"days":[{"name":"国庆节","date":"1900-10-01","isOffDay":true}]}`, "年份不对"},
		{"no days", `{"year":2026,"days":[]}`, "没有日期"},
		{"no name", `{"year":2026,"days":[{"name":" ","date":"2026-10-01","isOffDay":true}]}`, "没有写节日名称"},
		{"bad date", `{"year":2026,"days":[{"name":"国庆节","date":"2026-13-01","isOffDay":true}]}`, "格式不对"},
		{"other year", `{"year":2026,"days":[{"name":"国庆节","date":"2025-10-01","isOffDay":true}]}`, "不在 2026 年"},
		{"twice", `{"year":2026,"days":[{"name":"国庆节","date":"2026-10-01","isOffDay":true},{"name":"国庆节","date":"2026-10-01","isOffDay":true}]}`, "写了两次"},
		{"no isOffDay", `{"year":2026,"days":[{"name":"国庆节","date":"2026-10-01"}]}`, "isOffDay"},
		{"too big", `{"year":2026,"papers":["` + strings.Repeat("x", MaxHolidayFileBytes) + `"]}`, "太大"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseHolidayFile([]byte(tc.body))
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tc.want) {
				t.Errorf("err = %v, want EINVALID with %q", err, tc.want)
			}
		})
	}
}

// TestHolidaySessions lays out terms across 国庆 2026 (10-01..10-07 off,
// Saturday 10-10 and Sunday 09-20 worked) with the real calendar.
func TestHolidaySessions(t *testing.T) {
	cal := calendar2026(t)
	for _, tc := range []struct {
		name    string
		weekday int
		skipped []DateRange
		want    map[string]string // date: status/reason; other dates scheduled
		marked  int
	}{
		{"Thursday class: 10-01 skipped as 国庆节", 4, nil,
			map[string]string{"2026-10-01": "skipped/国庆节", "2026-10-08": "scheduled/"}, 1},
		{"Saturday class: 09-26 中秋, 10-03 国庆, 10-10 调休上班 still meets", 6, nil,
			map[string]string{"2026-09-26": "skipped/中秋节", "2026-10-03": "skipped/国庆节", "2026-10-10": "scheduled/"}, 2},
		{"Sunday class: 调休 Sunday 09-20 meets, 09-27 and 10-04 off", 7, nil,
			map[string]string{"2026-09-20": "scheduled/", "2026-09-27": "skipped/中秋节", "2026-10-04": "skipped/国庆节"}, 2},
		{"Wednesday class: 调休 Saturday adds no session", 3, nil,
			map[string]string{"2026-10-07": "skipped/国庆节", "2026-10-14": "scheduled/"}, 1},
		{"staff's own reason kept", 4, []DateRange{{From: "2026-10-01", Reason: "老师出差"}},
			map[string]string{"2026-10-01": "skipped/老师出差"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := PlanSessions("2026-09-14", "2026-10-18", tc.weekday, tc.skipped)
			if err != nil {
				t.Fatal(err)
			}
			if marked := HolidaySessions(plan, cal); len(marked) != tc.marked {
				t.Errorf("marked %d sessions, want %d: %+v", len(marked), tc.marked, marked)
			}
			for _, s := range plan {
				if s.Date == "2026-10-10" && tc.weekday != 6 {
					t.Errorf("a session on the 调休 Saturday 10-10 for a class on %s", WeekdayNames[tc.weekday])
				}
				want, ok := tc.want[s.Date]
				if !ok {
					want = "scheduled/"
				}
				if got := string(s.Status) + "/" + s.Reason; got != want {
					t.Errorf("%s: %s, want %s", s.Date, got, want)
				}
			}
		})
	}
}

func FuzzParseHolidayFile(f *testing.F) {
	if data, err := os.ReadFile("testdata/holiday-cn-2026.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"year":2026,"days":[{"name":"国庆节","date":"2026-10-01","isOffDay":true}]}`))
	f.Add([]byte(`{"year":2026,"days":[{"name":"","date":"x","isOffDay":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		year, days, err := ParseHolidayFile(data)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("error not EINVALID: %v", err)
			}
			return
		}
		for _, d := range days {
			if d.Name == "" || (d.Kind != CalendarHoliday && d.Kind != CalendarWorkday) {
				t.Fatalf("bad day %+v", d)
			}
			if tm, ok := parseDay(d.Date); !ok || tm.Year() != year {
				t.Fatalf("day %+v not of %d", d, year)
			}
		}
	})
}
