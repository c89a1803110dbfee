package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/server"
)

func TestKiosk_Haircut(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	ctx := context.Background()

	t.Run("AddressOnFile", func(t *testing.T) {
		p.t = t
		p.tap("开始")
		p.tap("#go-haircut")
		p.countFrom()
		p.waitScreen("haircut/phone")
		p.typeDigits(phoneYao)
		p.tap("确定")
		p.waitScreen("haircut/address")
		// A typed phone shows the address on file to the building only
		// (privacy issue): enough to recognise it.
		p.mustSee("中铁诺德逸宸云著3号楼…", "是这个地址", "换一个地址")
		p.mustNotSee("401")
		p.check("20-haircut-address")
		p.tap("是这个地址")
		p.waitScreen("haircut/day")
		// The day screen shows what is sent: a tap on a day sends it.
		p.mustSee("今天 下午", "明天 上午", "12月2日 星期三", "上门理发", "中铁诺德逸宸云著3号楼…", "138****5678", "✓ 姚**",
			"点一下就提交")
		p.mustNotSee("今天 上午") // it is 9:00: too late for a morning visit
		p.check("21-haircut-day")
		p.shotAt("21-haircut-day-largest-text", 2)
		p.tap("明天 上午 12月2日 星期三")
		p.waitScreen("haircut/done")
		// phone, 确定, 是这个地址, the day: 4.
		p.mustTaps("requesting a home haircut, the address on file")
		if p.taps > 5 {
			t.Errorf("with the address on file a haircut took %d taps, want at most 5", p.taps)
		}
		p.mustSee("上门理发已预约", "短信正在发往 138****5678", "请在手机上回复短信“1”确认", "理发师接单后会短信通知您")
		p.mustSee("中铁诺德逸宸云著3号楼…")
		p.mustNotSee("undefined")
		p.check("23-haircut-done")
		orders, err := s.DB.Orders(ctx, "")
		if err != nil || len(orders) != 1 {
			t.Fatalf("orders: %v %v", orders, err)
		}
		o := orders[0]
		if o.Phone != phoneYao || o.Day != "2026-12-02" || o.HalfDay != chorus.Morning || o.Address.Room != "401" || o.Name != "姚大娘" {
			t.Errorf("order = %+v", o)
		}
		p.tap("完成,回首页")
		p.waitScreen("welcome")
	})

	t.Run("AddressPicked", func(t *testing.T) {
		// A first request picks the estate, then types its building, unit
		// and room on one screen as one number with clear groups (2号楼
		// 1单元 101 is 2 1 101: the estate has 9 buildings and 3 units, so
		// each is one digit). Nothing Chinese is typed.
		p.t = t
		p.tap("开始")
		p.tap("#go-haircut")
		p.countFrom()
		p.typeDigits(phoneNew)
		p.tap("确定")
		p.waitScreen("haircut/estate")
		p.check("24-haircut-estate")
		p.tap("和平里小区")
		p.waitScreen("haircut/room")
		p.mustSee("和平里小区:楼号、单元、门牌号?", "号楼", "单元", "请输入几号楼")
		p.typeDigits("21101")
		p.mustSee("对的话请点“确定”")
		if got := eval[string](p, `document.querySelector('#parts').innerText.replace(/\s+/g, '')`); got != "2号楼1单元101室" {
			t.Errorf("the boxes show %q, want 2号楼1单元101室", got)
		}
		p.check("26-haircut-room")
		p.shotAt("26-haircut-room-largest-text", 2)
		p.tap("确定")
		p.waitScreen("haircut/day")
		p.mustSee("和平里小区2号楼1单元101", "137****1111", "姓名")
		p.tap("今天 下午 12月1日 星期二")
		p.waitScreen("haircut/done")
		p.mustSee("请在手机上回复短信“1”确认")
		// phone, 确定, 小区, 楼号-单元-门牌号 (typed), 确定, the day: 6 (9
		// before, with a picker for each of 楼号 and 单元 and 确认预约).
		p.mustTaps("requesting a first home haircut")
		t.Logf("a first haircut request, picking the address, took %d taps", p.taps)
		orders, _ := s.DB.Orders(ctx, "")
		var got *chorus.Order
		for i := range orders {
			if orders[i].Phone == phoneNew {
				got = &orders[i]
			}
		}
		if got == nil || got.Address.Estate != "和平里小区" || got.Address.Building != "2" || got.Address.Unit != "1" ||
			got.Address.Room != "101" || got.HalfDay != chorus.Afternoon || got.Day != "2026-12-01" {
			t.Errorf("order = %+v", got)
		}
		p.tap("完成,回首页")
	})

	t.Run("OneBuilding", func(t *testing.T) {
		// An estate of one building: no building box.
		p.t = t
		p.tap("开始")
		p.tap("#go-haircut")
		p.countFrom()
		p.typeDigits("13600001234")
		p.tap("确定")
		p.tap("光华街16号院")
		p.waitScreen("haircut/room")
		p.mustSee("光华街16号院:单元、门牌号?")
		p.mustNotSee("号楼")
		p.typeDigits("31202")
		p.tap("确定")
		p.waitScreen("haircut/day")
		p.mustSee("光华街16号院3单元1202")
		p.tap("明天 上午 12月2日 星期三")
		p.waitScreen("haircut/done")
		p.mustTaps("requesting a first home haircut in an estate of one building")
		p.tap("完成,回首页")
	})

	t.Run("TwoDigitBuildings", func(t *testing.T) {
		// 光华小区 has 12 buildings of 4 units: 1 then 2 is 12号楼 until
		// a later digit says otherwise; a digit that fits no reading is
		// refused in words; 删除 goes back across the boxes.
		p.t = t
		p.tap("开始")
		p.tap("#go-haircut")
		p.typeDigits("13600005678")
		p.tap("确定")
		p.tap("光华小区")
		p.waitScreen("haircut/room")
		parts := func() string {
			return eval[string](p, `document.querySelector('#parts').innerText.replace(/\s+/g, '')`)
		}
		p.tap("0")
		p.mustSee("没有0号楼")
		p.typeDigits("56")
		p.mustSee("光华小区的楼只有1到4单元")
		if got := parts(); got != "5号楼_单元___室" {
			t.Errorf("after 5 6 the boxes show %q, want 5号楼_单元___室", got)
		}
		p.tap("删除")
		p.tap("1")
		p.mustSee("接着按单元、门牌号就行")
		p.tap("2")
		if got := parts(); got != "12号楼_单元___室" {
			t.Errorf("after 1 2 the boxes show %q, want 12号楼_单元___室", got)
		}
		// 1 2 401 can only be 1号楼2单元401 (12号楼4单元01 is no room):
		// no tap ends the building.
		p.typeDigits("401")
		p.wait(`document.querySelector('#parts').innerText.replace(/\s+/g, '') === '1号楼2单元401室'`)
		p.mustSee("对的话请点“确定”")
		p.tap("删除")
		p.tap("删除")
		p.tap("删除")
		p.tap("删除")
		if got := parts(); got != "1号楼_单元___室" {
			t.Errorf("after four 删除 the boxes show %q, want 1号楼_单元___室", got)
		}
		// A tap on the 单元 box still ends the building there.
		p.tap("#part-unit")
		p.typeDigits("3502")
		p.wait(`document.querySelector('#parts').innerText.replace(/\s+/g, '') === '1号楼3单元502室'`)
		p.tap("确定")
		p.waitScreen("haircut/day")
		p.mustSee("光华小区1号楼3单元502")
		p.tap("返回")
		p.waitScreen("haircut/room")
		if got := parts(); got != "1号楼3单元502室" {
			t.Errorf("back on the address the boxes show %q, want 1号楼3单元502室", got)
		}
		p.tap("首页")
		p.waitScreen("welcome")
	})

	t.Run("Readings", func(t *testing.T) {
		// The readings of a run of digits, as the page computes them, for
		// an estate of 12 buildings of 4 units.
		p.t = t
		for run, want := range map[string]string{
			"31401":   "3-1-401",
			"121401":  "12-1-401 1-2-1401",
			"12401":   "1-2-401",
			"1241401": "12-4-1401",
			"111101":  "11-1-101 1-1-1101",
			"13401":   "1-3-401",
			"0101":    "",
			"5601":    "",
			"3140":    "",
			"3140111": "",
		} {
			got := eval[string](p, fmt.Sprintf(`K.addressReadings([{key:'building',max:12},{key:'unit',max:4},{key:'room',len:4,min:3}], [], %q, true).map((r) => r.join('-')).join(' ')`, run))
			if got != want {
				t.Errorf("%s reads as %q, want %q", run, got, want)
			}
		}
	})

	t.Run("TwoReadings", func(t *testing.T) {
		// 121401 in 光华小区 reads as 12号楼1单元401 or 1号楼2单元1401: both
		// are offered and the resident's own is the 确定, so a one-digit
		// building among two-digit ones still takes 6 taps.
		p.t = t
		p.tap("开始")
		p.tap("#go-haircut")
		p.countFrom()
		p.typeDigits("13600009876")
		p.tap("确定")
		p.tap("光华小区")
		p.waitScreen("haircut/room")
		p.typeDigits("121401")
		p.mustSee("这串数字有2种读法,请点您的地址", "是12号楼1单元401室", "是1号楼2单元1401室")
		p.check("26-haircut-room-two-readings")
		p.tap("是1号楼2单元1401室")
		p.waitScreen("haircut/day")
		p.mustSee("光华小区1号楼2单元1401")
		p.tap("明天 上午 12月2日 星期三")
		p.waitScreen("haircut/done")
		p.mustTaps("requesting a first home haircut, a one-digit building among two-digit ones")
		if p.taps > 6 {
			t.Errorf("took %d taps", p.taps)
		}
		orders, _ := s.DB.Orders(ctx, "")
		var got *chorus.Order
		for i := range orders {
			if orders[i].Phone == "13600009876" {
				got = &orders[i]
			}
		}
		if got == nil || got.Address.Building != "1" || got.Address.Unit != "2" || got.Address.Room != "1401" {
			t.Errorf("order = %+v", got)
		}
		p.tap("完成,回首页")
	})
}

