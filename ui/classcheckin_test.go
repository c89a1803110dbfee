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
