package consoletest_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// Desk and phone viewports, in CSS pixels.
const (
	deskW, deskH   = 1280, 900
	phoneW, phoneH = 390, 844
)

func TestConsole_Login(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.open("/staff")
	p.wait(`document.querySelector('input[name=username]')`)
	p.mustSee("main h1", "工作人员登录")
	if got := eval[string](p, `document.title`); got != "登录 - 光华街社区工作台" {
		t.Errorf("title = %q", got)
	}
	p.shot("console-login")

	// A wrong password: the server's message, in Chinese, by the form.
	p.typeIn(`input[name=username]`, adminUser)
	p.typeIn(`input[name=password]`, "wrong-password")
	p.click("登录", "form.login")
	p.waitText(".form-error", "用户名或密码不对。")
	if role := eval[string](p, `document.querySelector('.form-error').getAttribute('role')`); role != "alert" {
		t.Errorf("the error's role = %q, want alert", role)
	}
	if eval[bool](p, `!document.querySelector('#nav').hidden`) {
		t.Errorf("the menu shows before logging in")
	}
	p.shot("console-login-error")

	// The right one: 今日, with today's event and its counts.
	p.set(`input[name=password]`, "")
	p.typeIn(`input[name=password]`, password)
	p.click("登录", "form.login")
	p.waitText("main h1", "今日 · 12月1日 周二")
	p.waitText("main table", "公益瑜伽课")
	p.mustSee("#me", "李婷(管理员)")
	p.mustSee("main", "今天的活动", "自助机在线", "短信发送失败", "等待接单", "号码格式错误", "上门维修")
	// 公益瑜伽课: 4 booked, 2 checked in, 2 still to come.
	row := p.text("main table tbody tr")
	for _, want := range []string{"14:00–15:00", "公益瑜伽课", "社区活动室", "4", "2"} {
		if !strings.Contains(row, want) {
			t.Errorf("today's row lacks %q: %q", want, row)
		}
	}
	// The order nobody takes stands out, in words and colour.
	p.mustSee("main tr.escalated", "王大爷", "无人接单,已通知值班电话")
	if got := eval[string](p, `document.querySelector('.tiles li:nth-child(4)').innerText`); !strings.Contains(got, "2") || !strings.Contains(got, "1 单无人接") {
		t.Errorf("the orders tile = %q", got)
	}
	if got := eval[string](p, `document.title`); got != "今日 · 12月1日 周二 - 光华街社区工作台" {
		t.Errorf("title = %q", got)
	}
	p.shot("console-today")

	// The session survives a reload; logging out ends it.
	p.open("/staff#/events")
	p.waitText("main h1", "活动")
	p.click("退出登录", "#top")
	p.waitText("main h1", "工作人员登录")
	p.open("/staff")
	p.waitText("main h1", "工作人员登录")
}

