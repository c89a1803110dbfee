package consoletest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus"
)

// TestConsole_Volunteers: on 志愿者 the admin registers a volunteer; on
// 志愿活动 creates 靓丽星期五 and a weekly shift, checks the volunteer in
// and out with their code at the door (the clock moves on), confirms the
// hours proposed; the year's hours show on 志愿者, and the A4 certificate,
// as printed, states the confirmed hours and the activity.
func TestConsole_Volunteers(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)

	p.click("志愿者", "#nav")
	p.waitText("main h1", "志愿者")
	p.waitText("main", "还没有志愿者")
	p.click("登记志愿者", "main")
	vf := `form[aria-label="志愿者"]`
	p.typeIn(vf+` input[name=name]`, "李华")
	p.typeIn(vf+` input[name=phone]`, "138 1234 8888")
	p.typeIn(vf+` input[name=skills]`, "电工、理发")
	p.wait(`(() => { const b = document.querySelector('` + vf + ` input[value="环境整治"]'); b.click(); return b.checked; })()`)
	p.click("保存", vf)
	p.waitText("#status", "已保存志愿者")
	p.waitText("main", "13812348888")
	p.mustSee("main", "李华", "电工、理发", "环境整治", "在岗")

	p.click("志愿活动", "#nav")
	p.waitText("main h1", "志愿活动")
	p.click("新建志愿活动", "main")
	af := `form[aria-label="志愿活动"]`
	p.typeIn(af+` input[name=title]`, "靓丽星期五")
	p.typeIn(af+` input[name=place]`, "和泽苑3号楼")
	p.click("保存", af)
	p.waitText("#status", "已保存志愿活动")
	p.click("靓丽星期五", "main")
	p.waitText("main", "还没有班次")
	p.click("添加班次", "main")
	sf := `form[aria-label="添加班次"]`
	p.set(sf+` input[name=date]`, "2026-12-01")
	p.set(sf+` input[name=start]`, "10:30")
	p.set(sf+` input[name=end]`, "12:00")
	p.typeIn(sf+` input[name=task]`, "清理楼道杂物")
	p.click("添加", sf)
	p.waitText("#status", "已添加4个班次")

	vols, err := s.DB.Volunteers(ctx)
	s.must(err)
	acts, err := s.DB.Activities(ctx)
	s.must(err)
	a, err := s.DB.Activity(ctx, acts[0].ID, testStart)
	s.must(err)
	g, err := s.DB.SignUp(ctx, a.Shifts[0].ID, vols[0].ID, chorus.JoinStaff)
	s.must(err)
	eval[bool](p, `(C.render(), true)`)
	p.waitText("main", g.Code)
	door := fmt.Sprintf(`form[aria-label="班次%d签到"]`, a.Shifts[0].ID)
	p.typeIn(door+` input[name=code]`, g.Code)
	p.click("签到/签退", door)
	p.waitText("#status", "签到成功")
	s.Clock.Add(2*time.Hour + 5*time.Minute) // past 12:00
	p.waitText("main", "在岗1人")
	p.typeIn(door+` input[name=code]`, g.Code)
	p.click("签到/签退", door)
	p.waitText("#status", "签退成功")

	p.click("← 全部志愿活动", "main")
	p.waitText("main", "1.5小时")
	p.click("确认李华的时长", "main")
	p.waitText("#status", "已确认李华的1.5小时")
	p.waitText("main", "没有待确认的服务时长")

	p.click("志愿者", "#nav")
	p.waitText("main", "1.5小时")
	// The ledger panel: the confirmed hours credited to 李华's time
	// account, its statement, and the way to 时间银行 for reversals.
	p.click("时间账户李华", "main")
	p.waitText("#volunteer-ledger", "时间账户:李华")
	p.waitText("#volunteer-ledger .ledger-balance", "1.5小时")
	p.mustSee("#volunteer-ledger", "服务获得", "+1.5小时", "到时间银行冲正")
	p.click("到时间银行冲正", "#volunteer-ledger")
	p.waitText("main h1", "时间银行")
	p.click("志愿者", "#nav")
	p.waitText("main", "1.5小时")
	p.shot("console-volunteers")

	// The certificate, as printed.
	p.open(fmt.Sprintf("/staff/volunteers/%d/certificate?year=2026", vols[0].ID))
	p.waitText("h1", "志愿服务记录证明")
	if _, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{"#name": "李华", "#hours": "1.5小时", "#times": "1", "#year": "2026",
		"#community": "光华街社区(盖章)", "#issued": "2026年12月1日"} {
		if got := p.text(sel); got != want {
			t.Errorf("certificate %s = %q, want %q", sel, got, want)
		}
	}
	p.mustSee("#lines", "靓丽星期五", "环境整治", "2026-12-01", "1.5小时")
	if serial := p.text("#serial"); serial != fmt.Sprintf("ZY-1-2026-%06d-20261201", vols[0].ID) {
		t.Errorf("serial = %q", serial)
	}
	if eval[bool](p, `getComputedStyle(document.querySelector('.tips')).display !== 'none'`) {
		t.Errorf("the certificate prints its instructions")
	}
	// One A4 page: 297 mm less the margins is about 970 CSS pixels.
	if h := eval[float64](p, `document.querySelector('main').getBoundingClientRect().height`); h > 970 {
		t.Errorf("the certificate is %.0f px tall: more than one A4 page", h)
	}
	p.shot("console-volunteer-certificate")
}
