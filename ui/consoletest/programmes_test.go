package consoletest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

// programmeToday is the test clock's date in the community's zone.
const programmeToday = "2026-12-01"

// mustProgramme stores 寒假托管班 at 社区活动室: ages 3 to 6, 3 places.
func mustProgramme(t *testing.T, s *stack) *chorus.Programme {
	t.Helper()
	g := &chorus.Programme{Title: "寒假托管班", Description: "写作业、做手工。", PlaceID: s.Room, StartDate: "2027-01-18",
		EndDate: "2027-02-05", MinAge: 3, MaxAge: 6, Capacity: 3, Status: chorus.EventOpen}
	if err := s.DB.CreateProgramme(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g
}

// mustEnrol enrols a guardian's children in g as staff would.
func mustEnrol(t *testing.T, s *stack, g *chorus.Programme, phone, name string, children ...chorus.Child) *chorus.Enrolment {
	t.Helper()
	e, err := s.DB.Enrol(context.Background(), chorus.EnrolmentRequest{ProgrammeID: g.ID, Phone: phone, Name: name,
		Children: children, IdempotencyKey: "test-" + phone, Actor: chorus.ActorStaff})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// mustEnrolment returns the enrolment of a phone in g, whatever its status.
func mustEnrolment(t *testing.T, s *stack, g *chorus.Programme, phone string) chorus.Enrolment {
	t.Helper()
	list, err := s.DB.Enrolments(context.Background(), g.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Phone == phone {
			return e
		}
	}
	t.Fatalf("no enrolment of %s in %+v", phone, list)
	return chorus.Enrolment{}
}

// findProgramme returns the programme of a period titled title, or nil.
func findProgramme(t *testing.T, s *stack, period chorus.Period, title string) *chorus.Programme {
	t.Helper()
	list, err := s.DB.ListProgrammes(context.Background(), period, programmeToday)
	if err != nil {
		t.Fatal(err)
	}
	for i := range list {
		if list[i].Title == title {
			return &list[i]
		}
	}
	return nil
}

// waitRowShows waits until a row of the tables matching sel shows who and text.
func (p *tab) waitRowShows(sel, who, text string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`[...document.querySelectorAll(%q)].some((r) => r.innerText.includes(%q) && r.innerText.includes(%q))`,
		sel+" tbody tr", who, text))
}

// lacksRow reports whether no row of the tables matching sel shows who.
func (p *tab) lacksRow(sel, who string) bool {
	p.t.Helper()
	return eval[bool](p, fmt.Sprintf(`![...document.querySelectorAll(%q)].some((r) => r.innerText.includes(%q))`, sel+" tbody tr", who))
}

