package ui_test

import (
	"fmt"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestKiosk_Wording (issue 13, point 8): a landline gets a plain sentence
// and the next step; the age screen names the programme's ages; hints
// match the screen (no step numbers, the button's own label).
func TestKiosk_Wording(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	hint := func() string { return eval[string](p, `document.querySelector('#hint').textContent`) }

	p.tap("开始")
	p.tap("#go-events")
	p.mustNotSee("第1步")
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	p.waitScreen("event/slot")
	if h := hint(); h != "点一下您方便的时间。已满的时段可以排队候补。" {
		t.Errorf("slot hint %q", h)
	}
	p.tap(fmt.Sprintf("[data-slot='%d']", s.Clinic.Slots[1].ID)) // full: the waitlist
	p.typeDigits("01012345678")
	p.mustSee("这是座机号码,收不到短信", "没有手机的,请找工作人员帮您办")
	p.mustNotSee("第二位", "号码不对")
	p.check("18-phone-landline")
	p.tap("清空")
	p.typeDigits(phoneNew)
	p.tap("确定")
	p.waitScreen("event/confirm")
	if h := hint(); h != "核对无误,点“确认候补”。要改就点“返回”。" {
		t.Errorf("waitlist confirm hint %q", h)
	}

	p.tap("首页")
	p.tap("开始")
	p.tap("#go-enrol")
	p.tap(".card")
	p.typeDigits(phoneNew)
	p.tap("确定")
	p.waitScreen("enrol/age")
	p.mustSee("这个班只收4到12岁的孩子")
	p.check("31b-enrol-age-range")
}

// TestKiosk_CheckinWording: at the lecture's door, a booking of the
// lecture on another day is 不是今天的预约 (not "another event"); a
// product's barcode points to the slip's QR code and the SMS's code (the
// SMS carries no QR code).
func TestKiosk_CheckinWording(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	b := s.bookNamed(s.Lecture, phoneYao, "姚大娘") // Saturday; today is Tuesday
	p.checkinMode(s.Lecture)
	p.typeDigits(b.Code)
	p.tap("签到")
	if got := p.answer(); got != string(chorus.CheckinOtherEvent) {
		t.Fatalf("outcome %q", got)
	}
	p.mustSee("不是今天的预约", "12月5日")
	p.mustNotSee("不是这个活动的预约")
	p.tap("完成")
	p.waitScreen("checkin")
	p.typeKeys("6901234567892", scannerGap)
	if got := p.answer(); got != "not_ours" {
		t.Fatalf("a product's barcode: outcome %q", got)
	}
	p.mustSee("凭条上", "短信里的6位签到码")
	p.mustNotSee("短信里的二维码")
}
