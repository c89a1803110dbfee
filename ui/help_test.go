package ui_test

import (
	"context"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestKiosk_AskHelp: 我要求助 (the time bank) in at most 6 taps: phone,
// 确定, the help wanted, a day's half (which sends the SMS code), the code
// typed (read from the fake SMS API's log), 确定. The request reaches the
// volunteers; the kiosk shows no name or address.
func TestKiosk_AskHelp(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	phone := s.mustSMS(t)
	ctx := context.Background()
	s.must(s.DB.SetBirthYear(ctx, phoneYao, 1950))
	s.must(s.DB.SaveVolunteer(ctx, &chorus.Volunteer{Phone: "13700000001", Name: "小李", Skills: []string{"代买代办"}, Consent: true}))
	p := openKiosk(t, s, pageOpts{})

	p.tap("开始")
	p.waitScreen("menu")
	p.mustSee("我要求助", "志愿者上门帮忙")
	p.check("60-menu-help")
	p.tap("#go-help")
	p.countFrom()
	p.waitScreen("help/phone")
	p.typeDigits(phoneYao)
	p.tap("确定")
	p.waitScreen("help/service")
	p.mustSee("陪伴聊天", "代买代办", "陪同就医")
	p.check("61-help-service")
	p.tap("代买代办志愿者上门,用时间银行的时间")
	p.waitScreen("help/day")
	p.mustSee("代买代办", "138****5678", "明天 上午")
	p.mustNotSee("今天 上午") // it is 9:00
	p.check("62-help-day")
	p.tap("明天 上午 12月2日 星期三")
	p.waitScreen("mine/verify")
	p.typeDigits(phone.lastCode(t, phoneYao))
	p.tap("确定")
	p.waitScreen("help/done")
	p.mustTaps("asking for help from the time bank")
	p.mustSee("求助已发出", "代买代办", "12月2日 星期三 上午", "回复“1”")
	p.mustNotSee("姚大娘", "401", "undefined")
	p.check("63-help-done")

	list, err := s.DB.HelpRequests(ctx, "")
	s.must(err)
	if len(list) != 1 || list[0].Service != "代买代办" || list[0].Day != "2026-12-02" || list[0].HalfDay != chorus.Morning ||
		list[0].Channel != "kiosk" || list[0].Status != chorus.HelpOpen || list[0].Wave != 1 {
		t.Fatalf("help requests %+v", list)
	}
	p.tap("完成,回首页")
	p.waitScreen("welcome")
}