// TestConsole_ProgrammeCreate creates a holiday programme through the
// form, then adds places and stops enrolment through the edit form.
func TestConsole_ProgrammeCreate(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.click("托管", "#nav")
	p.waitText("main", "没有还没结束的托管项目。")
	p.click("新建托管项目", "main")
	p.waitText("main h1", "新建托管项目")

	p.typeIn(`input[name=title]`, "寒假托管班")
	p.typeIn(`textarea[name=description]`, "写作业、做手工,中午有午饭。")
	p.set(`select[name=place]`, fmt.Sprint(s.Room))
	p.set(`input[name=start_date]`, "2027-02-05")
	p.set(`input[name=end_date]`, "2027-01-18")
	p.set(`input[name=min_age]`, "3")
	p.set(`input[name=max_age]`, "6")
	p.set(`input[name=capacity]`, "3")
	// The dates the wrong way round are caught before sending.
	p.click("创建托管项目", "main")
	p.waitText("main .form-error", "结束日期不能早于开始日期。")
	if findProgramme(t, s, chorus.PeriodAll, "寒假托管班") != nil {
		t.Fatalf("a programme with its dates the wrong way round was stored")
	}
	p.set(`input[name=start_date]`, "2027-01-18")
	p.set(`input[name=end_date]`, "2027-02-05")
	p.click("创建托管项目", "main")
	p.waitText("#status", "已创建托管项目“寒假托管班”,共 3 个名额。")
	p.waitText("main table", "寒假托管班")
	p.mustSee("main table", "2027年1月18日 周一 至 2027年2月5日 周五", "社区活动室", "3–6 岁", "0 / 3", "开放报名")

	g := findProgramme(t, s, chorus.PeriodUpcoming, "寒假托管班")
	if g == nil {
		t.Fatalf("the programme is not stored")
	}
	if g.PlaceID != s.Room || g.PartnerID != 0 || g.StartDate != "2027-01-18" || g.EndDate != "2027-02-05" || g.MinAge != 3 ||
		g.MaxAge != 6 || g.Capacity != 3 || g.Status != chorus.EventOpen || g.Description != "写作业、做手工,中午有午饭。" {
		t.Errorf("programme = %+v", g)
	}

	// Change it: the form shows what is stored; more places, enrolment stopped.
	p.click("修改寒假托管班", "main")
	p.waitText("main h1", "修改托管项目:寒假托管班")
	p.wait(`document.querySelector('input[name=start_date]').value === '2027-01-18' && document.querySelector('input[name=capacity]').value === '3'`)
	p.set(`input[name=capacity]`, "5")
	p.set(`select[name=status]`, "closed")
	p.click("保存修改", "main")
	p.waitText("#status", "已保存“寒假托管班”。")
	p.waitText("main table", "0 / 5")
	p.shot("console-programmes")
	p.mustSee("main table", "停止报名")
	g = findProgramme(t, s, chorus.PeriodUpcoming, "寒假托管班")
	if g == nil || g.Capacity != 5 || g.Status != chorus.EventClosed || g.Title != "寒假托管班" || g.MinAge != 3 {
		t.Fatalf("after the change: %+v", g)
	}
}

