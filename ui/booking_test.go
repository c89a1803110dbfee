package ui_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// maxTaps is kiosk-ux.md point 13: a main task in at most 6 taps after
// choosing it, the 11 digits of a phone number counting as one.
const maxTaps = 6

func (p *kioskPage) mustTaps(task string) {
	p.t.Helper()
	if p.taps > maxTaps {
		p.t.Errorf("%s took %d taps after choosing it; kiosk-ux.md allows %d", task, p.taps, maxTaps)
	}
}

func TestKiosk_BookClinic(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{speech: true})
	s.setSettings(p.KioskID, chorus.KioskSettings{IdleSeconds: 90, Printer: true})
	p.wait(`K.data.settings.printer`)

	p.mustSee("明天上午停水", "今天的活动", "公益瑜伽课", "19:00–20:00", "还有 20 个空位")
	p.check("01-welcome")
	p.tap("开始")
	p.waitScreen("menu")
	p.check("02-menu")

	p.tap("#go-events")
	p.countFrom()
	p.waitScreen("event/list")
	p.mustSee("免费义诊", "冬季健康讲座", "12月5日 星期六")
	p.check("03-event-list")
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	p.waitScreen("event/slot") // one day: no day step
	p.mustSee("09:00–09:15", "还剩 6 个", "已满,可候补")
	p.check("04-event-slot")
	p.shotAt("04-event-slot-largest-text", 2)
	// Slots that do not fit are on the next page: no scrolling, no swiping.
	p.mustNotSee("11:15–11:30")
	p.tap("下一页")
	p.mustSee("11:15–11:30", "第 2 页,共 2 页")
	p.tap("上一页")
	p.taps -= 2

	p.tap(fmt.Sprintf("[data-slot='%d']", s.Clinic.Slots[0].ID))
	p.waitScreen("event/phone")
	p.tap("1")
	p.mustSee("1__ ____ ____", "还差 10 位")
	p.tap("删除")
	p.taps -= 2
	p.typeDigits(phoneYao)
	p.mustSee("138 1234 5678")
	p.check("05-event-phone")
	// Each digit is spoken as it is tapped, then the number read back
	// digit by digit.
	said := eval[[]string](p, `__said.filter((x) => x.text).map((x) => x.text)`)
	if len(said) < 2 || said[len(said)-2] != "八" || !strings.Contains(said[len(said)-1], "幺 三 八,幺 二 三 四,五 六 七 八") {
		t.Errorf("read-back: last said %q", said[max(0, len(said)-3):])
	}

	p.tap("确定")
	p.waitScreen("event/confirm")
	p.mustSee("免费义诊", "12月5日 星期六", "09:00–09:15", "社区活动室", "138****5678", "✓ 姚**", "不留姓名") // names masked at a kiosk (privacy issue)
	p.mustNotSee(phoneYao)
	p.check("06-event-confirm")
	p.shotAt("06-event-confirm-largest-text", 2)
	p.tap("确认预约")
	p.waitScreen("event/done")
	p.mustTaps("booking a clinic slot")

	list, err := s.DB.BookingsByPhone(context.Background(), phoneYao)
	if err != nil || len(list) != 1 {
		t.Fatalf("bookings of %s: %v, %v", phoneYao, list, err)
	}
	b := list[0]
	if b.SlotID != s.Clinic.Slots[0].ID || b.Name != "姚大娘" || b.Source == "" {
		t.Errorf("booking = %+v", b)
	}
	p.mustSee(b.Code, "短信正在发往 138****5678", // queued: nothing has sent it yet
		"免费义诊", "09:00–09:15", "社区活动室", "打印凭条", "完成,回首页")
	p.mustNotSee(phoneYao)
	// The QR code shows when the booking carries a check-in token.
	if b.CheckinToken != "" {
		p.wait(`document.querySelector('img.qr') && document.querySelector('img.qr').complete`)
	}
	qr := eval[string](p, `(() => { const i = document.querySelector('img.qr'); return i && i.complete && i.naturalWidth > 0 ? i.getAttribute('src') : ''; })()`)
	if want := "/qr/" + b.CheckinToken + ".png"; (b.CheckinToken != "") != (qr != "") || (qr != "" && qr != want) {
		t.Errorf("QR image %q; booking's checkin_token %q", qr, b.CheckinToken)
	}
	p.check("07-event-done")
	if b.CheckinToken != "" {
		mustScanQR(t, p, "/c/"+b.CheckinToken)
	}

	// The slip prints on 58 mm and 80 mm paper: code, event, time, place.
	for _, paper := range []struct {
		name  string
		width int64
	}{{"58mm", 219}, {"80mm", 302}} {
		p.media("print")
		p.do(chromedp.EmulateViewport(paper.width, 600, chromedp.EmulateTouch))
		got := eval[receiptCheck](p, receiptJS)
		if !got.Shown || got.AppShown || got.Overflow || got.CodeSize < 36 || !strings.Contains(got.Text, b.Code) ||
			!strings.Contains(got.Text, "免费义诊") || !strings.Contains(got.Text, "09:00–09:15") || !strings.Contains(got.Text, "社区活动室") {
			t.Errorf("receipt on %s paper: %+v", paper.name, got)
		}
		p.shot("08-receipt-" + paper.name)
	}
	p.media("")
	p.do(chromedp.EmulateViewport(p.w, p.h, chromedp.EmulateTouch))

	p.tap("完成,回首页")
	p.waitScreen("welcome")
	p.wait(`Object.keys(K.session.d).length === 0 && !document.querySelector('#receipt').childElementCount`)
}

