package ui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestKiosk_VolunteerSignUp: 我要帮忙 lists this week's shifts with the
// places they still need; a resident who is not yet a volunteer signs up
// for one in at most 6 taps — the phone, 报名 (which states the consent
// to volunteer SMS), the SMS verification code — and joins as a volunteer
// under the name on file; the list then shows one place fewer.
func TestKiosk_VolunteerSignUp(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	phone := s.mustSMS(t)
	ctx := context.Background()
	const who = "13812347777"
	s.must(s.DB.SaveResident(ctx, &chorus.Resident{Phone: who, Name: "李华"}))
	a := &chorus.Activity{Kind: "环境整治", Title: "靓丽星期五", Place: "和泽苑3号楼", Weekly: true}
	s.must(s.DB.SaveActivity(ctx, a))
	fri := time.Date(2026, 12, 4, 8, 30, 0, 0, shanghai)
	shifts, err := s.DB.AddShifts(ctx, chorus.Shift{ActivityID: a.ID, Start: fri, End: fri.Add(3 * time.Hour), Task: "清理楼道杂物",
		Capacity: 5}, 2)
	s.must(err)

	k := openKiosk(t, s, pageOpts{})
	k.tap("开始")
	k.waitScreen("menu")
	k.mustSee("我要帮忙")
	k.tap("#go-volunteer")
	k.countFrom()
	k.waitScreen("volunteer/list")
	k.mustSee("靓丽星期五 · 清理楼道杂物", "12月4日 星期五", "08:30–11:30", "还需要 5 人")
	k.mustNotSee("12月11日") // next week's is not this week's
	k.check("help-01-list")
	k.tap(fmt.Sprintf("[data-shift='%d']", shifts[0].ID))
	k.waitScreen("volunteer/phone")
	k.typeDigits(who)
	k.tap("确定")
	k.waitScreen("volunteer/confirm")
	k.mustSee("靓丽星期五", "清理楼道杂物", "报名即同意社区给您发志愿活动短信")
	k.check("help-02-confirm")
	k.tap("报名")
	k.waitScreen("mine/verify")
	k.typeDigits(phone.lastCode(t, who))
	k.tap("确定")
	k.waitScreen("volunteer/done")
	k.mustTaps("signing up for a volunteer shift")
	k.mustSee("报名成功", "签到码", "到场和离开时各扫一次这个二维码")
	// The place's QR code, on this kiosk's screen (issue 20d): read back
	// with zbarimg it is the signup's /c/<token>.
	signed, err := s.DB.Roster(ctx, shifts[0].ID)
	if err != nil || len(signed) != 1 {
		t.Fatalf("roster = %+v, %v", signed, err)
	}
	tok, err := s.DB.SignupToken(ctx, signed[0].ID)
	s.must(err)
	k.wait(`document.querySelector('img.qr') && document.querySelector('img.qr').complete && document.querySelector('img.qr').naturalWidth > 0`)
	k.check("help-03-done")
	mustScanQR(t, k, "/c/"+tok)

	v, err := s.DB.VolunteerByPhone(ctx, who)
	if err != nil || v.Name != "李华" || v.JoinedVia != chorus.JoinKiosk || !v.Consent {
		t.Fatalf("the new volunteer = %+v, %v", v, err)
	}
	roster, err := s.DB.Roster(ctx, shifts[0].ID)
	if err != nil || len(roster) != 1 || roster[0].Status != chorus.SignupConfirmed || roster[0].Channel != chorus.JoinKiosk {
		t.Fatalf("roster = %+v, %v", roster, err)
	}
	k.mustSee(roster[0].Code)
	k.tap("完成,回首页")
	k.waitScreen("welcome")
	k.tap("开始")
	k.tap("#go-volunteer")
	k.waitScreen("volunteer/list")
	k.mustSee("还需要 4 人")
}