func TestConsole_CreateEvent(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.click("活动", "#nav")
	p.waitText("main table", "免费义诊")
	p.click("新建活动", "main")
	p.waitText("main h1", "新建活动")

	p.typeIn(`input[name=title]`, "智能手机课堂")
	p.set(`select[name=kind]`, "lecture")
	p.set(`select[name=place]`, fmt.Sprint(s.Hall))
	p.set(`input[name=cutoff]`, "")
	p.typeIn(`input[name=cutoff]`, "120")
	p.typeIn(`textarea[name=description]`, "教老年人用手机挂号、视频通话。")
	// Two slots from the generator, one by hand.
	p.click("批量添加时段(例如每15分钟一段)", "main")
	p.set(`input[name=gen-date]`, "2026-12-08")
	p.set(`input[name=gen-from]`, "09:00")
	p.set(`input[name=gen-to]`, "10:00")
	p.set(`input[name=gen-every]`, "30")
	p.set(`input[name=gen-capacity]`, "12")
	p.click("生成时段", "main")
	p.waitText(".generator", "已添加 2 个时段。")
	p.click("添加一个时段", "main")
	third := `.slot-editor tbody tr:nth-child(3) `
	p.set(third+`td:nth-child(2) input`, "14:00")
	p.set(third+`td:nth-child(3) input`, "15:30")
	p.set(third+`td:nth-child(4) input`, "")
	p.typeIn(third+`td:nth-child(4) input`, "30")
	if n := eval[int](p, `document.querySelectorAll('.slot-editor tbody tr').length`); n != 3 {
		t.Fatalf("%d slot rows, want 3", n)
	}
	p.shot("console-event-new")
	p.click("创建活动", "main")
	p.waitText("#status", "已创建活动“智能手机课堂”,共 3 个时段。")
	p.waitText("main table", "智能手机课堂")
	p.mustSee("main table", "12月8日 周二 09:00–15:30", "电子二所小礼堂", "0 / 54")
	p.shot("console-events")

	events, err := s.DB.UpcomingEvents(context.Background(), s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var ev *chorus.Event
	for i := range events {
		if events[i].Title == "智能手机课堂" {
			ev = &events[i]
		}
	}
	if ev == nil {
		t.Fatalf("the event is not stored: %+v", events)
	}
	if ev.Kind != chorus.ServiceLecture || ev.PlaceID != s.Hall || ev.CutoffMinutes != 120 || ev.Description != "教老年人用手机挂号、视频通话。" {
		t.Errorf("event = %+v", ev)
	}
	want := []string{"09:00-09:30 12", "09:30-10:00 12", "14:00-15:30 30"}
	if len(ev.Slots) != len(want) {
		t.Fatalf("slots = %+v", ev.Slots)
	}
	for i, sl := range ev.Slots {
		st, en := sl.Start.In(shanghai), sl.End.In(shanghai)
		got := fmt.Sprintf("%s-%s %d", st.Format("15:04"), en.Format("15:04"), sl.Capacity)
		if got != want[i] || st.Format(time.DateOnly) != "2026-12-08" {
			t.Errorf("slot %d = %s on %s, want %s", i, got, st.Format(time.DateOnly), want[i])
		}
	}

	// Change it: the edit form shows the slots; more seats in the last.
	p.click("修改智能手机课堂", "main")
	p.waitText("main h1", "修改活动:智能手机课堂")
	p.set(third+`td:nth-child(4) input`, "")
	p.typeIn(third+`td:nth-child(4) input`, "40")
	p.click("保存修改", "main")
	p.waitText("main table", "0 / 64")
}

func TestConsole_BookOnBehalf(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route(fmt.Sprintf("#/bookings/%d", s.Clinic.ID), "预约 · 免费义诊")
	form := `form[aria-label="代居民预约"] `
	p.wait(`document.querySelectorAll('form[aria-label="代居民预约"] select[name=slot] option').length > 1`)
	// 王大爷 phoned before (his medicine order): his name comes up by itself.
	p.typeIn(form+`input[name=phone]`, "139 1234 5678")
	p.do(chromedp.Focus(form + `select[name=slot]`))
	p.wait(`document.querySelector('form[aria-label="代居民预约"] input[name=name]').value === '王大爷'`)
	p.set(form+`select[name=slot]`, fmt.Sprint(s.Clinic.Slots[2].ID))
	p.click("预约", form)
	p.waitText(".result", "已为 王大爷 预约 12月5日 周六 09:30–09:45,签到码")
	p.waitText("main table", "王大爷")
	p.mustSee("main table", "13912345678", "已确认")
	p.shot("console-bookings")

	list, err := s.DB.BookingsByPhone(context.Background(), "13912345678")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Status != chorus.StatusConfirmed || list[0].SlotID != s.Clinic.Slots[2].ID ||
		list[0].Source != "staff" || list[0].Name != "王大爷" {
		t.Fatalf("bookings = %+v", list)
	}
	if !strings.Contains(p.text(".result"), list[0].Code) {
		t.Errorf("the code %s is not shown: %q", list[0].Code, p.text(".result"))
	}

	// The same phone again is no second booking.
	p.typeIn(form+`input[name=phone]`, "13912345678")
	p.set(form+`select[name=slot]`, fmt.Sprint(s.Clinic.Slots[3].ID))
	p.click("预约", form)
	p.waitText(".result", "这个手机号已经有本活动的预约,没有重复预约")

	// Search by the last 4 digits, and check in by hand at today's yoga.
	p.route(fmt.Sprintf("#/bookings/%d", s.Yoga.ID), "预约 · 公益瑜伽课")
	p.typeIn(`form[aria-label="查找预约"] input[name=q]`, "0003")
	p.click("查找", `form[aria-label="查找预约"]`)
	p.waitText(".results", "孙阿姨")
	p.click("签到:孙阿姨", ".results")
	p.waitText("#status", "孙阿姨,签到成功!")
	b, err := s.DB.BookingsByPhone(context.Background(), "13500000003")
	if err != nil || len(b) != 1 || b[0].Status != chorus.StatusCheckedIn {
		t.Fatalf("孙阿姨 = %+v, %v", b, err)
	}

	// The sign-in sheet, as printed: everyone booked, phones masked.
	sheet := fmt.Sprintf("/staff/events/%d/signin", s.Yoga.ID)
	if href := eval[string](p, `[...document.querySelectorAll('main a')].find((a) => a.textContent === '打印签到表(新窗口)').getAttribute('href')`); href != sheet {
		t.Errorf("the sign-in sheet's link = %q, want %q", href, sheet)
	}
	p.open(sheet)
	p.waitText("h1", "公益瑜伽课 签到表")
	if _, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	p.mustSee("table", "赵大娘", "135****0003", "已签到 10:00", "签名")
	if eval[bool](p, `getComputedStyle(document.querySelector('.tips')).display !== 'none'`) {
		t.Errorf("the sheet prints its instructions")
	}
	p.shot("console-signin-print")
}

func TestConsole_PairKioskAndAnnounce(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)
	p.click("自助机", "#nav")
	p.waitText("main", "添加自助机")
	add := `form[aria-label="添加自助机"] `
	p.typeIn(add+`input[name=name]`, "活动室东墙")
	p.set(add+`select[name=place]`, fmt.Sprint(s.Room))
	p.click("添加并配对", add)
	p.wait(`document.querySelector('dialog[open] #pairing-qr') && document.querySelector('#pairing-qr').complete`)
	code := p.text("#pairing-code")
	pairURL := p.text("#pairing-url")
	if len(code) != 8 || pairURL != s.URL+"/kiosk#pair="+code {
		t.Fatalf("pairing code %q, URL %q", code, pairURL)
	}
	p.shot("console-kiosk-pair")
	mustScanQR(t, p, "#pairing-qr", pairURL)
	p.click("关闭", "dialog[open]")

	// The kiosk opens the pairing URL in its own tab and comes online.
	k := p.another(1920, 1080)
	k.front()
	k.do(chromedp.Navigate(pairURL))
	k.wait(`window.K && K.shown && K.shown.id === 'welcome' && K.online`)

	p.front()
	p.route("#/today", "今日")
	p.route("#/kiosks", "自助机")
	p.waitText("main table", "在线")
	p.mustSee("main table", "活动室东墙", "社区活动室", "预约")

	// An announcement typed here appears on the kiosk's welcome screen.
	const notice = "今天下午三点停水,请提前接水。"
	ann := `form[aria-label="发通知"] `
	p.typeIn(ann+`textarea[name=text]`, notice)
	p.click("发布通知", ann)
	p.waitText(ann+".form-ok", "通知已发布")
	p.waitText("main", notice)
	p.shot("console-kiosks")
	k.front()
	k.waitText(".announce", notice)

	// Revoked from the console: the kiosk goes back to pairing.
	p.front()
	p.click("停用:活动室东墙", "main")
	p.click("停用", "dialog[open]")
	p.waitText("main table", "已停用")
	k.front()
	k.wait(`window.K && K.shown && K.shown.id === 'pair'`)
}

