package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestBank_HelpBySMS: 我要求助 end to end. A resident proven at a kiosk
// asks for company; the skilled volunteer is texted through the real SDK
// and smsfake, takes it with 接N, reports 完成N 1.5; their own 1 and a
// stranger's change nothing; the resident's reply 1 confirms and pays the
// volunteer from the resident's hours; staff read the ledger, reverse the
// payment, and a donation needs the holder's SMS code.
func TestBank_HelpBySMS(t *testing.T) {
	e := mustServeSMS(t)
	ctx := context.Background()
	c := http.DefaultClient
	if err := e.DB.SetCommunity(ctx, &chorus.Community{Name: "光华街社区", SignName: "光华街社区", StaffPhone: venueOnDuty}); err != nil {
		t.Fatal(err)
	}
	estate := &chorus.Estate{Name: "光华街16号院"}
	if err := e.DB.SaveEstate(ctx, estate); err != nil {
		t.Fatal(err)
	}
	const elder, helper, other = "13900000100", "13800000001", "13800000002"
	if err := e.DB.SaveResident(ctx, &chorus.Resident{Phone: elder, Name: "孙奶奶",
		Address: chorus.Address{EstateID: estate.ID, Building: "3", Unit: "1", Room: "502"}}); err != nil {
		t.Fatal(err)
	}
	for i, ph := range []string{helper, other} {
		skills := []string{"陪伴聊天"}
		if i > 0 {
			skills = nil
		}
		if err := e.DB.SaveVolunteer(ctx, &chorus.Volunteer{Phone: ph, Name: fmt.Sprint("志愿者", i), Skills: skills, Consent: true}); err != nil {
			t.Fatal(err)
		}
	}
	must := func(got response, status int) response {
		t.Helper()
		if got.Status != status {
			t.Fatalf("status %d, want %d: %s", got.Status, status, got.Raw)
		}
		return got
	}
	must(do(t, c, "PUT", e.URL+"/api/admin/residents/"+elder+"/birth-year", map[string]any{"birth_year": 1948}, e.Admin), 200)
	must(do(t, c, "POST", e.URL+"/api/admin/bank/grants", map[string]any{"phone": elder, "minutes": 180, "reason": "开户"}, e.Admin), 201)

	// The kiosk needs the phone proven there.
	ask := map[string]any{"phone": elder, "service": "陪伴聊天", "day": "2026-12-02", "half_day": "pm"}
	if got := do(t, c, "POST", e.URL+"/api/help-requests", ask, e.Kiosk); got.Status != 403 {
		t.Fatalf("unproven ask = %d %s", got.Status, got.Raw)
	}
	got := must(do(t, c, "POST", e.URL+"/api/help-requests", ask, e.MustVerify(t, e.Kiosk, elder)), 201)
	for _, secret := range []string{"孙奶奶", "502", "balance"} {
		if strings.Contains(string(got.Raw), secret) {
			t.Fatalf("the kiosk was told %q: %s", secret, got.Raw)
		}
	}
	id := int64(got.Body["id"].(float64))
	code := fmt.Sprint(id)
	e.drain(t)
	asks := e.sendsOf(helper, "SMS_CHORUS_HELP_ASK")
	if len(asks) != 1 || asks[0].Params["code"] != code || asks[0].ExtendCode == "" {
		t.Fatalf("asks %+v", asks)
	}
	if len(e.sendsOf(other, "SMS_CHORUS_HELP_ASK")) != 0 {
		t.Fatal("the unskilled volunteer was asked in the first wave")
	}
	e.reply(t, helper, "接"+code, "h-1", asks[0].ExtendCode)
	e.drain(t)
	if acc := e.sendsOf(helper, "SMS_CHORUS_HELP_ACCEPTED"); len(acc) != 1 || acc[0].Params["room"] != "3号楼1单元502" {
		t.Fatalf("accepted %+v", acc)
	}
	// The resident is told who is coming (a surname only) and when.
	if coming := e.sendsOf(elder, "SMS_CHORUS_HELP_COMING"); len(coming) != 1 || coming[0].Params["volunteer"] != "志" ||
		coming[0].Params["time"] == "" || strings.Contains(fmt.Sprint(coming[0].Params), "志愿者0") {
		t.Fatalf("the resident was told %+v", coming)
	}
	e.reply(t, helper, "完成"+code+" 1.5", "h-2", "")
	e.drain(t)
	conf := e.sendsOf(elder, "SMS_CHORUS_HELP_CONFIRM")
	if len(conf) != 1 || conf[0].Params["hours"] != "1.5" || conf[0].ExtendCode == "" {
		t.Fatalf("confirm asked %+v", conf)
	}
	// Neither the volunteer's 1 (even naming the message) nor a stranger's
	// confirms.
	e.reply(t, helper, "1", "h-3", conf[0].ExtendCode)
	e.reply(t, other, "1", "h-4", conf[0].ExtendCode)
	status := func() string {
		t.Helper()
		got := must(do(t, c, "GET", e.URL+"/api/admin/help-requests", nil, e.Admin), 200)
		var body struct{ Requests []chorus.HelpRequest }
		json.Unmarshal(got.Raw, &body)
		return string(body.Requests[0].Status)
	}
	if s := status(); s != "done" {
		t.Fatalf("after the volunteer's 1: %s", s)
	}
	// The resident says it is not true: the claim waits for staff, the
	// on-duty phone is alerted once, the resident told staff will call.
	e.reply(t, elder, "不属实", "h-4a", "")
	e.reply(t, elder, "2", "h-4b", conf[0].ExtendCode)
	e.drain(t)
	if s := status(); s != "done" {
		t.Fatalf("after the resident's 不属实: %s", s)
	}
	if alert := e.sendsOf(venueOnDuty, "SMS_CHORUS_HELP_DISPUTED"); len(alert) != 1 || alert[0].Params["code"] != code {
		t.Fatalf("on-duty alerts %+v", alert)
	}
	if back := e.sendsOf(elder, "SMS_CHORUS_HELP_CALLBACK"); len(back) != 1 {
		t.Fatalf("the resident's answers %+v", back)
	}
	hq := must(do(t, c, "GET", e.URL+"/api/admin/inbox", nil, e.Admin), 200)
	if strings.Contains(string(hq.Raw), "不属实") || strings.Contains(string(hq.Raw), "h-4b") {
		t.Errorf("the resident's dispute sits in the staff inbox: %.300s", hq.Raw)
	}
	// After staff called, the resident's 1 still confirms.
	e.reply(t, elder, "1", "h-5", conf[0].ExtendCode)
	if s := status(); s != "confirmed" {
		t.Fatalf("after the resident's 1: %s", s)
	}
	e.drain(t)
	if ack := e.sendsOf(helper, "SMS_CHORUS_HELP_ACK"); len(ack) != 2 || !strings.Contains(ack[1].Params["action"], "已确认") {
		t.Fatalf("acks %+v", ack)
	}
	accounts := func() map[string]chorus.Account {
		t.Helper()
		got := must(do(t, c, "GET", e.URL+"/api/admin/bank/accounts", nil, e.Admin), 200)
		var body struct{ Accounts []chorus.Account }
		json.Unmarshal(got.Raw, &body)
		out := map[string]chorus.Account{}
		for _, a := range body.Accounts {
			out[a.Name] = a
		}
		return out
	}
	a := accounts()
	if a["孙奶奶"].Balance != 90 || a["志愿者0"].Balance != 90 || a["时间池"].Balance != -180 {
		t.Fatalf("balances %+v", a)
	}
	st := must(do(t, c, "GET", fmt.Sprint(e.URL, "/api/admin/bank/accounts/", a["志愿者0"].ID), nil, e.Admin), 200)
	var stmt struct{ Lines []chorus.StatementLine }
	json.Unmarshal(st.Raw, &stmt)
	if len(stmt.Lines) != 1 || stmt.Lines[0].Kind != chorus.TransferRedeem || stmt.Lines[0].Minutes != 90 {
		t.Fatalf("statement %s", st.Raw)
	}
	// A donation needs the holder's code: without, refused; with, done.
	donate := map[string]any{"from_account": a["志愿者0"].ID, "minutes": 30, "reason": "捐给孤寡老人", "code": "000000"}
	if got := do(t, c, "POST", e.URL+"/api/admin/bank/gifts", donate, e.Admin); got.Status < 400 {
		t.Fatalf("donation with a wrong code = %d %s", got.Status, got.Raw)
	}
	must(do(t, c, "POST", fmt.Sprint(e.URL, "/api/admin/bank/accounts/", a["志愿者0"].ID, "/code"), nil, e.Admin), 200)
	donate["code"] = e.lastCode(t, helper)
	must(do(t, c, "POST", e.URL+"/api/admin/bank/gifts", donate, e.Admin), 201)
	// Reversing the payment would overdraw the volunteer now: refused;
	// the donation first, then the payment.
	reverse := func(id int64) response {
		return do(t, c, "POST", fmt.Sprint(e.URL, "/api/admin/bank/transfers/", id, "/reverse"), map[string]any{"reason": "核实后不属实"}, e.Admin)
	}
	if got := reverse(stmt.Lines[0].TransferID); got.Status != 409 {
		t.Fatalf("overdrawing reverse = %d %s", got.Status, got.Raw)
	}
	st = must(do(t, c, "GET", fmt.Sprint(e.URL, "/api/admin/bank/accounts/", a["志愿者0"].ID), nil, e.Admin), 200)
	json.Unmarshal(st.Raw, &stmt)
	must(reverse(stmt.Lines[1].TransferID), 201)
	must(reverse(stmt.Lines[0].TransferID), 201)
	if a := accounts(); a["孙奶奶"].Balance != 180 || a["志愿者0"].Balance != 0 {
		t.Fatalf("after the reversals %+v", a)
	}
}
