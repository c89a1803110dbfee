package consoletest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestConsole_Classes: staff create a Tuesday class through the 课程 form
// (元旦 skipped), see its sessions, enrol two residents who phoned (the
// second on the waitlist of a 1-place class), take today's roster with
// 到/未到 and call next week's session off; the pages pass the layout
// audit on a phone.
func TestConsole_Classes(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.click("课程", "#nav")
	p.waitText("main", "没有还没结束的课程。")
	p.click("新建课程", "main")
	p.waitText("main h1", "新建课程")
	p.typeIn(`input[name=title]`, "瑜伽班")
	p.typeIn(`input[name=teacher]`, "刘")
	p.set(`select[name=place]`, fmt.Sprint(s.Hall))
	p.set(`select[name=weekday]`, "2")
	p.set(`input[name=start_time]`, "18:30")
	p.set(`input[name=end_time]`, "19:30")
	p.set(`input[name=first_date]`, "2026-11-10")
	p.set(`input[name=last_date]`, "2027-01-26")
	p.set(`textarea[name=skipped]`, "2026-12-29 2027-01-02 元旦\n2027-03-01 开学")
	p.set(`input[name=capacity]`, "1")
	p.click("创建课程", "main")
	p.waitText("main .form-error", "停课日期 2027-03-01 不在本学期")
	p.set(`textarea[name=skipped]`, "2026-12-29 2027-01-02 元旦")
	p.click("创建课程", "main")
	p.waitText("#status", "已创建课程“瑜伽班”,共 11 节课。")
	p.waitText("main h1", "课程 · 瑜伽班")
	p.waitRowShows("main", "12月29日", "假期不上课")
	p.mustSee("main .summary", "每星期二 18:30–19:30", "已报 0 / 1 人")

	form := `form[aria-label="代居民报名"] `
	for _, r := range []struct{ phone, name, says string }{
		{"13812345678", "姚大娘", "已为 姚大娘 报名,报名成功。"},
		{"13912345678", "王大爷", "名额已满,已为 王大爷 排上候补(第 1 位)。"},
	} {
		p.typeIn(form+`input[name=phone]`, r.phone)
		p.typeIn(form+`input[name=name]`, r.name)
		p.click("报名", form)
		p.waitText(".result", r.says)
	}
	p.waitRowShows("main", "王大爷", "第 1 位")

	// Today's roster: 姚大娘 came.
	p.click("2026-12-01点名", "main")
	p.waitText("main h1", "点名 · 瑜伽班")
	p.waitRowShows("main", "姚大娘", "未点名")
	p.click("姚大娘到", "main")
	p.waitRowShows("main", "姚大娘", "到")
	p.waitText("main .summary", "到 1 / 1 人")
	list, err := s.DB.ListClasses(context.Background(), chorus.PeriodUpcoming, "2026-12-01")
	if err != nil || len(list) != 1 {
		t.Fatalf("classes %+v %v", list, err)
	}
	marks, err := s.DB.ClassMarks(context.Background(), list[0].ID)
	if err != nil || len(marks) != 1 || marks[0].Mark != chorus.AttendancePresent || marks[0].Date != "2026-12-01" {
		t.Fatalf("marks %+v %v", marks, err)
	}

	// Next week's session is called off: the teacher is ill.
	p.click("返回课程", "main")
	p.waitText("main h1", "课程 · 瑜伽班")
	p.click("2026-12-08停课", "main")
	p.typeIn(`dialog[open] input[name=reason]`, "刘老师生病")
	p.click("确认停课", "dialog[open]")
	p.waitText("#status", "的瑜伽班已停课,报名的居民会收到短信。")
	p.waitRowShows("main", "12月8日", "刘老师生病")
	c, _ := s.DB.Class(context.Background(), list[0].ID)
	for _, ss := range c.Sessions {
		if ss.Date == "2026-12-08" && (ss.Status != chorus.SessionCancelled || ss.Reason != "刘老师生病") {
			t.Fatalf("12-08 %+v", ss)
		}
	}
	if href := eval[string](p, `document.querySelector('a[download]').getAttribute('href')`); !strings.HasSuffix(href, "/attendance.csv") {
		t.Errorf("export link %q", href)
	}
	p.shot("console-classes")

	// The pages on a phone.
	m := openBrowser(t, s, 320, 640)
	m.login(staffUser)
	for _, r := range []struct{ hash, title, ready string }{
		{"#/classes", "课程", "main table"},
		{"#/classes/new", "新建课程", "main form"},
		{fmt.Sprintf("#/classes/%d", c.ID), "课程 · 瑜伽班", "main table"},
		{fmt.Sprintf("#/classes/%d/2026-12-01", c.ID), "点名 · 瑜伽班", "main table"},
	} {
		m.route(r.hash, r.title)
		m.wait(fmt.Sprintf(`document.querySelector(%q)`, r.ready))
		for _, pr := range eval[[]string](m, auditJS) {
			t.Errorf("%s: %s", r.hash, pr)
		}
		if txt := m.text("main"); strings.Contains(txt, "null") || strings.Contains(txt, "undefined") {
			t.Errorf("%s shows a missing value: %s", r.hash, txt)
		}
	}
}
