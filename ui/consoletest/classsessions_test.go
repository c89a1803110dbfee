package consoletest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestConsole_ClassSessions: on today's roster of a class, staff type a
// resident's 6-digit code, or a scanner types the QR code's URL, and the
// door's words show (签到成功, 没有找到这个报名); the roster marks them 到.
// Staff change the class (another weekday and time; a size of 0 is refused
// in words) and the sessions already held keep their attendance; they add
// a make-up session, shown as 补课, and everyone enrolled is texted.
func TestConsole_ClassSessions(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"15103510008"},
		OpensAt: "08:00", ClosesAt: "21:00", Active: true}
	if err := s.DB.SavePartner(ctx, partner); err != nil {
		t.Fatal(err)
	}
	c := &chorus.Class{Title: "瑜伽班", Teacher: "刘", PartnerID: partner.ID, PlaceID: s.Hall, Weekday: 2,
		StartTime: "18:30", EndTime: "19:30", FirstDate: "2026-11-10", LastDate: "2027-01-26", Capacity: 5}
	if err := s.DB.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	enrol := func(phone, name string) *chorus.Enrolment {
		e, err := s.DB.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: phone, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	yao := enrol("13812345678", "姚大娘")
	wang := enrol("13912345678", "王大爷")
	if err := s.DB.MarkAttendance(ctx, c.ID, "2026-11-24", yao.ID, chorus.AttendancePresent, chorus.ActorStaff); err != nil {
		t.Fatal(err)
	}

	p := openBrowser(t, s, deskW, deskH)
	p.login(staffUser)
	p.route(fmt.Sprintf("#/classes/%d/2026-12-01", c.ID), "点名 · 瑜伽班")
	p.waitRowShows("main", "姚大娘", "未点名")
	form := `form[aria-label="课程签到"] `
	p.typeIn(form+`input[name=code]`, yao.Code)
	p.click("签到", form)
	p.waitText("main .answer", "姚大娘,签到成功!")
	p.waitRowShows("main", "姚大娘", "到")
	p.typeIn(form+`input[name=code]`, "000000")
	p.click("签到", form)
	p.waitText("main .answer", "没有找到这个报名,请找工作人员。")
	p.typeIn(form+`input[name=code]`, s.URL+"/c/"+wang.CheckinToken)
	p.click("签到", form)
	p.waitText("main .answer", "王大爷,签到成功!")
	p.waitText("main .summary", "到 2 / 2 人")
	p.shot("console-class-checkin")

	// The class moves to Thursdays 19:00 from today; a size of 0 is refused.
	p.click("返回课程", "main")
	p.waitText("main h1", "课程 · 瑜伽班")
	p.click("修改课程", "main")
	p.waitText("main h1", "修改课程 · 瑜伽班")
	p.set(`select[name=weekday]`, "4")
	p.set(`input[name=start_time]`, "19:00")
	p.set(`input[name=end_time]`, "20:00")
	p.set(`input[name=capacity]`, "0")
	p.click("保存修改", "main")
	p.waitText("main .form-error", "名额")
	p.set(`input[name=capacity]`, "6")
	p.click("保存修改", "main")
	p.waitText("#status", "已保存“瑜伽班”")
	p.waitText("main h1", "课程 · 瑜伽班")
	p.mustSee("main .summary", "每星期四 19:00–20:00", "已报 2 / 6 人")
	p.waitRowShows("main", "11月24日", "上课")
	marks, err := s.DB.ClassMarks(ctx, c.ID)
	if err != nil || len(marks) != 3 {
		t.Fatalf("marks after the change %+v, %v: 11-24 and today's stay", marks, err)
	}

	// A make-up session on Saturday.
	p.click("加一节补课", "main")
	p.set(`dialog[open] input[name=date]`, "2026-12-05")
	p.click("确认补课", "dialog[open]")
	p.waitText("#status", "已加补课")
	p.waitRowShows("main", "12月5日", "补课")
	for _, ph := range []string{yao.Phone, wang.Phone} {
		msgs, err := s.DB.Messages(ctx, ph, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range msgs {
			if m.Kind == chorus.MsgSessionMakeup {
				n++
			}
		}
		if n != 1 {
			t.Errorf("make-up SMS to %s: %d", ph, n)
		}
	}
}