// TestConsole_Phone walks every page on a 320-pixel-wide screen (WCAG
// 1.4.10 reflow): nothing scrolls sideways, every control has a label,
// each page has one h1 and its own title; the menu opens and closes.
func TestConsole_Phone(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, 320, 640)
	p.login(adminUser)
	for _, r := range []struct{ hash, title string }{
		{"#/today", "今日"}, {"#/events", "活动"}, {"#/events/new", "新建活动"}, {fmt.Sprintf("#/events/%d", s.Clinic.ID), "修改活动"},
		{"#/bookings", "预约"}, {fmt.Sprintf("#/bookings/%d", s.Yoga.ID), "预约 · 公益瑜伽课"}, {"#/residents", "居民"},
		{"#/residents/13812345678", "居民 · 姚大娘"}, {"#/kiosks", "自助机"}, {"#/sms", "短信"}, {"#/orders", "派单"},
		{"#/partners", "共建单位"}, {"#/checkin", "现场签到"}, {"#/staff", "工作人员"},
	} {
		p.route(r.hash, r.title)
		p.wait(`!document.querySelector('.loading')`)
		problems := eval[[]string](p, auditJS)
		for _, pr := range problems {
			t.Errorf("%s: %s", r.hash, pr)
		}
	}
	// The audit itself finds what it looks for.
	eval[bool](p, `(document.querySelector('main').append(Object.assign(document.createElement('input'), { id: 'bad' }),
  Object.assign(document.createElement('div'), { id: 'wide', textContent: 'x' })), document.querySelector('#wide').style.width = '900px', true)`)
	if got := strings.Join(eval[[]string](p, auditJS), "\n"); !strings.Contains(got, "no label") || !strings.Contains(got, "scrolls sideways") {
		t.Errorf("the audit missed planted problems: %q", got)
	}
	eval[bool](p, `(document.querySelector('#bad').remove(), document.querySelector('#wide').remove(), true)`)

	// The menu: closed on a phone, opened by its button.
	p.route("#/today", "今日")
	if eval[bool](p, `getComputedStyle(document.querySelector('#nav')).display !== 'none'`) {
		t.Errorf("the menu is open on a phone before it is asked for")
	}
	p.click("菜单", "#top")
	p.wait(`document.querySelector('#menu').getAttribute('aria-expanded') === 'true' && getComputedStyle(document.querySelector('#nav')).display !== 'none'`)
	p.click("派单", "#nav")
	p.waitText("main h1", "派单")
	p.wait(`document.querySelector('#menu').getAttribute('aria-expanded') === 'false'`)

	p.do(chromedp.EmulateViewport(phoneW, phoneH))
	p.route("#/today", "今日")
	p.waitText("main table", "公益瑜伽课")
	p.shot("console-today-phone")
	p.route(fmt.Sprintf("#/bookings/%d", s.Yoga.ID), "预约 · 公益瑜伽课")
	p.waitText("main table", "赵大娘")
	p.shot("console-bookings-phone")
}

