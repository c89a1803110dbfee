package consoletest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestConsole_Venues: on 场馆, the admin makes the institute's 小礼堂 a
// venue (a bad capacity is refused in words, nothing saved), closes it for
// a day that holds a request (the request is named), and reads the
// requests with the partner's answers.
func TestConsole_Venues(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"13910240001"}, Active: true}
	s.must(s.DB.SavePartner(ctx, partner))

	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)
	p.click("场馆", "#nav")
	p.waitText("main h1", "场馆")
	p.waitText("main", "还没有共建单位的场馆")
	p.click("添加场馆", "main")
	form := `form[aria-label="场馆"]`
	p.set(form+` select[name=place]`, fmt.Sprint(s.Hall))
	p.set(form+` select[name=partner]`, fmt.Sprint(partner.ID))
	p.set(form+` input[name=capacity]`, "0")
	p.click("保存", form)
	p.waitText(form+" .form-error", "容纳人数")
	if list, _ := s.DB.Venues(ctx); len(list) != 0 {
		t.Fatalf("a refused form saved %+v", list)
	}
	p.set(form+` input[name=capacity]`, "120")
	p.typeIn(form+` input[name=kind]`, "礼堂")
	p.typeIn(form+` textarea[name=approvers]`, "13910240002")
	for _, d := range []string{"1", "2", "3", "4", "5", "6"} {
		p.wait(`(() => { const b = document.querySelector('` + form + ` .rule input[value="` + d + `"]'); b.click(); return b.checked; })()`)
	}
	p.set(form+` .rule input[aria-label=开始]`, "08:30")
	p.set(form+` .rule input[aria-label=结束]`, "21:00")
	p.click("保存", form)
	p.waitText("#status", "已保存场馆")
	p.waitText("main", "13910240002")
	p.mustSee("main", "电子二所小礼堂", "中国电子科技集团第二研究所", "周一、周二、周三、周四、周五、周六 08:30–21:00 可借用办活动", "13910240002")

	// An event there asks the partner; a closure over it names it.
	start := time.Date(2026, 12, 12, 14, 0, 0, 0, shanghai)
	ev := &chorus.Event{Kind: chorus.ServiceLecture, Title: "健康讲座", PlaceID: s.Hall, Status: chorus.EventOpen,
		Slots: []chorus.Slot{{Start: start, End: start.Add(2 * time.Hour), Capacity: 80}}}
	s.must(s.DB.CreateEvent(ctx, ev))
	eval[bool](p, `(C.render(), true)`)
	p.waitText("main", "等待答复")
	p.mustSee("main", "健康讲座", "12月12日")
	p.click("关闭电子二所小礼堂", "main")
	cf := `form[aria-label="关闭场馆"]`
	p.set(cf+` input[name=from]`, "2026-12-12")
	p.set(cf+` input[name=to]`, "2026-12-12")
	p.typeIn(cf+` input[name=reason]`, "所内会议")
	p.click("关闭", cf)
	p.waitText("#status", "健康讲座")
	p.waitText("main", "2026-12-12至2026-12-12 所内会议")
	// The partner phones to say no: staff record the answer.
	p.click("登记申请"+fmt.Sprint(mustRequest(t, s, ev.ID))+"的答复", "main")
	af := `form[aria-label="电话答复"]`
	p.set(af+` select[name=answer]`, "refuse")
	p.typeIn(af+` input[name=reason]`, "礼堂维修")
	p.click("登记", af)
	p.waitText("main", "礼堂维修")
	p.mustSee("main", "不同意")
	p.shot("console-venues")
}

// mustRequest returns the id of event id's venue request.
func mustRequest(t *testing.T, s *stack, id int64) int64 {
	t.Helper()
	list, err := s.DB.VenueRequests(context.Background(), "", 10)
	s.must(err)
	for _, r := range list {
		if r.EventID == id {
			return r.ID
		}
	}
	t.Fatalf("no request for event %d", id)
	return 0
}
