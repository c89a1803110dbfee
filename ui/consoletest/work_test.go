package consoletest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestConsole_StaffWork does a day's other work through the console:
// moving a booking, a resident's family contact, an order for medicine,
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

	// Move 吴奶奶 to 09:45: the old booking is cancelled, a new one made.
	p.route(fmt.Sprintf("#/bookings/%d", s.Clinic.ID), "预约 · 免费义诊")
	p.click("改时段:吴奶奶", "main")
	p.wait(`document.querySelector('dialog[open] select')`)
	p.set(`dialog[open] select`, fmt.Sprint(s.Clinic.Slots[3].ID))
	p.click("改到这个时段", "")
	p.waitText("#status", "已把 吴奶奶 改到 12月5日 周六 09:45–10:00")
	list, err := s.DB.BookingsByPhone(ctx, "13600000001")
	if err != nil || len(list) != 1 || list[0].SlotID != s.Clinic.Slots[3].ID || list[0].ID == b.ID {
		t.Fatalf("吴奶奶's bookings = %+v, %v", list, err)
	}

	// 姚大娘's daughter acts for her.
	p.route("#/residents/13812345678", "居民 · 姚大娘")
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
}