// TestConsole_ProgrammeEnrolments works a programme's enrolments: staff
// enrol a grandmother who phoned (on the waitlist), cancel a family, whose
// places go to the waitlist's head, confirm that offer for the guardian,
// and call the whole programme off.
func TestConsole_ProgrammeEnrolments(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	g := mustProgramme(t, s)
	a := mustEnrol(t, s, g, "13700000001", "陈爸爸", chorus.Child{Name: "陈小宝", Age: 5}, chorus.Child{Name: "陈二宝", Age: 3})
	b := mustEnrol(t, s, g, "13700000002", "林妈妈", chorus.Child{Name: "林朵朵", Age: 4}, chorus.Child{Name: "林果果", Age: 4})
	if a.Status != chorus.StatusConfirmed || b.Status != chorus.StatusWaitlisted {
		t.Fatalf("seeded enrolments: %s, %s", a.Status, b.Status)
	}

	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route("#/programmes", "托管")
	p.waitRowShows("main", "寒假托管班", "2 / 3")
	p.click("寒假托管班的报名名单", "main")
	p.waitText("main h1", "托管 · 寒假托管班")
	p.waitRowShows("main", "林妈妈", "第 1 位")
	p.waitRowShows("main", "林妈妈", "林朵朵(4岁)、林果果(4岁)")
	p.waitRowShows("main", "陈爸爸", "已确认")
	p.mustSee("main .summary", "已报 2 / 3 个孩子", "候补 1 户", "开放报名")
	if href := eval[string](p, `[...document.querySelectorAll('main table a')].find((a) => a.textContent === '13700000001').getAttribute('href')`); href != "#/residents/13700000001" {
		t.Errorf("the phone links to %q", href)
	}

	// 黄奶奶 phones for two grandchildren: an age out of range is caught.
	form := `form[aria-label="代家长报名"] `
	p.typeIn(form+`input[name=phone]`, "137 0000 0003")
	p.typeIn(form+`input[name=name]`, "黄奶奶")
	p.typeIn(form+`input[name=child-name]`, "黄小丫")
	p.typeIn(form+`input[name=child-age]`, "9")
	p.click("再加一个孩子", form)
	p.wait(`document.querySelectorAll('.child-row').length === 2`)
	p.typeIn(form+`.child-row:nth-child(2) input[name=child-name]`, "黄小虎")
	p.typeIn(form+`.child-row:nth-child(2) input[name=child-age]`, "6")
	p.click("报名", form)
	p.waitText(form+".form-error", "“孩子1 年龄”应在 3 到 6 之间。")
	p.set(form+`.child-row:nth-child(1) input[name=child-age]`, "4")
	p.click("报名", form)
	// A waitlist exists, so she queues behind 林妈妈 though one place is free.
	p.waitText(".result", "名额已满,已为 黄奶奶 排上候补(第 2 位)。")
	p.waitRowShows("main", "黄奶奶", "第 2 位")
	if n := eval[int](p, `document.querySelectorAll('.child-row').length`); n != 1 {
		t.Errorf("%d child rows after enrolling, want 1", n)
	}
	c := mustEnrolment(t, s, g, "13700000003")
	if c.Status != chorus.StatusWaitlisted || c.Name != "黄奶奶" || len(c.Children) != 2 ||
		c.Children[0] != (chorus.Child{Name: "黄小丫", Age: 4}) || c.Children[1] != (chorus.Child{Name: "黄小虎", Age: 6}) {
		t.Fatalf("黄奶奶's enrolment = %+v", c)
	}

	// The same phone again is no second enrolment.
	p.typeIn(form+`input[name=phone]`, "13700000003")
	p.typeIn(form+`input[name=child-name]`, "黄小丫")
	p.typeIn(form+`input[name=child-age]`, "4")
	p.click("报名", form)
	p.waitText(".result", "这个手机号已经报名了这个项目,没有重复报名")
	if list, err := s.DB.Enrolments(ctx, g.ID, ""); err != nil || len(list) != 3 {
		t.Fatalf("enrolments = %+v, %v", list, err)
	}

	// 陈爸爸 cancels by phone: he is told by SMS; his 2 places go to 林妈妈.
	p.click("取消报名:陈爸爸", "main")
	p.waitText("dialog[open]", "空出的名额会按顺序让给候补的家长。")
	p.typeIn(`dialog[open] textarea`, "家长来电取消")
	p.click("取消这个报名", "")
	p.waitText("#status", "已取消 陈爸爸 的报名,家长会收到短信。")
	p.waitRowShows("main", "林妈妈", "候补到号待确认")
	p.waitRowShows("main", "林妈妈", "前确认")
	if !p.lacksRow("main", "陈爸爸") {
		t.Errorf("a cancelled enrolment is listed among the live ones")
	}
	if got := mustEnrolment(t, s, g, "13700000001"); got.Status != chorus.StatusCancelled {
		t.Errorf("陈爸爸's enrolment is %s", got.Status)
	}
	msgs, err := s.DB.Messages(ctx, "13700000001", 10)
	if err != nil || len(msgs) == 0 || msgs[0].Kind != chorus.MsgEnrolled || msgs[0].EnrolmentID != a.ID || msgs[0].Params["status"] != "已取消" {
		t.Errorf("messages to 陈爸爸 = %+v, %v", msgs, err)
	}
	p.set(`main .toolbar select`, "all")
	p.waitRowShows("main", "陈爸爸", "已取消")

	// 林妈妈 phones instead of replying 1: staff confirm the offer for her.
	p.click("代为确认:林妈妈", "main")
	p.waitText("#status", "已为 林妈妈 确认报名。")
	p.waitRowShows("main", "林妈妈", "已确认")
	if got := mustEnrolment(t, s, g, "13700000002"); got.Status != chorus.StatusConfirmed {
		t.Errorf("林妈妈's enrolment is %s", got.Status)
	}
	p.waitText("main .summary", "已报 2 / 3 个孩子")
	p.shot("console-enrolments")

	// The programme is called off: everyone still enrolled is told.
	p.route("#/programmes", "托管")
	p.click("取消项目:寒假托管班", "main")
	p.waitText("dialog[open]", "现在已报 2 个孩子,候补 1 户。")
	p.typeIn(`dialog[open] textarea`, "场地维修")
	p.click("确认取消项目", "")
	p.waitText("#status", "已取消“寒假托管班”,报名的家长会收到取消短信。")
	p.waitText("main", "没有还没结束的托管项目。")
	p.set(`select[name=when]`, "cancelled")
	p.waitRowShows("main", "寒假托管班", "已取消")
	if p.lacksRow("main", "寒假托管班") || eval[bool](p, `[...document.querySelectorAll('main button')].some((b) => b.textContent === '取消项目')`) {
		t.Errorf("a cancelled programme can be cancelled again")
	}
	got, err := s.DB.Programme(ctx, g.ID)
	if err != nil || got.Status != chorus.EventCancelled {
		t.Fatalf("programme = %+v, %v", got, err)
	}
	for _, phone := range []string{"13700000002", "13700000003"} {
		if e := mustEnrolment(t, s, g, phone); e.Status != chorus.StatusCancelled {
			t.Errorf("the enrolment of %s is %s", phone, e.Status)
		}
		msgs, err := s.DB.Messages(ctx, phone, 10)
		if err != nil || len(msgs) == 0 || msgs[0].Kind != chorus.MsgEnrolled || msgs[0].Params["status"] != "已取消" {
			t.Errorf("messages to %s = %+v, %v", phone, msgs, err)
		}
	}
}