type receiptCheck struct {
	Shown, AppShown, Overflow bool
	CodeSize                  float64
	Text                      string
}

const receiptJS = `(() => {
  const r = document.querySelector('#receipt');
  const code = r.querySelector('.r-code');
  return {
    Shown: getComputedStyle(r).display !== 'none',
    AppShown: getComputedStyle(document.querySelector('#app')).display !== 'none',
    Overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
    CodeSize: code ? parseFloat(getComputedStyle(code).fontSize) : 0,
    Text: r.innerText,
  };
})()`

func TestKiosk_BookWaitlistAndDays(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	p.tap("开始")
	p.tap("#go-events")
	p.countFrom()
	// The full slot of the clinic offers the waitlist.
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	p.tap(fmt.Sprintf("[data-slot='%d']", s.Clinic.Slots[1].ID))
	p.typeDigits(phoneNew)
	p.tap("确定")
	p.waitScreen("event/confirm")
	p.mustSee("这个时段已满", "姓名:这个号码还没有登记姓名,不用填。")
	p.check("09-event-confirm-waitlist")
	p.tap("确认候补")
	p.waitScreen("event/done")
	p.mustTaps("joining a waitlist")
	p.mustSee("已排队候补", "您排在第 1 位")
	p.check("10-event-done-waitlist")

	// An event on two days asks for the day first: event, day, slot,
	// phone, 确定, confirm.
	p.tap("完成,回首页")
	p.tap("开始")
	p.tap("#go-events")
	p.countFrom()
	p.tap(".card[data-event='" + fmt.Sprint(s.Lecture.ID) + "']")
	p.waitScreen("event/day")
	p.mustSee("12月5日 星期六", "12月6日 星期日", "还有 80 个空位")
	p.check("11-event-day")
	p.tap("12月6日 星期日 还有 80 个空位")
	p.waitScreen("event/slot")
	p.tap(fmt.Sprintf("[data-slot='%d']", s.Lecture.Slots[1].ID))
	p.typeDigits(phoneYao)
	p.tap("确定")
	p.waitScreen("event/confirm")
	p.tap("不留姓名")
	p.taps--
	p.tap("确认预约")
	p.waitScreen("event/done")
	p.mustTaps("booking an event on two days")
	list, _ := s.DB.BookingsByPhone(context.Background(), phoneYao)
	if len(list) != 1 || list[0].SlotID != s.Lecture.Slots[1].ID || list[0].Name != "" {
		t.Errorf("bookings = %+v", list)
	}
}

// TestKiosk_ServerError: an event called off while a resident confirms
// shows the server's sentence and what to do, and keeps what was entered.
func TestKiosk_ServerError(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	p.tap("开始")
	p.tap("#go-events")
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	p.tap(fmt.Sprintf("[data-slot='%d']", s.Clinic.Slots[0].ID))
	p.typeDigits(phoneYao)
	p.tap("确定")
	p.waitScreen("event/confirm")
	if err := s.DB.CancelEvent(context.Background(), s.Clinic.ID, chorus.ActorStaff, "大夫临时有事"); err != nil {
		t.Fatal(err)
	}
	p.wait(fmt.Sprintf(`!K.event(%d)`, s.Clinic.ID))
	if p.screen() != "event/confirm" {
		t.Fatalf("the screen changed under the resident: %q", p.screen())
	}
	p.tap("确认预约")
	p.wait(`document.querySelector('#error')`)
	txt := p.text()
	if !strings.Contains(txt, "出错了") || !strings.Contains(txt, "请点“返回”换个时段,或找工作人员帮忙。") ||
		strings.Contains(txt, "conflict") || strings.Contains(txt, "invalid") {
		t.Errorf("error dialog:\n%s", txt)
	}
	t.Logf("the server said: %s", strings.ReplaceAll(txt, "\n", " "))
	p.check("13-error")
	p.tap("知道了")
	p.waitScreen("event/confirm")
	// Drawn again (the audit changed the text size), the screen says the
	// event is gone; the phone typed is kept for the next choice.
	p.mustSee("这个活动刚刚取消或停止预约了")
	if got := eval[string](p, `K.session.d.phone`); got != phoneYao {
		t.Errorf("the phone typed was lost: %q", got)
	}
}

// mustScanQR reads the QR code on the screen with zbar's zbarimg, as a
// staff phone would read it off the kiosk, and checks that it carries want.
func mustScanQR(t *testing.T, p *kioskPage, want string) {
	t.Helper()
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if browsertest.InCI() {
			t.Fatalf("zbarimg (Debian zbar-tools) is needed under CI: %v", err)
		}
		t.Logf("skipping the QR scan: zbarimg not found (Debian zbar-tools)")
		return
	}
	file := filepath.Join(t.TempDir(), "screen.png")
	p.drv.SaveScreenshot(file, nil)
	out, err := exec.Command(zbar, "-q", "--raw", file).Output()
	if err != nil || !strings.Contains(string(out), want) {
		t.Errorf("zbarimg read %q (%v) off the done screen, want %q", out, err, want)
	}
}
