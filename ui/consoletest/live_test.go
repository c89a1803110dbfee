package consoletest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// instrument makes the page keep every websocket it opens in
// window.sockets, so that a test can see them open, close and drop one,
// and count in window.overviews the loads of 今日 whose figures were
// read: a load reads an event's attendance last.
const instrument = `(() => {
  window.sockets = [];
  const Real = window.WebSocket;
  window.WebSocket = class extends Real {
    constructor(...a) { super(...a); window.sockets.push(this); }
  };
  window.overviews = 0;
  const realFetch = window.fetch;
  window.fetch = async (path, opt) => {
    const res = await realFetch(path, opt);
    if (/^\/api\/admin\/events\/\d+\/attendance$/.test(path)) window.overviews++;
    return res;
  };
})()`

// TestConsole_LiveToday shows that 今日 follows the live feed: a check-in
// at the door (here straight in the store) changes the figures without a
// reload and well before the fallback poll (30 s, 60 s with the feed)
// could; a dropped feed comes back by itself; leaving the page closes it.
func TestConsole_LiveToday(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := openBrowser(t, s, deskW, deskH)
	p.drv.OnNewDocument(instrument)
	// 今日 loads twice: when shown, and when the feed is up (what changed
	// in between was not told).
	p.login(staffUser)
	p.waitText(".refresh .updated", "实时更新")
	p.waitText(".tiles", "已签到 2 / 已预约 4")
	// Both loads have read the figures (the second runs after the first,
	// never alongside): what follows can only come from the feed.
	p.wait(`window.overviews === 2`)
	if n := eval[int](p, `window.sockets.length`); n != 1 {
		t.Fatalf("%d sockets opened, want 1", n)
	}
	if url := eval[string](p, `window.sockets[0].url`); !strings.HasSuffix(url, "/api/admin/live") || !strings.HasPrefix(url, "ws://") {
		t.Errorf("the feed's URL = %q", url)
	}

	// 孙阿姨 checks in: the tile and the row follow, no reload.
	eval[bool](p, `(window.samePage = true)`)
	checkIn := func(phone string) {
		t.Helper()
		list, err := s.DB.BookingsByPhone(ctx, phone)
		if err != nil || len(list) != 1 {
			t.Fatalf("bookings of %s = %+v, %v", phone, list, err)
		}
		if _, err := s.DB.CheckIn(ctx, chorus.CheckinRequest{EventID: s.Yoga.ID, BookingID: list[0].ID}); err != nil {
			t.Fatal(err)
		}
	}
	checkIn("13500000003")
	p.waitText(".tiles", "已签到 3 / 已预约 4")
	p.wait(`document.querySelector('main tbody tr td[data-label="已签到"]').innerText === '3'`)
	if got := p.text(`main tbody tr td[data-label="还没到"]`); got != "1" {
		t.Errorf("还没到 after the check-in = %q, want 1", got)
	}

	// A new failed SMS shows in its tile too.
	msgs, err := s.DB.Messages(ctx, "13500000004", 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages to 周大爷 = %+v, %v", msgs, err)
	}
	if err := s.DB.MarkFailed(ctx, msgs[0].ID, "isv.BUSINESS_LIMIT_CONTROL", "触发流控", s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	// MarkFailed queues nothing: no push. The button reloads by hand.
	p.click("立即刷新", "main")
	p.waitText("#status", "已刷新。")
	p.waitText(".tiles li:nth-child(3)", "2")
	p.mustSee("main", "触发流控")

	// The feed drops: the page says it polls, reconnects (after 1 s), is
	// live again and reads what it may have missed.
	loads := eval[int](p, `window.overviews`)
	said := eval[string](p, `new Promise((ok) => {
  const ws = window.sockets[0];
  ws.addEventListener('close', () => setTimeout(() => ok(document.querySelector('.refresh .updated').textContent), 0));
  ws.close();
})`)
	if !strings.HasPrefix(said, "每30秒自动更新") {
		t.Errorf("with the feed down the page says %q, want 每30秒自动更新…", said)
	}
	p.wait(`window.sockets.length === 2 && window.sockets[1].readyState === 1`)
	p.waitText(".refresh .updated", "实时更新")
	p.wait(fmt.Sprintf(`window.overviews === %d`, loads+1))
	checkIn("13500000004")
	p.waitText(".tiles", "已签到 4 / 已预约 4")
	if !eval[bool](p, `window.samePage === true`) {
		t.Errorf("the page was reloaded")
	}

	// Another page: the feed is closed, and none is opened again.
	p.route("#/events", "活动")
	p.wait(`window.sockets[1].readyState === WebSocket.CLOSED`)
	if n := eval[int](p, `window.sockets.length`); n != 2 {
		t.Errorf("%d sockets opened, want 2", n)
	}
}

// TestConsole_LiveDesk does what the desk asked for alongside the live
// feed: sending a failed SMS again, one that arrived (after a yes) and
// one the resident opted out of; stopping and resuming a resident's SMS;
// the events list by period.
func TestConsole_LiveDesk(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)

	// The failed SMS of the seed, sent again from 短信.
	all, err := s.DB.Messages(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var failed chorus.Message
	for _, m := range all {
		if m.Status == chorus.MessageFailed {
			failed = m
		}
	}
	if failed.ID == 0 {
		t.Fatalf("no failed SMS in %+v", all)
	}
	p.route("#/sms", "短信")
	p.waitText("main tr.failed", "号码格式错误")
	if n := eval[int](p, `document.querySelectorAll('main tr.failed button').length`); n != 1 {
		t.Errorf("%d buttons on the failed row, want 1 (重发)", n)
	}
	if label := eval[string](p, `document.querySelector('main tr.failed button').getAttribute('aria-label')`); !strings.HasPrefix(label, "重发:"+failed.Phone) {
		t.Errorf("the resend button's name = %q, want 重发:%s…", label, failed.Phone)
	}
	// Queued messages are still on their way: nothing to send again.
	if n := eval[int](p, `[...document.querySelectorAll('main tbody tr')].filter((r) => r.innerText.includes('排队中') && r.querySelector('button')).length`); n != 0 {
		t.Errorf("%d queued messages offer 重发", n)
	}
	p.click("重发", "main tr.failed")
	p.waitText("#status", "重新排队发给 "+failed.Phone)
	again, err := s.DB.Messages(ctx, failed.Phone, 10)
	if err != nil || len(again) == 0 || again[0].ID == failed.ID || again[0].Kind != failed.Kind || again[0].Status != chorus.MessageQueued {
		t.Fatalf("messages to %s after the resend = %+v, %v", failed.Phone, again, err)
	}
	// The outbox shows the copy.
	p.wait(fmt.Sprintf(`document.querySelectorAll('main tbody tr').length === %d`, len(all)+1))

	// One that arrived is sent again only after a yes. (A staff booking
	// gets 预约成功, with its code and no 回复1: issue 12.)
	zhao, err := s.DB.Messages(ctx, "13500000001", 10)
	if err != nil || len(zhao) == 0 {
		t.Fatalf("messages to 赵大娘 = %+v, %v", zhao, err)
	}
	if err := s.DB.MarkSubmitted(ctx, zhao[0].ID, "biz-1", s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	p.route("#/residents/13500000001", "居民")
	p.waitText("main table", "已提交")
	p.click("重发:13500000001 预约成功", "main")
	p.waitText("dialog[open]", "重发后居民会再收到一条同样的短信")
	p.click("不了", "")
	p.wait(`!document.querySelector('dialog[open]')`)
	if n, _ := s.DB.Messages(ctx, "13500000001", 10); len(n) != len(zhao) {
		t.Fatalf("a resend without a yes: %+v", n)
	}
	p.click("重发:13500000001 预约成功", "main")
	p.click("重发", "dialog[open]")
	p.waitText("#status", "已把“预约成功”短信重新排队发给 13500000001。")
	if n, err := s.DB.Messages(ctx, "13500000001", 10); err != nil || len(n) != len(zhao)+1 || n[0].Status != chorus.MessageQueued {
		t.Errorf("messages to 赵大娘 after the resend = %+v, %v", n, err)
	}
	// The resident's SMS list shows the copy.
	p.waitText("main section:last-of-type table", "排队中")

	// 周大爷 opted out by SMS; at the desk he asks for SMS again, then
	// stops them once more.
	// His booking is cancelled after he opted out: that notice is refused.
	const zhou = "13500000004"
	if _, err := s.DB.SetOptOut(ctx, zhou, true); err != nil {
		t.Fatal(err)
	}
	list, err := s.DB.BookingsByPhone(ctx, zhou)
	if err != nil || len(list) != 1 {
		t.Fatalf("bookings of 周大爷 = %+v, %v", list, err)
	}
	if _, err := s.DB.Transition(ctx, list[0].ID, chorus.StatusCancelled, chorus.ActorStaff, "居民来电取消"); err != nil {
		t.Fatal(err)
	}
	p.route("#/residents/"+zhou, "居民")
	p.waitText("main form", "已退订短信")
	p.waitText("main table", "居民已退订")
	p.click("恢复接收短信", "main")
	p.waitText("dialog[open]", "只在居民本人(或代办的家属)要求恢复时这样做")
	p.click("恢复接收", "")
	p.waitText("#status", "已恢复给 "+zhou+" 发短信。")
	p.waitText("main form", "正常接收通知短信")
	if r, err := s.DB.Resident(ctx, zhou); err != nil || r.OptedOut {
		t.Fatalf("周大爷 after 恢复接收短信 = %+v, %v", r, err)
	}
	if got := eval[string](p, `document.activeElement.textContent`); got != "停止发送短信" {
		t.Errorf("focus is on %q, want the new button", got)
	}
	p.click("停止发送短信", "main")
	p.waitText("dialog[open]", "打电话或到服务台要求不再收短信")
	p.click("停止发送", "")
	p.waitText("#status", "已停止给 "+zhou+" 发短信。")
	p.waitText("main form", "已退订短信")
	if r, err := s.DB.Resident(ctx, zhou); err != nil || !r.OptedOut {
		t.Fatalf("周大爷 after 停止发送短信 = %+v, %v", r, err)
	}

	// Opted out again, the cancellation notice sent again is refused
	// again, and the page says why.
	p.click("重发:"+zhou+" 取消通知", "main")
	p.waitText("#status", "没有重发给 "+zhou+":居民已退订。")
	if n, err := s.DB.Messages(ctx, zhou, 1); err != nil || len(n) != 1 || n[0].Kind != chorus.MsgCancelled ||
		n[0].Status != chorus.MessageRefused || n[0].ErrCode != "opted_out" {
		t.Errorf("the last message to 周大爷 = %+v, %v", n, err)
	}

	// 活动 by period: yesterday's talk is over, the yoga class is called off.
	talk := &chorus.Event{Kind: chorus.ServiceLecture, Title: "防诈骗讲座", PlaceID: s.Hall, CutoffMinutes: 0,
		Slots: []chorus.Slot{{Start: testStart.Add(-24 * time.Hour), End: testStart.Add(-23 * time.Hour), Capacity: 50}}}
	if err := s.DB.CreateEvent(ctx, talk); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.CancelEvent(ctx, s.Yoga.ID, chorus.ActorStaff, "老师生病"); err != nil {
		t.Fatal(err)
	}
	p.route("#/events", "活动")
	p.waitText("main table", "免费义诊")
	for _, gone := range []string{"公益瑜伽课", "防诈骗讲座"} {
		if strings.Contains(p.text("main table"), gone) {
			t.Errorf("即将举行 lists %s", gone)
		}
	}
	p.mustSee("main table", "开放预约", "取消活动")

	p.set(`select[name=when]`, "cancelled")
	p.waitText("main table caption", "已取消的活动")
	p.mustSee("main table", "公益瑜伽课", "已取消", "预约名单")
	if got := p.text("main table tbody"); strings.Contains(got, "免费义诊") || strings.Contains(got, "修改") || strings.Contains(got, "取消活动") {
		t.Errorf("已取消 shows %q; want the yoga class without 修改 or 取消活动", got)
	}

	p.set(`select[name=when]`, "past")
	p.waitText("main table caption", "已结束的活动")
	p.mustSee("main table", "防诈骗讲座", "已结束", "预约名单", "签到表")
	if strings.Contains(p.text("main table tbody"), "取消活动") {
		t.Errorf("an event that is over offers 取消活动")
	}
	if href := eval[string](p, `document.querySelector('main table a[href^="/staff/events/"]').getAttribute('href')`); href != fmt.Sprintf("/staff/events/%d/signin", talk.ID) {
		t.Errorf("the sign-in sheet's link = %q", href)
	}

	p.set(`select[name=when]`, "all")
	p.waitText("main table caption", "全部活动")
	p.mustSee("main table", "免费义诊", "公益瑜伽课", "防诈骗讲座")

	// The choice stays while the console is open; the past talk's list opens.
	p.click("防诈骗讲座的预约名单", "main")
	p.waitText("main h1", "预约 · 防诈骗讲座")
	p.route("#/events", "活动")
	p.waitText("main table caption", "全部活动")
	if v := eval[string](p, `document.querySelector('select[name=when]').value`); v != "all" {
		t.Errorf("the period after coming back = %q, want all", v)
	}
}

// TestConsole_LiveBoards: the dispatch board and the kiosk list follow
// the live feed too: an order made elsewhere (a resident at a kiosk) and
// a kiosk coming online show well before their fallback polls.
func TestConsole_LiveBoards(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)

	p.route("#/orders", "派单")
	p.waitText(".refresh .updated", "实时更新")
	if _, err := s.DB.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceRepair, HaircutRequest: chorus.HaircutRequest{
		Phone: "13812345670", Name: "何大爷", Address: chorus.Address{EstateID: s.Estate, Building: "5", Unit: "1", Room: "202"},
		Day: "2026-12-02", HalfDay: chorus.Morning, Notes: "暖气片漏水"}}); err != nil {
		t.Fatal(err)
	}
	p.waitText(".board", "暖气片漏水")

	// A kiosk registered at the desk, its page opened in another tab with
	// the pairing code: it connects, and the list says so.
	_, code, err := s.DB.CreateKiosk(ctx, "活动室东墙", s.Room)
	if err != nil {
		t.Fatal(err)
	}
	p.route("#/kiosks", "自助机")
	p.waitText(".refresh .updated", "实时更新")
	p.waitText(".summary", "在线 0 台,共 1 台")
	kp := p.another(1080, 1920)
	kp.open("/kiosk#pair=" + code)
	p.front()
	p.waitText(".summary", "在线 1 台,共 1 台")
}

