package ui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// Tests of issue 13, point 2: the done screens say what the server did.

// TestKiosk_DoneTellsTruth: a new booking says its SMS is on its way (the
// server queued it; nothing has sent it yet); booking the same event again
// says 您已经预约过 in ink (not a green ✓), shows the slot held, sends no
// SMS, and offers 改时间, which moves the booking and says so.
func TestKiosk_DoneTellsTruth(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	ctx := context.Background()
	first, later := s.Clinic.Slots[0], s.Clinic.Slots[3]
	phone := s.mustSMS(t)

	bookClinic := func(slot chorus.Slot) {
		p.tap("开始")
		p.tap("#go-events")
		p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
		p.tap(fmt.Sprintf("[data-slot='%d']", slot.ID))
		p.typeDigits(phoneYao)
		p.tap("确定")
		p.waitScreen("event/confirm")
		p.tap("确认预约")
		p.waitScreen("event/done")
	}

	bookClinic(first)
	p.mustSee("✓ 已预约", "短信正在发往 138****5678") // 已预约,请回短信确认: the store asks for a reply
	p.mustNotSee("短信已发送", "您已经预约过")
	msgs, _ := s.DB.Messages(ctx, phoneYao, 10)
	if len(msgs) != 1 || msgs[0].Status != chorus.MessageQueued {
		t.Errorf("messages of %s: %+v, want one queued", phoneYao, msgs)
	}
	p.tap("完成,回首页")

	bookClinic(later)
	p.mustSee("您已经预约过这个活动", "09:00–09:15", "这次没有再发短信", "改时间")
	p.mustNotSee("✓", "已预约,", "短信已发送", "09:45–10:00")
	if c := eval[string](p, `getComputedStyle(document.querySelector('#outcome')).color`); c != "rgb(17, 17, 17)" {
		t.Errorf("您已经预约过 is shown in %s, want the ink colour (neither success nor error)", c)
	}
	if msgs, _ := s.DB.Messages(ctx, phoneYao, 10); len(msgs) != 1 {
		t.Errorf("booking again sent %d more SMS", len(msgs)-1)
	}
	p.check("14-event-done-held")
	p.countFrom()
	p.tap("改时间")
	p.waitScreen("event/move")
	p.mustSee("您原来约的是 12月5日 星期六 09:00–09:15")
	p.check("15-event-move")
	// Moving takes the slot held away: the phone's SMS code first.
	p.tap(fmt.Sprintf("[data-slot='%d']", later.ID))
	p.waitScreen("mine/verify")
	p.typeDigits(phone.lastCode(t, phoneYao))
	p.tap("确定")
	p.waitScreen("event/done")
	p.mustSee("✓ 已改好时间", "09:45–10:00")
	p.check("16-event-moved")
	list, _ := s.DB.BookingsByPhone(ctx, phoneYao)
	if len(list) != 1 || list[0].SlotID != later.ID {
		t.Errorf("bookings after moving: %+v, want one, in the later slot", list)
	}
}

// TestKiosk_MoveRetried: a 改时间 whose answer is lost (a slow network)
// is sent again by the page; the repeat finds the booking already moved
// and the page shows it moved (✓ 已改好时间), not 已经是这个时段了.
func TestKiosk_MoveRetried(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	phone := s.mustSMS(t)
	p := openKiosk(t, s, pageOpts{})
	ctx := context.Background()
	first, later := s.Clinic.Slots[0], s.Clinic.Slots[3]
	s.book(s.Clinic.ID, first.ID, phoneYao)
	p.tap("开始")
	p.tap("#go-events")
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	p.tap(fmt.Sprintf("[data-slot='%d']", later.ID))
	p.typeDigits(phoneYao)
	p.tap("确定")
	p.tap("确认预约")
	p.waitScreen("event/done")
	p.mustSee("您已经预约过这个活动")
	p.tap("改时间")
	p.tap(fmt.Sprintf("[data-slot='%d']", later.ID))
	p.waitScreen("mine/verify")
	p.typeDigits(phone.lastCode(t, phoneYao))
	eval[bool](p, `(K.apiTimeout = 1500, true)`)
	s.Gate.Close()
	p.tap("确定")
	waitHeld(t, s, 1) // moved; the answer lost
	waitHeld(t, s, 2) // the page asks again
	s.Gate.Open()
	p.waitScreen("event/done")
	p.wait(`document.querySelector('#outcome').textContent.includes('已改好')`)
	p.mustSee("✓ 已改好时间", "09:45–10:00")
	p.mustNotSee("已经是这个时段了", "出错了")
	list, _ := s.DB.BookingsByPhone(ctx, phoneYao)
	if len(list) != 1 || list[0].SlotID != later.ID {
		t.Errorf("bookings after moving: %+v, want one, in the later slot", list)
	}
}

