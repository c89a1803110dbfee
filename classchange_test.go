package chorus_test

import (
	"testing"

	"github.com/chorus-community/chorus"
)

// TestClassChanged: a change of weekday, time, dates or venue moves a
// class's sessions and is told; a new title, teacher or size is not.
func TestClassChanged(t *testing.T) {
	old := chorus.Class{Title: "书法班", Teacher: "王老师", PlaceID: 1, Weekday: 4, StartTime: "19:00", EndTime: "20:30",
		FirstDate: "2026-12-03", LastDate: "2027-01-28", Capacity: 10}
	for _, tc := range []struct {
		name   string
		change func(c *chorus.Class)
		want   bool
	}{
		{"weekday", func(c *chorus.Class) { c.Weekday = 6 }, true},
		{"start", func(c *chorus.Class) { c.StartTime = "18:30" }, true},
		{"end", func(c *chorus.Class) { c.EndTime = "21:00" }, true},
		{"first date", func(c *chorus.Class) { c.FirstDate = "2026-12-10" }, true},
		{"last date", func(c *chorus.Class) { c.LastDate = "2027-01-21" }, true},
		{"venue", func(c *chorus.Class) { c.PlaceID = 2 }, true},
		{"title", func(c *chorus.Class) { c.Title = "周四书法班" }, false},
		{"teacher", func(c *chorus.Class) { c.Teacher = "李老师" }, false},
		{"size", func(c *chorus.Class) { c.Capacity = 20 }, false},
		{"nothing", func(c *chorus.Class) {}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := old
			tc.change(&c)
			if got := chorus.ClassChanged(old, c); got != tc.want {
				t.Errorf("ClassChanged = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestClassChangedParams: the SMS names the first session still to come,
// the new weekday and time and the venue; with no session left, or a
// cancelled class, nobody is told.
func TestClassChangedParams(t *testing.T) {
	c := chorus.Class{Title: "书法班", Place: "声乐室", Weekday: 6, StartTime: "19:00", Status: chorus.EventOpen}
	sessions := []chorus.ClassSession{
		{Date: "2026-12-05", Status: chorus.SessionScheduled},
		{Date: "2026-12-12", Status: chorus.SessionSkipped},
		{Date: "2026-12-19", Status: chorus.SessionScheduled},
	}
	p, ok := chorus.ClassChangedParams(c, sessions, "2026-12-08")
	if !ok || p["from"] != "12月19日" || p["time"] != "每星期六19:00" || p["place"] != "声乐室" || p["event"] != "书法班" {
		t.Fatalf("params %v, %v", p, ok)
	}
	if _, ok := chorus.ClassChangedParams(c, sessions, "2026-12-20"); ok {
		t.Error("told with no session left")
	}
	c.Status = chorus.EventCancelled
	if _, ok := chorus.ClassChangedParams(c, sessions, "2026-12-01"); ok {
		t.Error("told of a cancelled class")
	}
}