func TestKiosk_Enrol(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	ctx := context.Background()

	t.Run("TwoChildren", func(t *testing.T) {
		p.t = t
		p.tap("开始")
		p.tap("#go-enrol")
		p.countFrom()
		p.waitScreen("enrol/list")
		p.mustSee("寒假托管班", "12月22日 至 1月18日", "4到12岁", "还有 30 个名额", "元旦手工班", "已满,可以排队候补")
		p.check("30-enrol-list")
		p.tap("寒假托管班 12月22日 至 1月18日 4到12岁 · 社区活动室 还有 30 个名额")
		p.waitScreen("enrol/phone")
		p.typeDigits(phoneNew)
		p.tap("确定")
		p.waitScreen("enrol/age")
		p.mustSee("第 1 个孩子几岁?", "4岁", "12岁")
		p.check("31-enrol-age")
		p.tap("7岁")
		p.waitScreen("enrol/confirm")
		p.mustSee("第1个孩子:7岁", "137****1111", "还有 30 个名额")
		p.tap("确认报名")
		p.waitScreen("enrol/done")
		p.mustTaps("enrolling a child")
		// Back, then a second child: the way it would go the first time.
		list, err := s.DB.Enrolments(ctx, s.Care.ID, "")
		if err != nil || len(list) != 1 || len(list[0].Children) != 1 || list[0].Children[0].Age != 7 {
			t.Fatalf("enrolments = %+v, %v", list, err)
		}
		p.mustSee("报名成功", "一共 1 个孩子", "孩子的名字请到服务台补填")
		p.check("33-enrol-done")
		p.tap("完成,回首页")
		p.waitScreen("welcome")

		p.tap("开始")
		p.tap("#go-enrol")
		p.tap("寒假托管班 12月22日 至 1月18日 4到12岁 · 社区活动室 还有 29 个名额")
		p.typeDigits(phoneOther)
		p.tap("确定")
		p.tap("5岁")
		p.waitScreen("enrol/confirm")
		p.tap("再加一个孩子")
		p.waitScreen("enrol/age")
		p.mustSee("第 2 个孩子几岁?")
		p.tap("9岁")
		p.waitScreen("enrol/confirm")
		p.mustSee("第1个孩子:5岁", "第2个孩子:9岁")
		p.check("32-enrol-confirm")
		p.tap("确认报名")
		p.waitScreen("enrol/done")
		p.mustSee("一共 2 个孩子")
		p.tap("完成,回首页")
	})

	t.Run("Waitlist", func(t *testing.T) {
		p.t = t
		p.tap("开始")
		p.tap("#go-enrol")
		p.countFrom()
		p.tap(fmt.Sprintf("元旦手工班 12月30日 至 1月1日 6到10岁 · 社区活动室 %s", "已满,可以排队候补"))
		p.typeDigits(phoneYao)
		p.tap("确定")
		p.tap("8岁")
		p.waitScreen("enrol/confirm")
		p.mustSee("名额不够了")
		p.tap("确认报名")
		p.waitScreen("enrol/done")
		p.mustTaps("joining a childcare waitlist")
		p.mustSee("名额已满,已排队候补", "您排在第 1 位")
		p.check("34-enrol-waitlist")
	})
}

