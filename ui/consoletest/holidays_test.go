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
