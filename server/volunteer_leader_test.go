package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

// TestVolunteers_LeaderConfirmsBySMS: after a shift, the scheduler sends
// the activity's leader (a partner unit's employee) the proposed hours,
// once, without their own; their 确认N through the real SDK and the fake
// confirms a resident's hours (credited to the time bank), leaves their
// own for staff and marks their own unit's colleague for staff's
// counter-check. A 确认N from a phone that does not lead it goes to staff.
func TestVolunteers_LeaderConfirmsBySMS(t *testing.T) {
	e := mustServeSMS(t)
	ctx := context.Background()
	c := http.DefaultClient
	unit := &chorus.Partner{Name: "辖区医院", Kind: chorus.PartnerSocialOrg, Phones: []string{"13900000009"}, Active: true}
	if err := e.DB.SavePartner(ctx, unit); err != nil {
		t.Fatal(err)
	}
	const leader, colleague, resident, stranger = "13812345001", "13812345002", "13812345003", "13812345004"
	vols := map[string]*chorus.Volunteer{
		leader:    {Name: "刘医生", Phone: leader, PartnerID: unit.ID, Consent: true},
		colleague: {Name: "陈护士", Phone: colleague, PartnerID: unit.ID, Consent: true},
		resident:  {Name: "周阿姨", Phone: resident, Consent: true},
	}
	for _, v := range vols {
		if err := e.DB.SaveVolunteer(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	got := do(t, c, "POST", e.URL+"/api/admin/volunteer-activities",
		map[string]any{"kind": "敬老助残", "title": "靓丽星期五·敬老", "place": "和泽苑三区", "leader_id": vols[leader].ID}, e.Admin)
	if got.Status != 201 {
		t.Fatalf("activity = %d %s", got.Status, got.Raw)
	}
	act := int64(got.Body["id"].(float64))
	fri := time.Date(2026, 12, 4, 14, 0, 0, 0, shanghai)
	got = do(t, c, "POST", fmt.Sprintf("%s/api/admin/volunteer-activities/%d/shifts", e.URL, act),
		map[string]any{"start": fri, "end": fri.Add(2 * time.Hour), "task": "看望独居老人", "capacity": 5, "weeks": 1}, e.Admin)
	shift := int64(got.Body["shifts"].([]any)[0].(map[string]any)["id"].(float64))
	codes := map[string]string{}
	for ph, v := range vols {
		g, err := e.DB.SignUp(ctx, shift, v.ID, chorus.JoinStaff)
		if err != nil {
			t.Fatal(err)
		}
		codes[ph] = g.Code
	}
	e.Clock.Set(fri.Add(-5 * time.Minute))
	admin := e.MustLogin(t, "friday", chorus.RoleAdmin)
	door := fmt.Sprintf("%s/api/admin/shifts/%d/presence", e.URL, shift)
	for _, code := range codes {
		if got := do(t, c, "POST", door, map[string]any{"code": code}, admin); got.Body["outcome"] != chorus.PresenceIn {
			t.Fatalf("check in = %d %s", got.Status, got.Raw)
		}
	}
	e.Clock.Set(fri.Add(2*time.Hour + 5*time.Minute))
	for _, code := range codes {
		if got := do(t, c, "POST", door, map[string]any{"code": code}, admin); got.Body["outcome"] != chorus.PresenceOut {
			t.Fatalf("check out = %d %s", got.Status, got.Raw)
		}
	}
	sch := &sms.Scheduler{Store: e.DB, Now: e.Clock.Now, ReminderHour: 23, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for range 2 {
		if _, err := sch.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.drain(t)
	asked := e.sendsOf(leader, "SMS_CHORUS_SHIFT_LEADER_HOURS")
	if len(asked) != 1 || asked[0].Params["code"] != fmt.Sprint(shift) || strings.Contains(asked[0].Params["list"], "刘") ||
		!strings.Contains(asked[0].Params["list"], "周**2小时") || !strings.Contains(asked[0].Params["list"], "陈**2小时") {
		t.Fatalf("the leader was sent %+v", asked)
	}
	e.reply(t, resident, fmt.Sprint("确认", shift), "l-1", "")
	e.reply(t, leader, fmt.Sprint("确认", shift), "l-2", asked[0].ExtendCode)
	e.drain(t)
	if ack := e.sendsOf(leader, "SMS_CHORUS_SHIFT_LEADER_ACK"); len(ack) != 1 || !strings.Contains(ack[0].Params["action"], "已确认1人") ||
		!strings.Contains(ack[0].Params["action"], "1人由社区工作人员复核") {
		t.Fatalf("the leader's answer %+v", ack)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/hours", nil, admin)
	left := map[string]string{}
	for _, cl := range got.Body["claims"].([]any) {
		m := cl.(map[string]any)
		left[fmt.Sprint(m["volunteer"])] = fmt.Sprint(m["note"])
	}
	if len(left) != 2 || !strings.Contains(string(got.Raw), "刘医生") || !strings.Contains(left["陈护士"], "复核") {
		t.Fatalf("left for staff: %v (%s)", left, got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/bank/accounts", nil, admin)
	if !strings.Contains(string(got.Raw), `"name":"周阿姨","balance_minutes":120`) {
		t.Errorf("the resident volunteer's hours were not credited: %s", got.Raw)
	}
	got = do(t, c, "GET", e.URL+"/api/admin/inbox", nil, admin)
	if !strings.Contains(string(got.Raw), "不是班次") {
		t.Errorf("a non-leader's 确认N did not go to staff: %s", got.Raw)
	}
}