// TestKiosk_SMSFollows: the done screen's SMS line follows the message:
// 短信正在发往 while it waits in the outbox, 短信已发送到 once the worker
// handed it to the provider (the fake Alibaba API), without a touch.
func TestKiosk_SMSFollows(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	phone := s.mustSMS(t)
	p := openKiosk(t, s, pageOpts{})
	p.tap("开始")
	p.tap("#go-events")
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	p.tap(fmt.Sprintf("[data-slot='%d']", s.Clinic.Slots[0].ID))
	p.typeDigits(phoneYao)
	p.tap("确定")
	p.tap("确认预约")
	p.waitScreen("event/done")
	p.mustSee("短信正在发往 138****5678")
	if _, err := phone.worker.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.wait(`document.querySelector('#sms').textContent.includes('短信已发送到')`)
	p.mustSee("✓ 已预约", "短信已发送到 138****5678")
	p.mustNotSee("短信正在发往")
}

// TestKiosk_SMSRefused: where the server does not send the booking's SMS
// (the phone's daily limit reached), the done screen says so and what to
// do, and the booking needs no reply.
func TestKiosk_SMSRefused(t *testing.T) {
	t.Parallel()
	s := mustStackWith(t, stackOpts{perPhoneDaily: 1})
	ctx := context.Background()
	// The day's one SMS to 姚大娘 went with another booking.
	s.book(s.Lecture.ID, s.Lecture.Slots[0].ID, phoneYao)
	p := openKiosk(t, s, pageOpts{})
	p.tap("开始")
	p.tap("#go-events")
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	p.tap(fmt.Sprintf("[data-slot='%d']", s.Clinic.Slots[0].ID))
	p.typeDigits(phoneYao)
	p.tap("确定")
	p.waitScreen("event/confirm")
	p.tap("确认预约")
	p.waitScreen("event/done")
	p.mustSee("✓ 预约成功", "这次没有发出短信,请记下签到码")
	p.mustNotSee("短信已发送", "短信正在发往", "回复短信")
	p.check("19-event-done-no-sms")
	list, _ := s.DB.BookingsByPhone(ctx, phoneYao)
	for _, b := range list {
		if b.EventID == s.Clinic.ID && b.Status != chorus.StatusConfirmed {
			t.Errorf("the clinic booking is %s; with no SMS to reply to it must be confirmed", b.Status)
		}
	}
}

