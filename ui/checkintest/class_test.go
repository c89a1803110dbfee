package checkintest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// TestCheckinPage_Class: staff at a term class's door with a phone. The
// QR code of a class enrolment, opened by the phone's camera app as
// /c/<token>, checks the resident in at today's session even with the
// morning's event chosen (the token names its class). Today's class is in
// the list; chosen, a typed code checks in there, the figures come from
// the session's roster, and an event booking's QR code says it is not for
// this class. The roster shows both present.
func TestCheckinPage_Class(t *testing.T) {
	browsertest.Require(t)
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"15103510008"},
		OpensAt: "08:00", ClosesAt: "21:00", Active: true}
	if err := s.DB.SavePartner(ctx, partner); err != nil {
		t.Fatal(err)
	}
	room := &chorus.Place{Name: "声乐室"}
	if err := s.DB.SavePlace(ctx, room); err != nil {
		t.Fatal(err)
	}
	c := &chorus.Class{Title: "书法班", Teacher: "王建国", PartnerID: partner.ID, PlaceID: room.ID, Weekday: 6,
		StartTime: "09:30", EndTime: "11:00", FirstDate: "2026-12-05", LastDate: "2027-01-30", Capacity: 10}
	if err := s.DB.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	enrol := func(phone, name string) *chorus.Enrolment {
		e, err := s.DB.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: phone, Name: name})
		if err != nil || e.CheckinToken == "" {
			t.Fatalf("enrol %s: %+v, %v", name, e, err)
		}
		return e
	}
	he := enrol("13811112222", "何奶奶")
	lu := enrol("13811113333", "陆大爷")
	p := openPage(t, s)
	p.wait(`!document.getElementById('login').hidden`)
	p.do(chromedp.SendKeys(chromedp.ID("username"), staffUser), chromedp.SendKeys(chromedp.ID("password"), staffPassword),
		chromedp.Click(chromedp.ID("login-btn")))
	p.wait(`checkin.ready && document.getElementById('n-booked').innerText === '7'`) // the clinic, chosen first
	p.wait(`[...document.querySelectorAll('#event option')].some((o) => o.textContent === '今天 09:30 书法班(课程) · 声乐室')`)

	// The phone's camera app opens 何奶奶's QR code.
	p.drv.Navigate(s.URL + "/c/" + he.CheckinToken)
	p.waitAnswer("ok", "何奶奶")
	p.waitAnswer("ok", "书法班")

	// The class chosen: 陆大爷 types his code.
	p.do(chromedp.SetValue(chromedp.ID("event"), fmt.Sprintf("c:%d", c.ID)))
	p.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('event').dispatchEvent(new Event('change'))`))
	p.wait(`checkin.event && checkin.event.cls && document.getElementById('n-booked').innerText === '2'`)
	p.typeCode(lu.Code)
	p.waitAnswer("ok", "陆大爷")
	p.waitAnswer("ok", "签到成功")
	p.wait(`document.getElementById('n-in').innerText === '2' && document.getElementById('n-notyet').innerText === '0'`)
	p.shot("class")
	// 李阿姨's clinic booking at the class's door.
	eval[any](p, fmt.Sprintf(`checkin.scanned(%q, 'scanner')`, s.URL+"/c/"+s.B["李阿姨"].CheckinToken))
	p.waitAnswer("other_event", "不是这门课")
	p.waitAnswer("other_event", "免费义诊")

	roster, err := s.DB.SessionRoster(ctx, c.ID, "2026-12-05")
	if err != nil || len(roster) != 2 || roster[0].Mark != chorus.AttendancePresent || roster[1].Mark != chorus.AttendancePresent {
		t.Fatalf("roster %+v, %v", roster, err)
	}
	if b, err := s.DB.Booking(ctx, s.B["李阿姨"].ID); err != nil || b.Status != chorus.StatusConfirmed {
		t.Fatalf("李阿姨's booking %+v, %v: not checked in at the class", b, err)
	}
}

// TestCheckinPage_ClassSearch (issue 19): at a term class's door, 查找
// finds a resident holding a place by the phone's last 4 digits or the
// name (phone masked, 未签到) and a tap checks them in at today's session
// with the door's words; a waitlisted resident is not found.
func TestCheckinPage_ClassSearch(t *testing.T) {
	browsertest.Require(t)
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"15103510008"},
		OpensAt: "08:00", ClosesAt: "21:00", Active: true}
	if err := s.DB.SavePartner(ctx, partner); err != nil {
		t.Fatal(err)
	}
	room := &chorus.Place{Name: "声乐室"}
	if err := s.DB.SavePlace(ctx, room); err != nil {
		t.Fatal(err)
	}
	c := &chorus.Class{Title: "书法班", Teacher: "王建国", PartnerID: partner.ID, PlaceID: room.ID, Weekday: 6,
		StartTime: "09:30", EndTime: "11:00", FirstDate: "2026-12-05", LastDate: "2027-01-30", Capacity: 1}
	if err := s.DB.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	he, err := s.DB.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: "13811112222", Name: "何奶奶"})
	if err != nil {
		t.Fatal(err)
	}
	if w, err := s.DB.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: "13911112222", Name: "何大爷"}); err != nil || w.Status != chorus.StatusWaitlisted {
		t.Fatalf("second enrolment %+v, %v; want waitlisted", w, err)
	}
	p := openPage(t, s)
	p.wait(`!document.getElementById('login').hidden`)
	p.do(chromedp.SendKeys(chromedp.ID("username"), staffUser), chromedp.SendKeys(chromedp.ID("password"), staffPassword),
		chromedp.Click(chromedp.ID("login-btn")))
	p.wait(`checkin.ready && [...document.querySelectorAll('#event option')].some((o) => o.value === 'c:` + fmt.Sprint(c.ID) + `')`)
	p.do(chromedp.SetValue(chromedp.ID("event"), fmt.Sprintf("c:%d", c.ID)))
	p.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('event').dispatchEvent(new Event('change'))`))
	p.wait(`checkin.event && checkin.event.cls && document.getElementById('n-booked').innerText === '1'`)

	p.do(chromedp.Click(chromedp.ID("t-search")), chromedp.SendKeys(chromedp.ID("search"), "2222"))
	p.wait(`document.getElementById('results').innerText.includes('何奶奶')`)
	got := p.text("results")
	if !strings.Contains(got, "138****2222") || !strings.Contains(got, "未签到") || strings.Contains(got, "何大爷") ||
		strings.Contains(got, "13811112222") {
		t.Fatalf("results = %q", got)
	}
	p.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#results button[data-id="%d"]`, he.ID))))
	p.waitAnswer("ok", "何奶奶")
	p.waitAnswer("ok", "签到成功")
	p.wait(`document.getElementById('results').innerText.includes('已签到')`)
	p.wait(`document.getElementById('n-in').innerText === '1'`)
	roster, err := s.DB.SessionRoster(ctx, c.ID, "2026-12-05")
	if err != nil || len(roster) != 1 || roster[0].Mark != chorus.AttendancePresent {
		t.Fatalf("roster %+v, %v", roster, err)
	}
	// By name too.
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('search'); s.value = '何'; s.dispatchEvent(new Event('input')); })()`))
	p.wait(`document.getElementById('results').innerText.includes('何奶奶') && document.getElementById('search-msg').innerText.includes('找到 1 人')`)
}
