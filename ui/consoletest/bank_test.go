package consoletest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestConsole_Bank: on 时间银行, staff see a help request whose hours wait
// for confirmation, confirm them (the volunteer is paid from the
// resident's hours), read the volunteer's ledger and reverse the payment
// with a reason; the balances follow, as sums of the ledger.
func TestConsole_Bank(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	const elder, helper = "13900000100", "13800000001"
	s.must(s.DB.SaveResident(ctx, &chorus.Resident{Phone: elder, Name: "孙奶奶"}))
	s.must(s.DB.SetBirthYear(ctx, elder, 1948))
	s.must(s.DB.SaveVolunteer(ctx, &chorus.Volunteer{Phone: helper, Name: "小李", Skills: []string{"代买代办"}, Consent: true}))
	res, err := s.DB.Resident(ctx, elder)
	s.must(err)
	_, err = s.DB.GrantHours(ctx, res.ID, 180, chorus.StaffOperator("liting"), "开户")
	s.must(err)
	h, err := s.DB.AskHelp(ctx, chorus.HelpAsk{ResidentID: res.ID, Service: "代买代办", Day: "2026-12-02", HalfDay: chorus.Morning, Channel: "staff"}, false, "")
	s.must(err)
	for i, text := range []string{fmt.Sprint("接", h.ID), fmt.Sprint("完成", h.ID, " 1.5")} {
		intent, minutes := chorus.IntentAccept, 0
		if i == 1 {
			intent, minutes = chorus.IntentDone, 90
		}
		_, _, err := s.DB.HandleInbound(ctx, chorus.Inbound{Phone: helper, Content: text, SequenceID: text, Intent: intent, Order: h.ID, Minutes: minutes})
		s.must(err)
	}

	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)
	p.click("时间银行", "#nav")
	p.waitText("main h1", "时间银行")
	p.waitText("main", "待确认时长")
	p.mustSee("main", "孙奶奶", "代买代办", "小李", "1.5小时", "陪伴聊天、代买代办、陪同就医", "年满60岁")
	p.click(fmt.Sprintf("确认时长:求助%d", h.ID), "main")
	p.waitText("#status", "时间已转给志愿者")
	p.waitText("main", "已完成")
	p.mustSee("main", "时间池", "-3小时", "孙奶奶", "1.5小时")
	got, err := s.DB.HelpRequests(ctx, "")
	s.must(err)
	if got[0].Status != chorus.HelpConfirmed {
		t.Fatalf("status %s", got[0].Status)
	}

	p.click("明细:小李", "main")
	p.waitText("dialog", "接受服务")
	p.mustSee("dialog", "+1.5小时", "system")
	p.click("冲正", "dialog")
	form := `form[aria-label="冲正"]`
	p.typeIn(form+` input[name=reason]`, "居民说只有1小时")
	p.click("冲正", form)
	p.waitText("#status", "已冲正")
	accts, err := s.DB.BankAccounts(ctx)
	s.must(err)
	for _, a := range accts {
		if a.Name == "小李" && a.Balance != 0 || a.Name == "孙奶奶" && a.Balance != 180 {
			t.Fatalf("after the reversal %+v", accts)
		}
	}
}