// TestKiosk_HaircutAgain: a second haircut request answers with the open
// one's day, offers the day just chosen, and moves it when asked.
func TestKiosk_HaircutAgain(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	phone := s.mustSMS(t)
	p := openKiosk(t, s, pageOpts{})
	ctx := context.Background()
	request := func(day string) {
		p.tap("开始")
		p.tap("#go-haircut")
		p.typeDigits(phoneYao)
		p.tap("确定")
		p.tap("是这个地址")
		p.waitScreen("haircut/day")
		p.tap(day) // a day sends the request
		p.waitScreen("haircut/done")
	}
	request("明天 上午 12月2日 星期三")
	p.mustSee("✓ 上门理发已预约", "12月2日 星期三 上午")
	p.tap("完成,回首页")

	request("今天 下午 12月1日 星期二")
	p.mustSee("您已经约了上门理发", "12月2日 星期三 上午", "您刚才选的是 12月1日 星期二 下午", "改到12月1日下午", "不改,回首页")
	p.mustSee("中铁诺德逸宸云著3号楼…")
	p.mustNotSee("undefined")
	p.mustNotSee("✓")
	p.check("28-haircut-again")
	// The day decides when someone comes to the door: the phone's SMS
	// code first.
	p.tap("改到12月1日下午")
	p.waitScreen("mine/verify")
	p.typeDigits(phone.lastCode(t, phoneYao))
	p.tap("确定")
	p.waitScreen("haircut/done")
	p.wait(`document.querySelector('#outcome').textContent.includes('已改好')`)
	p.mustSee("✓ 已改好上门理发的时间", "12月1日 星期二 下午")
	orders, err := s.DB.OrdersOf(ctx, phoneYao)
	if err != nil || len(orders) != 1 || orders[0].Day != "2026-12-01" || orders[0].HalfDay != chorus.Afternoon {
		t.Errorf("orders: %+v, %v; want one, moved to 12-01 pm", orders, err)
	}
}

// Tests of issue 13, point 3: the confirm button and a slow server.

// TestKiosk_ConfirmWhileSlow: from the tap to the answer the confirm
// button stays disabled though live seat counts arrive; a server that does
// not answer shows 正在办理,请稍候…, never 网络断开, and its real answer
// once it does, retrying with the same idempotency key: one booking.
func TestKiosk_ConfirmWhileSlow(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	ctx := context.Background()
	slot := s.Clinic.Slots[0]
	p.tap("开始")
	p.tap("#go-events")
	p.tap(".card[data-event='" + fmt.Sprint(s.Clinic.ID) + "']")
	p.tap(fmt.Sprintf("[data-slot='%d']", slot.ID))
	p.typeDigits(phoneYao)
	p.tap("确定")
	p.waitScreen("event/confirm")
	// The page gives up on a request after 1.5 s here (15 s on a kiosk).
	eval[bool](p, `(K.apiTimeout = 1500, true)`)

	s.Gate.Close()
	p.tap("确认预约")
	p.wait(`document.querySelector('#confirm').disabled`)
	waitHeld(t, s, 1)
	// A seat taken elsewhere meanwhile: the count changes, the button
	// stays disabled.
	s.book(s.Clinic.ID, slot.ID, phoneOther)
	p.wait(fmt.Sprintf(`K.event(%d).slots[0].seats_left === 5`, s.Clinic.ID))
	if !eval[bool](p, `document.querySelector('#confirm').disabled`) {
		t.Errorf("a live seats update enabled 确认预约 while its request was on its way")
	}
	// Slow: the page says so. Past its timeout it asks again (the same
	// key), and says nothing about the network.
	p.wait(`document.querySelector('#working')`)
	p.mustSee("正在办理,请稍候…")
	waitHeld(t, s, 2)
	p.mustNotSee("网络断开", "出错了")
	p.shot("17-working")
	s.Gate.Open()
	p.waitScreen("event/done")
	p.mustSee("✓ 已预约")
	p.mustNotSee("您已经预约过", "网络断开")
	list, _ := s.DB.BookingsByPhone(ctx, phoneYao)
	if len(list) != 1 {
		t.Errorf("bookings of %s: %d, want 1", phoneYao, len(list))
	}
}

// waitHeld waits for the next kiosk request held at the gate, and checks
// that n are held.
func waitHeld(t *testing.T, s *stack, n int32) {
	t.Helper()
	select {
	case <-s.Gate.arrived:
	case <-time.After(waitFor):
		t.Fatalf("no request reached the gate; %d held", s.Gate.held.Load())
	}
	if got := s.Gate.held.Load(); got != n {
		t.Errorf("%d requests held at the gate, want %d", got, n)
	}
}
