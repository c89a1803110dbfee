package ui_test

import (
	"context"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestKiosk_CheckinModeClass: a kiosk at the activity room in check-in mode
// (set to the evening's event) accepts the QR code of a term class's
// enrolment too: the token names its class, the resident is greeted by
// name with the class's title and times, and marked present at today's
// session; the screen shows neither the phone nor the code.
func TestKiosk_CheckinModeClass(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"15103510008"},
		OpensAt: "08:00", ClosesAt: "21:00", Active: true}
	s.must(s.DB.SavePartner(ctx, partner))
	c := &chorus.Class{Title: "书法班", Teacher: "王建国", PartnerID: partner.ID, PlaceID: s.Room, Weekday: 2,
		StartTime: "18:30", EndTime: "20:00", FirstDate: "2026-12-01", LastDate: "2027-01-26", Capacity: 10}
	s.must(s.DB.CreateClass(ctx, c))
	e, err := s.DB.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: "13600001009", Name: "何奶奶"})
	s.must(err)
	p := openKiosk(t, s, pageOpts{})
	p.checkinMode(s.Yoga)

	p.typeKeys(s.URL+"/c/"+e.CheckinToken, scannerGap)
	if got := p.answer(); got != "ok" {
		t.Fatalf("scanning 何奶奶's class code: outcome %q", got)
	}
	p.mustSee("何奶奶", "✓ 签到成功", "书法班", "18:30–20:00")
	p.mustNotSee(e.Code, e.Phone, e.CheckinToken)
	p.check("67-checkin-class")
	roster, err := s.DB.SessionRoster(ctx, c.ID, "2026-12-01")
	if err != nil || len(roster) != 1 || roster[0].Mark != chorus.AttendancePresent {
		t.Fatalf("roster %+v, %v", roster, err)
	}
}

// TestKiosk_CheckinModeForClass (issue 19): a kiosk set to check-in mode
// for a term class (not an event) takes the 6-digit code typed on its
// keypad: the resident is greeted by name at today's session and marked
// present; a code no enrolment of the class holds is refused with the
// door's words; the screen shows neither the phone nor the code.
func TestKiosk_CheckinModeForClass(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "中国电子科技集团第二研究所", Kind: chorus.PartnerSocialOrg, Phones: []string{"15103510008"},
		OpensAt: "08:00", ClosesAt: "21:00", Active: true}
	s.must(s.DB.SavePartner(ctx, partner))
	c := &chorus.Class{Title: "书法班", Teacher: "王建国", PartnerID: partner.ID, PlaceID: s.Room, Weekday: 2,
		StartTime: "18:30", EndTime: "20:00", FirstDate: "2026-12-01", LastDate: "2027-01-26", Capacity: 10}
	s.must(s.DB.CreateClass(ctx, c))
	e, err := s.DB.EnrolClass(ctx, chorus.ClassEnrolmentRequest{ClassID: c.ID, Phone: "13600001009", Name: "何奶奶"})
	s.must(err)
	p := openKiosk(t, s, pageOpts{})
	s.setMode(p.KioskID, chorus.KioskMode{Kind: chorus.KioskCheckin, ClassID: c.ID})
	p.waitScreen("checkin")
	p.mustSee("签到 · 书法班")

	p.typeDigits(e.Code)
	p.tap("签到")
	if got := p.answer(); got != "ok" {
		t.Fatalf("何奶奶's typed class code: outcome %q", got)
	}
	p.mustSee("何奶奶", "✓ 签到成功", "书法班", "18:30–20:00")
	p.mustNotSee(e.Code, e.Phone)
	roster, err := s.DB.SessionRoster(ctx, c.ID, "2026-12-01")
	if err != nil || len(roster) != 1 || roster[0].Mark != chorus.AttendancePresent {
		t.Fatalf("roster %+v, %v", roster, err)
	}
	p.tap("完成")
	p.waitScreen("checkin")

	wrong := "000000"
	if e.Code == wrong {
		wrong = "111111"
	}
	p.typeDigits(wrong)
	p.tap("签到")
	if got := p.answer(); got != string(chorus.CheckinUnknown) {
		t.Fatalf("a code of nobody: outcome %q", got)
	}
	p.mustSee("没有找到这个报名,请找工作人员。")
}
