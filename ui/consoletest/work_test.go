package consoletest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestConsole_StaffWork does a day's other work through the console:
// moving a booking to another slot, a resident's family contact, an order for medicine,
// calling an event off with a reason (an SMS to everyone booked), and an
// admin adding and disabling an account.
func TestConsole_StaffWork(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	b, err := s.DB.Book(ctx, chorus.BookingRequest{EventID: s.Clinic.ID, SlotID: s.Clinic.Slots[0].ID, Phone: "13600000001",
		Name: "吴奶奶", Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)

	// Move 吴奶奶 to 09:45 in one step: the same booking and code, the
	// new time by SMS.
	p.route(fmt.Sprintf("#/bookings/%d", s.Clinic.ID), "预约 · 免费义诊")
	p.click("改时段:吴奶奶", "main")
	p.wait(`document.querySelector('dialog[open] select')`)
	p.set(`dialog[open] select`, fmt.Sprint(s.Clinic.Slots[3].ID))
	p.click("改到这个时段", "")
	p.waitText("#status", "已把 吴奶奶 改到 12月5日 周六 09:45–10:00,签到码不变("+b.Code+")")
	list, err := s.DB.BookingsByPhone(ctx, "13600000001")
	if err != nil || len(list) != 1 || list[0].ID != b.ID || list[0].SlotID != s.Clinic.Slots[3].ID || list[0].Code != b.Code ||
		list[0].Status != chorus.StatusConfirmed {
		t.Fatalf("吴奶奶's bookings = %+v, %v; want booking %d moved to slot %d", list, err, b.ID, s.Clinic.Slots[3].ID)
	}
	msgs, err := s.DB.Messages(ctx, "13600000001", 10)
	if err != nil || len(msgs) < 2 || msgs[0].Kind != chorus.MsgBookingConfirm || msgs[0].BookingID != b.ID ||
		msgs[0].Params["time"] != "12月5日周六09:45" || msgs[0].Params["code"] != b.Code {
		t.Errorf("messages to 吴奶奶 = %+v, %v; want a booking_confirm for 09:45 on top", msgs, err)
	}
	p.waitText("main table", "09:45–10:00")

	// A slot that fills while the dialog is open: the server's words, and
	// the booking stays where it is.
	p.click("改时段:吴奶奶", "main")
	p.wait(`document.querySelector('dialog[open] select')`)
	p.set(`dialog[open] select`, fmt.Sprint(s.Clinic.Slots[4].ID))
	for i := 0; i < s.Clinic.Slots[4].Capacity; i++ {
		if _, err := s.DB.Book(ctx, chorus.BookingRequest{EventID: s.Clinic.ID, SlotID: s.Clinic.Slots[4].ID, Phone: fmt.Sprintf("1370000%04d", i),
			Source: "staff", Actor: chorus.ActorStaff, Confirmed: true}); err != nil {
			t.Fatal(err)
		}
	}
	p.click("改到这个时段", "")
	p.waitText("dialog[open] .form-error", "那个时段已满,请选其他时段。")
	if got, err := s.DB.Booking(ctx, b.ID); err != nil || got.SlotID != s.Clinic.Slots[3].ID {
		t.Fatalf("吴奶奶's booking after a full slot = %+v, %v", got, err)
	}
	p.click("关闭", "dialog[open]")
	p.wait(`!document.querySelector('dialog[open]')`)

	// 姚大娘's daughter acts for her.
	p.route("#/residents/13812345678", "居民 · 姚大娘")
	// Her repair is on her page, with a link to the order.
	p.waitText("main", "上门维修")
	if href := eval[string](p, `(document.querySelector('a[aria-label="订单 #1 的详情"]') || {}).hash || ''`); href != "#/orders/1" {
		t.Errorf("the order's link = %q", href)
	}
	p.click("添加家属", "main")
	p.typeIn(`.family-row input:not([type=tel])`, "刘芳")
	p.typeIn(`.family-row .field:nth-child(2) input`, "女儿")
	p.typeIn(`.family-row input[type=tel]`, "13987654321")
	p.click("保存", "main")
	p.waitText("#status", "已保存 姚大娘 的信息。")
	res, err := s.DB.Resident(ctx, "13812345678")
	if err != nil || len(res.Family) != 1 || res.Family[0] != (chorus.FamilyContact{Name: "刘芳", Phone: "13987654321", Relation: "女儿"}) {
		t.Fatalf("resident = %+v, %v", res, err)
	}

	// A repair for 姚大娘, made at the desk.
	p.route("#/orders", "派单")
	p.click("新建派单", "main")
	p.wait(`document.querySelector('dialog[open] select[name=kind]')`)
	p.set(`dialog[open] select[name=kind]`, "repair")
	p.typeIn(`dialog[open] input[name=phone]`, "13812345678")
	p.set(`dialog[open] select[name=estate]`, fmt.Sprint(s.Estate))
	p.typeIn(`dialog[open] input[name=building]`, "3")
	p.typeIn(`dialog[open] textarea[name=notes]`, "卫生间灯不亮")
	p.click("派单", "")
	p.waitText("#status", "已新建订单 #3(上门维修)")
	p.waitText(".board", "卫生间灯不亮")

	// The yoga class is called off: the two still to come get an SMS.
	p.route("#/events", "活动")
	p.click("取消活动:公益瑜伽课", "main")
	p.waitText("dialog[open]", "现在有 4 人预约")
	p.typeIn(`dialog[open] textarea`, "老师生病")
	p.click("确认取消活动", "")
	p.waitText("#status", "已取消“公益瑜伽课”")
	ev, err := s.DB.Event(ctx, s.Yoga.ID)
	if err != nil || ev.Status != chorus.EventCancelled {
		t.Fatalf("yoga = %+v, %v", ev, err)
	}
	for _, phone := range []string{"13500000003", "13500000004"} {
		msgs, err := s.DB.Messages(ctx, phone, 10)
		if err != nil || len(msgs) == 0 || msgs[0].Kind != chorus.MsgCancelled {
			t.Errorf("messages to %s = %+v, %v", phone, msgs, err)
		}
	}

	// A new account, then disabled.
	p.route("#/staff", "工作人员")
	form := `form[aria-label="添加工作人员"] `
	p.typeIn(form+`.field:nth-child(1) input`, "zhaomin")
	p.typeIn(form+`.field:nth-child(2) input`, "赵敏")
	p.typeIn(form+`input[type=password]`, "guanghua-2027")
	p.click("添加", form)
	p.waitText("main table", "zhaomin")
	p.click("停用赵敏", "main")
	p.click("停用", "dialog[open]")
	p.waitText("#status", "赵敏 的账号已停用。")
	p.waitText("main table", "已停用")

	// A haircut asked at a kiosk waits on the board for the resident's
	// reply 1 (privacy issue).
	o, err := s.DB.RequestHaircut(ctx, chorus.HaircutRequest{Phone: "13600000009", KioskID: 1,
		Address: chorus.Address{EstateID: s.Estate, Building: "2"}, Day: "2026-12-02", HalfDay: chorus.Morning})
	if err != nil {
		t.Fatal(err)
	}
	p.route("#/orders", "派单")
	p.waitText(".board", "等居民回复1确认")
	// Staff who confirmed it with the resident by telephone send it on.
	p.click(fmt.Sprintf("订单 #%d 的详情", o.ID), "main")
	p.waitText("dialog[open]", "电话核实")
	p.click("已电话核实,派单", "dialog[open]")
	p.waitText("#status", fmt.Sprintf("订单 #%d 已派单。", o.ID))
	// Dispatched: here no barber serves the estate at that hour, so the
	// on-duty phone was alerted (escalated) at once.
	if got, err := s.DB.Order(ctx, o.ID); err != nil || got.AwaitingReply || (got.Status != chorus.OrderDispatched && !got.Escalated) {
		t.Fatalf("order after 电话核实 = %+v, %v", got, err)
	}
}

// TestConsole_OfferByHand: once an event stops taking bookings, a freed
// seat is not offered by itself; staff give it to someone on the
// waitlist, who is told by SMS.
func TestConsole_OfferByHand(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	slot := s.Clinic.Slots[5]
	var first *chorus.Booking
	for i := 0; i < 6; i++ {
		b, err := s.DB.Book(ctx, chorus.BookingRequest{EventID: s.Clinic.ID, SlotID: slot.ID, Phone: fmt.Sprintf("1360000%04d", i),
			Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
		}
	}
	w, err := s.DB.Book(ctx, chorus.BookingRequest{EventID: s.Clinic.ID, SlotID: slot.ID, Phone: "13600009999", Name: "候补的郑大爷", Waitlist: true})
	if err != nil || w.Status != chorus.StatusWaitlisted {
		t.Fatalf("waitlist = %+v, %v", w, err)
	}
	ev, err := s.DB.Event(ctx, s.Clinic.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev.Status = chorus.EventClosed
	if err := s.DB.UpdateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Transition(ctx, first.ID, chorus.StatusCancelled, chorus.ActorResident, "居民取消"); err != nil {
		t.Fatal(err)
	}

	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route(fmt.Sprintf("#/bookings/%d", s.Clinic.ID), "预约 · 免费义诊")
	p.click("给名额:候补的郑大爷", "main")
	p.waitText("#status", "已把空出的名额给 候补的郑大爷")
	got, err := s.DB.Booking(ctx, w.ID)
	if err != nil || got.Status != chorus.StatusOffered {
		t.Fatalf("the waitlisted booking = %+v, %v", got, err)
	}
	msgs, err := s.DB.Messages(ctx, "13600009999", 5)
	if err != nil || len(msgs) == 0 || msgs[0].Kind != chorus.MsgWaitlistOffer {
		t.Fatalf("messages = %+v, %v", msgs, err)
	}
}

// TestConsole_PartnerCalls: the builder's foreman calls the desk instead
// of replying by SMS; staff record his 接单 and later his 完成 on the order.
func TestConsole_PartnerCalls(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route("#/orders/1", "派单")
	p.waitText("dialog[open]", "电话登记")
	p.set(`dialog[open] select[name=partner]`, "1")
	p.click("登记", "dialog[open]")
	p.waitText("#status", "已登记:宏建建筑公司接了订单 #1,居民会收到短信。")
	o, err := s.DB.Order(ctx, 1)
	if err != nil || o.Status != chorus.OrderAccepted || o.Partner != "宏建建筑公司" {
		t.Fatalf("order = %+v, %v", o, err)
	}
	msgs, err := s.DB.Messages(ctx, "13812345678", 5)
	if err != nil || len(msgs) == 0 || msgs[0].Kind != chorus.MsgHaircutAccepted {
		t.Fatalf("姚大娘's messages = %+v, %v", msgs, err)
	}

	p.click("订单 #1 的详情", "main")
	p.waitText("dialog[open]", "宏建建筑公司打电话接单,工作人员代为登记")
	p.set(`dialog[open] select[name=intent]`, "done")
	p.click("登记", "dialog[open]")
	p.waitText("#status", "已登记:订单 #1 已完成。")
	if o, err := s.DB.Order(ctx, 1); err != nil || o.Status != chorus.OrderDone {
		t.Fatalf("order = %+v, %v", o, err)
	}
}

// TestConsole_Inbox: a reply nobody understood waits in 短信 until staff
// have called the resident back and say what they did.
func TestConsole_Inbox(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	if _, _, err := s.DB.HandleInbound(ctx, chorus.Inbound{Phone: "13812345678", Content: "我腿脚不好能不能上门量血压",
		SequenceID: "up-1", Intent: chorus.IntentUnknown}); err != nil {
		t.Fatal(err)
	}
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route("#/sms", "短信")
	p.waitText("main", "我腿脚不好能不能上门量血压")
	p.click("已处理:13812345678 的回复", "main")
	p.typeIn(`dialog[open] input[name=note]`, "已电话联系,安排家庭医生上门")
	p.click("标记为已处理", "")
	p.waitText("#status", "已把 13812345678 的回复标记为已处理。")
	p.waitText("main", "没有需要处理的回复。")
	left, err := s.DB.Inbox(ctx, true, 10)
	if err != nil || len(left) != 0 {
		t.Fatalf("unhandled = %+v, %v", left, err)
	}
	all, err := s.DB.Inbox(ctx, false, 10)
	if err != nil || len(all) == 0 || all[0].Outcome != "工作人员王刚已处理:已电话联系,安排家庭医生上门" {
		t.Fatalf("inbox = %+v, %v", all, err)
	}
}

// TestConsole_CopyEvent: the clinic is held again a week later: staff copy
// it, and the copy has the same slots and seats, a week on.
func TestConsole_CopyEvent(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route("#/events", "活动")
	p.click("复制免费义诊(再办一次)", "main")
	p.waitText("main h1", "新建活动(复制“免费义诊”)")
	p.wait(`document.querySelector('input[name=title]').value === '免费义诊' && document.querySelector('table.slots input[type=date]').value === '2026-12-12'`)
	p.click("创建活动", "main")
	p.waitText("#status", "已创建活动“免费义诊”,共 6 个时段。")
	events, err := s.DB.UpcomingEvents(context.Background(), s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var copy *chorus.Event
	for i := range events {
		if events[i].Title == "免费义诊" && events[i].ID != s.Clinic.ID {
			copy = &events[i]
		}
	}
	if copy == nil || len(copy.Slots) != 6 || copy.PlaceID != s.Clinic.PlaceID || !copy.Waitlist ||
		!copy.Slots[0].Start.Equal(s.Clinic.Slots[0].Start.AddDate(0, 0, 7)) || copy.Slots[5].Capacity != 6 {
		t.Fatalf("the copy = %+v", copy)
	}
}

// TestConsole_LinkPartner: an admin adds a unit another community of the
// district already has, by its phone, with what it takes here (issue 16).
func TestConsole_LinkPartner(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)
	p.route("#/partners", "共建单位")
	p.click("添加其他社区已有的单位", "main")
	p.typeIn(`dialog[open] input[name=phone]`, "13503510005")
	eval[bool](p, `(() => { const b = [...document.querySelectorAll('dialog[open] input[type=checkbox]')].find((b) => b.value === 'venue');
  b.click(); return b.checked; })()`)
	p.click("添加", "dialog[open]")
	p.waitText("#status", "已添加“宏建建筑公司”")
	p.waitText("main table", "场地")
	list, err := s.DB.Partners(context.Background())
	if err != nil || len(list) != 1 || fmt.Sprint(list[0].Services) != "[venue]" {
		t.Fatalf("partners = %+v, %v", list, err)
	}
	// A phone no unit has: said plainly, in the dialog.
	p.click("添加其他社区已有的单位", "main")
	p.typeIn(`dialog[open] input[name=phone]`, "13900009999")
	p.click("添加", "dialog[open]")
	p.waitText("dialog[open]", "没有找到用这个电话的共建单位。")
}