// TestConsole_Places has an admin add and rename a place and an estate;
// a staff member is turned away from the page and by the server.
func TestConsole_Places(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)
	p.click("地点与小区", "#nav")
	p.waitText("main h1", "地点与小区")
	p.waitText("main table", "社区活动室")
	p.mustSee("main", "光华街社区服务中心二楼", "电子二所小礼堂", "光华街16号院", "中铁诺德逸宸云著")

	// A name in use is refused by the form, and nothing is stored.
	add := `form[aria-label="添加地点"] `
	p.typeIn(add+`input[name=name]`, "社区活动室")
	p.click("添加地点", add)
	p.waitText(add+".form-error", "已经有同名的地点了。")
	p.set(add+`input[name=name]`, "")
	p.typeIn(add+`input[name=name]`, "老年食堂")
	p.typeIn(add+`input[name=address]`, "光华街12号一层")
	p.click("添加地点", add)
	p.waitText("#status", "已添加地点“老年食堂”。")
	p.waitRowShows("main", "老年食堂", "光华街12号一层")

	p.click("修改地点:老年食堂", "main")
	p.wait(`document.querySelector('dialog[open] input[name=name]')`)
	p.set(`dialog[open] input[name=name]`, "")
	p.typeIn(`dialog[open] input[name=name]`, "长者食堂")
	p.click("保存", "")
	p.waitText("#status", "已保存地点“长者食堂”。")
	p.waitRowShows("main", "长者食堂", "光华街12号一层")
	if !p.lacksRow("main", "老年食堂") {
		t.Errorf("the old name is still listed")
	}
	places, err := s.DB.Places(ctx)
	if err != nil || len(places) != 3 || places[2].Name != "长者食堂" || places[2].Address != "光华街12号一层" {
		t.Fatalf("places = %+v, %v", places, err)
	}

	// An estate with property management, then renamed: it keeps it.
	est := `form[aria-label="添加小区"] `
	p.typeIn(est+`input[name=name]`, "光华街20号院")
	if !eval[bool](p, `(document.querySelector('form[aria-label="添加小区"] input[name=property_management]').click(), true)`) {
		t.Fatal("no property management box")
	}
	// Its buildings and units, which the kiosks offer (issue 13).
	p.set(est+`input[name=buildings]`, "9")
	p.set(est+`input[name=units]`, "3")
	p.click("添加小区", est)
	p.waitText("#status", "已添加小区“光华街20号院”。")
	p.waitRowShows("main", "光华街20号院", "有物业")
	p.waitRowShows("main", "光华街20号院", "9栋楼,每栋最多3个单元")
	p.click("修改小区:光华街20号院", "main")
	p.wait(`document.querySelector('dialog[open] input[name=property_management]').checked`)
	p.set(`dialog[open] input[name=name]`, "")
	p.typeIn(`dialog[open] input[name=name]`, "光华街二十号院")
	p.click("保存", "")
	p.waitText("#status", "已保存小区“光华街二十号院”。")
	p.waitRowShows("main", "光华街二十号院", "有物业")
	p.shot("console-places")
	estates, err := s.DB.Estates(ctx)
	if err != nil || len(estates) != 4 || estates[3].Name != "光华街二十号院" || !estates[3].PropertyManagement ||
		estates[3].Buildings != 9 || estates[3].Units != 3 {
		t.Fatalf("estates = %+v, %v", estates, err)
	}
	// The new estate is offered for a resident's address.
	p.route("#/residents/13812345678", "居民 · 姚大娘")
	p.wait(`[...document.querySelectorAll('select[name=estate] option')].some((o) => o.textContent === '光华街二十号院')`)

	// A staff member: no menu entry, the page says why, the server refuses.
	p.click("退出登录", "#top")
	p.waitText("main h1", "工作人员登录")
	p.login(staffUser)
	if !eval[bool](p, `document.querySelector('#nav a[data-route=places]').closest('li').hidden`) {
		t.Errorf("a staff member sees 地点与小区 in the menu")
	}
	p.route("#/places", "地点与小区")
	p.waitText("main .notice", "这一页只有管理员能用。")
	if eval[bool](p, `!!document.querySelector('main table, main form')`) {
		t.Errorf("a staff member sees the places")
	}
	if st := eval[int](p, `C.api('POST', '/api/admin/places', { name: '会议室', address: '' }).then(() => 0, (e) => e.status)`); st != 403 {
		t.Errorf("a staff member adding a place: status %d, want 403", st)
	}
}