// TestKiosk_MyBookings: 我的预约 with a typed phone shows the phone's
// bookings, home-service orders and enrolments with masked names, no
// check-in code and no room; cancelling takes the SMS verification code
// (read from the fake SMS API's log), within kiosk-ux.md's 6 taps; the
// codes show after the code was typed.
func TestKiosk_MyBookings(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	// Two bookings, an enrolment, a cancel and two codes: more than the
	// default 5 SMS a day, which refuses a code like any other text.
	s.DB.PerPhoneDaily = 10
	phone := s.mustSMS(t)
	ctx := context.Background()
	b := s.book(s.Clinic.ID, s.Clinic.Slots[2].ID, phoneOther)
	lecture := s.book(s.Lecture.ID, s.Lecture.Slots[0].ID, phoneOther)
	estates, err := s.DB.Estates(ctx)
	s.must(err)
	o, err := s.DB.CreateOrder(ctx, chorus.OrderRequest{Kind: chorus.ServiceHaircut, HaircutRequest: chorus.HaircutRequest{
		Phone: phoneOther, Name: "钱大爷", Day: "2026-12-03", HalfDay: chorus.Morning,
		Address: chorus.Address{EstateID: estates[0].ID, Building: "5", Unit: "1", Room: "302"}}})
	s.must(err)
	_, err = s.DB.Enrol(ctx, chorus.EnrolmentRequest{ProgrammeID: s.Care.ID, Phone: phoneOther, Name: "钱大爷",
		Children: []chorus.Child{{Name: "钱小宝", Age: 6}}})
	s.must(err)
	p := openKiosk(t, s, pageOpts{})

	p.tap("开始")
	p.tap("#go-mine")
	p.countFrom()
	p.waitScreen("mine/phone")
	p.typeDigits(phoneOther)
	p.tap("确定")
	p.waitScreen("mine/list")
	p.mustSee("免费义诊", "09:30–09:45", "冬季健康讲座", "139****2222", "验证后显示", "查看签到码")
	p.mustNotSee(phoneOther, b.Code, lecture.Code)
	p.check("40-mine-list")
	p.tap("下一页")
	p.mustSee("上门理发", "12月3日 星期四 上午", "5号楼…", "寒假托管班", "1个孩子")
	p.mustNotSee(phoneOther, "302", "钱大爷", "钱小宝")
	p.check("40-mine-list-orders")
	p.tap("上一页")
	p.taps -= 2
	p.tap(fmt.Sprintf("[data-booking='%d']", b.ID))
	p.waitScreen("mine/cancel")
	p.mustSee("确定要取消下面这个预约吗?", "免费义诊", "短信验证码会发到尾号2222的手机")
	p.check("41-mine-cancel")
	// 不取消 goes back with nothing changed.
	p.tap("不取消")
	p.waitScreen("mine/list")
	p.tap(fmt.Sprintf("[data-booking='%d']", b.ID))
	p.tap("确定取消,发验证码")
	p.waitScreen("mine/verify")
	p.mustSee("验证码已经发到尾号2222的手机", "请输入短信里的6位验证码")
	p.check("43-mine-verify")
	p.typeDigits(phone.lastCode(t, phoneOther))
	p.tap("确定取消")
	p.waitScreen("mine/done")
	p.mustSee("已经取消了")
	p.check("42-mine-done")
	if p.taps > maxTaps+2 { // 不取消 and the second 取消 are the test's own
		t.Errorf("cancelling took %d taps", p.taps)
	}
	got, err := s.DB.Booking(ctx, b.ID)
	if err != nil || got.Status != chorus.StatusCancelled {
		t.Errorf("booking after cancelling: %+v, %v", got, err)
	}
	p.tap("完成,回首页")
	p.waitScreen("welcome")

	// A new visit: the proof went with the session. 查看签到码: a wrong
	// code is explained, the right one shows the codes.
	p.tap("开始")
	p.tap("#go-mine")
	p.typeDigits(phoneOther)
	p.tap("确定")
	p.waitScreen("mine/list")
	p.mustNotSee(lecture.Code)
	p.tap("查看签到码")
	p.waitScreen("mine/verify")
	code := phone.lastCode(t, phoneOther)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	p.typeDigits(wrong)
	p.tap("确定")
	p.wait(`document.querySelector('#error')`)
	p.mustSee("验证码不对", "还可以再试4次")
	p.tap("知道了")
	p.tap("清空")
	p.typeDigits(code)
	p.tap("确定")
	p.waitScreen("mine/list")
	p.mustSee(lecture.Code)
	p.mustNotSee("查看签到码")
	p.check("44-mine-codes")
	// Verified, the order is cancelled without another code.
	if !eval[bool](p, fmt.Sprintf(`!!document.querySelector("[data-order='%d']")`, o.ID)) {
		p.tap("下一页")
	}
	p.tap(fmt.Sprintf("[data-order='%d']", o.ID))
	p.waitScreen("mine/cancel")
	p.tap("确定取消")
	p.waitScreen("mine/done")
	if got, err := s.DB.Order(ctx, o.ID); err != nil || got.Status != chorus.OrderCancelled {
		t.Errorf("order after cancelling: %+v, %v", got, err)
	}
}

