package consoletest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chorus-community/chorus"
)

// TestConsole_KioskModeClass (issue 19): on 自助机 staff set a kiosk's
// check-in mode to a term class, chosen in the same list as the events:
// the kiosk is saved set to the class and the list says so.
func TestConsole_KioskModeClass(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	partner := &chorus.Partner{Name: "书法协会", Kind: chorus.PartnerSocialOrg, Phones: []string{"13910240001"}, Active: true}
	s.must(s.DB.SavePartner(ctx, partner))
	c := &chorus.Class{Title: "书法班", Teacher: "周老师", PartnerID: partner.ID, PlaceID: s.Room, Weekday: 2,
		StartTime: "18:30", EndTime: "20:00", FirstDate: "2026-12-01", LastDate: "2027-01-26", Capacity: 20}
	s.must(s.DB.CreateClass(ctx, c))
	k, _, err := s.DB.CreateKiosk(ctx, "活动室东墙", s.Room)
	s.must(err)

	p := openBrowser(t, s, deskW, deskH)
	p.login(adminUser)
	p.route("#/kiosks", "自助机")
	p.click("模式:活动室东墙", "main")
	form := `form[aria-label="自助机模式"]`
	p.set(form+` select:not([name])`, "checkin")
	p.set(form+` select[name=checkin_for]`, fmt.Sprint("class:", c.ID))
	p.click("保存", form)
	p.waitText("#status", "已改为签到模式")
	p.waitText("main", "签到:书法班(课程)")
	got, err := s.DB.Kiosk(ctx, k.ID)
	s.must(err)
	if got.Mode.Kind != chorus.KioskCheckin || got.Mode.ClassID != c.ID || got.Mode.EventID != 0 || got.Mode.EventTitle != "书法班" {
		t.Fatalf("kiosk mode %+v", got.Mode)
	}
}
