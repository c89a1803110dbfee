package consoletest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chorus-community/chorus"
	"github.com/chromedp/chromedp"
)

// holidays2027 is a small calendar in the holiday-cn format for the test
// (元旦 on Friday 2027-01-01, a worked Saturday 01-09): test data, not the
// real 2027 notice.
const holidays2027 = `{"year":2027,"papers":["国务院办公厅关于2027年部分节假日安排的通知"],"days":[
{"name":"元旦","date":"2027-01-01","isOffDay":true},
{"name":"元旦","date":"2027-01-09","isOffDay":false}]}`

// TestConsole_Holidays (issue 19): on 节假日 the admin imports a year's
// holiday-cn file (a file that is not JSON is refused in words), reads
// the days with the Friday class session it skipped named, adds a day,
// says which weekday the worked Saturday follows, and takes a day off.
func TestConsole_Holidays(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "书法协会", Kind: chorus.PartnerSocialOrg, Phones: []string{"13910240001"}, Active: true}
	s.must(s.DB.SavePartner(ctx, partner))
	s.must(s.DB.CreateClass(ctx, &chorus.Class{Title: "书法班", Teacher: "周老师", PartnerID: partner.ID, PlaceID: s.Room, Weekday: 5,
		StartTime: "19:00", EndTime: "20:30", FirstDate: "2026-12-04", LastDate: "2027-01-29", Capacity: 20}))
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "2027.json"), filepath.Join(dir, "notes.json")
	s.must(os.WriteFile(good, []byte(holidays2027), 0o600))
	s.must(os.WriteFile(bad, []byte("放假通知"), 0o600))

	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)
	p.click("节假日", "#nav")
	p.waitText("main h1", "节假日")
	p.waitText("main", "还没有2026年的节假日安排。")
	p.click("导入节假日文件", "main")
	form := `form[aria-label="导入节假日"]`
	p.do(chromedp.SetUploadFiles(form+` input[name=file]`, []string{bad}))
	p.click("导入", form)
	p.waitText(form+" .form-error", "不是 holiday-cn 格式")
	p.do(chromedp.SetUploadFiles(form+` input[name=file]`, []string{good}))
	p.click("导入", form)
	p.waitText("#status", "已导入2027年的2天。停上1节课:书法班 2027-01-01(元旦)")
	p.waitText("main", "2027-01-09")
	p.mustSee("main", "2027年节假日", "2027-01-01", "周五", "法定节假日", "调休上班", "按周一开放", "国务院办公厅关于2027年部分节假日安排的通知")

	p.click("添加一天", "main")
	df := `form[aria-label="节假日"]`
	p.set(df+` input[name=date]`, "2027-01-15")
	p.click("保存", df)
	p.waitText(df+" .form-error", "节日名称")
	p.typeIn(df+` input[name=name]`, "社区停课日")
	p.click("保存", df)
	p.waitText("#status", "已保存2027-01-15。停上1节课:书法班 2027-01-15(社区停课日)")
	p.waitText("main", "社区停课日")

	p.click("修改2027-01-09", "main")
	p.set(df+` select[name=follows]`, "5")
	p.click("保存", df)
	p.waitText("main", "按周五开放")

	p.click("删除2027-01-15", "main")
	p.click("删除", "dialog[open]")
	p.waitText("#status", "已删除2027-01-15。")
	days, err := s.DB.Holidays(ctx, 2027)
	s.must(err)
	if len(days) != 2 || days[1].Follows != 5 {
		t.Fatalf("the 2027 calendar %+v", days)
	}
	p.shot("console-holidays")
}

// TestConsole_VenueDayRules (issue 19): on 场馆 the admin gives the 小礼堂
// opening hours on 法定节假日 and a limit per resident, and drops Thursday,
// whose session a resident booked: the rule is saved with its kind of day
// (no weekdays), the page says both in words and says that the booked
// Thursday was called off.
func TestConsole_VenueDayRules(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"13910240001"}, Active: true}
	s.must(s.DB.SavePartner(ctx, partner))
	s.must(s.DB.SaveVenue(ctx, &chorus.Venue{PlaceID: s.Hall, PartnerID: partner.ID, Kind: "礼堂", Capacity: 120,
		Hours: []chorus.OpeningRule{{Weekdays: []int{2, 4}, Start: "18:00", End: "20:00", Mode: chorus.VenueModeOpen, Places: 20}}}))

	events, err := s.DB.UpcomingEvents(ctx, s.Clock.Now())
	s.must(err)
	for _, e := range events {
		if e.Kind == chorus.ServiceVenue {
			_, err := s.DB.Book(ctx, chorus.BookingRequest{EventID: e.ID, SlotID: e.Slots[1].ID, Phone: "13812345678", Name: "姚大娘", Source: "staff"})
			s.must(err)
			break
		}
	}

	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)
	p.click("场馆", "#nav")
	p.waitText("main", "周二、周四 18:00–20:00 向居民开放20人")
	p.click("修改电子二所小礼堂", "main")
	form := `form[aria-label="场馆"]`
	p.wait(`(() => { const b = document.querySelector('` + form + ` .rule input[value="4"]'); b.click(); return !b.checked; })()`)
	p.click("再加一条开放时间", form)
	second := form + ` .rule:nth-of-type(2)`
	p.set(second+` select[aria-label=适用于]`, "holiday")
	if eval[bool](p, `!document.querySelector('`+second+` .checks').hidden`) {
		t.Errorf("the weekdays still show for a holiday rule")
	}
	p.set(second+` input[aria-label=开始]`, "14:00")
	p.set(second+` input[aria-label=结束]`, "16:00")
	p.set(second+` select[aria-label=用途]`, "open")
	p.set(second+` input[aria-label=开放名额]`, "15")
	p.set(form+` input[name=week_limit]`, "2")
	p.click("保存", form)
	p.waitText("#status", "已保存场馆。新的开放时间取消了1个已有人预约的时段,预约的居民会收到短信:")
	// The list: the venue, the day, the time and the residents told.
	p.waitText("#status", "18:00–20:00(已短信告知1人)")
	p.waitText("main", "法定节假日 14:00–16:00 向居民开放15人")
	p.mustSee("main", "周二 18:00–20:00 向居民开放20人")
	p.mustSee("main", "限每人每周2次")
	v, err := s.DB.Venue(ctx, s.Hall)
	s.must(err)
	if len(v.Hours) != 2 || v.Hours[1].Day != chorus.DayHoliday || len(v.Hours[1].Weekdays) != 0 || v.WeekLimit != 2 || v.AtOnce != 0 {
		t.Fatalf("saved %+v", v)
	}
}
