package sqlite_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

// sms replies as the push parser reads them.
func (f *bankFixture) reply(t *testing.T, phone, text string) *chorus.Inbound {
	t.Helper()
	r := sms.ParseReply(text)
	in, _, err := f.db.HandleInbound(context.Background(), chorus.Inbound{Phone: phone, Content: text,
		SequenceID: fmt.Sprint(phone, text, f.clock.Now().UnixNano()), Intent: r.Kind, Order: r.Order, Minutes: r.Minutes})
	if err != nil {
		t.Fatalf("reply %q from %s: %v", text, phone, err)
	}
	f.clock.Add(time.Second)
	return in
}

// sent returns the params of the messages of kind to phone, oldest first.
func (f *bankFixture) sent(t *testing.T, phone string, kind chorus.MessageKind) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, m := range MessagesOf(MustMessages(t, f.db, phone), kind) {
		out = append(out, m.Params)
	}
	return out
}

// helpWorld is an elder of 70 at 3-1-502 with volunteers at Phone(1..n),
// the first skilled in 陪伴聊天, the elder holding 3 hours.
func (f *bankFixture) helpWorld(t *testing.T, n int) (*chorus.Resident, []int64) {
	t.Helper()
	elder := f.resident(t, 100, "502")
	if _, err := f.raw.Exec("UPDATE residents SET birth_year = 1956 WHERE id = ?", elder.ID); err != nil {
		t.Fatal(err)
	}
	var vols []int64
	for i := 1; i <= n; i++ {
		vols = append(vols, f.volunteer(t, 1, Phone(i), "志愿者"+strconv.Itoa(i), 0))
	}
	if n > 0 {
		if _, err := f.raw.Exec(`UPDATE volunteers SET skills = '["陪伴聊天"]' WHERE id = ?`, vols[0]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.db.GrantHours(context.Background(), elder.ID, 180, f.staff, "开户赠送"); err != nil {
		t.Fatal(err)
	}
	return elder, vols
}

func (f *bankFixture) balanceOf(t *testing.T, pred func(chorus.Account) bool) int {
	t.Helper()
	accts, err := f.db.BankAccounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if pred(a) {
			return a.Balance
		}
	}
	return 0
}

// TestHelp_Flow: a help request goes to volunteers in waves, the first 接N
// takes it, 完成N 1.5 proposes the hours, the volunteer's own replies never
// confirm them, the resident's 1 does and pays the volunteer from the
// resident's account.
func TestHelp_Flow(t *testing.T) {
	f := newBankFixture(t)
	ctx := context.Background()
	elder, vols := f.helpWorld(t, 7)
	h, err := f.db.AskHelp(ctx, chorus.HelpAsk{ResidentID: elder.ID, Service: "陪伴聊天", Day: "2026-12-02", HalfDay: chorus.Afternoon, Channel: "kiosk"}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != chorus.HelpOpen || h.Wave != 1 {
		t.Fatalf("asked %+v", h)
	}
	code := strconv.FormatInt(h.ID, 10)
	// Wave 1: the skilled volunteer only; the ask names no room, no name.
	asks := f.sent(t, Phone(1), chorus.MsgHelpAsk)
	if len(asks) != 1 || asks[0]["code"] != code || asks[0]["service"] != "陪伴聊天" || asks[0]["room"] != "" {
		t.Fatalf("wave 1 asks %v", asks)
	}
	if len(f.sent(t, Phone(2), chorus.MsgHelpAsk)) != 0 {
		t.Fatal("wave 1 asked an unskilled volunteer")
	}
	// Nobody answers in time: wave 2, five more.
	f.clock.Add(31 * time.Minute)
	if n, err := f.db.DispatchDue(ctx, f.clock.Now()); err != nil || n != 1 {
		t.Fatalf("DispatchDue = %d, %v", n, err)
	}
	for i := 2; i <= 7; i++ {
		if got, want := len(f.sent(t, Phone(i), chorus.MsgHelpAsk)), map[bool]int{true: 1, false: 0}[i <= 6]; got != want {
			t.Fatalf("volunteer %d asked %d times, want %d", i, got, want)
		}
	}
	// The third takes it; the fourth is too late.
	if in := f.reply(t, Phone(3), "接"+code); !in.Handled {
		t.Fatalf("接: %+v", in)
	}
	acc := f.sent(t, Phone(3), chorus.MsgHelpAccepted)
	if len(acc) != 1 || acc[0]["room"] != "3号楼1单元502" || acc[0]["estate"] != "和泽苑" {
		t.Fatalf("accepted %v", acc)
	}
	if in := f.reply(t, Phone(4), "接"+code); !in.Handled || len(f.sent(t, Phone(4), chorus.MsgHelpTaken)) != 2 {
		t.Fatalf("late 接: %+v, taken %v", in, f.sent(t, Phone(4), chorus.MsgHelpTaken))
	}
	if len(f.sent(t, Phone(1), chorus.MsgHelpTaken)) != 1 || len(f.sent(t, Phone(3), chorus.MsgHelpTaken)) != 0 {
		t.Fatal("the others were not told it was taken")
	}
	// Another volunteer cannot report it done; the taker can.
	if in := f.reply(t, Phone(4), "完成"+code+" 2"); in.Handled {
		t.Fatalf("another's 完成: %+v", in)
	}
	if in := f.reply(t, Phone(3), "完成"+code+" 1.5"); !in.Handled {
		t.Fatalf("完成: %+v", in)
	}
	conf := f.sent(t, elder.Phone, chorus.MsgHelpConfirm)
	if len(conf) != 1 || conf[0]["hours"] != "1.5" {
		t.Fatalf("confirm asked %v", conf)
	}
	// The volunteer never confirms their own hours: not by 1, not as staff.
	f.reply(t, Phone(3), "1")
	if _, err := f.db.ConfirmHelp(ctx, h.ID, "zhang", Phone(3)); chorus.ErrorCode(err) != chorus.EFORBIDDEN {
		t.Fatalf("staff who is the volunteer: %v", err)
	}
	// Nor as staff whose account names their phone, the route passing none.
	if err := f.db.CreateStaff(ctx, &chorus.Staff{Username: "wangsan", Name: "王三", Role: chorus.RoleStaff, Phone: Phone(3)},
		"guanghua-2026"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ConfirmHelp(ctx, h.ID, "wangsan", ""); chorus.ErrorCode(err) != chorus.EFORBIDDEN {
		t.Fatalf("staff whose account has the volunteer's phone: %v", err)
	}
	if got, _ := f.db.HelpRequest(ctx, h.ID); got.Status != chorus.HelpDone {
		t.Fatalf("after the volunteer's tries: %s", got.Status)
	}
	// The resident's 1 confirms and pays.
	if in := f.reply(t, elder.Phone, "1"); !in.Handled {
		t.Fatalf("resident's 1: %+v", in)
	}
	got, _ := f.db.HelpRequest(ctx, h.ID)
	if got.Status != chorus.HelpConfirmed || got.Minutes != 90 || got.VolunteerID != vols[2] {
		t.Fatalf("confirmed %+v", got)
	}
	if b := f.balanceOf(t, func(a chorus.Account) bool { return a.ResidentID == elder.ID }); b != 90 {
		t.Fatalf("elder's balance %d, want 90", b)
	}
	if b := f.balanceOf(t, func(a chorus.Account) bool { return a.VolunteerID == vols[2] }); b != 90 {
		t.Fatalf("volunteer's balance %d, want 90", b)
	}
	var decided string
	f.raw.QueryRow("SELECT decided_by FROM hours_claims WHERE id = ?", got.ClaimID).Scan(&decided)
	if decided != "resident:sms" {
		t.Fatalf("decided by %q", decided)
	}
	// A second 1 pays nothing more, and needs no follow-up.
	if in := f.reply(t, elder.Phone, "1"); !in.Handled {
		t.Fatalf("a repeated 1: %+v", in)
	}
	if b := f.balanceOf(t, func(a chorus.Account) bool { return a.VolunteerID == vols[2] }); b != 90 {
		t.Fatalf("volunteer's balance after a second 1: %d", b)
	}
	f.balanced(t)
}

// TestHelp_Approvals: without enough hours the resident's 1 changes
// nothing and stays for staff; staff may allow an overdraft or have the
// pool pay.
func TestHelp_Approvals(t *testing.T) {
	f := newBankFixture(t)
	ctx := context.Background()
	elder, vols := f.helpWorld(t, 1)
	take := func(t *testing.T, day string) *chorus.HelpRequest {
		t.Helper()
		h, err := f.db.AskHelp(ctx, chorus.HelpAsk{ResidentID: elder.ID, Service: "代买代办", Day: day, HalfDay: chorus.Morning, Channel: "staff"}, false, "")
		if err != nil {
			t.Fatal(err)
		}
		code := strconv.FormatInt(h.ID, 10)
		f.reply(t, Phone(1), "接"+code)
		f.reply(t, Phone(1), "完成"+code+" 4")
		return h
	}
	h1 := take(t, "2026-12-02") // 4 h against 3 h held
	if in := f.reply(t, elder.Phone, "1"); in.Handled {
		t.Fatalf("an overdrawing 1 was handled: %+v", in)
	}
	if got, _ := f.db.HelpRequest(ctx, h1.ID); got.Status != chorus.HelpDone {
		t.Fatalf("status %s after a refused 1", got.Status)
	}
	if _, err := f.db.ConfirmHelp(ctx, h1.ID, "wang", ""); chorus.ErrorCode(err) != chorus.ECONFLICT {
		t.Fatalf("staff confirm without approval: %v", err)
	}
	if _, err := f.db.ApproveHelp(ctx, h1.ID, false, true, f.staff); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ConfirmHelp(ctx, h1.ID, "wang", ""); err != nil {
		t.Fatal(err)
	}
	if b := f.balanceOf(t, func(a chorus.Account) bool { return a.ResidentID == elder.ID }); b != -60 {
		t.Fatalf("elder's balance %d, want -60 (approved)", b)
	}
	h2 := take(t, "2026-12-03")
	if _, err := f.db.ApproveHelp(ctx, h2.ID, true, false, f.staff); err != nil {
		t.Fatal(err)
	}
	if in := f.reply(t, elder.Phone, "1"); !in.Handled {
		t.Fatalf("1 with the pool paying: %+v", in)
	}
	if b := f.balanceOf(t, func(a chorus.Account) bool { return a.VolunteerID == vols[0] }); b != 480 {
		t.Fatalf("volunteer's balance %d, want 480", b)
	}
	if b := f.balanceOf(t, func(a chorus.Account) bool { return a.ResidentID == elder.ID }); b != -60 {
		t.Fatalf("elder's balance %d, want -60 still", b)
	}
	f.overdrawn = 1 // the one staff approved
	f.balanced(t)
}

// TestHelp_Rules: the service must be on the list, the resident old
// enough (or the pool pays), nobody of the resident's household is asked,
// nobody left means staff are told; another community's request is not
// found.
func TestHelp_Rules(t *testing.T) {
	f := newBankFixture(t)
	ctx := context.Background()
	elder, _ := f.helpWorld(t, 0)
	ask := func(service string, pool bool) (*chorus.HelpRequest, error) {
		return f.db.AskHelp(ctx, chorus.HelpAsk{ResidentID: elder.ID, Service: service, Day: "2026-12-02", HalfDay: chorus.Morning, Channel: "kiosk"}, pool, "")
	}
	if _, err := ask("上门理发", false); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Fatalf("a service off the list: %v", err)
	}
	f.raw.Exec("UPDATE residents SET birth_year = 1980 WHERE id = ?", elder.ID)
	if _, err := ask("陪伴聊天", false); chorus.ErrorCode(err) != chorus.EFORBIDDEN {
		t.Fatalf("a resident of 46: %v", err)
	}
	// Only the elder's own son at the same address volunteers: he is not
	// asked, staff are told.
	son := f.resident(t, 101, "502")
	f.volunteer(t, 1, son.Phone, "儿子", son.ID)
	h, err := ask("陪伴聊天", true)
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != chorus.HelpEscalated || len(f.sent(t, son.Phone, chorus.MsgHelpAsk)) != 0 {
		t.Fatalf("status %s, son asked %v", h.Status, f.sent(t, son.Phone, chorus.MsgHelpAsk))
	}
	// Even replying 接 he does not get it: he was never asked.
	if in := f.reply(t, son.Phone, "接"+strconv.FormatInt(h.ID, 10)); in.Handled {
		t.Fatalf("the son took it: %+v", in)
	}
	other := chorus.WithScope(ctx, chorus.Scope{Community: 2})
	if _, err := f.db.HelpRequest(other, h.ID); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Fatalf("another community: %v", err)
	}
	if _, err := f.db.ConfirmHelp(other, h.ID, "wang", ""); chorus.ErrorCode(err) != chorus.ENOTFOUND {
		t.Fatalf("another community's confirm: %v", err)
	}
	if list, _ := f.db.HelpRequests(other, ""); len(list) != 0 {
		t.Fatalf("another community lists %v", list)
	}
	if _, err := f.db.CancelHelp(ctx, h.ID); err != nil {
		t.Fatal(err)
	}
}
