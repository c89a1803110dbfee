package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus"
)

// TestKiosk_ClassEnrol: a resident enrols for a term of 书法班 at the kiosk
// in at most 6 taps after choosing 课程报名 (the class, the phone, 确定,
// 确认报名), the screens pass the layout audit at every text size, and
// the next resident finds the class full and joins the waitlist.
func TestKiosk_ClassEnrol(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"15103510008"},
		OpensAt: "08:00", ClosesAt: "21:00", Active: true}
	if err := s.DB.SavePartner(ctx, partner); err != nil {
		t.Fatal(err)
	}
	c := &chorus.Class{Title: "书法班", Teacher: "王建国", PartnerID: partner.ID, PlaceID: s.Room, Weekday: 4,
		StartTime: "19:00", EndTime: "20:30", FirstDate: "2026-12-03", LastDate: "2027-01-28", Capacity: 1}
	if err := s.DB.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	p := openKiosk(t, s, pageOpts{})

	p.tap("开始")
	p.tap("#go-class")
	p.countFrom()
	p.waitScreen("class/list")
	p.mustSee("书法班", "每星期四 19:00–20:30", "12月3日 至 1月28日", "还有 1 个名额")
	p.check("40-class-list")
	p.tap("书法班 每星期四 19:00–20:30 12月3日 至 1月28日 · 社区活动室 还有 1 个名额")
	p.waitScreen("class/phone")
	p.typeDigits(phoneNew)
	p.tap("确定")
	p.waitScreen("class/confirm")
	p.mustSee("王建国", "137****1111", "一次报名整个学期")
	p.check("41-class-confirm")
	p.tap("确认报名")
	p.waitScreen("class/done")
	p.mustTaps("enrolling for a class")
	p.mustSee("报名成功", "连续3次没来上课")
	list, err := s.DB.ClassEnrolments(ctx, c.ID)
	if err != nil || len(list) != 1 || list[0].Phone != phoneNew || list[0].Status != chorus.StatusConfirmed {
		t.Fatalf("enrolments %+v %v", list, err)
	}
	// The done screen shows the check-in code and its QR code, which a
	// staff phone reads at the class's door.
	e := list[0]
	if e.Code == "" || e.CheckinToken == "" {
		t.Fatalf("enrolment without code or token: %+v", e)
	}
	p.mustSee("签到码:", e.Code)
	p.wait(`document.querySelector('img.qr') && document.querySelector('img.qr').complete && document.querySelector('img.qr').naturalWidth > 0`)
	p.check("42-class-done")
	mustScanQR(t, p, "/c/"+e.CheckinToken)
	// The printed slip: the code, the class, its time and place.
	p.media("print")
	p.do(chromedp.EmulateViewport(219, 600, chromedp.EmulateTouch))
	slip := eval[receiptCheck](p, receiptJS)
	if !slip.Shown || slip.Overflow || !strings.Contains(slip.Text, e.Code) || !strings.Contains(slip.Text, "书法班") ||
		!strings.Contains(slip.Text, "每星期四 19:00–20:30") || !strings.Contains(slip.Text, "社区活动室") ||
		eval[bool](p, `!document.querySelector('#receipt img.r-qr')`) {
		t.Errorf("class slip: %+v", slip)
	}
	p.shot("42-class-slip-58mm")
	p.media("")
	p.do(chromedp.EmulateViewport(p.w, p.h, chromedp.EmulateTouch))
	p.tap("完成,回首页")
	p.waitScreen("welcome")

	// The class is full now: the next resident queues.
	p.tap("开始")
	p.tap("#go-class")
	p.waitScreen("class/list")
	p.mustSee("已满,可以排队候补")
	p.tap("书法班 每星期四 19:00–20:30 12月3日 至 1月28日 · 社区活动室 已满,可以排队候补")
	p.typeDigits(phoneOther)
	p.tap("确定")
	p.waitScreen("class/confirm")
	p.mustSee("名额已满,确认后会排队候补")
	p.tap("确认报名")
	p.waitScreen("class/done")
	p.mustSee("名额已满,已排队候补", "您排在第 1 位")
	p.tap("完成,回首页")
	p.waitScreen("welcome")

	// 我的预约 shows the class as a term's enrolment, not as 托管.
	p.tap("开始")
	p.tap("#go-mine")
	p.waitScreen("mine/phone")
	p.typeDigits(phoneNew)
	p.tap("确定")
	p.waitScreen("mine/list")
	p.mustSee("书法班", "课程报名 · 整个学期 · ")
	p.mustNotSee("托管报名 · 1个孩子")
}