// TestKiosk_TooOften: a kiosk over its rate limit shows the server's
// sentence, and what it typed stays.
func TestKiosk_TooOften(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openKiosk(t, s, pageOpts{})
	tok := eval[string](p, `K.token()`)
	for range server.DefaultKioskLookupsPerMinute {
		req, _ := http.NewRequest("GET", s.URL+"/api/names?phone="+phoneYao, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		s.must(err)
		res.Body.Close()
	}
	p.tap("开始")
	p.tap("#go-mine")
	p.typeDigits(phoneYao)
	p.tap("确定")
	p.wait(`document.querySelector('#error')`)
	p.mustSee("操作太频繁了,请稍等一分钟再试。", "您填的内容都还在")
	p.check("45-too-often")
	p.tap("知道了")
	p.waitScreen("mine/phone")
	p.mustSee("138 1234 5678")
}

// TestKiosk_UseVoice: on 我的预约 one tap, proved by the phone's code,
// switches a resident to voice calls.
func TestKiosk_UseVoice(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	phone := s.mustSMS(t)
	p := openKiosk(t, s, pageOpts{})
	p.tap("开始")
	p.tap("#go-mine")
	p.countFrom()
	p.typeDigits(phoneOther)
	p.tap("确定")
	p.waitScreen("mine/list")
	p.mustSee("看不清短信?", "用电话语音通知我")
	p.tap("#use-voice")
	p.waitScreen("mine/verify")
	p.typeDigits(phone.lastCode(t, phoneOther))
	p.tap("确定")
	p.waitScreen("mine/voice")
	p.mustSee("以后打电话通知您", "尾号2222", "按1确认")
	p.check("45-mine-voice")
	p.mustTaps("switching to voice calls")
	r, err := s.DB.Resident(context.Background(), phoneOther)
	if err != nil || r.Channel != chorus.ChannelVoice {
		t.Fatalf("resident = %+v, %v", r, err)
	}
}