// TestConsole_TodayWholeDay: 今日 lists all of today's events, the one
// over this morning and one closed to bookings included, in order; a
// cancelled one is left out.
func TestConsole_TodayWholeDay(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	morning := time.Date(2026, 12, 1, 8, 0, 0, 0, shanghai)
	early := &chorus.Event{Kind: chorus.ServiceClinic, Title: "晨间量血压", PlaceID: s.Room,
		Slots: []chorus.Slot{{Start: morning, End: morning.Add(time.Hour), Capacity: 10}}}
	gone := &chorus.Event{Kind: chorus.ServiceLecture, Title: "取消的讲座", PlaceID: s.Room,
		Slots: []chorus.Slot{{Start: morning.Add(8 * time.Hour), End: morning.Add(9 * time.Hour), Capacity: 10}}}
	for _, e := range []*chorus.Event{early, gone} {
		if err := s.DB.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DB.CancelEvent(ctx, gone.ID, chorus.ActorStaff, "老师有事"); err != nil {
		t.Fatal(err)
	}
	yoga, err := s.DB.Event(ctx, s.Yoga.ID)
	if err != nil {
		t.Fatal(err)
	}
	yoga.Status = chorus.EventClosed
	if err := s.DB.UpdateEvent(ctx, yoga); err != nil {
		t.Fatal(err)
	}
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.waitText(".tiles", "已签到 2 / 已预约 4")
	rows := eval[[]string](p, `[...document.querySelectorAll('main section table tbody tr')].slice(0, 2).map((r) => r.cells[1].textContent)`)
	if strings.Join(rows, ",") != "晨间量血压,公益瑜伽课" {
		t.Errorf("today's events = %v", rows)
	}
	if strings.Contains(p.text("main"), "取消的讲座") {
		t.Errorf("a cancelled event is listed on 今日")
	}
	// The pickers of 预约 and 现场签到 offer the closed class and this
	// morning's one, not the cancelled one.
	for _, r := range []struct{ hash, title string }{{"#/bookings", "预约"}, {"#/checkin", "现场签到"}} {
		p.route(r.hash, r.title)
		p.wait(`document.querySelector('main select') && document.querySelector('main select').options.length > 1`)
		opts := eval[string](p, `[...document.querySelector('main select').options].map((o) => o.textContent).join('|')`)
		if !strings.Contains(opts, "公益瑜伽课") || !strings.Contains(opts, "晨间量血压") || strings.Contains(opts, "取消的讲座") {
			t.Errorf("%s offers %s", r.hash, opts)
		}
	}
}

// TestConsole_TodayReplies: a reply nobody understood shows on 今日 the
// moment it comes, and goes when staff have dealt with it.
func TestConsole_TodayReplies(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.waitText(".refresh .updated", "实时更新")
	in, _, err := s.DB.HandleInbound(ctx, chorus.Inbound{Phone: "13812345678", Content: "几点开始", SequenceID: "up-2", Intent: chorus.IntentUnknown})
	if err != nil {
		t.Fatal(err)
	}
	p.waitText(".tiles", "1 条回复待处理")
	if _, err := s.DB.SettleInbound(ctx, in.ID, "王刚", "已回电"); err != nil {
		t.Fatal(err)
	}
	p.wait(`!document.querySelector('.tiles').textContent.includes('回复待处理')`)
}

// TestConsole_DialogsPhone: the dialogs added for the desk's phone work
// (a partner's telephone answer, settling a reply, resending an SMS,
// moving a booking) pass the 320 px audit.
func TestConsole_DialogsPhone(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	if _, _, err := s.DB.HandleInbound(ctx, chorus.Inbound{Phone: "13812345678", Content: "几点开始", SequenceID: "up-3", Intent: chorus.IntentUnknown}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Book(ctx, chorus.BookingRequest{EventID: s.Clinic.ID, SlotID: s.Clinic.Slots[0].ID, Phone: "13600000001",
		Name: "吴奶奶", Source: "staff", Actor: chorus.ActorStaff, Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	p := openBrowser(t, s, 320, 640)
	p.login(adminUser)
	audit := func(what string) {
		t.Helper()
		for _, pr := range eval[[]string](p, auditJS) {
			t.Errorf("%s: %s", what, pr)
		}
	}
	p.route("#/orders/1", "派单")
	p.waitText("dialog[open]", "电话登记")
	audit("the order dialog")
	p.route("#/sms", "短信")
	p.click("已处理:13812345678 的回复", "main")
	p.waitText("dialog[open]", "几点开始")
	audit("the settle dialog")
	p.route(fmt.Sprintf("#/bookings/%d", s.Clinic.ID), "预约 · 免费义诊")
	p.click("改时段:吴奶奶", "main")
	p.wait(`document.querySelector('dialog[open] select')`)
	audit("the move dialog")
	p.route("#/residents/13812345678", "居民 · 姚大娘")
	p.wait(`document.querySelector('main .sms-state button')`)
	audit("the resident page")
}