// TestConsole_ProgrammePhone runs the 320-pixel audit of TestConsole_Phone
// on the pages of this file, with an offer waiting so that every button
// of the enrolments shows.
func TestConsole_ProgrammePhone(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	g := mustProgramme(t, s)
	a := mustEnrol(t, s, g, "13700000001", "陈爸爸", chorus.Child{Name: "陈小宝", Age: 5}, chorus.Child{Name: "陈二宝", Age: 3})
	mustEnrol(t, s, g, "13700000002", "林妈妈", chorus.Child{Name: "林朵朵", Age: 4}, chorus.Child{Name: "林果果", Age: 4})
	mustEnrol(t, s, g, "13700000003", "黄奶奶", chorus.Child{Name: "黄小丫", Age: 4})
	if _, err := s.DB.CancelEnrolment(context.Background(), a.ID, chorus.ActorStaff, "家长来电取消"); err != nil {
		t.Fatal(err)
	}
	p := openBrowser(t, s, 320, 640)
	p.login(adminUser)
	for _, r := range []struct{ hash, title, ready string }{
		{"#/programmes", "托管", "main table"},
		{"#/programmes/new", "新建托管项目", "main form"},
		{fmt.Sprintf("#/programmes/%d/edit", g.ID), "修改托管项目:寒假托管班", "main form"},
		{fmt.Sprintf("#/programmes/%d", g.ID), "托管 · 寒假托管班", "main table"},
		{"#/places", "地点与小区", "main table"},
	} {
		p.route(r.hash, r.title)
		p.wait(fmt.Sprintf(`document.querySelector(%q)`, r.ready))
		for _, pr := range eval[[]string](p, auditJS) {
			t.Errorf("%s: %s", r.hash, pr)
		}
		if txt := p.text("main"); strings.Contains(txt, "null") || strings.Contains(txt, "undefined") {
			t.Errorf("%s shows a missing value: %s", r.hash, txt)
		}
	}
	// The enrolments' buttons are named with the guardian, and the cancel
	// dialog passes the audit too.
	p.route(fmt.Sprintf("#/programmes/%d", g.ID), "托管 · 寒假托管班")
	p.waitRowShows("main", "林妈妈", "候补到号待确认")
	names := eval[string](p, `[...document.querySelectorAll('main table button')].map((b) => b.getAttribute('aria-label')).join(' | ')`)
	for _, want := range []string{"代为确认:林妈妈", "取消报名:林妈妈", "取消报名:黄奶奶"} {
		if !strings.Contains(names, want) {
			t.Errorf("the buttons are named %q, missing %q", names, want)
		}
	}
	p.click("取消报名:黄奶奶", "main")
	p.waitText("dialog[open]", "黄小丫(4岁)")
	for _, pr := range eval[[]string](p, auditJS) {
		t.Errorf("the cancel dialog: %s", pr)
	}
}
