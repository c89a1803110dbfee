package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// A description typed in the console's textarea keeps its lines, whatever
// line breaks the browser sends; other control characters are refused.
func TestEvent_ValidateDescription(t *testing.T) {
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	ev := func(desc string) *chorus.Event {
		return &chorus.Event{Kind: chorus.ServiceClinic, Title: "免费义诊", Description: desc, PlaceID: 1, Status: chorus.EventOpen,
			Slots: []chorus.Slot{{Start: start, End: start.Add(15 * time.Minute), Capacity: 6}}}
	}
	e := ev("  量血压、血糖\r\n请空腹前来\r")
	if err := e.Validate(); err != nil || e.Description != "量血压、血糖\n请空腹前来" {
		t.Fatalf("description = %q, %v", e.Description, err)
	}
	if err := ev("量血压\x07").Validate(); chorus.ErrorCode(err) != chorus.EINVALID || chorus.ErrorMessage(err) != "活动介绍里有不能识别的字符。" {
		t.Errorf("a bell character: %v", err)
	}
	p := &chorus.Programme{Title: "寒假托管班", Description: "写作业\n做手工", PlaceID: 1, StartDate: "2027-01-18", EndDate: "2027-02-05",
		MinAge: 3, MaxAge: 6, Capacity: 30, Status: chorus.EventOpen}
	if err := p.Validate(); err != nil || p.Description != "写作业\n做手工" {
		t.Errorf("programme description = %q, %v", p.Description, err)
	}
}
