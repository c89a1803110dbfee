package consoletest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// The district's accounts: wanggang works for both communities (staff in
// each), jiedao is the district admin.
const districtUser = "jiedao"

// mustDistrictStack starts Chorus with 光华街社区 (the console tests' own)
// and 和泽苑社区 next to it (in Asia/Urumqi, two hours behind), added as
// the district admin would: its
// place and 靓丽星期五 with two bookings, one checked in, made in its
// scope; wanggang works for both, liting for 光华街 only, jiedao is the
// district admin.
func mustDistrictStack(t *testing.T) *stack {
	t.Helper()
	s := mustStack(t)
	ctx := context.Background()
	db := s.DB
	hzc := &chorus.Community{Name: "和泽苑社区", SignName: "和泽苑社区", TimeZone: "Asia/Urumqi"}
	s.must(db.AddCommunity(ctx, hzc))
	hz := chorus.WithScope(ctx, chorus.Scope{Community: hzc.ID})
	s.must(db.CreateStaff(ctx, &chorus.Staff{Username: districtUser, Name: "刘洋", Role: chorus.RoleAdmin, District: true}, password))
	// 王刚 joins 和泽苑 as chorus user join does.
	join := chorus.WithScope(ctx, chorus.Scope{Community: hzc.ID, District: true})
	staff, err := db.StaffList(join)
	s.must(err)
	for _, m := range staff {
		if m.Username == staffUser || m.Username == districtUser {
			m.Role = map[string]chorus.Role{staffUser: chorus.RoleStaff, districtUser: chorus.RoleAdmin}[m.Username]
			s.must(db.SetStaff(join, &m, ""))
		}
	}
	place := &chorus.Place{Name: "和泽苑社区活动室"}
	s.must(db.SavePlace(hz, place))
	urumqi, err := time.LoadLocation("Asia/Urumqi")
	s.must(err)
	fri := time.Date(2026, 12, 4, 9, 0, 0, 0, urumqi) // 11:00 in Shanghai
	ev := &chorus.Event{Kind: chorus.ServiceLecture, Title: "靓丽星期五", PlaceID: place.ID, CutoffMinutes: 30,
		Slots: []chorus.Slot{{Start: fri, End: fri.Add(2 * time.Hour), Capacity: 40}}}
	s.must(db.CreateEvent(hz, ev))
	for i, phone := range []string{"13812340001", "13812340002"} {
		b, err := db.Book(hz, chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID, Phone: phone, Name: []string{"孙大爷", "钱大娘"}[i],
			Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
		s.must(err)
		if i == 0 {
			_, err := db.Transition(hz, b.ID, chorus.StatusCheckedIn, chorus.ActorStaff, "")
			s.must(err)
		}
	}
	return s
}

// TestConsole_CommunitySwitcher: staff of one community see no switcher
// and no 街道; 王刚, who works for both communities, switches to 和泽苑 at
// the top: the server is asked, the header names 和泽苑, the page shown
// is rendered again with its data, and a reload keeps it.
func TestConsole_CommunitySwitcher(t *testing.T) {
	t.Parallel()
	s := mustDistrictStack(t)
	p := openBrowser(t, s, deskW, deskH)

	p.login(adminUser)
	p.mustSee("#community", "光华街社区")
	if eval[bool](p, `!document.querySelector('#switch').hidden || !document.querySelector('[data-district]').hidden`) {
		t.Errorf("a staff member of one community sees the switcher or 街道: %s", p.excerpt())
	}
	p.click("退出登录", "#who")
	p.wait(`document.querySelector('input[name=username]')`)

	p.login(staffUser)
	p.wait(`!document.querySelector('#switch').hidden`)
	if got := eval[string](p, `[...document.querySelectorAll('#community-switch option')].map((o) => o.textContent).join('|')`); got != "光华街社区|和泽苑社区" {
		t.Errorf("the switcher offers %q", got)
	}
	if got := eval[string](p, `document.querySelector('#community-switch').value`); got != "1" {
		t.Errorf("the switcher shows community %s, want 1", got)
	}
	if eval[bool](p, `!document.querySelector('[data-district]').hidden`) {
		t.Errorf("staff who are not district admins see 街道")
	}
	if got := eval[string](p, `document.querySelector('label[for=community-switch]').textContent`); got != "社区" {
		t.Errorf("the switcher's label = %q", got)
	}
	p.route("#/events", "活动")
	p.waitText("main", "免费义诊")
	p.shot("console-switcher")

	p.set("#community-switch", "2")
	p.waitText("#community", "和泽苑社区")
	p.waitText("#status", "已切换到和泽苑社区。")
	p.waitText("main h1", "活动")
	me := eval[float64](p, `fetch('/api/me').then((r) => r.json()).then((m) => m.staff.community)`)
	if me != 2 {
		t.Errorf("the session acts in community %v after switching, want 2", me)
	}
	p.waitText("main", "靓丽星期五")
	if strings.Contains(p.text("main"), "免费义诊") {
		t.Errorf("after switching to 和泽苑, 光华街's events still show: %s", p.excerpt())
	}
	// 和泽苑 keeps Urumqi's time: 靓丽星期五 is 09:00–11:00 there
	// (11:00–13:00 in 光华街's zone).
	if main := p.text("main"); !strings.Contains(main, "09:00–11:00") || strings.Contains(main, "11:00–13:00") {
		t.Errorf("和泽苑's 靓丽星期五 is not shown at 09:00, its own time: %s", p.excerpt())
	}

	// A reload keeps the community the session acts in.
	p.open("/staff#/events")
	p.waitText("main h1", "活动")
	p.wait(`document.querySelector('#community-switch') && document.querySelector('#community-switch').value === '2'`)
	p.mustSee("#community", "和泽苑社区")

	// On a phone the switcher fits the screen, at the top.
	q := p.another(phoneW, phoneH)
	q.open("/staff#/today")
	q.waitText("main h1", "今日")
	q.wait(`document.querySelector('#community-switch') && !document.querySelector('#switch').hidden`)
	type box struct{ Right, Width, Scroll, Inner float64 }
	b := eval[box](q, `(() => { const r = document.querySelector('#community-switch').getBoundingClientRect();
  return { Right: r.right, Width: r.width, Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth }; })()`)
	if b.Right > b.Inner || b.Scroll > b.Inner || b.Width < 80 {
		t.Errorf("on a phone the switcher = %+v: it does not fit", b)
	}
	q.shot("console-switcher-phone")
}

// TestConsole_DistrictPage: the district admin has 街道 in the menu: this
// week's and this year's figures of each community, side by side, and
// the partners' figures of the year per community; a staff member who opens the page by its address is told it is the
// district admin's.
func TestConsole_DistrictPage(t *testing.T) {
	t.Parallel()
	s := mustDistrictStack(t)
	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route("#/district", "街道")
	p.waitText("main", "这一页只有街道管理员能用。")
	p.click("退出登录", "#who")
	p.wait(`document.querySelector('input[name=username]')`)

	p.login(districtUser)
	p.wait(`!document.querySelector('[data-district]').hidden && !document.querySelector('#switch').hidden`)
	p.click("街道", "#nav")
	p.waitText("main h1", "街道")
	p.waitText("main", "本周(11月30日—12月6日)")
	p.mustSee("main", "今年(2026年)", "光华街社区", "和泽苑社区", "自助机在线")
	if strings.Contains(p.text("main"), "null") || strings.Contains(p.text("main"), "undefined") {
		t.Errorf("the page shows null or undefined: %s", p.excerpt())
	}
	// This week: 光华街's yoga, 4 booked and 2 checked in; 和泽苑's
	// 靓丽星期五, 2 booked and 1 checked in.
	type row struct{ Name, Bookings, Attended string }
	rows := eval[[]row](p, `[...document.querySelectorAll('main table')][0].querySelectorAll('tbody tr').length ?
  [...[...document.querySelectorAll('main table')][0].querySelectorAll('tbody tr')].map((tr) => ({
    Name: tr.cells[0].innerText.trim(), Bookings: tr.cells[1].innerText.trim(), Attended: tr.cells[2].innerText.trim() })) : []`)
	if len(rows) != 2 || rows[0].Name != "光华街社区" || rows[0].Bookings != "4" || !strings.HasPrefix(rows[0].Attended, "2") ||
		rows[1].Name != "和泽苑社区" || rows[1].Bookings != "2" || !strings.HasPrefix(rows[1].Attended, "1") {
		t.Errorf("this week's rows = %+v", rows)
	}
	// The partners' figures for the year, a column per community: the
	// builder took 光华街's repair.
	p.waitText("main h2", "2026年共建单位")
	p.wait(`[...document.querySelectorAll('main section')].some((sec) => sec.querySelector('h2').textContent.includes('共建单位') &&
  sec.innerText.includes('宏建建筑公司') && sec.querySelector('thead').innerText.includes('光华街社区') && sec.querySelector('thead').innerText.includes('场地出借(小时)'))`)
	p.shot("console-district")
}
