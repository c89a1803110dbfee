package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/sms/smsfake"
)

// sendsOf returns the fake's sends of template code, by phone.
func sendsOf(f *smsfake.Server, code string) map[string][]smsfake.Send {
	out := map[string][]smsfake.Send{}
	for _, s := range f.Sends() {
		if s.TemplateCode == code {
			out[s.Phone] = append(out[s.Phone], s)
		}
	}
	return out
}

// volunteerReply pushes text from phone as Alibaba's SmsUp push would.
func (e *smsEnv) volunteerReply(tb testing.TB, phone, text string, seq int) {
	tb.Helper()
	item, _ := json.Marshal([]map[string]any{{"phone_number": phone, "content": text, "send_time": "2026-12-01 09:00:00",
		"dest_code": "", "sequence_id": seq}})
	if got := e.push(tb, "up", string(item)); got.Status != 200 {
		tb.Errorf("push from %s = %d %s", phone, got.Status, got.Raw)
	}
}

// TestVolunteers_SMSEndToEnd: the call-out goes through the real Alibaba
// SDK to the fake, to the volunteers who opted in; of twelve replies
// 参加N pushed at once exactly N win and the others are told it is full;
// 取消N frees a place that goes to the first in line; the day before, the
// scheduler reminds those holding a place, once, with their check-in
// codes; an opt-out (TD) stops the next call-out.
func TestVolunteers_SMSEndToEnd(t *testing.T) {
	const capacity, many = 3, 12
	e := mustServeSMS(t)
	ctx := context.Background()
	c := http.DefaultClient
	got := do(t, c, "POST", e.URL+"/api/admin/volunteer-activities",
		map[string]any{"kind": "环境整治", "title": "靓丽星期五", "place": "和泽苑3号楼", "weekly": true}, e.Admin)
	act := int64(got.Body["id"].(float64))
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, shanghai)
	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/volunteer-activities/%d/shifts", e.URL, act),
		map[string]any{"start": fri, "end": fri.Add(3 * time.Hour), "task": "清理楼道杂物", "capacity": capacity, "weeks": 2}, e.Admin)
	shifts, _ := got.Body["shifts"].([]any)
	if len(shifts) != 2 {
		t.Fatalf("shifts = %d %s", got.Status, got.Raw)
	}
	shift := int64(shifts[0].(map[string]any)["id"].(float64))
	next := int64(shifts[1].(map[string]any)["id"].(float64))
	var phones []string
	for i := range many {
		p := fmt.Sprintf("1381234%04d", i)
		phones = append(phones, p)
		if got := do(t, c, "POST", e.URL+"/api/admin/volunteers", map[string]any{"name": fmt.Sprintf("志愿者%d", i), "phone": p,
			"kinds": []string{"环境整治"}, "consent": true}, e.Admin); got.Status != 201 {
			t.Fatalf("volunteer = %d %s", got.Status, got.Raw)
		}
	}
	// Not asked for this kind: never called.
	do(t, c, "POST", e.URL+"/api/admin/volunteers", map[string]any{"name": "宣讲员", "phone": "13912340000",
		"kinds": []string{"文明宣讲"}, "consent": true}, e.Admin)

	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/shifts/%d/callout", e.URL, shift), map[string]any{}, e.Admin)
	if got.Status != 200 || got.Body["texted"].(float64) != many {
		t.Fatalf("call-out = %d %s", got.Status, got.Raw)
	}
	e.drain(t)
	calls := sendsOf(e.Fake, "SMS_CHORUS_SHIFT_CALLOUT")
	if len(calls) != many || calls["13912340000"] != nil {
		t.Fatalf("call-outs went to %d phones", len(calls))
	}
	word := "参加" + calls[phones[0]][0].Params["code"]
	if word != fmt.Sprint("参加", shift) {
		t.Fatalf("the call-out asks for %q", word)
	}

	var wg sync.WaitGroup
	for i, p := range phones {
		wg.Go(func() { e.volunteerReply(t, p, word, 100+i) })
	}
	wg.Wait()
	e.drain(t)
	signed, full := sendsOf(e.Fake, "SMS_CHORUS_SHIFT_SIGNUP"), sendsOf(e.Fake, "SMS_CHORUS_SHIFT_FULL")
	if len(signed) != capacity || len(full) != many-capacity {
		t.Fatalf("%d got a place and %d were told it is full; want exactly %d and %d", len(signed), len(full), capacity, many-capacity)
	}
	roster, err := e.DB.Roster(ctx, shift)
	if err != nil {
		t.Fatal(err)
	}
	var winner, firstWaiting string
	for _, g := range roster {
		v, _ := e.DB.Volunteer(ctx, g.VolunteerID)
		switch {
		case g.Status == chorus.SignupConfirmed && winner == "":
			winner = v.Phone
		case g.Status == chorus.SignupWaitlist && firstWaiting == "":
			firstWaiting = v.Phone
		}
	}
	if signed[winner] == nil || signed[winner][0].Params["checkin"] == "" {
		t.Fatalf("the winner's signup SMS = %+v", signed[winner])
	}

	e.volunteerReply(t, winner, fmt.Sprint("取消", shift), 500)
	e.drain(t)
	if len(sendsOf(e.Fake, "SMS_CHORUS_SHIFT_CANCELLED")[winner]) != 1 {
		t.Error("the cancellation was not acknowledged")
	}
	place := sendsOf(e.Fake, "SMS_CHORUS_SHIFT_PLACE")
	if len(place) != 1 || place[firstWaiting] == nil {
		t.Errorf("the freed place went to %v, want the first in line %s", place, firstWaiting)
	}

	// Thursday 18:00: the reminders, once.
	e.Clock.Set(time.Date(2026, 12, 3, 18, 0, 0, 0, shanghai))
	sch := &sms.Scheduler{Store: e.DB, Now: e.Clock.Now, ReminderHour: 18, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for range 2 {
		if _, err := sch.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.drain(t)
	reminded := sendsOf(e.Fake, "SMS_CHORUS_SHIFT_REMINDER")
	if len(reminded) != capacity || reminded[winner] != nil || len(reminded[firstWaiting]) != 1 ||
		reminded[firstWaiting][0].Params["checkin"] != place[firstWaiting][0].Params["checkin"] {
		t.Errorf("reminders = %v", reminded)
	}

	// TD stops the next call-out to that phone.
	e.volunteerReply(t, phones[5], "TD", 600)
	admin := e.MustLogin(t, "thursday", chorus.RoleAdmin)
	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/shifts/%d/callout", e.URL, next), map[string]any{}, admin)
	if got.Status != 200 || got.Body["texted"].(float64) != many-1 {
		t.Errorf("second call-out = %d %s; want %d texted", got.Status, got.Raw, many-1)
	}
}