// auditJS lists what breaks WCAG on the page shown: a page that scrolls
// sideways, a control without a label, a button without a name, a
// target smaller than 24 px, not exactly one h1, a missing lang or title.
const auditJS = `(() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) out.push('the page scrolls sideways: ' + doc.scrollWidth + ' > ' + window.innerWidth);
  if (doc.lang !== 'zh-CN') out.push('lang = ' + doc.lang);
  if (!document.title.trim()) out.push('no title');
  const h1 = document.querySelectorAll('h1');
  if (h1.length !== 1) out.push(h1.length + ' h1');
  const vis = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  for (const c of document.querySelectorAll('input, select, textarea')) {
    if (!vis(c) || c.type === 'hidden') continue;
    const named = (c.labels && c.labels.length) || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby');
    if (!named) out.push('no label: ' + c.outerHTML.slice(0, 80));
  }
  for (const b of document.querySelectorAll('button, a[href], summary')) {
    if (!vis(b)) continue;
    const name = (b.getAttribute('aria-label') || b.textContent).trim();
    if (!name) out.push('no name: ' + b.outerHTML.slice(0, 80));
    const r = b.getBoundingClientRect();
    const inline = b.tagName === 'A' && getComputedStyle(b).display === 'inline';
    if (!inline && (r.width < 24 || r.height < 24)) out.push('target ' + Math.round(r.width) + 'x' + Math.round(r.height) + ': ' + name);
    if (r.right > window.innerWidth + 1) out.push('off screen: ' + name);
  }
  return out;
})()`

// front brings the tab to the front, as a person switching tabs does:
// background tabs run their timers slowly.
func (p *tab) front() {
	p.t.Helper()
	c := chromedp.FromContext(p.ctx)
	if _, err := chromedp.Call(p.ctx, target.ActivateTarget, target.ActivateTargetParams{TargetID: c.Target.TargetID}); err != nil {
		p.t.Fatal(err)
	}
}

// mustScanQR reads the QR code shown in the element matching sel with
// zbar's zbarimg, as a kiosk's camera would, and checks that it is want.
func mustScanQR(t *testing.T, p *tab, sel, want string) {
	t.Helper()
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if browsertest.InCI() {
			t.Fatalf("zbarimg (Debian zbar-tools) is needed under CI: %v", err)
		}
		t.Logf("skipping the QR scan: zbarimg not found (Debian zbar-tools)")
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(sel))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "-q", "--raw", file).Output()
	if got := strings.TrimSpace(string(out)); err != nil || got != want {
		t.Errorf("zbarimg read %q (%v) off the pairing QR code, want %q", got, err, want)
	}
}
